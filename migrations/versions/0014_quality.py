"""quality rules: stored findings and their explanations

Revision ID: 0014_quality
Revises: 0013_snapshots
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_quality"
down_revision = "0013_snapshots"
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True,
                   length=max(len(v) for v in values))


def upgrade():
    op.create_table(
        "quality_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("trigger", _enum("scan_trigger", "web", "command", "pre_report", "submission"),
                  nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("run_by_id", sa.Integer(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("fixed", sa.Integer(), nullable=False),
        sa.CheckConstraint("period_start <= period_end",
                           name=op.f("ck_quality_scans_period_ordered")),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"],
                                name=op.f("fk_quality_scans_division_code_divisions")),
        sa.ForeignKeyConstraint(["run_by_id"], ["users.id"],
                                name=op.f("fk_quality_scans_run_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_scans")),
    )
    with op.batch_alter_table("quality_scans", schema=None) as batch_op:
        batch_op.create_index("ix_quality_scans_division",
                              ["division_code", "period_start", "period_end"], unique=False)

    op.create_table(
        "quality_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("severity", _enum("finding_severity", "error", "warning"), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("scope_code", sa.String(length=12), nullable=False),
        sa.Column("record_file", sa.String(length=40), nullable=False),
        sa.Column("record_key", sa.String(length=200), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", _enum("finding_status", "open", "fixed", "explained"),
                  nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("found_by_id", sa.Integer(), nullable=True),
        sa.Column("last_scan_id", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("explained_at", sa.DateTime(), nullable=True),
        sa.Column("explained_by_id", sa.Integer(), nullable=True),
        sa.Column("fixed_at", sa.DateTime(), nullable=True),
        sa.Column("fixed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(status = 'explained') = (explanation IS NOT NULL)",
                           name=op.f("ck_quality_findings_explanation_iff_explained")),
        sa.CheckConstraint("(explained_at IS NULL) = (explanation IS NULL)",
                           name=op.f("ck_quality_findings_explained_at_with_explanation")),
        sa.CheckConstraint("period_start <= period_end",
                           name=op.f("ck_quality_findings_period_ordered")),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"],
                                name=op.f("fk_quality_findings_division_code_divisions")),
        sa.ForeignKeyConstraint(["scope_code"], ["divisions.code"],
                                name=op.f("fk_quality_findings_scope_code_divisions")),
        sa.ForeignKeyConstraint(["found_by_id"], ["users.id"],
                                name=op.f("fk_quality_findings_found_by_id_users")),
        sa.ForeignKeyConstraint(["explained_by_id"], ["users.id"],
                                name=op.f("fk_quality_findings_explained_by_id_users")),
        sa.ForeignKeyConstraint(["fixed_by_id"], ["users.id"],
                                name=op.f("fk_quality_findings_fixed_by_id_users")),
        sa.ForeignKeyConstraint(["last_scan_id"], ["quality_scans.id"],
                                name=op.f("fk_quality_findings_last_scan_id_quality_scans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_findings")),
        sa.UniqueConstraint("rule", "period_start", "period_end", "subject",
                            name=op.f("uq_quality_findings_rule_period_start_period_end_subject")),
    )
    with op.batch_alter_table("quality_findings", schema=None) as batch_op:
        batch_op.create_index("ix_quality_findings_scope",
                              ["period_start", "period_end", "scope_code"], unique=False)
        batch_op.create_index("ix_quality_findings_division",
                              ["division_code", "period_start", "status"], unique=False)


def downgrade():
    with op.batch_alter_table("quality_findings", schema=None) as batch_op:
        batch_op.drop_index("ix_quality_findings_division")
        batch_op.drop_index("ix_quality_findings_scope")
    op.drop_table("quality_findings")
    with op.batch_alter_table("quality_scans", schema=None) as batch_op:
        batch_op.drop_index("ix_quality_scans_division")
    op.drop_table("quality_scans")
