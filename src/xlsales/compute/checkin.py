"""The check-in figures of one scope (a rep, or the team) for a month (DOMAIN.md §9).

月初 / 中間 / 月末 meetings read one set of figures: for 売上 and each process KPI the
month's target, the target pro-rated by working days elapsed (``WorkCalendar``), the
actual to date, the pace and the gap; the working days elapsed, in the month and left;
and the ヨミ stack (受注, + 商談◯, + 商談△) of the month and of the next month against
the sales target.  Plain data: ``layout.checkin`` turns it into a sheet whose live
formulas compute the same values.

Blank (None) is DOMAIN.md's gap: a scope with no target has no pro-rated target, no
pace and no gap; a month with no working days has no pro-rated target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xlsales.compute.engine import EventFacts, add_months, compute_scope, event_facts, month_end, month_start
from xlsales.compute.workdays import WorkCalendar
from xlsales.model import Event, Target

# 売上 and the process KPIs of the target/process sheet, in its order.
CHECKIN_KEYS: tuple[str, ...] = ("sales", "orders", "new_deals", "new_topics", "visits", "follows", "lists")
# The meetings of the month, in their order (``--when start|mid|end``).
MEETINGS: tuple[str, ...] = ("start", "mid", "end")
MID_DAY = 15  # 中間: the 15th, or the next working day
_COUNTED = {"orders": "order", "visits": "visit", "follows": "follow", "lists": "list"}


def meeting_of(as_of: dt.date, calendar: WorkCalendar) -> str:
    """Which meeting a check-in at ``as_of`` is: ``start``, ``mid`` or ``end``.

    On or before the month's first working day it is 月初 (``start``), on or after its
    last working day 月末 (``end``), in between 中間 (``mid``).  A month without a
    working day is ``mid``: nothing to plan or to close.

    Examples
    --------
    >>> cal = WorkCalendar()
    >>> [meeting_of(dt.date(2026, 11, d), cal) for d in (1, 2, 16, 30)]
    ['start', 'start', 'mid', 'end']
    """
    days = calendar.month_days(as_of)
    if not days:
        return "mid"
    if as_of <= days[0]:
        return "start"
    if as_of >= days[-1]:
        return "end"
    return "mid"


def default_as_of(month: dt.date, when: str, calendar: WorkCalendar) -> dt.date:
    """The as-of date of ``xlsales checkin --when``: 月初 the month's first working day,
    中間 the 15th (or the next working day), 月末 the month's last working day.

    A month without such a day keeps the date inside the month (its 1st, 15th or last day).

    Examples
    --------
    >>> cal = WorkCalendar()
    >>> [default_as_of(dt.date(2026, 11, 1), w, cal).day for w in MEETINGS]  # 11/3, 11/23 are holidays
    [2, 16, 30]
    """
    first, last = month_start(month), month_end(month)
    if when == "start":
        day = calendar.on_or_after(first)
        return day if day <= last else first
    if when == "mid":
        mid = dt.date(first.year, first.month, MID_DAY)
        day = calendar.on_or_after(mid)
        return day if day <= last else mid
    if when == "end":
        day = calendar.on_or_before(last)
        return day if day >= first else last
    raise ValueError(f"unknown meeting {when!r} (use one of {', '.join(MEETINGS)})")


@dataclass(frozen=True)
class ScopeTargets:
    """A scope's targets of one month: None where no rep of the scope has one."""

    sales: float | None
    process: dict[str, float | None]  # kpi -> target


def scope_targets(targets: Iterable[Target], reps: Sequence[str], month: dt.date) -> ScopeTargets:
    """The sum of the monthly targets of ``reps`` (blank when none of them has one)."""
    rep_set, month = set(reps), month_start(month)
    sales: float | None = None
    process: dict[str, float | None] = {k: None for k in CHECKIN_KEYS[1:]}
    for t in targets:
        if t.rep not in rep_set or t.month != month:
            continue
        if t.sales_target is not None:
            sales = (sales or 0.0) + t.sales_target
        for k, v in t.process.items():
            if k in process and v is not None:
                process[k] = (process[k] or 0.0) + v
    return ScopeTargets(sales, process)


@dataclass(frozen=True)
class PaceLine:
    """One KPI against the month: target, pro-rated target, actual to date, pace, gap."""

    key: str
    target: float | None
    prorated: float | None  # None: no target, or a month without working days
    actual: float
    pace: float | None  # actual / prorated; None when prorated is blank or 0
    gap: float | None  # actual - prorated (negative: a shortfall, shown with ▲)


@dataclass(frozen=True)
class StackLevel:
    """One line of the ヨミ stack: its own count and amount, the stack so far against the target."""

    key: str  # orders, deal_a, deal_b
    count: int
    amount: float
    stack: float
    ratio: float | None  # stack / target; None without a (non-zero) target
    remaining: float | None  # target - stack (あと); None without a target


@dataclass(frozen=True)
class YomiStack:
    """The ヨミ stack of a month at the as-of date (DOMAIN.md §9)."""

    month: dt.date
    target: float | None
    levels: tuple[StackLevel, ...]


@dataclass(frozen=True)
class CheckinFigures:
    """Everything the check-in sheet shows for one scope."""

    month: dt.date
    as_of: dt.date
    meeting: str
    days_elapsed: int
    days_in_month: int
    days_left: int
    lines: dict[str, PaceLine]
    stack: YomiStack
    next_stack: YomiStack
    start_count: int  # 月初の商談: open opportunities expected in the month at its start
    start_amount: float


def ratio(num: float | None, den: float | None) -> float | None:
    """``num / den``; None when the denominator is blank or 0 (DOMAIN.md's gap)."""
    if den is None or den == 0:
        return None
    return (num or 0) / den


def actuals(events: Sequence[Event], facts: Sequence[EventFacts], first: dt.date, last: dt.date) -> dict[str, float]:
    """The flows of ``CHECKIN_KEYS`` from the events dated ``first`` to ``last`` (both included)."""
    out = {k: 0.0 for k in CHECKIN_KEYS}
    for ev, fx in zip(events, facts):
        if not first <= ev.date <= last:
            continue
        if ev.activity == "order":
            out["sales"] += float(ev.amount or 0)
        for key, activity in _COUNTED.items():
            if ev.activity == activity:
                out[key] += 1
        if fx.new_topic:
            out["new_topics"] += 1
        if fx.new_deal:
            out["new_deals"] += 1
    return out


def compute_checkin(events: Sequence[Event], *, month: dt.date, as_of: dt.date, calendar: WorkCalendar,
                    targets: ScopeTargets, next_sales_target: float | None, meeting: str | None = None,
                    facts: Sequence[EventFacts] | None = None) -> CheckinFigures:
    """The check-in figures of the scope whose events (in log order) are ``events``.

    Parameters
    ----------
    events : sequence of Event
        The scope's events, in the log's order.
    month : date
        The month of the check-in (any day of it).
    as_of : date
        The check-in date: actuals count events dated from the month's first day up to
        and including it (and no later than the month's last day); stocks are the open
        opportunities at its end.
    calendar : WorkCalendar
        The working days (設定 休業日).
    targets, next_sales_target
        The scope's targets of ``month`` (``scope_targets``) and the next month's sales target.
    meeting : {"start", "mid", "end"}, optional
        Default: ``meeting_of(as_of, calendar)``.
    facts : sequence of EventFacts, optional
        ``event_facts(events)``, when the caller has them.
    """
    facts = facts if facts is not None else event_facts(events)
    first, last = month_start(month), month_end(month)
    cut = min(as_of, last)
    in_month = calendar.month_days(first)
    elapsed = len([d for d in in_month if d <= as_of])
    done = actuals(events, facts, first, cut)
    lines = {}
    for key in CHECKIN_KEYS:
        target = targets.sales if key == "sales" else targets.process.get(key)
        # The same order of operations as the sheet's formula: target × elapsed ÷ days.
        prorated = None if target is None or not in_month else target * elapsed / len(in_month)
        actual = done[key]
        lines[key] = PaceLine(key, target, prorated, actual, ratio(actual, prorated),
                              None if prorated is None else actual - prorated)
    nxt = add_months(first, 1)
    metrics = compute_scope(events, [first, nxt], as_of, facts)

    def stack_of(m: dt.date, target: float | None, sold: float, orders: int) -> YomiStack:
        levels, total = [], 0.0
        parts = [("orders", orders, sold)]
        parts += [(s, metrics.stocks[s][m].count, metrics.stocks[s][m].amount) for s in ("deal_a", "deal_b")]
        for key, count, amount in parts:
            total = total + amount
            levels.append(StackLevel(key, count, amount, total, ratio(total, target),
                                     None if target is None else target - total))
        return YomiStack(m, target, tuple(levels))

    nxt_done = actuals(events, facts, nxt, min(as_of, month_end(nxt)))
    start = metrics.month_start[first]
    return CheckinFigures(
        month=first, as_of=as_of, meeting=meeting or meeting_of(as_of, calendar),
        days_elapsed=elapsed, days_in_month=len(in_month), days_left=len(in_month) - elapsed,
        lines=lines,
        stack=stack_of(first, targets.sales, done["sales"], int(done["orders"])),
        next_stack=stack_of(nxt, next_sales_target, nxt_done["sales"], int(nxt_done["orders"])),
        start_count=start.count, start_amount=start.amount,
    )
