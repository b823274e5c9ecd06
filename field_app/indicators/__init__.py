"""The statutory indicator engine of 内人社办发〔2019〕112号 (see ``shared/spec/indicators.md``).

This package knows nothing of Flask: rules build SQLAlchemy Core statements from a division
code, a period and a ``Policy``; ``compute_indicators`` runs them on a connection.
"""
from field_app.indicators.engine import (
    INDICATOR_KEYS,
    EmployedTotalBasis,
    ReviewCoverage,
    compute_indicators,
    employed_total_basis,
    review_coverage,
)
from field_app.indicators.grouped import DIMENSIONS, compute_grouped
from field_app.indicators.policy import Policy

__all__ = ["DIMENSIONS", "INDICATOR_KEYS", "EmployedTotalBasis", "Policy", "ReviewCoverage",
           "compute_grouped", "compute_indicators", "employed_total_basis", "review_coverage"]
