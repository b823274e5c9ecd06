"""What the interchange columns are called."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Interchange column names as people read them: form labels, XLSX headers, and the
# importer's messages (which name columns) made readable.
COLUMNS = {
    "registration_id": _l("登记编号"),
    "id_number": _l("公民身份号码"),
    "name": _l("姓名"),
    "sex": _l("性别"),
    "birth_date": _l("出生日期"),
    "phone": _l("联系电话"),
    "hukou": _l("户籍"),
    "division_code": _l("区划代码"),
    "division_name": _l("区划"),
    "employment_type": _l("就业类型"),
    "employer_uscc": _l("统一社会信用代码"),
    "employer_name": _l("单位名称"),
    "start_date": _l("就业时间"),
    "end_date": _l("终止就业时间"),
    "registered_on": _l("登记日期"),
    "person_category": _l("人员类别"),
    "formal_transfer": _l("正式调动"),
    "valid": _l("有效"),
    "cancelled_on": _l("注销日期"),
    "cancel_reason": _l("注销原因"),
    "receives_benefit": _l("领取失业保险金"),
    "recognized_on": _l("认定日期"),
    "category": _l("困难类别"),
    "exited_on": _l("退出日期"),
    "exit_reason": _l("退出原因"),
    "occurred_on": _l("减员日期"),
    "reason": _l("减员原因"),
    "as_of": _l("期末日期"),
    "employed_total": _l("期末从业人员总数"),
    "deduction": _l("扣除数"),
    "status": _l("状态"),
    "invalid_reason": _l("作废原因"),
}
