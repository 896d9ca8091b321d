"""Deal hygiene (DOMAIN.md §9): the four lists a check-in meeting talks about.

At an as-of date, from validated events in log order:

- stale deals (放置案件): open opportunities whose last activity of any 区分 with the
  same rep and customer is more than ``stale_days`` days old;
- slipped deals: open opportunities past their expected month, or whose 受注予定月
  a later stage row moved later (push count and months pushed);
- report discipline: per rep and month, outing days (days with a 訪問) that miss a
  外出前報告 or a 外出後報告;
- 今だめ to re-approach: opportunities whose state is lost with reason 今だめ.

Every list looks only at rows dated on or before the as-of date, and orders rows as
the engine does (by date, then position in the log: "same date: the lower row wins").
Nothing here knows a workbook: ``layout.deals`` writes the lists.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from xlsales.compute.engine import month_start, opportunity_key
from xlsales.compute.workdays import WorkCalendar
from xlsales.model import Event
from xlsales.vocab import OPEN_STAGES, stage_code

# Stale bands (days since the last activity): up to 30, 31 to 60, over 60.
STALE_BANDS: tuple[int, ...] = (30, 60)


@dataclass(frozen=True)
class StaleDeal:
    """An open opportunity nobody has touched for more than ``stale_days`` days."""

    rep: str
    customer: str
    stage: str  # topic, deal_b or deal_a
    amount: float
    close_month: dt.date  # the expected month (the stage row's month when 受注予定月 is blank)
    last_date: dt.date  # the latest row of any 区分 with the same rep and customer
    last_activity: str  # that row's activity key
    days: int  # as-of date - last_date

    @property
    def band(self) -> int:
        """1 (up to 30 days), 2 (31-60) or 3 (over 60)."""
        return stale_band(self.days)


@dataclass(frozen=True)
class SlippedDeal:
    """An open opportunity past its expected month, or whose expected month was pushed."""

    rep: str
    customer: str
    stage: str
    amount: float
    close_month: dt.date
    months_overdue: int  # as-of month - expected month when that is > 0, else 0
    pushes: int  # rows that moved 受注予定月 later than the previous stage row's
    months_pushed: int  # the sum of those moves, in months

    @property
    def past_due(self) -> bool:
        return self.months_overdue > 0


@dataclass(frozen=True)
class ReportMonth:
    """One rep's outing days of one month and the reports they miss."""

    rep: str
    month: dt.date  # first day of the month
    outing_days: tuple[dt.date, ...]  # days with at least one 訪問, up to the as-of date
    pre_missing: tuple[dt.date, ...]  # no 外出前報告 that day or an earlier working day of its week
    post_missing: tuple[dt.date, ...]  # no 外出後報告 that day or the next working day (which has passed)
    post_pending: tuple[dt.date, ...]  # no 外出後報告 yet, and the next working day is after the as-of date

    @property
    def post_due(self) -> int:
        """Outing days whose 外出後報告 is decided: done, or missing after its deadline."""
        return len(self.outing_days) - len(self.post_pending)


@dataclass(frozen=True)
class LostNow:
    """An opportunity lost as 今だめ (not re-opened since): next quarter's re-approach."""

    rep: str
    customer: str
    stage: str | None  # the last open stage before the loss (None: lost without one)
    amount: float | None  # that stage row's amount
    lost_date: dt.date
    note: str  # the lost row's メモ


@dataclass(frozen=True)
class DealLists:
    """The four lists of one scope (a rep, or a team) at ``as_of``."""

    as_of: dt.date
    stale_days: int
    stale: list[StaleDeal]
    slipped: list[SlippedDeal]
    reports: list[ReportMonth]
    report_months: list[dt.date]
    lost_now: list[LostNow]


def stale_band(days: int) -> int:
    """The band of a stale deal: 1 up to 30 days, 2 from 31 to 60, 3 over 60.

    Examples
    --------
    >>> [stale_band(d) for d in (15, 30, 31, 60, 61)]
    [1, 1, 2, 2, 3]
    """
    return 1 + sum(days > edge for edge in STALE_BANDS)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from the month of ``earlier`` to the month of ``later``.

    Examples
    --------
    >>> months_between(dt.date(2026, 11, 30), dt.date(2027, 1, 1))
    2
    """
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def report_months(as_of: dt.date) -> list[dt.date]:
    """The months the report-discipline list covers: the one before the as-of month, and
    the as-of month (what the 月初 / 中間 / 月末 meetings talk about)."""
    this = month_start(as_of)
    previous = month_start(this - dt.timedelta(days=1))
    return [previous, this]


def deal_lists(events: Sequence[Event], *, as_of: dt.date, calendar: WorkCalendar, stale_days: int,
               reps: Sequence[str]) -> DealLists:
    """The four deal-hygiene lists of ``events`` (one scope's, in log order) at ``as_of``.

    Parameters
    ----------
    events : sequence of Event
        The scope's validated events, in the log's row order.
    as_of : date
        The report date: rows dated after it are left out.
    calendar : WorkCalendar
        The working days (``compute.workdays.calendar_of(settings.closed_days)``).
    stale_days : int
        設定 放置日数: a deal is stale when its last activity is *more* than this many
        days before ``as_of``.
    reps : sequence of str
        The reps of the report-discipline list, in this order (each gets a row per
        month, outing days or not).

    Returns
    -------
    DealLists
        Stale deals by amount (largest first; ties: the older last activity first),
        slipped deals by amount, report months by rep then month, 今だめ by lost date.
    """
    order = sorted((i for i, ev in enumerate(events) if ev.date <= as_of), key=lambda i: (events[i].date, i))
    last_any: dict[tuple[str, str], int] = {}
    stages: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in order:
        ev = events[i]
        if not ev.customer:
            continue
        key = opportunity_key(ev)
        last_any[key] = i  # later in the order: later date, or the lower row of the same date
        if stage_code(ev.activity):
            stages[key].append(i)

    stale: list[tuple[tuple, StaleDeal]] = []
    slipped: list[tuple[tuple, SlippedDeal]] = []
    lost: list[tuple[tuple, LostNow]] = []
    for key, idx in stages.items():
        state = events[idx[-1]]
        if state.activity in OPEN_STAGES:
            close = state.close_month or month_start(state.date)
            amount = float(state.amount or 0)
            last = events[last_any[key]]
            days = (as_of - last.date).days
            if days > stale_days:
                stale.append(((-amount, last.date, last_any[key]), StaleDeal(
                    state.rep, state.customer, state.activity, amount, close, last.date, last.activity, days)))
            pushes, months = _pushes(events, idx)
            overdue = max(months_between(close, as_of), 0)
            if pushes or overdue:
                slipped.append(((-amount, close, idx[-1]), SlippedDeal(
                    state.rep, state.customer, state.activity, amount, close, overdue, pushes, months)))
        elif state.activity == "lost" and state.lost_reason == "now":
            before = _stage_before_loss(events, idx)
            lost.append(((state.date, idx[-1]), LostNow(
                state.rep, state.customer, before.activity if before else None,
                float(before.amount or 0) if before else None, state.date, state.note)))

    return DealLists(
        as_of=as_of,
        stale_days=stale_days,
        stale=[d for _, d in sorted(stale, key=lambda t: t[0])],
        slipped=[d for _, d in sorted(slipped, key=lambda t: t[0])],
        reports=report_discipline(events, as_of=as_of, calendar=calendar, reps=reps),
        report_months=report_months(as_of),
        lost_now=[d for _, d in sorted(lost, key=lambda t: t[0])],
    )


def _stage_before_loss(events: Sequence[Event], idx: Sequence[int]) -> Event | None:
    # The last open stage row before the loss; another ボツ row in between (a reason
    # corrected) is passed over, an order ends the search: what came before it was an
    # earlier life of the opportunity, not what was lost.
    for i in reversed(idx[:-1]):
        if events[i].activity in OPEN_STAGES:
            return events[i]
        if events[i].activity == "order":
            return None
    return None


def _pushes(events: Sequence[Event], idx: Sequence[int]) -> tuple[int, int]:
    # DOMAIN.md §9 "Pushed": a stage row whose 受注予定月 is later than the previous stage
    # row's, both stated.  A blank one is neither a move nor a base for the next row's.
    count = months = 0
    for prev, cur in zip(idx, idx[1:]):
        a, b = events[prev].close_month, events[cur].close_month
        if a is not None and b is not None and b > a:
            count += 1
            months += months_between(a, b)
    return count, months


def report_discipline(events: Sequence[Event], *, as_of: dt.date, calendar: WorkCalendar,
                      reps: Sequence[str]) -> list[ReportMonth]:
    """Outing days and missed visit reports per rep of ``reps`` and month of ``report_months``.

    An outing day misses its 外出前報告 when the rep has none dated that day or an
    earlier working day of the same ISO week (the deck writes it on Wednesday for
    Thursday and Friday), and its 外出後報告 when none is dated that day or the next
    working day.  A missing 外出後報告 whose next working day is after ``as_of`` is not
    due yet (``post_pending``).  Only the rep's own reports count.
    """
    visits: dict[str, set[dt.date]] = defaultdict(set)
    pre: dict[str, set[dt.date]] = defaultdict(set)
    post: dict[str, set[dt.date]] = defaultdict(set)
    for ev in events:
        if ev.date > as_of:
            continue
        target = {"visit": visits, "pre_report": pre, "post_report": post}.get(ev.activity)
        if target is not None:
            target[ev.rep].add(ev.date)
    out = []
    for rep in reps:
        for month in report_months(as_of):
            days = sorted(d for d in visits[rep] if month_start(d) == month)
            pre_missing, post_missing, pending = [], [], []
            for day in days:
                # The ISO week runs Monday to Sunday: the earlier days of ``day``'s week.
                earlier = (day - dt.timedelta(days=n) for n in range(1, day.weekday() + 1))
                if day not in pre[rep] and not any(p in pre[rep] and calendar.is_working_day(p) for p in earlier):
                    pre_missing.append(day)
                deadline = calendar.next_day(day)
                if day not in post[rep] and deadline not in post[rep]:
                    (pending if deadline > as_of else post_missing).append(day)
            out.append(ReportMonth(rep, month, tuple(days), tuple(pre_missing), tuple(post_missing),
                                   tuple(pending)))
    return out
