"""Names on the targets and reconciliation pages and in their XLSX templates."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from field_app.indicators.labels import INDICATOR_NAMES  # noqa: F401  (the templates' names)
from field_app.targets.models import FigureSource

SOURCES = {FigureSource.WEB: _l("网页填报"), FigureSource.IMPORT: _l("表格导入")}

# The templates' columns: the headers are Chinese whatever the reader's language, so that a
# file filled in one language reads back in the other.
TARGET_COLUMNS = ("区划代码", "区划名称", "年度", "指标", "目标值")
REPORTED_COLUMNS = ("区划代码", "区划名称", "期间", "指标", "报表数", "说明")


def indicator_label(key: str):
    return _l(INDICATOR_NAMES[key])
