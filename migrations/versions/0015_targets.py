"""reported figures for reconciliation, annual targets

Revision ID: 0015_targets
Revises: 0014_quality
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_targets"
down_revision = "0014_quality"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
