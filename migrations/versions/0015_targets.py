"""reported figures for reconciliation, annual targets

Revision ID: 0015_targets
Revises: 0014_quality
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_targets"
down_revision = "0014_quality"
branch_labels = None
depends_on = None

REPORTABLE = ("new_employment_gross", "natural_attrition", "urban_new_employment",
              "reemployment_of_unemployed", "hard_to_employ_employed", "registered_unemployed",
              "employed_total", "registered_unemployment_rate", "rural_transfer",
              "new_generation_transfer", "stable_transfer_180d", "rural_training")
TARGETED = ("urban_new_employment", "reemployment_of_unemployed", "hard_to_employ_employed",
            "rural_transfer", "new_generation_transfer", "rural_training")


def _one_of(keys):
    return "indicator IN (%s)" % ", ".join(f"'{key}'" for key in keys)


def _tracked():
    return [sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.Column("created_by_id", sa.Integer(), nullable=True),
            sa.Column("updated_by_id", sa.Integer(), nullable=True)]


def upgrade():
    op.create_table(
        "reported_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("source", sa.Enum("web", "import", name="figure_source", native_enum=False,
                                    create_constraint=True), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        *_tracked(),
        sa.CheckConstraint("period_start <= period_end",
                           name=op.f("ck_reported_figures_period_ordered")),
        sa.CheckConstraint(_one_of(REPORTABLE), name=op.f("ck_reported_figures_known_indicator")),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"],
                                name=op.f("fk_reported_figures_division_code_divisions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reported_figures")),
        sa.UniqueConstraint("division_code", "period_start", "period_end", "indicator",
                            name="uq_reported_figures_cell"),
    )
    with op.batch_alter_table("reported_figures", schema=None) as batch_op:
        batch_op.create_index("ix_reported_figures_period", ["period_end", "division_code"],
                              unique=False)
    op.create_table(
        "annual_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        *_tracked(),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_annual_targets_year_range")),
        sa.CheckConstraint("value >= 0", name=op.f("ck_annual_targets_value_non_negative")),
        sa.CheckConstraint(_one_of(TARGETED), name=op.f("ck_annual_targets_known_indicator")),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"],
                                name=op.f("fk_annual_targets_division_code_divisions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_targets")),
        sa.UniqueConstraint("division_code", "year", "indicator",
                            name="uq_annual_targets_cell"),
    )


def downgrade():
    op.drop_table("annual_targets")
    with op.batch_alter_table("reported_figures", schema=None) as batch_op:
        batch_op.drop_index("ix_reported_figures_period")
    op.drop_table("reported_figures")
