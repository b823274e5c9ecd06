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

# Why a person counts in a figure: one code per rule clause (``indicators.explain``).
REASON_NAMES = {
    "employment_unit": N_("在期内新办就业登记（单位就业）"),
    "employment_individual_business": N_("在期内新办就业登记（个体工商户）"),
    "employment_flexible": N_("在期内新办就业登记（灵活就业）"),
    "employment_public_welfare_post": N_("在期内新办就业登记（公益性岗位）"),
    "reemployed_unemployed": N_("人员类别为就业转失业，在期内新办就业登记"),
    "attrition_retirement": N_("期内自然减员（退休）"),
    "attrition_death": N_("期内自然减员（死亡）"),
    "attrition_other": N_("期内自然减员（其他）"),
    "attrition_subtracted": N_("期内自然减员，从新就业人数中减去"),
    "aid_unit_employment": N_("期内退出就业援助（单位就业），并已办就业登记"),
    "aid_self_employment": N_("期内退出就业援助（个体经营），并已办就业登记"),
    "aid_flexible_employment": N_("期内退出就业援助（灵活就业），并已办就业登记"),
    "registered_unemployed": N_("期末仍为登记失业人员，且在法定劳动年龄内"),
    "rural_transfer": N_("有劳动能力、在法定劳动年龄内，期内有转移就业经历"),
    "new_generation": N_("新生代农牧民工（1980年以后出生），期内有转移就业经历"),
    "stable_transfer": N_("期内稳定就业（工作地点和收入均稳定）累计6个月以上"),
    "training_employment_fund": N_("期内完成培训（人社部门认定机构，就业专项资金）"),
    "training_other_fiscal": N_("期内完成培训（其他部门，其他财政资金）"),
    # The other side of a difference: why a person there is not counted here.
    "not_in_period": N_("不在该期间口径内"),
    "not_in_division_or_period": N_("不在该区划或期间口径内"),
}
# The figures that count no persons, and what explains them instead.
FIGURE_NOTES = {
    "employed_total": N_("该指标为填报的单位数字，不是人员名单：以下为所用的填报数字及其截至日期"),
    "registered_unemployment_rate": N_("该指标为比率，不是人员名单：由登记失业人员期末实有人数与期末从业人员总数计算"),
    "urban_new_employment": N_("该指标为两项之差：城镇累计新就业人数减累计自然减员人数"),
}
