"""transfer spells: drop an index that repeats the head of their unique key

Revision ID: 0025_spell_index
Revises: 0024_import_speed
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0025_spell_index"
down_revision = "0024_import_speed"
branch_labels = None
depends_on = None

# ix_transfer_spells_person_start (person_id, start_date) is the leading part of the
# unique key (person_id, start_date, kind): every query it served is served by the
# key's own index, and each spell written paid for both.


def upgrade():
    op.drop_index("ix_transfer_spells_person_start", table_name="transfer_spells")


def downgrade():
    op.create_index("ix_transfer_spells_person_start", "transfer_spells",
                    ["person_id", "start_date"], unique=False)
