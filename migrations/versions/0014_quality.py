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


def upgrade():
    pass


def downgrade():
    pass
