"""the quarterly analysis reports (季分析)

One table, ``quarterly_analyses``, and a fourth kind of numbered report, ``analysis``: the
CHECK on ``reports.kind`` (``core.types.enum_column_type``) is replaced by one that admits
it, and the column grows from VARCHAR(6) to VARCHAR(8). On SQLite the CHECK changes by a
copy of the table (batch mode), run as in 0011_roles with foreign keys off, since other
tables refer to reports. The downgrade deletes the analysis reports and their PDFs.

Revision ID: 0017_analysis
Revises: 0016_period_choice
"""
import contextlib

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017_analysis"
down_revision = "0016_period_choice"
branch_labels = None
depends_on = None

OLD_KINDS = ("rural", "urban", "roster")
NEW_KINDS = OLD_KINDS + ("analysis",)


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


@contextlib.contextmanager
def _sqlite_foreign_keys_off(bind):
    dbapi = bind.connection.dbapi_connection
    if dbapi.in_transaction:
        raise RuntimeError("0017_analysis must start outside a transaction on SQLite")
    bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    try:
        bind.exec_driver_sql("BEGIN")
        yield
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"0017_analysis: foreign keys broken by the copy of reports: {broken}")
        dbapi.commit()
    except BaseException:
        dbapi.rollback()
        raise
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys = ON")


def _replace_kind_check(values, length):
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_reports_report_kind"), "reports", type_="check")
        op.alter_column("reports", "kind", existing_type=sa.String(), type_=sa.String(length),
                        existing_nullable=False)
        op.create_check_constraint(op.f("ck_reports_report_kind"), "reports", _in("kind", values))
        return
    with _sqlite_foreign_keys_off(bind):
        with op.batch_alter_table("reports", schema=None) as batch_op:
            batch_op.drop_constraint(op.f("ck_reports_report_kind"), type_="check")
            batch_op.alter_column("kind", existing_type=sa.String(), type_=sa.String(length),
                                  existing_nullable=False)
            batch_op.create_check_constraint(op.f("ck_reports_report_kind"), _in("kind", values))


def upgrade():
    _replace_kind_check(NEW_KINDS, 8)
    op.create_table(
        "quarterly_analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("period_key", sa.String(length=24), nullable=False),
        sa.Column("status", sa.Enum("draft", "submitted", "approved", "returned",
                                    name="analysis_status", native_enum=False,
                                    create_constraint=True), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("first_submitted_at", sa.DateTime(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(status = 'draft') = (report_id IS NULL)",
                           name=op.f("ck_quarterly_analyses_report")),
        sa.CheckConstraint("(status = 'draft') = (submitted_at IS NULL)",
                           name=op.f("ck_quarterly_analyses_submitted_at")),
        sa.CheckConstraint("(status = 'returned') = (return_reason IS NOT NULL)",
                           name=op.f("ck_quarterly_analyses_return_reason")),
        sa.CheckConstraint("(status IN ('approved', 'returned')) = (reviewed_at IS NOT NULL)",
                           name=op.f("ck_quarterly_analyses_reviewed_at")),
        sa.CheckConstraint("(first_submitted_at IS NULL) = (submitted_at IS NULL)",
                           name=op.f("ck_quarterly_analyses_first_submitted_at")),
        sa.CheckConstraint("(reviewed_at IS NULL) = (reviewed_by_id IS NULL)",
                           name=op.f("ck_quarterly_analyses_reviewed_by")),
        sa.CheckConstraint("period_start <= period_end",
                           name=op.f("ck_quarterly_analyses_period_ordered")),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"],
                                name=op.f("fk_quarterly_analyses_division_code_divisions")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"],
                                name=op.f("fk_quarterly_analyses_report_id_reports")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["users.id"],
                                name=op.f("fk_quarterly_analyses_reviewed_by_id_users")),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["users.id"],
                                name=op.f("fk_quarterly_analyses_submitted_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarterly_analyses")),
        sa.UniqueConstraint("division_code", "period_start", "period_end",
                            name=op.f("uq_quarterly_analyses_division_code_period_start_period_end")),
    )
    with op.batch_alter_table("quarterly_analyses", schema=None) as batch_op:
        batch_op.create_index("ix_quarterly_analyses_period",
                              ["period_start", "period_end", "division_code"], unique=False)


def downgrade():
    with op.batch_alter_table("quarterly_analyses", schema=None) as batch_op:
        batch_op.drop_index("ix_quarterly_analyses_period")
    op.drop_table("quarterly_analyses")
    reports = sa.table("reports", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                       sa.column("superseded_by_id", sa.Integer))
    documents = sa.table("report_documents", sa.column("report_id", sa.Integer))
    analysis = sa.select(reports.c.id).where(reports.c.kind == "analysis")
    op.execute(documents.delete().where(documents.c.report_id.in_(analysis)))
    op.execute(reports.update().where(reports.c.superseded_by_id.in_(analysis))
               .values(superseded_by_id=None))
    op.execute(reports.delete().where(reports.c.kind == "analysis"))
    if op.get_bind().dialect.name == "sqlite":
        # The deletes opened a transaction; the table copy needs to start outside one.
        op.get_bind().connection.dbapi_connection.commit()
    _replace_kind_check(OLD_KINDS, 6)
