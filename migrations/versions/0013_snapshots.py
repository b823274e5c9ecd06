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
    pass


def downgrade():
    pass
