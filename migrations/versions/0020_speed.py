"""indexes for the quality scan and the division pages

Revision ID: 0020_speed
Revises: 0019_api_clients
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020_speed"
down_revision = "0019_api_clients"
branch_labels = None
depends_on = None


def upgrade():
    _speed14_upgrade()


def downgrade():
    _speed14_downgrade()


# --- speed14: the figure cache of the division pages and the triggers that invalidate it ---
# Every table the indicators read logs the division codes a write touches into
# figure_writes (statistics.figures serves a cached figure only while no newer write lies
# in the division's subtree). The codes are those whose figures the written rows can
# change: a record's own division; for an employment registration also the divisions of
# the person's other registrations and aid records (rule 1's continuation and rule 5 read
# them); for a spell, training or member the household's village; for a person's birth
# date or sex every division of the person's records; '' (any division) for the tree and
# a survey round's year.

_SPEED14_CODES = {
    # table: (columns of a row the codes need, key, columns whose change matters on UPDATE
    # (None: any), operations, the codes of rows {r})
    "employment_registrations": (
        ("division_code", "person_id"), "id", None, ("INSERT", "UPDATE", "DELETE"),
        "SELECT r.division_code AS code FROM {r}"
        " UNION SELECT e.division_code FROM employment_registrations AS e"
        " JOIN {r} ON e.person_id = r.person_id"
        " UNION SELECT a.division_code FROM employment_aid AS a"
        " JOIN {r} ON a.person_id = r.person_id"),
    "unemployment_registrations": (("division_code",), "id", None,
                                   ("INSERT", "UPDATE", "DELETE"),
                                   "SELECT r.division_code AS code FROM {r}"),
    "employment_aid": (("division_code",), "id", None, ("INSERT", "UPDATE", "DELETE"),
                       "SELECT r.division_code AS code FROM {r}"),
    "natural_attrition": (("division_code",), "id", None, ("INSERT", "UPDATE", "DELETE"),
                          "SELECT r.division_code AS code FROM {r}"),
    "employed_totals": (("division_code",), "id", None, ("INSERT", "UPDATE", "DELETE"),
                        "SELECT r.division_code AS code FROM {r}"),
    "household_surveys": (("village_code",), "id", None, ("INSERT", "UPDATE", "DELETE"),
                          "SELECT r.village_code AS code FROM {r}"),
    "households": (("village_code",), "id", None, ("INSERT", "UPDATE", "DELETE"),
                   "SELECT r.village_code AS code FROM {r}"),
    "household_members": (
        ("household_id",), "id", None, ("INSERT", "UPDATE", "DELETE"),
        "SELECT h.village_code AS code FROM households AS h JOIN {r} ON h.id = r.household_id"),
    "transfer_spells": (
        ("person_id",), "id", None, ("INSERT", "UPDATE", "DELETE"),
        "SELECT h.village_code AS code FROM household_members AS m"
        " JOIN households AS h ON h.id = m.household_id JOIN {r} ON m.person_id = r.person_id"),
    "trainings": (
        ("person_id",), "id", None, ("INSERT", "UPDATE", "DELETE"),
        "SELECT h.village_code AS code FROM household_members AS m"
        " JOIN households AS h ON h.id = m.household_id JOIN {r} ON m.person_id = r.person_id"),
    "persons": (
        ("id",), "id", ("birth_date", "sex"), ("UPDATE", "DELETE"),
        "SELECT e.division_code AS code FROM employment_registrations AS e"
        " JOIN {r} ON e.person_id = r.id"
        " UNION SELECT u.division_code FROM unemployment_registrations AS u"
        " JOIN {r} ON u.person_id = r.id"
        " UNION SELECT a.division_code FROM employment_aid AS a JOIN {r} ON a.person_id = r.id"
        " UNION SELECT n.division_code FROM natural_attrition AS n"
        " JOIN {r} ON n.person_id = r.id"
        " UNION SELECT h.village_code FROM household_members AS m"
        " JOIN households AS h ON h.id = m.household_id JOIN {r} ON m.person_id = r.id"),
    "survey_rounds": (("id",), "id", ("year",), ("UPDATE",), "SELECT '' AS code FROM {r}"),
    "divisions": (("code",), "code", ("code", "level", "parent_code"),
                  ("INSERT", "UPDATE", "DELETE"), "SELECT '' AS code FROM {r}"),
}


def _speed14_sqlite_row(prefix, columns):
    return "(SELECT {}) AS r".format(", ".join(f"{prefix}.{c} AS {c}" for c in columns))


def _speed14_sqlite_triggers():
    for table, (columns, _key, changed, operations, codes) in _SPEED14_CODES.items():
        for operation in operations:
            sides = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}[operation]
            every = " UNION ".join(codes.format(r=_speed14_sqlite_row(side, columns))
                                   for side in sides)
            when = ""
            if operation == "UPDATE" and changed:
                when = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in changed)
            name = f"figure_writes_{table}_{operation.lower()}"
            op.execute(
                # REPLACE: the code's one row (xid 0) is deleted and inserted again with
                # the next id.
                f"CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW{when} BEGIN"
                f" INSERT OR REPLACE INTO figure_writes (code, xid)"
                f" SELECT DISTINCT code, 0 FROM ({every}) WHERE code IS NOT NULL;"
                f" END")


def _speed14_postgresql_triggers():
    for table, (_columns, key, changed, operations, codes) in _SPEED14_CODES.items():
        def side(rows, other):
            if not changed:
                return f"{rows} AS r"
            differs = " OR ".join(f"x.{c} IS DISTINCT FROM y.{c}" for c in changed)
            return (f"(SELECT x.* FROM {rows} AS x JOIN {other} AS y ON y.{key} = x.{key}"
                    f" WHERE {differs}) AS r")

        def log(every):
            # One row per code and transaction: a transaction's later statements add none.
            return (f"INSERT INTO figure_writes (code, xid)"
                    f" SELECT DISTINCT code, pg_current_xact_id()::text::bigint"
                    f" FROM ({every}) AS w WHERE code IS NOT NULL"
                    f" ON CONFLICT (code, xid) DO NOTHING;")

        body = []
        if "INSERT" in operations:
            body.append(f"IF TG_OP = 'INSERT' THEN {log(codes.format(r='new_rows AS r'))} END IF;")
        if "UPDATE" in operations:
            every = (codes.format(r=side("new_rows", "old_rows")) + " UNION "
                     + codes.format(r=side("old_rows", "new_rows")))
            body.append(f"IF TG_OP = 'UPDATE' THEN {log(every)} END IF;")
        if "DELETE" in operations:
            body.append(f"IF TG_OP = 'DELETE' THEN {log(codes.format(r='old_rows AS r'))} END IF;")
        op.execute(f"CREATE FUNCTION figure_writes_{table}() RETURNS trigger LANGUAGE plpgsql"
                   f" AS $$ BEGIN {' '.join(body)} RETURN NULL; END $$")
        transition = {"INSERT": "NEW TABLE AS new_rows",
                      "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                      "DELETE": "OLD TABLE AS old_rows"}
        for operation in operations:
            op.execute(f"CREATE TRIGGER figure_writes_{table}_{operation.lower()}"
                       f" AFTER {operation} ON {table} REFERENCING {transition[operation]}"
                       f" FOR EACH STATEMENT EXECUTE FUNCTION figure_writes_{table}()")


def _speed14_upgrade():
    op.create_table(
        "figure_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("low_code", sa.String(length=12), nullable=False),
        sa.Column("high_code", sa.String(length=12), nullable=False),
        sa.Column("since_id", sa.BigInteger(), nullable=True),
        sa.Column("snapshot", sa.Text(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_cache")),
        sa.UniqueConstraint("division_code", "period_start", "period_end", "policy", "kind",
                            name=op.f("uq_figure_cache_key")),
    )
    op.create_table(
        "figure_writes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_writes")),
        sa.UniqueConstraint("code", "xid", name=op.f("uq_figure_writes_code")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "figure_horizon",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("horizon", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_horizon")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _speed14_postgresql_triggers()
    else:
        _speed14_sqlite_triggers()


def _speed14_downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, (*_, operations, _codes) in _SPEED14_CODES.items():
        for operation in operations:
            name = f"figure_writes_{table}_{operation.lower()}"
            op.execute(f"DROP TRIGGER {name} ON {table}" if postgresql else f"DROP TRIGGER {name}")
        if postgresql:
            op.execute(f"DROP FUNCTION figure_writes_{table}()")
    op.drop_table("figure_horizon")
    op.drop_table("figure_writes")
    op.drop_table("figure_cache")
