"""import speed: the importer logs the figure cache's writes itself on SQLite

Revision ID: 0024_import_speed
Revises: 0023_figure_warming
"""
import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0024_import_speed"
down_revision = "0023_figure_warming"
branch_labels = None
depends_on = None

# SQLite's figure-cache triggers (0020_speed) run FOR EACH ROW: on a bulk import each row
# replaces a row of figure_writes, a third of SQLite's work at a million persons. While
# figure_log_paused holds a row they do nothing; only the importer adds one, inside its
# own transaction (invisible to every other connection, SQLite having one writer), logs
# the codes of everything it wrote itself, set-based, and removes the row before it
# returns (exchange.importer). PostgreSQL's triggers run once per statement: unchanged.
PAUSE = "NOT EXISTS (SELECT 1 FROM figure_log_paused)"


def _speed14():
    path = Path(__file__).with_name("0020_speed.py")
    spec = importlib.util.spec_from_file_location("_migration_0020_speed", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sqlite_triggers(speed14, paused: bool):
    for table, (columns, _key, changed, operations, codes) in speed14._SPEED14_CODES.items():
        for operation in operations:
            sides = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}[operation]
            every = " UNION ".join(codes.format(r=speed14._speed14_sqlite_row(side, columns))
                                   for side in sides)
            conditions = []
            if operation == "UPDATE" and changed:
                conditions.append(
                    "(" + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in changed) + ")")
            if paused:
                conditions.append(PAUSE)
            when = " WHEN " + " AND ".join(conditions) if conditions else ""
            name = f"figure_writes_{table}_{operation.lower()}"
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(
                f"CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW{when} BEGIN"
                f" INSERT OR REPLACE INTO figure_writes (code, xid)"
                f" SELECT DISTINCT code, 0 FROM ({every}) WHERE code IS NOT NULL;"
                f" END")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        return
    op.create_table(
        "figure_log_paused",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_log_paused")),
    )
    _sqlite_triggers(_speed14(), paused=True)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        return
    _sqlite_triggers(_speed14(), paused=False)
    op.drop_table("figure_log_paused")
