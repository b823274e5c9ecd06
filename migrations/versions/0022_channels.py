"""partner channels

Revision ID: 0022_channels
Revises: 0021_jobs
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_channels'
down_revision = '0021_jobs'
branch_labels = None
depends_on = None


# The records the channels write keep their provenance (channel_batch_id). On SQLite the
# column is added with ALTER TABLE, not by copying the table (Alembic's batch mode), which
# would drop the figure-cache and audit triggers on it.
PROVENANCE_TABLES = ("employment_registrations", "unemployment_registrations",
                     "natural_attrition", "employed_totals")


def upgrade():
    op.create_table('channel_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('si_attrition', 'si_payees', 'market', 'civil_service', 'statistics', name='channel', native_enum=False, create_constraint=True, length=13), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('file_format', sa.String(length=4), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('rows >= 0 AND inserted >= 0 AND updated >= 0 AND unchanged >= 0', name=op.f('ck_channel_batches_counts_positive')),
    sa.ForeignKeyConstraint(['division_code'], ['divisions.code'], name=op.f('fk_channel_batches_division_code_divisions')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_channel_batches_job_id_jobs')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_channel_batches_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_batches'))
    )
    with op.batch_alter_table('channel_batches', schema=None) as batch_op:
        batch_op.create_index('ix_channel_batches_division_uploaded', ['division_code', 'uploaded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_channel_batches_sha256'), ['sha256'], unique=False)

    op.create_table('benefit_payees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('channel_batch_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['channel_batch_id'], ['channel_batches.id'], name=op.f('fk_benefit_payees_channel_batch_id_channel_batches')),
    sa.ForeignKeyConstraint(['division_code'], ['divisions.code'], name=op.f('fk_benefit_payees_division_code_divisions')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_benefit_payees_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_payees')),
    sa.UniqueConstraint('person_id', 'month', name=op.f('uq_benefit_payees_person_id_month'))
    )
    with op.batch_alter_table('benefit_payees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_payees_channel_batch_id'), ['channel_batch_id'], unique=False)
        batch_op.create_index('ix_benefit_payees_division_month', ['division_code', 'month'], unique=False)

    op.create_table('hire_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employment_registration_id', sa.Integer(), nullable=False),
    sa.Column('unemployment_registration_id', sa.Integer(), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('state', sa.Enum('ended', 'open', 'confirmed', 'dismissed', name='hire_review_state', native_enum=False, create_constraint=True, length=9), nullable=False),
    sa.Column('channel_batch_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('ended', 'open') OR decided_at IS NOT NULL", name=op.f('ck_hire_reviews_decided_when_settled')),
    sa.ForeignKeyConstraint(['channel_batch_id'], ['channel_batches.id'], name=op.f('fk_hire_reviews_channel_batch_id_channel_batches')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_hire_reviews_decided_by_id_users')),
    sa.ForeignKeyConstraint(['division_code'], ['divisions.code'], name=op.f('fk_hire_reviews_division_code_divisions')),
    sa.ForeignKeyConstraint(['employment_registration_id'], ['employment_registrations.id'], name=op.f('fk_hire_reviews_employment_registration_id_employment_registrations')),
    sa.ForeignKeyConstraint(['unemployment_registration_id'], ['unemployment_registrations.id'], name=op.f('fk_hire_reviews_unemployment_registration_id_unemployment_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hire_reviews')),
    sa.UniqueConstraint('employment_registration_id', 'unemployment_registration_id', name=op.f('uq_hire_reviews_employment_registration_id_unemployment_registration_id'))
    )
    with op.batch_alter_table('hire_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hire_reviews_channel_batch_id'), ['channel_batch_id'], unique=False)
        batch_op.create_index('ix_hire_reviews_division_state', ['division_code', 'state'], unique=False)

    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in PROVENANCE_TABLES:
        fk = f"fk_{table}_channel_batch_id_channel_batches"
        if sqlite:
            op.execute(f"ALTER TABLE {table} ADD COLUMN channel_batch_id INTEGER"
                       f" CONSTRAINT {fk} REFERENCES channel_batches (id)")
        else:
            op.add_column(table, sa.Column("channel_batch_id", sa.Integer(), nullable=True))
            op.create_foreign_key(fk, table, "channel_batches", ["channel_batch_id"], ["id"])
        op.create_index(f"ix_{table}_channel_batch_id", table, ["channel_batch_id"])


def downgrade():
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for table in PROVENANCE_TABLES:
        op.drop_index(f"ix_{table}_channel_batch_id", table_name=table)
        if not sqlite:
            op.drop_constraint(f"fk_{table}_channel_batch_id_channel_batches", table,
                               type_="foreignkey")
            op.drop_column(table, "channel_batch_id")
            continue
        # SQLite drops no column a foreign key names: the table is copied without it, and
        # its triggers, which the copy loses, are created again from their stored text. The
        # legacy rename leaves alone the other tables' triggers that name this one.
        triggers = bind.execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
            {"t": table}).scalars().all()
        op.execute("PRAGMA legacy_alter_table = ON")
        with op.batch_alter_table(table, recreate="always") as batch_op:
            batch_op.drop_column("channel_batch_id")
        op.execute("PRAGMA legacy_alter_table = OFF")
        for sql in triggers:
            op.execute(sql)

    with op.batch_alter_table('hire_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_hire_reviews_division_state')
        batch_op.drop_index(batch_op.f('ix_hire_reviews_channel_batch_id'))

    op.drop_table('hire_reviews')
    with op.batch_alter_table('benefit_payees', schema=None) as batch_op:
        batch_op.drop_index('ix_benefit_payees_division_month')
        batch_op.drop_index(batch_op.f('ix_benefit_payees_channel_batch_id'))

    op.drop_table('benefit_payees')
    with op.batch_alter_table('channel_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_batches_sha256'))
        batch_op.drop_index('ix_channel_batches_division_uploaded')

    op.drop_table('channel_batches')
