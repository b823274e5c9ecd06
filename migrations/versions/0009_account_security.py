"""session generation, absolute session lifetime, TOTP two-factor sign-in, recovery codes

The per-account lock after failed sign-ins (users.failed_logins, users.login_locked_until)
gives way to throttling (field_app.accounts.throttle), which no stranger can turn against
the holder. Session generations and second factors live in account_security, out of the
automatic audit log; recovery codes are stored hashed.

Revision ID: 0009_account_security
Revises: 0008_audit_scope
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_account_security"
down_revision = "0008_audit_scope"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_security',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_generation', sa.Integer(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled_at', sa.DateTime(), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.CheckConstraint('(totp_secret IS NULL) = (totp_enabled_at IS NULL)', name=op.f('ck_account_security_totp_enabled_with_secret')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_security_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_account_security'))
    )
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    # Plain ALTER TABLE DROP COLUMN (SQLite 3.35+), not a batch copy of users: a copy would
    # drop and recreate the table that every author column and restore request refers to,
    # under PRAGMA foreign_keys. Neither column is in an index or constraint.
    op.drop_column('users', 'login_locked_until')
    op.drop_column('users', 'failed_logins')


def downgrade():
    op.add_column('users', sa.Column('failed_logins', sa.Integer(), nullable=False,
                                     server_default='0'))
    op.add_column('users', sa.Column('login_locked_until', sa.DateTime(), nullable=True))

    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
    op.drop_table('account_security')
