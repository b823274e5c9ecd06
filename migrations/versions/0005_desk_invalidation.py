"""desk invalidation: 作废 for employment aid, natural attrition and employed totals

Revision ID: 0005_desk_invalidation
Revises: 0003_reports
Create Date: 2026-11-28 10:05:00.000000

The three tables have no ``valid`` column (the interchange format has none for them): a
record counts while ``invalidated_at`` is empty. Every new column is nullable, so existing
rows stay valid and the importer and exporter keep working unchanged.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_desk_invalidation'
down_revision = '0003_reports'
branch_labels = None
depends_on = None

TABLES = ('employment_aid', 'natural_attrition', 'employed_totals')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('invalid_reason', sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column('invalidated_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('invalidated_by_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(op.f(f'fk_{table}_invalidated_by_id_users'), 'users',
                                        ['invalidated_by_id'], ['id'])
            batch_op.create_check_constraint(
                op.f(f'ck_{table}_invalidated_with_reason'),
                '(invalidated_at IS NULL) = (invalid_reason IS NULL)')


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_invalidated_with_reason'), type_='check')
            batch_op.drop_constraint(op.f(f'fk_{table}_invalidated_by_id_users'),
                                     type_='foreignkey')
            batch_op.drop_column('invalidated_by_id')
            batch_op.drop_column('invalidated_at')
            batch_op.drop_column('invalid_reason')
