"""roles of the reporting chain: league and region statisticians, county administrator

Revision ID: 0011_roles
Revises: 0010_counters
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_roles"
down_revision = "0010_counters"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
