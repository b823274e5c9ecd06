"""audit events visible to every division they touch; audited reveals

Revision ID: 0008_audit_scope
Revises: 0007_surveys
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_audit_scope"
down_revision = "0007_surveys"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_event_divisions",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["audit_events.id"],
                                name=op.f("fk_audit_event_divisions_event_id_audit_events")),
        sa.PrimaryKeyConstraint("event_id", "division_code", name=op.f("pk_audit_event_divisions")),
    )
    with op.batch_alter_table("audit_event_divisions", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_divisions_division", ["division_code", "event_id"],
                              unique=False)
    # Append-only like the log: deleting a row would hide an event from an auditor.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_event_divisions_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_event_divisions is append-only';
            END $$""")
        op.execute("""
            CREATE TRIGGER audit_event_divisions_append_only
            BEFORE UPDATE OR DELETE ON audit_event_divisions
            FOR EACH ROW EXECUTE FUNCTION audit_event_divisions_append_only()""")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_event_divisions_no_{verb.lower()}
                BEFORE {verb} ON audit_event_divisions
                BEGIN SELECT RAISE(ABORT, 'audit_event_divisions is append-only'); END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_divisions_append_only ON audit_event_divisions")
        op.execute("DROP FUNCTION audit_event_divisions_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_divisions_no_update")
        op.execute("DROP TRIGGER audit_event_divisions_no_delete")
    with op.batch_alter_table("audit_event_divisions", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_divisions_division")
    op.drop_table("audit_event_divisions")
