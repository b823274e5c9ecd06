"""How audit actions and record types read in the log (translatable)."""
from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "sign_in": _l("登录"),
    "sign_in_failed": _l("登录失败"),
    "sign_out": _l("退出登录"),
    "create": _l("新增"),
    "update": _l("修改"),
    "delete": _l("删除"),
    "import": _l("批量导入"),
    "restore_request_refused": _l("恢复申请被拒（凭据错误）"),
    "view_full_identifiers": _l("查看完整证件号码"),
    "view_full_id": _l("查看完整证件号码"),
    "export_full_id": _l("导出完整证件号码"),
    "member_remove": _l("移出户成员"),
    "report_download": _l("下载报表"),
    "report_reissue": _l("重新出具报表"),
    "password_check_failed": _l("当前密码错误"),
    "second_factor_enabled": _l("启用两步验证"),
    "second_factor_disabled": _l("停用两步验证"),
    "second_factor_reset": _l("重置两步验证"),
    "recovery_codes_renewed": _l("重新生成恢复码"),
    "audit_view": _l("查看审计日志"),
    "audit_export": _l("导出审计日志"),
    "audit_reveal": _l("查看审计事件完整内容"),
    "survey_round_open": _l("开启入户调查"),
    "survey_round_close": _l("结束入户调查"),
    "survey_round_reopen": _l("重新开启入户调查"),
    "household_submit": _l("提交审核"),
    "household_confirm": _l("本户无变化（已核实）"),
    "household_approve": _l("审核通过"),
    "household_return": _l("退回修改"),
    "survey_person_lookup": _l("入户调查查询人员"),
    "explain_view": _l("查看指标计入人员"),
    "submission_submit": _l("报送"),
    "submission_sign_off": _l("领导签发"),
    "submission_approve": _l("审核通过报送"),
    "submission_return": _l("退回报送"),
    "submission_correction": _l("申请更正已报数据"),
    "submission_scan": _l("上传签章扫描件"),
    "submission_scan_download": _l("下载签章扫描件"),
    "quality_explain": _l("说明质量问题"),
    "analysis_submit": _l("报送季分析"),
    "analysis_approve": _l("审核通过季分析"),
    "analysis_return": _l("退回季分析"),
    "boundaries_loaded": _l("导入区划边界"),
    "job_enqueue": _l("提交后台任务"),
    "job_succeed": _l("后台任务完成"),
    "job_fail": _l("后台任务失败"),
    "job_file_drop": _l("删除到期的任务文件"),
    "channel_upload": _l("上传渠道数据"),
    "api_call": _l("接口调用"),
    "api_refused": _l("接口调用被拒"),
    "api_person_check": _l("接口查询人员状态"),
    "channel_hires_settled": _l("核实新录用人员的失业登记"),
    "channel_hire_settled": _l("处理新录用人员核实"),
}

TARGET_LABELS = {
    "users": _l("账号"),
    "restore_requests": _l("恢复权限申请"),
    "divisions": _l("区划"),
    "persons": _l("人员"),
    "households": _l("户"),
    "household_members": _l("户成员"),
    "transfer_spells": _l("转移就业经历"),
    "trainings": _l("培训"),
    "employment_registrations": _l("就业登记"),
    "unemployment_registrations": _l("失业登记"),
    "employment_aid": _l("就业援助"),
    "natural_attrition": _l("自然减员"),
    "employed_totals": _l("期末从业人员"),
    "survey_rounds": _l("入户调查轮次"),
    "household_surveys": _l("户调查状态"),
    "return_reasons": _l("退回原因"),
    "audit_events": _l("审计日志"),
    "reports": _l("报表"),
    "annual_targets": _l("年度目标任务"),
    "reported_figures": _l("报表数（核对）"),
    "rectification_notices": _l("整改通知"),
    "quarterly_analyses": _l("季分析"),
    "submissions": _l("报送"),
    "api_clients": _l("接口客户端"),
    "hire_reviews": _l("新录用人员核实"),
    "jobs": _l("后台任务"),
    "channel_batches": _l("渠道上传批次"),
    "quality_findings": _l("质量问题"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def target_label(target: str | None) -> str:
    return "" if target is None else str(TARGET_LABELS.get(target, target))


def init_app(app) -> None:
    app.add_template_filter(action_label, "action_label")
    app.add_template_filter(target_label, "target_label")
