"""number counters allocated under a row lock

Revision ID: 0010_counters
Revises: 0009_account_security
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_counters"
down_revision = "0009_account_security"
branch_labels = None
depends_on = None


def upgrade():
    # Empty at first: each sequence's row is made by its first allocation, starting after
    # the highest number its records already hold (field_app.core.counters).
    op.create_table(
        "number_counters",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_number_counters")),
    )


def downgrade():
    op.drop_table("number_counters")
