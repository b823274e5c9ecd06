"""snapshots: the chain of monthly frozen snapshots

Revision ID: 0013_snapshots
Revises: 0012_reporting
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013_snapshots"
down_revision = "0012_reporting"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("directory", sa.String(length=500), nullable=False),
        sa.Column("dialect", sa.String(length=20), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("previous_manifest_sha256", sa.String(length=64), nullable=True),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("total_bytes", sa.BigInteger(), nullable=False),
        sa.Column("restored_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("length(manifest_sha256) = 64",
                           name=op.f("ck_snapshots_manifest_sha256_length")),
        sa.CheckConstraint(
            "previous_manifest_sha256 IS NULL OR length(previous_manifest_sha256) = 64",
            name=op.f("ck_snapshots_previous_sha256_length")),
        sa.CheckConstraint("file_count >= 0 AND total_bytes >= 0",
                           name=op.f("ck_snapshots_sizes_non_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
    )
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_snapshots_manifest_sha256"), ["manifest_sha256"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_snapshots_manifest_sha256"))
    op.drop_table("snapshots")
