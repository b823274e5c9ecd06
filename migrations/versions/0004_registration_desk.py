"""registration desk: invalidation, cancellation reason, aid category, employers

Revision ID: 0004_registration_desk
Revises: 0002_accounts_audit
Create Date: 2026-11-27 21:22:20.858708

Every new column is nullable, so the importer and exporter keep working unchanged.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_registration_desk'
down_revision = '0002_accounts_audit'
branch_labels = None
depends_on = None

CANCEL_REASONS = ('employed', 'retired', 'moved_away', 'study_or_service', 'died',
                  'own_request', 'other')
AID_CATEGORIES = ('older_unemployed', 'disabled', 'zero_employment_family',
                  'subsistence_allowance', 'long_term_unemployed', 'landless', 'other')
REGISTRATION_TABLES = ('employment_registrations', 'unemployment_registrations')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table('employers',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('uscc', name=op.f('pk_employers'))
    )
    # Enum columns are plain strings here with their CHECK written out, the same on both
    # databases (add_column would not create the enum's CHECK on PostgreSQL).
    with op.batch_alter_table('employment_aid', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=22), nullable=True))
        batch_op.create_check_constraint(op.f('ck_employment_aid_aid_category'),
                                         _in('category', AID_CATEGORIES))

    for table in REGISTRATION_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'unemployment_registrations':
                batch_op.add_column(sa.Column('cancel_reason', sa.String(length=16),
                                              nullable=True))
                batch_op.create_check_constraint(
                    op.f('ck_unemployment_registrations_cancel_reason'),
                    _in('cancel_reason', CANCEL_REASONS))
                batch_op.create_check_constraint(
                    op.f('ck_unemployment_registrations_cancel_reason_with_date'),
                    'cancel_reason IS NULL OR cancelled_on IS NOT NULL')
            batch_op.add_column(sa.Column('invalid_reason', sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column('invalidated_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('invalidated_by_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(op.f(f'fk_{table}_invalidated_by_id_users'), 'users',
                                        ['invalidated_by_id'], ['id'])
            batch_op.create_check_constraint(op.f(f'ck_{table}_invalidated_not_valid'),
                                             'invalidated_at IS NULL OR NOT valid')
            batch_op.create_check_constraint(
                op.f(f'ck_{table}_invalidated_with_reason'),
                '(invalidated_at IS NULL) = (invalid_reason IS NULL)')


def downgrade():
    for table in reversed(REGISTRATION_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_invalidated_with_reason'), type_='check')
            batch_op.drop_constraint(op.f(f'ck_{table}_invalidated_not_valid'), type_='check')
            batch_op.drop_constraint(op.f(f'fk_{table}_invalidated_by_id_users'),
                                     type_='foreignkey')
            batch_op.drop_column('invalidated_by_id')
            batch_op.drop_column('invalidated_at')
            batch_op.drop_column('invalid_reason')
            if table == 'unemployment_registrations':
                batch_op.drop_constraint(
                    op.f('ck_unemployment_registrations_cancel_reason_with_date'), type_='check')
                batch_op.drop_constraint(op.f('ck_unemployment_registrations_cancel_reason'),
                                         type_='check')
                batch_op.drop_column('cancel_reason')

    with op.batch_alter_table('employment_aid', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_employment_aid_aid_category'), type_='check')
        batch_op.drop_column('category')

    op.drop_table('employers')
