"""The indicators' names, defined once. The engine knows nothing of Flask-Babel, so the names
are plain msgids, marked with ``N_`` for extraction and translated where they are shown
(``statistics.labels.INDICATOR_LABELS`` for the pages, reports and the command line)."""


def N_(msgid: str) -> str:
    """Marks a msgid for ``pybabel extract`` (``-k N_``); translated at display."""
    return msgid


INDICATOR_NAMES = {
    "new_employment_gross": N_("城镇累计新就业人数"),
    "natural_attrition": N_("累计自然减员人数"),
    "urban_new_employment": N_("城镇新增就业人数"),
    "reemployment_of_unemployed": N_("城镇失业人员再就业人数"),
    "hard_to_employ_employed": N_("就业困难人员就业人数"),
    "registered_unemployed": N_("城镇登记失业人员期末实有人数"),
    "employed_total": N_("期末从业人员总数"),
    "registered_unemployment_rate": N_("城镇登记失业率（%）"),
    "rural_transfer": N_("农村牧区劳动力转移就业人数"),
    "new_generation_transfer": N_("新生代农牧民工转移就业人数"),
    "stable_transfer_180d": N_("转移就业6个月以上人数"),
    "rural_training": N_("农村牧区劳动力转移就业培训人数"),
}
