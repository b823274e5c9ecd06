"""audit log: drop indexes no query uses (every read is scoped by division)

Revision ID: 0006_audit_indexes
Revises: 0005_desk_invalidation
"""
from alembic import op

revision = "0006_audit_indexes"
down_revision = "0005_desk_invalidation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_at")
        batch_op.drop_index("ix_audit_events_actor")


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_actor", ["actor_id", "at"], unique=False)
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)
