"""The demo league's quarterly analysis (季分析) of the last quarter ended, as a draft with
its three sections written, so the demo league statistician can preview and submit it."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.accounts.models import User
from field_app.analysis import operations
from field_app.analysis.queries import default_quarter
from field_app.core.clock import clock

DEMO_SECTIONS = {
    "situation": (
        "本季度全盟就业形势总体稳定。城镇新增就业、失业人员再就业和就业困难人员就业保持增长，"
        "城镇登记失业率控制在目标以内；农村牧区劳动力转移就业以盟内、区内就近就业为主。"),
    "problems": (
        "一是部分旗县市城镇新增就业进度慢于序时进度。\n"
        "二是转移就业以短期务工为主，稳定就业的比例不高。"),
    "measures": (
        "一是加强就业援助，开发公益性岗位。\n"
        "二是组织冬春季职业技能培训，提高转移就业的稳定性。"),
}


def ensure_demo_analysis(session: Session) -> bool:
    """A draft of the demo league's analysis of the last quarter, unless it has one; True
    when it was written now."""
    writer = session.scalar(select(User).where(User.username == "demo_league_statistician"))
    if writer is None:
        return False
    period = default_quarter(clock.today())
    if operations.find(session, writer.division_code, period) is not None:
        return False
    operations.save(session, division_code=writer.division_code, period=period, actor=writer,
                    sections=DEMO_SECTIONS)
    return True
