"""reporting chain: submissions, period locks

Revision ID: 0012_reporting
Revises: 0011_roles
Create Date: 2026-12-06 08:23:51.604133

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_reporting'
down_revision = '0011_roles'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('period_locks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('release_reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint('(released_at IS NULL) = (release_reason IS NULL)', name=op.f('ck_period_locks_released_with_reason')),
    sa.CheckConstraint('period_start <= period_end', name=op.f('ck_period_locks_period_ordered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_period_locks_created_by_id_users')),
    sa.ForeignKeyConstraint(['division_code'], ['divisions.code'], name=op.f('fk_period_locks_division_code_divisions')),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_period_locks_released_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_locks'))
    )
    with op.batch_alter_table('period_locks', schema=None) as batch_op:
        batch_op.create_index('ix_period_locks_active', ['released_at', 'division_code'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('period_key', sa.String(length=24), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'approved', 'returned', 'reopened', name='submission_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('policy', sa.String(length=32), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('return_items', sa.JSON(), nullable=True),
    sa.Column('reopened_at', sa.DateTime(), nullable=True),
    sa.Column('reopened_by_id', sa.Integer(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('period_start <= period_end', name=op.f('ck_submissions_period_ordered')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_submissions_version_positive')),
    sa.ForeignKeyConstraint(['division_code'], ['divisions.code'], name=op.f('fk_submissions_division_code_divisions')),
    sa.ForeignKeyConstraint(['reopened_by_id'], ['users.id'], name=op.f('fk_submissions_reopened_by_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_submissions_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_submissions_signed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_submissions_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['submissions.id'], name=op.f('fk_submissions_superseded_by_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('division_code', 'period_start', 'period_end', 'version', name=op.f('uq_submissions_division_code_period_start_period_end_version'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_period', ['period_start', 'period_end', 'division_code'], unique=False)

    op.create_table('submission_persons',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=40), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_submission_persons_person_id_persons')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_persons_submission_id_submissions')),
    sa.PrimaryKeyConstraint('submission_id', 'indicator', 'person_id', name=op.f('pk_submission_persons'))
    )
    op.create_table('submission_reports',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_submission_reports_report_id_reports')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_reports_submission_id_submissions')),
    sa.PrimaryKeyConstraint('submission_id', 'report_id', name=op.f('pk_submission_reports'))
    )
    op.create_table('submission_rosters',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_rosters_submission_id_submissions')),
    sa.ForeignKeyConstraint(['village_code'], ['divisions.code'], name=op.f('fk_submission_rosters_village_code_divisions')),
    sa.PrimaryKeyConstraint('submission_id', 'village_code', name=op.f('pk_submission_rosters'))
    )
    op.create_table('submission_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=80), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_submission_scans_sha256_length')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_scans_submission_id_submissions')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_submission_scans_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_scans'))
    )
    with op.batch_alter_table('submission_scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_scans_submission_id'), ['submission_id'], unique=False)

    # Plain ADD COLUMN: a batch rebuild of ``reports`` would have to drop a table that
    # report_documents refers to. SQLite cannot add a foreign key to an existing table; the
    # constraint is made where the database can.
    op.add_column('reports', sa.Column('superseded_at', sa.DateTime(), nullable=True))
    op.add_column('reports', sa.Column('superseded_by_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != 'sqlite':
        op.create_foreign_key(op.f('fk_reports_superseded_by_id_reports'), 'reports', 'reports',
                              ['superseded_by_id'], ['id'])



def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_reports_superseded_by_id_reports'), 'reports',
                           type_='foreignkey')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('superseded_by_id')
        batch_op.drop_column('superseded_at')

    with op.batch_alter_table('submission_scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_scans_submission_id'))

    op.drop_table('submission_scans')
    op.drop_table('submission_rosters')
    op.drop_table('submission_reports')
    op.drop_table('submission_persons')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_period')

    op.drop_table('submissions')
    with op.batch_alter_table('period_locks', schema=None) as batch_op:
        batch_op.drop_index('ix_period_locks_active')

    op.drop_table('period_locks')
