"""reports: numbered PDF reports and their documents

Revision ID: 0003_reports
Revises: 0004_registration_desk
Create Date: 2026-11-27 21:41:48.833335

Chained after 0004_registration_desk (not 0002_accounts_audit) only so that the working
tree has one head while both are in flight; the tables depend on divisions and users alone.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_reports'
down_revision = '0004_registration_desk'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=48), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('rural', 'urban', 'roster', name='report_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('generated_by_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.CheckConstraint('length(content_sha256) = 64', name=op.f('ck_reports_content_sha256_length')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_reports_sha256_length')),
    sa.CheckConstraint('period_start <= period_end', name=op.f('ck_reports_period_ordered')),
    sa.ForeignKeyConstraint(['division_code'], ['divisions.code'], name=op.f('fk_reports_division_code_divisions')),
    sa.ForeignKeyConstraint(['generated_by_id'], ['users.id'], name=op.f('fk_reports_generated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('number', name=op.f('uq_reports_number')),
    sa.UniqueConstraint('serial', name=op.f('uq_reports_serial'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_content', ['kind', 'division_code', 'period_start', 'period_end', 'content_sha256'], unique=False)
        batch_op.create_index('ix_reports_division_generated', ['division_code', 'generated_at'], unique=False)

    op.create_table('report_documents',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_documents_report_id_reports')),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_report_documents'))
    )


def downgrade():
    op.drop_table('report_documents')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_division_generated')
        batch_op.drop_index('ix_reports_content')

    op.drop_table('reports')
