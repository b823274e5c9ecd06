"""roles of the reporting chain: league and region statisticians, county administrator

users.role is a VARCHAR with a CHECK listing the role values (``core.types.enum_column_type``);
its CHECK is replaced by one that admits the new values. The column stays VARCHAR(19): no new
value is longer than ``county_statistician``. No other table holds a role (restore requests
and the audit log name the account, not its role).

Revision ID: 0011_roles
Revises: 0010_counters
"""
import contextlib

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_roles"
down_revision = "0010_counters"
branch_labels = None
depends_on = None

OLD_ROLES = ('village_collector', 'township_reviewer', 'county_statistician', 'county_leader',
             'league_admin', 'region_admin', 'auditor')
NEW_ROLES = ('county_admin', 'league_statistician', 'region_statistician')
ALL_ROLES = OLD_ROLES + NEW_ROLES


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _replace_role_check(values, before=None):
    """The CHECK on users.role lists ``values``; ``before`` runs first, in the same
    transaction."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        if before:
            before()
        op.drop_constraint(op.f('ck_users_role'), 'users', type_='check')
        op.create_check_constraint(op.f('ck_users_role'), 'users', _in('role', values))
        return
    with _sqlite_foreign_keys_off(bind):
        if before:
            before()
        with op.batch_alter_table('users', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
            batch_op.create_check_constraint(op.f('ck_users_role'), _in('role', values))


@contextlib.contextmanager
def _sqlite_foreign_keys_off(bind):
    """SQLite changes a CHECK by copying the table (batch mode), and dropping the old
    ``users`` fails while foreign keys are enforced and any row refers to an account. So the
    copy runs as SQLite's own recipe has it: foreign keys off (possible only outside a
    transaction), the copy in one transaction, ``foreign_key_check``, commit, keys back on."""
    dbapi = bind.connection.dbapi_connection
    if dbapi.in_transaction:
        raise RuntimeError('0011_roles must start outside a transaction on SQLite')
    bind.exec_driver_sql('PRAGMA foreign_keys = OFF')
    try:
        # pysqlite begins a transaction only before INSERT, UPDATE or DELETE: this one holds
        # the CREATE, the copy, the DROP and the RENAME together.
        bind.exec_driver_sql('BEGIN')
        yield
        broken = bind.exec_driver_sql('PRAGMA foreign_key_check').all()
        if broken:
            raise RuntimeError(f'0011_roles: foreign keys broken by the copy of users: {broken}')
        dbapi.commit()
    except BaseException:
        dbapi.rollback()
        raise
    finally:
        bind.exec_driver_sql('PRAGMA foreign_keys = ON')


def upgrade():
    _replace_role_check(ALL_ROLES)


def downgrade():
    _replace_role_check(OLD_ROLES, before=_deactivate_new_roles)


def _deactivate_new_roles():
    # The old schema has no such posts: their holders are deactivated as on a transfer
    # (role and division cleared, the division kept as the former one), not deleted; a
    # cancelled account stays cancelled.
    users = sa.table('users', sa.column('role', sa.String), sa.column('division_code', sa.String),
                     sa.column('former_division_code', sa.String),
                     sa.column('state', sa.String), sa.column('state_reason', sa.String))
    op.execute(users.update().where(users.c.role.in_(NEW_ROLES)).values(
        state=sa.case((users.c.state == 'cancelled', 'cancelled'), else_='deactivated'),
        state_reason='岗位已撤销', former_division_code=users.c.division_code,
        role=None, division_code=None))
