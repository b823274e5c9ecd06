"""The figures of a division page, computed once and kept until a write makes them stale.

A league page at 1,000,000 persons takes seconds of engine work (its own twelve figures,
its children's by one grouped pass, the employed total's basis, the review coverage). The
figures change only when a record they count changes, so they are kept in
``figure_cache`` by division, period, policy and ``kind`` (``page``: everything the page
shows; ``own``: the division's twelve, for the reconciliation of another period).

Never stale: database triggers (migration ``0020_speed``) log into ``figure_writes`` the
division codes every write to a table the indicators read touches, in the writer's own
transaction, whatever wrote it. An entry is served only while no logged write in its
division's subtree (or a write logged for any division, code ``''``) is newer than the
entry's figures. "Newer" is decided by the database, not by the order requests finish in:

- SQLite has one writer at a time, so ``figure_writes.id`` grows in commit order. The
  entry keeps the largest id committed before its figures were read (``since_id``); a
  write committed while they were computed has a larger id and makes the entry stale.
- PostgreSQL assigns ids before commit, so the entry keeps the snapshot
  (``pg_current_snapshot()``) taken before its figures were read, and a logged write
  (one row per code and writing transaction: writers never wait for each other on the
  log) is newer when its transaction is not visible in that snapshot. The log is pruned
  below a horizon, under an advisory lock, and figures computed under a snapshot older
  than the horizon are not kept. Figures read by a transaction that has itself written
  are never served (its own writes are not in its snapshot): a page only reads.

Whether an entry is served is therefore checked on every read (one indexed query); a write
never has to find the entries it spoils.

Kept warm: the first view after a write would compute (seconds at a league of 1,000,000
persons), so the jobs worker runs ``warm`` every minute (``jobs.queue.periodic``). It
recomputes the stale entries of pages someone asked for in the last day (``requested_at``:
when a request last computed the entry; the warmer keeps it), most recent first, each in a
transaction of its own, with the same marks as a request. The next view then finds them
fresh; a view before the warmer has caught up computes as before, never serving stale.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import time
from decimal import Decimal

from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from field_app.core.clock import clock
from field_app.core.codes import subtree_bounds
from field_app.core.database import BUSY_TIMEOUT_MS
from field_app.indicators import (
    EmployedTotalBasis,
    Policy,
    ReviewCoverage,
    compute_indicators,
    employed_total_basis,
    review_coverage,
)
from field_app.indicators.grouped import compute_with_children
from field_app.statistics.models import FigureCache

PAGE, OWN = "page", "own"
# PostgreSQL: the log is pruned when it holds more rows than this (SQLite keeps one row
# per division code and needs no pruning).
PRUNE_ABOVE = 5_000
_LOCK_KEY = 0x5EED_F16  # pg_advisory_xact_lock: storing and pruning take turns

Values = dict[str, int | Decimal | None]


@dataclasses.dataclass(frozen=True)
class PageFigures:
    """What a division page shows: the division's twelve figures, each child's (by code),
    the employed total's basis and the review coverage."""

    values: Values
    children: dict[str, Values]
    employed_basis: EmployedTotalBasis
    coverage: ReviewCoverage


def page_figures(session: Session, code: str, start: dt.date, end: dt.date,
                 policy: Policy) -> PageFigures:
    """The page's figures of ``code`` for ``[start, end]``: from the cache when no write
    since makes them stale, else computed (the engine's own calls) and kept."""
    return _cached(session, code, start, end, policy, PAGE, _compute_page,
                   _dump_page, _load_page)


def own_figures(session: Session, code: str, start: dt.date, end: dt.date,
                policy: Policy) -> Values:
    """``compute_indicators`` of ``code``, through the cache like ``page_figures``."""
    return _cached(session, code, start, end, policy, OWN, _compute_own, _dump_values,
                   _load_values)


def compute_page(connection: Connection, code: str, start: dt.date, end: dt.date,
                 policy: Policy) -> PageFigures:
    """The page's figures computed afresh (no cache)."""
    return _compute_page(connection, code, start, end, policy)


def _compute_page(connection: Connection, code: str, start: dt.date, end: dt.date,
                  policy: Policy) -> PageFigures:
    values, children = compute_with_children(connection, code, start, end, policy)
    return PageFigures(
        values=values,
        children=dict(children),
        employed_basis=employed_total_basis(connection, code, end),
        coverage=review_coverage(connection, code, start, end, policy),
    )


# --- the cache -----------------------------------------------------------------------------

def policy_key(policy: Policy) -> str:
    """The policy's identity in the cache: every bound, not only its name."""
    return hashlib.sha256(repr(policy).encode()).hexdigest()


_FRESH = {
    # The entry's subtree (or any division, '') has no write newer than the entry.
    "sqlite": "NOT EXISTS (SELECT 1 FROM figure_writes AS w"
              " WHERE (w.code = '' OR w.code BETWEEN c.low_code AND c.high_code)"
              " AND w.id > c.since_id)",
    "postgresql": "NOT EXISTS (SELECT 1 FROM figure_writes AS w"
                  " WHERE (w.code = '' OR w.code BETWEEN c.low_code AND c.high_code)"
                  " AND NOT pg_visible_in_snapshot(w.xid::text::xid8,"
                  " c.snapshot::pg_snapshot))",
}
_MARK = {
    # Taken before the figures are read: what the entry's figures have seen.
    "sqlite": "SELECT coalesce(max(id), 0) FROM figure_writes",
    "postgresql": "SELECT pg_current_snapshot()::text",
}


def _dialect(connection: Connection) -> str:
    return "postgresql" if connection.dialect.name == "postgresql" else "sqlite"


def _compute_own(connection: Connection, code: str, start: dt.date, end: dt.date,
                 policy: Policy) -> Values:
    return compute_indicators(connection, code, start, end, policy)


def _cached(session, code, start, end, policy, kind, compute, dump, load):
    connection = session.connection()
    dialect = _dialect(connection)
    key = {"code": code, "start": start, "end": end, "policy": policy_key(policy),
           "kind": kind}
    payload = connection.execute(text(
        "SELECT c.payload FROM figure_cache AS c WHERE c.division_code = :code"
        " AND c.period_start = :start AND c.period_end = :end AND c.policy = :policy"
        f" AND c.kind = :kind AND {_FRESH[dialect]}"
    ).bindparams(bindparam("start", type_=FigureCache.period_start.type),
                 bindparam("end", type_=FigureCache.period_end.type)), key).scalar()
    if payload is not None:
        return load(json.loads(payload))
    mark = connection.execute(text(_MARK[dialect])).scalar()
    value = compute(connection, code, start, end, policy)
    _store(session, dialect, key, mark, json.dumps(dump(value)), requested_at=clock.now())
    return value


def _store(session: Session, dialect: str, key: dict, mark, payload: str, *,
           requested_at: dt.datetime | None, wait: bool = False) -> None:
    """Keep ``payload`` under ``key``. ``wait``: on SQLite, wait for the write lock (the
    warmer) instead of giving up at once (a request)."""
    connection = session.connection()
    low, high = subtree_bounds(key["code"])
    row = {"division_code": key["code"], "period_start": key["start"],
           "period_end": key["end"], "policy": key["policy"], "kind": key["kind"],
           "low_code": low, "high_code": high, "payload": payload,
           "computed_at": clock.now(), "requested_at": requested_at,
           "since_id": mark if dialect == "sqlite" else None,
           "snapshot": mark if dialect == "postgresql" else None}
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        FigureCache.__table__).values(row)
    insert = insert.on_conflict_do_update(
        index_elements=["division_code", "period_start", "period_end", "policy", "kind"],
        set_={name: insert.excluded[name] for name in (
            "low_code", "high_code", "payload", "computed_at", "requested_at", "since_id",
            "snapshot")})
    if dialect == "sqlite":
        if wait:
            connection.execute(insert)
        else:
            _store_unless_locked(session, insert)
        return
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    # A snapshot older than the pruning horizon may have missed a write pruned since.
    older = connection.execute(text(
        "SELECT pg_snapshot_xmin(CAST(:mark AS pg_snapshot))::text::bigint"
        " < coalesce((SELECT horizon FROM figure_horizon WHERE id = 1), 0)"),
        {"mark": mark}).scalar()
    if older:
        return
    connection.execute(insert)
    if connection.execute(text("SELECT count(*) > :limit FROM figure_writes"),
                          {"limit": PRUNE_ABOVE}).scalar():
        prune(connection)


def _store_unless_locked(session: Session, insert) -> None:
    """SQLite: keep the figures if the write lock is free now. A page only reads and must
    not queue behind a writer (an import holds the lock for minutes): if the lock is
    taken, the figures are not kept this time."""
    connection = session.connection()
    connection.exec_driver_sql("PRAGMA busy_timeout = 0")
    try:
        with session.begin_nested():
            connection.execute(insert)
    except OperationalError:
        pass
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


# --- kept warm ------------------------------------------------------------------------------

WARM_WITHIN = dt.timedelta(hours=24)
WARM_LIMIT = 20


@dataclasses.dataclass(frozen=True)
class Warmed:
    """An entry the warmer recomputed, and how long it took."""

    code: str
    start: dt.date
    end: dt.date
    kind: str
    seconds: float


def warm(session: Session, policy: Policy, *, within: dt.timedelta = WARM_WITHIN,
         limit: int = WARM_LIMIT) -> list[Warmed]:
    """Recompute the kept figures of ``policy`` that a write has made stale, of the pages a
    request computed within ``within`` (most recent first, at most ``limit``), and commit
    each: the next view of those pages is served from the cache. Entries of another policy
    (a configuration changed since) are left to expire."""
    connection = session.connection()
    dialect = _dialect(connection)
    c = FigureCache.__table__.alias("c")
    stale = session.execute(
        select(c.c.division_code, c.c.period_start, c.c.period_end, c.c.kind, c.c.requested_at)
        .where(c.c.policy == policy_key(policy), c.c.requested_at >= clock.now() - within,
               c.c.kind.in_(tuple(_KINDS)), text(f"NOT {_FRESH[dialect]}"))
        .order_by(c.c.requested_at.desc(), c.c.id).limit(limit)).all()
    session.rollback()  # each entry is read under a transaction (and a mark) of its own
    warmed = []
    for code, start, end, kind, requested_at in stale:
        compute, dump = _KINDS[kind]
        key = {"code": code, "start": start, "end": end, "policy": policy_key(policy),
               "kind": kind}
        started = time.perf_counter()
        connection = session.connection()
        mark = connection.execute(text(_MARK[dialect])).scalar()
        value = compute(connection, code, start, end, policy)
        try:
            _store(session, dialect, key, mark, json.dumps(dump(value)),
                   requested_at=requested_at, wait=True)
            session.commit()
        except OperationalError:  # SQLite: a writer held the lock past the busy timeout
            session.rollback()
            continue
        warmed.append(Warmed(code, start, end, kind, time.perf_counter() - started))
    return warmed


def prune(connection: Connection) -> None:
    """PostgreSQL: drop the stale entries, then the logged writes every remaining entry
    and every snapshot yet to be taken already sees (those below the oldest snapshot's
    xmin), and raise the horizon to that point. The caller holds the advisory lock."""
    connection.execute(text(f"DELETE FROM figure_cache AS c WHERE NOT {_FRESH['postgresql']}"))
    horizon = connection.execute(text(
        "SELECT least(pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
        " (SELECT min(pg_snapshot_xmin(snapshot::pg_snapshot)::text::bigint)"
        " FROM figure_cache))")).scalar()
    connection.execute(text("DELETE FROM figure_writes WHERE xid < :horizon"),
                       {"horizon": horizon})
    connection.execute(text(
        "INSERT INTO figure_horizon (id, horizon) VALUES (1, :horizon) ON CONFLICT (id)"
        " DO UPDATE SET horizon = greatest(figure_horizon.horizon, excluded.horizon)"),
        {"horizon": horizon})


def forget(connection: Connection) -> None:
    """Drop every kept figure and the write log. For a database whose rows were replaced
    wholesale (a restored snapshot): its entries' marks (PostgreSQL transaction ids of
    another server) say nothing about the writes to come."""
    connection.execute(text("DELETE FROM figure_cache"))
    connection.execute(text("DELETE FROM figure_writes"))
    if _dialect(connection) == "postgresql":
        connection.execute(text("DELETE FROM figure_horizon"))


# --- the payload ---------------------------------------------------------------------------

def _dump_values(values: Values) -> dict:
    return {key: (str(value) if isinstance(value, Decimal) else value)
            for key, value in values.items()}


def _load_values(data: dict) -> Values:
    # Every figure is an integer or empty except the rate, a Decimal kept as its text.
    return {key: (Decimal(value) if isinstance(value, str) else value)
            for key, value in data.items()}


def _dump_page(figures: PageFigures) -> dict:
    basis, coverage = figures.employed_basis, figures.coverage
    return {
        "values": _dump_values(figures.values),
        "children": [[code, _dump_values(values)] for code, values in figures.children.items()],
        "employed_basis": [basis.value, basis.as_of.isoformat() if basis.as_of else None],
        "coverage": [coverage.households, coverage.approved, coverage.basis],
    }


def _load_page(data: dict) -> PageFigures:
    value, as_of = data["employed_basis"]
    households, approved, basis = data["coverage"]
    return PageFigures(
        values=_load_values(data["values"]),
        children={code: _load_values(values) for code, values in data["children"]},
        employed_basis=EmployedTotalBasis(value, dt.date.fromisoformat(as_of) if as_of
                                          else None),
        coverage=ReviewCoverage(households, approved, basis),
    )


# What each kind is computed by and kept as, for the warmer.
_KINDS = {PAGE: (_compute_page, _dump_page), OWN: (_compute_own, _dump_values)}
