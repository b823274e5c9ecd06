"""figure cache: when a page request last computed an entry, for the warmer

Revision ID: 0023_figure_warming
Revises: 0022_channels
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023_figure_warming"
down_revision = "0022_channels"
branch_labels = None
depends_on = None


def upgrade():
    # figure_cache has no triggers: a plain ADD COLUMN on both databases.
    op.add_column("figure_cache", sa.Column("requested_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("figure_cache", schema=None) as batch_op:
        batch_op.drop_column("requested_at")
