"""background jobs with progress

Revision ID: 0021_jobs
Revises: 0020_speed
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021_jobs"
down_revision = "0020_speed"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("state", sa.Enum("queued", "running", "succeeded", "failed", name="job_state",
                                   native_enum=False, create_constraint=True, length=9),
                  nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("upload", sa.LargeBinary(), nullable=True),
        sa.Column("upload_sha256", sa.String(length=64), nullable=True),
        sa.CheckConstraint("progress_done >= 0 AND progress_total >= 0",
                           name=op.f("ck_jobs_progress_positive")),
        sa.CheckConstraint("state IN ('queued', 'failed') OR started_at IS NOT NULL",
                           name=op.f("ck_jobs_started_when_run")),
        sa.CheckConstraint("(state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)",
                           name=op.f("ck_jobs_finished_iff_done")),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"],
                                name=op.f("fk_jobs_division_code_divisions")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_jobs_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_division_created", ["division_code", "created_at"],
                              unique=False)
        batch_op.create_index("ix_jobs_upload_sha256", ["upload_sha256"], unique=False)


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_upload_sha256")
        batch_op.drop_index("ix_jobs_division_created")
    op.drop_table("jobs")
