"""The domain engine: DOMAIN.md §5 computed from validated events.

Nothing here knows about workbooks.  The layout asks the engine for every figure it
writes, both the values of stock rows and the cached values of formula cells, so the
numbers a viewer shows before recalculation are the ones Excel/LibreOffice compute.

Ordering rule used throughout (DOMAIN.md §3): events are ordered by date, then by
their position in the log ("same date: the lower row wins").
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from xlsales.model import Event, Settings
from xlsales.vocab import OPEN_STAGES, stage_code

# Flow metrics: key -> the activity counted (None: computed from stage history or amounts)
FLOW_COUNTS: dict[str, str] = {
    "orders": "order",
    "lost": "lost",
    "visits": "visit",
    "follows": "follow",
    "lists": "list",
    "pre_reports": "pre_report",
    "post_reports": "post_report",
}
FLOW_KEYS: tuple[str, ...] = (
    "sales", *FLOW_COUNTS, "new_topics", "new_deals", "lost_now", "lost_forever",
)
STOCK_STAGES: tuple[str, ...] = ("deal_a", "deal_b", "topic")
TOP_N = 3
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's date serials (1900 date system)


def month_start(d: dt.date) -> dt.date:
    return dt.date(d.year, d.month, 1)


def add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def month_end(d: dt.date) -> dt.date:
    return add_months(d, 1) - dt.timedelta(days=1)


def fiscal_year_first(d: dt.date, start_month: int) -> dt.date:
    """The first day of the fiscal year that holds ``d``, for years starting in ``start_month``.

    Examples
    --------
    >>> fiscal_year_first(dt.date(2027, 2, 10), 4)
    datetime.date(2026, 4, 1)
    >>> fiscal_year_first(dt.date(2026, 4, 1), 4)
    datetime.date(2026, 4, 1)
    """
    year = d.year if d.month >= start_month else d.year - 1
    return dt.date(year, start_month, 1)


def period_months(settings: Settings, as_of: dt.date) -> list[dt.date]:
    """The first days of the months shown, from Settings (DOMAIN.md §4).

    Default start: the first month of the fiscal year that holds ``as_of``.
    """
    start = settings.period_start
    if start is None:
        start = fiscal_year_first(as_of, settings.fiscal_year_start)
    return [add_months(month_start(start), i) for i in range(settings.period_months)]


# ----------------------------------------------------------------------------------
# Per-event facts: what the ActivityLog helper columns hold
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)  # one per log row: no __dict__
class EventFacts:
    """The opportunity history of one event, as the log's helper columns compute it."""

    stage: int  # 1..5 for topic, deal_b, deal_a, order, lost; 0 otherwise
    # The latest stage event of the same opportunity before this event (index into the
    # event list, and its stage code; None and 0 when none).  Set for every event with a
    # customer, stage or not: a row a rep later edits into a stage event has its history.
    prev_index: int | None
    prev_stage: int
    new_topic: bool  # a topic of an opportunity that was not open just before
    new_deal: bool  # a deal of an opportunity that was not in a deal stage just before


def opportunity_key(event: Event) -> tuple[str, str]:
    # Spreadsheet criteria compare text case-insensitively; so does the engine, so the
    # helper columns and the engine always agree on what one opportunity is.
    return (event.rep.casefold(), event.customer.casefold())


def _order(events: Sequence[Event]) -> list[int]:
    return sorted(range(len(events)), key=lambda i: (events[i].date, i))


def event_facts(events: Sequence[Event]) -> list[EventFacts]:
    """The facts of every event, in the order given (that order is the log's row order)."""
    last: dict[tuple[str, str], int] = {}
    facts: list[EventFacts | None] = [None] * len(events)
    for i in _order(events):
        ev = events[i]
        stage = stage_code(ev.activity)
        key = opportunity_key(ev) if ev.customer else None
        prev = last.get(key) if key else None
        prev_stage = stage_code(events[prev].activity) if prev is not None else 0
        was_open = prev_stage in (1, 2, 3)
        was_deal = prev_stage in (2, 3)
        facts[i] = EventFacts(
            stage=stage,
            prev_index=prev,
            prev_stage=prev_stage,
            new_topic=stage == 1 and not was_open,
            new_deal=stage in (2, 3) and not was_deal,
        )
        if stage and key:
            last[key] = i
    return facts  # type: ignore[return-value]


# ----------------------------------------------------------------------------------
# Flows and stocks of one scope (a rep, or the team)
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenItem:
    """One open opportunity in a snapshot."""

    rep: str
    customer: str
    amount: float
    stage: str
    close_month: dt.date
    order: tuple[dt.date, int]  # when its current stage event happened (for ties)


@dataclass
class Stock:
    count: int = 0
    amount: float = 0.0
    top: list[OpenItem] = field(default_factory=list)


@dataclass
class ScopeMetrics:
    """Every figure of one target/process sheet (DOMAIN.md §5, §8)."""

    months: list[dt.date]
    as_of: dt.date
    flows: dict[str, dict[dt.date, float]]  # metric -> month -> value (every month that has events)
    stocks: dict[str, dict[dt.date | None, Stock]]  # stage -> month (None = total) -> Stock
    month_start: dict[dt.date, Stock]  # 月初の商談 per period month
    # The months in which the scope's log has at least one row (of any 区分): the
    # target/process sheet leaves 前年同月売上 blank for a fiscal year without any.
    log_months: frozenset[dt.date] = frozenset()

    def flow(self, key: str, month: dt.date) -> float:
        return self.flows[key].get(month, 0)

    def is_future(self, month: dt.date) -> bool:
        """A month after the as-of month shows no actuals."""
        return month > self.as_of

    def is_past(self, month: dt.date) -> bool:
        return month_end(month) < self.as_of


class _History:
    """Stage events per opportunity, sorted, for snapshots at the end of any day."""

    def __init__(self, events: Sequence[Event]) -> None:
        self._events = events
        per: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i in _order(events):
            if stage_code(events[i].activity):
                per[opportunity_key(events[i])].append(i)
        self._opps = list(per.values())
        self._dates = [[events[i].date for i in idx] for idx in self._opps]

    def open_at(self, day: dt.date) -> list[OpenItem]:
        """Open opportunities at the end of ``day``."""
        out = []
        for idx, dates in zip(self._opps, self._dates):
            pos = bisect.bisect_right(dates, day)
            if pos == 0:
                continue
            i = idx[pos - 1]
            ev = self._events[i]
            if ev.activity not in OPEN_STAGES:
                continue
            out.append(
                OpenItem(
                    rep=ev.rep,
                    customer=ev.customer,
                    amount=float(ev.amount or 0),
                    stage=ev.activity,
                    close_month=ev.close_month or month_start(ev.date),
                    order=(ev.date, i),
                )
            )
        return out


def stock_of(items: Iterable[OpenItem]) -> Stock:
    items = list(items)
    # The deck names the largest three; ties: the earlier stage event first.
    top = sorted(items, key=lambda it: (-it.amount, it.order))[:TOP_N]
    return Stock(count=len(items), amount=sum_left(it.amount for it in items), top=top)


def sum_left(values: Iterable[float]) -> float:
    """A sum added left to right in double precision, as a spreadsheet's SUM adds (not
    ``math.fsum``): cached values equal recalculated ones bit for bit."""
    total = 0.0
    for v in values:
        total += v
    return total


def compute_scope(events: Sequence[Event], months: Sequence[dt.date], as_of: dt.date,
                  facts: Sequence[EventFacts] | None = None) -> ScopeMetrics:
    """All figures of one scope: ``events`` are that scope's events in log order."""
    facts = facts if facts is not None else event_facts(events)
    flows: dict[str, dict[dt.date, float]] = {k: defaultdict(float) for k in FLOW_KEYS}
    log_months: set[dt.date] = set()
    for ev, fx in zip(events, facts):
        m = month_start(ev.date)
        log_months.add(m)
        if ev.activity == "order":
            flows["sales"][m] += float(ev.amount or 0)
        for key, activity in FLOW_COUNTS.items():
            if ev.activity == activity:
                flows[key][m] += 1
        if ev.activity == "lost":
            flows["lost_" + (ev.lost_reason or "now")][m] += 1
        if fx.new_topic:
            flows["new_topics"][m] += 1
        if fx.new_deal:
            flows["new_deals"][m] += 1

    history = _History(events)
    months = list(months)
    snapshots: dict[dt.date, list[OpenItem]] = {}

    def open_at(day: dt.date) -> list[OpenItem]:
        if day not in snapshots:
            snapshots[day] = history.open_at(day)
        return snapshots[day]

    stocks: dict[str, dict[dt.date | None, Stock]] = {s: {} for s in STOCK_STAGES}
    starts: dict[dt.date, Stock] = {}
    for m in months:
        day = month_end(m) if month_end(m) < as_of else as_of
        items = [it for it in open_at(day) if it.close_month == m]
        for stage in STOCK_STAGES:
            stocks[stage][m] = stock_of(it for it in items if it.stage == stage)
        start_day = m - dt.timedelta(days=1) if m <= as_of else as_of
        starts[m] = stock_of(it for it in open_at(start_day) if it.close_month == m)
    in_period = set(months)
    at_as_of = [it for it in open_at(as_of) if it.close_month in in_period]
    for stage in STOCK_STAGES:
        stocks[stage][None] = stock_of(it for it in at_as_of if it.stage == stage)
    return ScopeMetrics(months=months, as_of=as_of, flows=flows, stocks=stocks, month_start=starts,
                        log_months=frozenset(log_months))
