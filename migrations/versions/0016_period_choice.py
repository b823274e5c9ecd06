"""the period each account last chose on the statistics pages

Revision ID: 0016_period_choice
Revises: 0015_targets
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016_period_choice"
down_revision = "0015_targets"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "period_choices",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("chosen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_period_choices_user_id_users"),
        sa.PrimaryKeyConstraint("user_id", name="pk_period_choices"),
    )


def downgrade():
    op.drop_table("period_choices")
