"""The division pages' figures kept warm (statistics.figures.warm, issue 14): after a write,
the jobs worker recomputes the stale figures of pages asked for in the last day, so the next
view is served from the cache; it never keeps figures that miss a write."""
from __future__ import annotations

import datetime as dt

from huey import MemoryHuey
from sqlalchemy import select

from field_app.core.clock import clock
from field_app.extensions import db
from field_app.indicators import Policy
from field_app.jobs.queue import PERIODIC, Queue
from field_app.statistics import figures
from field_app.statistics.models import FigureCache
from tests.indicators.support import BANNER, COMMUNITY, LEAGUE, OTHER_BANNER, A, B, d
from tests.statistics.test_figure_cache import (
    POLICY,
    _fresh,
    _other_person,
    _page,
    _served_from_cache,
    register,
)

NOW = dt.datetime(2024, 12, 20, 9, 0)


def _viewed(make, *codes, at=NOW, policy=POLICY):
    """A registration in the community, and the pages of ``codes`` viewed at ``at``."""
    make.employment(make.person(), d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    clock.set(at)
    for code in codes:
        _page(code, policy=policy)
    db.session.commit()
    clock.set(NOW)


def _write():
    """Another registration in the community: stale figures for BANNER and LEAGUE."""
    connection = db.session.connection()
    register(connection, "JY99999998", _other_person(connection), d("2024-04-01"))
    db.session.commit()


def _warmed(**kwargs):
    return [(entry.code, entry.kind) for entry in figures.warm(db.session, POLICY, **kwargs)]


def test_after_a_write_the_warmer_recomputes_and_the_next_view_is_served(make):
    _viewed(make, BANNER, LEAGUE)
    _write()
    assert sorted(_warmed()) == [(LEAGUE, "page"), (BANNER, "page")]
    for code in (BANNER, LEAGUE):
        assert _served_from_cache(code)
        assert _page(code) == _fresh(code)
    assert _page(LEAGUE).values["new_employment_gross"] == 2
    assert _warmed() == []  # nothing stale is left


def test_fresh_entries_and_other_banners_are_left_alone(make):
    _viewed(make, BANNER, OTHER_BANNER, LEAGUE)
    assert _warmed() == []
    _write()
    assert sorted(_warmed()) == [(LEAGUE, "page"), (BANNER, "page")]


def test_pages_not_asked_for_within_the_day_are_not_warmed(make):
    _viewed(make, LEAGUE, at=NOW - dt.timedelta(hours=25))
    _write()
    assert _warmed() == []
    assert not _served_from_cache(LEAGUE)
    assert _warmed(within=dt.timedelta(hours=26)) == []  # the view just now computed it


def test_the_most_recently_asked_are_warmed_first_within_the_limit(make):
    _viewed(make, LEAGUE, at=NOW - dt.timedelta(hours=2))
    clock.set(NOW - dt.timedelta(hours=1))
    _page(BANNER)
    db.session.commit()
    clock.set(NOW)
    _write()
    assert _warmed(limit=1) == [(BANNER, "page")]
    assert _warmed(limit=1) == [(LEAGUE, "page")]


def test_the_warmer_keeps_when_the_page_was_asked_for(make):
    asked = NOW - dt.timedelta(hours=3)
    _viewed(make, LEAGUE, at=asked)
    _write()
    _warmed()
    entry = db.session.scalars(select(FigureCache)).one()
    assert entry.requested_at == asked
    assert entry.computed_at == NOW


def test_entries_of_another_policy_are_left_to_expire(make):
    narrower = Policy(male_max_age=57)
    _viewed(make, LEAGUE, policy=narrower)
    _write()
    assert _warmed() == []
    assert [(e.code, e.kind) for e in figures.warm(db.session, narrower)] == [(LEAGUE, "page")]


def test_the_reconciliations_own_figures_are_warmed_too(make):
    make.employment(make.person(), d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    clock.set(NOW)
    figures.own_figures(db.session, LEAGUE, A, B, POLICY)
    db.session.commit()
    _write()
    assert _warmed() == [(LEAGUE, "own")]
    assert figures.own_figures(db.session, LEAGUE, A, B, POLICY)["new_employment_gross"] == 2


def test_a_write_committed_while_the_warmer_computes_leaves_the_entry_stale(
        app_ctx, make, monkeypatch):
    _viewed(make, LEAGUE)
    _write()
    computing = figures._compute_page

    def compute_while_another_request_writes(connection, *args):
        result = computing(connection, *args)
        with db.engine.begin() as other:
            third = _other_person(other, "152201199202020012", "第三人", dt.date(1992, 2, 2))
            register(other, "JY99999999", third, d("2024-05-01"))
        return result

    monkeypatch.setitem(figures._KINDS, "page",
                        (compute_while_another_request_writes, figures._dump_page))
    assert _warmed() == [(LEAGUE, "page")]
    monkeypatch.setitem(figures._KINDS, "page", (computing, figures._dump_page))
    assert not _served_from_cache(LEAGUE)
    assert _page(LEAGUE).values["new_employment_gross"] == 3


def test_the_worker_runs_the_warmer_every_minute(app, make):
    _viewed(make, LEAGUE)
    _write()
    huey = MemoryHuey("warming-test", results=False, immediate=False)
    queue = Queue(app, huey, run=lambda *args: None)
    assert "figures_warm" in queue.schedule_periodic(app, db.session.remove)
    assert PERIODIC["figures_warm"].schedule == {"minute": "*"}
    due = huey.read_periodic(dt.datetime(2026, 12, 6, 10, 17))
    assert [task.name for task in due] == ["periodic:figures_warm"]
    huey.execute(due[0])
    assert _served_from_cache(LEAGUE)
    assert _page(LEAGUE).values["new_employment_gross"] == 2


def test_the_command_warms_and_says_how_many(runner, make):
    _viewed(make, BANNER, LEAGUE)
    _write()
    result = runner.invoke(args=["indicators", "warm"])
    assert result.exit_code == 0, result.output
    assert f"page  {LEAGUE} 2024-01-01..2024-12-31" in result.output
    assert "已更新 2 项缓存的数字" in result.output
    assert _served_from_cache(LEAGUE) and _served_from_cache(BANNER)
