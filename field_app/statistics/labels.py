"""Indicator names as the pages show them, translatable (the engine keeps its own Chinese
labels for the command line and knows nothing of Flask-Babel)."""
from flask_babel import lazy_gettext as _l

INDICATOR_LABELS = {
    "new_employment_gross": _l("城镇累计新就业人数"),
    "natural_attrition": _l("累计自然减员人数"),
    "urban_new_employment": _l("城镇新增就业人数"),
    "reemployment_of_unemployed": _l("城镇失业人员再就业人数"),
    "hard_to_employ_employed": _l("就业困难人员就业人数"),
    "registered_unemployed": _l("城镇登记失业人员期末实有人数"),
    "employed_total": _l("期末从业人员总数"),
    "registered_unemployment_rate": _l("城镇登记失业率（%）"),
    "rural_transfer": _l("农村牧区劳动力转移就业人数"),
    "new_generation_transfer": _l("新生代农牧民工转移就业人数"),
    "stable_transfer_180d": _l("转移就业6个月以上人数"),
    "rural_training": _l("农村牧区劳动力转移就业培训人数"),
}
