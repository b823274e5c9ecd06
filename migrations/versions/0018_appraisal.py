"""appraisal: rectification notices (限期改正)

Revision ID: 0018_appraisal
Revises: 0017_analysis
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018_appraisal"
down_revision = "0017_analysis"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rectification_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("issuer_code", sa.String(length=12), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("issue", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.Enum("open", "answered", "closed", name="notice_state",
                                   native_enum=False, create_constraint=True, length=8),
                  nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(period_start IS NULL) = (period_end IS NULL)",
                           name=op.f("ck_rectification_notices_period_whole")),
        sa.CheckConstraint("period_start IS NULL OR period_start <= period_end",
                           name=op.f("ck_rectification_notices_period_ordered")),
        sa.CheckConstraint("deadline >= issued_on",
                           name=op.f("ck_rectification_notices_deadline_after_issue")),
        sa.CheckConstraint("(state = 'open') = (answer IS NULL)",
                           name=op.f("ck_rectification_notices_answer_iff_answered")),
        sa.CheckConstraint("(answer IS NULL) = (answered_at IS NULL)",
                           name=op.f("ck_rectification_notices_answered_at_with_answer")),
        sa.CheckConstraint("(state = 'closed') = (closed_at IS NOT NULL)",
                           name=op.f("ck_rectification_notices_closed_at_iff_closed")),
        sa.CheckConstraint("reopen_count >= 0",
                           name=op.f("ck_rectification_notices_reopen_count_non_negative")),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"],
                                name=op.f("fk_rectification_notices_division_code_divisions")),
        sa.ForeignKeyConstraint(["issuer_code"], ["divisions.code"],
                                name=op.f("fk_rectification_notices_issuer_code_divisions")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"],
                                name=op.f("fk_rectification_notices_issued_by_id_users")),
        sa.ForeignKeyConstraint(["answered_by_id"], ["users.id"],
                                name=op.f("fk_rectification_notices_answered_by_id_users")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"],
                                name=op.f("fk_rectification_notices_closed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_notices")),
    )
    op.create_index("ix_rectification_notices_division_state", "rectification_notices",
                    ["division_code", "state"], unique=False)


def downgrade():
    op.drop_index("ix_rectification_notices_division_state", table_name="rectification_notices")
    op.drop_table("rectification_notices")
