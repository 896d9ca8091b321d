"""The annual plan (年間計画, DOMAIN.md §6): a fiscal year's targets worked out backwards.

:func:`annual_plan` gathers the plan's inputs, each with where it came from — 設定, last
fiscal year's log, the 目標 sheet, the ベンチマーク sheet or the default — then works the
chain back from the annual sales target (new sales needed → orders → deals → topics →
visits → follow-ups → list entries) and spreads it over the months by last year's monthly
sales pattern and over the reps by share.  The 年間計画 sheet computes the same figures
in formulas; this module gives them their cached values, and :func:`plan_master` puts
them where a manager left the 目標 sheet's process targets and the ベンチマーク blank.

Rounding is the sheet's, so the cached values equal what Excel and LibreOffice compute:
a count is ``ROUNDUP(ROUND(x, 6), 0)`` (:func:`plan_ceil`: six decimals drop the
floating-point noise of 96 × 1/12, then up to a whole count) and a monthly sales target
``ROUND(x, 0)`` (:func:`plan_round`, half away from zero).  Counts are rounded up at the
annual level and again per month, so the months may add up to a little more than the
year.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from xlsales.compute.engine import (
    EventFacts,
    add_months,
    event_facts,
    fiscal_year_first,
    month_end,
    month_start,
    sum_left,
)
from xlsales.compute.plan import CHAIN_STEPS
from xlsales.model import Event, Master, Target

__all__ = [
    "AnnualPlan", "COUNT_KEYS", "DEFAULT_RATES", "PlanInput", "RATE_KEYS", "annual_plan", "plan_ceil",
    "plan_master", "plan_round", "plan_year", "planned",
]

# The counts of the chain, in the deck's order (the keys of the process targets).
COUNT_KEYS: tuple[str, ...] = ("orders", "new_deals", "new_topics", "visits", "follows", "lists")
# The rates the chain divides by, and the unit price: 設定 keys and process-sheet row keys.
RATE_KEYS: tuple[str, ...] = ("unit_price", "win_rate", "deal_rate", "topic_rate", "appointment_rate", "list_rate")
# Each rate measured in a log: numerator flow / denominator flow (DOMAIN.md §5; the list
# ratio is follow-ups per list entry).
_MEASURED: dict[str, tuple[str, str]] = {
    "unit_price": ("sales", "orders"),
    "win_rate": ("orders", "new_deals"),
    "deal_rate": ("new_deals", "new_topics"),
    "topic_rate": ("new_topics", "visits"),
    "appointment_rate": ("visits", "follows"),
    "list_rate": ("follows", "lists"),
}
# The deck's process benchmark (受注率 8/16, 商談化率 16/20, 話題化率 20/32, アポ率 32/250)
# and one follow-up per list entry: the rates of a plan with no other source.  There is no
# default unit price: a plan without one has no counts.
DEFAULT_RATES: dict[str, float] = {"win_rate": 0.5, "deal_rate": 0.8, "topic_rate": 0.625,
                                   "appointment_rate": 0.128, "list_rate": 1.0}
_FLOWS = ("sales", "orders", "new_deals", "new_topics", "visits", "follows", "lists")


@dataclass(frozen=True)
class PlanInput:
    """One input of the plan: its value and where it came from.

    ``source`` is ``settings`` (設定), ``log`` (last fiscal year's log), ``targets`` (the
    目標 sheet's monthly sales targets), ``benchmark`` (the ベンチマーク sheet),
    ``default`` or ``missing`` (no value: the chain stops there).
    """

    key: str
    value: float | None
    source: str


@dataclass
class AnnualPlan:
    """A fiscal year's plan: inputs, chain, month pattern and rep shares.

    Every derived figure is a method, computed as the 年間計画 sheet's formulas compute it.
    """

    year: dt.date  # the first day of the fiscal year
    months: list[dt.date]  # its twelve months
    reference: list[dt.date]  # last fiscal year's months: the reference period
    inputs: dict[str, PlanInput]  # annual_target, last_year_sales, retention and RATE_KEYS
    pattern: list[float]  # last fiscal year's sales, month by month (the busy season)
    # per month of ``pattern``: "log", or "average" for a month the log holds no row of (it
    # gets the mean of the months that have rows, so a log that starts mid-year still spreads)
    pattern_sources: list[str]
    reps: list[str]
    teams: dict[str, str]  # rep -> チーム ("" when blank)
    last_year_by_rep: dict[str, float]  # each rep's sales in the reference period
    shares: dict[str, float]  # the default shares (adding up to 1)
    share_sources: dict[str, str] = field(default_factory=dict)  # rep -> "log" or "average"
    has_reference: bool = False  # the log holds rows in the reference period

    @property
    def even(self) -> bool:
        """No pattern (no sales last year): the months get equal weights."""
        return not any(self.pattern)

    def value(self, key: str) -> float | None:
        return self.inputs[key].value

    def weights(self) -> list[float]:
        """Each month's weight: its share of last year's sales (equal without a pattern)."""
        if self.even:
            return [1 / 12] * len(self.months)
        whole = sum_left(self.pattern)
        return [p / whole for p in self.pattern]

    def chain(self) -> dict[str, float | None]:
        """``sales_target``, ``retained_sales``, ``new_sales`` and the annual counts.

        A count is None when its rate (or the unit price, or the target) is missing.
        """
        target = self.value("annual_target")
        last = self.value("last_year_sales") or 0.0
        retention = self.value("retention")
        retained = last * (1.0 if retention is None else retention)
        out: dict[str, float | None] = {"sales_target": target, "retained_sales": retained,
                                        "new_sales": None if target is None else max(target - retained, 0.0)}
        for key, before, rate in CHAIN_STEPS:
            base, r = out[before], self.value(rate)
            out[key] = None if base is None or not r else plan_ceil(base / r)
        return out

    def share_of(self, rep: str, shares: Mapping[str, float] | None = None) -> float:
        """``rep``'s share of the plan: their share ÷ the sum of all shares (typed shares
        need not add up to 100%)."""
        shares = self.shares if shares is None else shares
        whole = sum_left(shares[r] for r in self.reps)
        return shares[rep] / whole if whole else 0.0

    def rep_annual(self, rep: str, shares: Mapping[str, float] | None = None) -> dict[str, float | None]:
        """``rep``'s annual sales target (unrounded) and counts (rounded up)."""
        s = self.share_of(rep, shares)
        chain = self.chain()
        out: dict[str, float | None] = {"sales_target": None if chain["sales_target"] is None
                                        else chain["sales_target"] * s}
        for key in COUNT_KEYS:
            out[key] = None if chain[key] is None else plan_ceil(chain[key] * s)
        return out

    def rep_months(self, rep: str, shares: Mapping[str, float] | None = None) -> dict[dt.date, dict[str, float]]:
        """``rep``'s monthly targets: sales rounded to whole units, counts rounded up."""
        annual = self.rep_annual(rep, shares)
        out: dict[dt.date, dict[str, float]] = {}
        for m, w in zip(self.months, self.weights()):
            month: dict[str, float] = {}
            if annual["sales_target"] is not None:
                month["sales_target"] = plan_round(annual["sales_target"] * w)
            for key in COUNT_KEYS:
                if annual[key] is not None:
                    month[key] = plan_ceil(annual[key] * w)
            out[m] = month
        return out

    def benchmark(self, rep: str, shares: Mapping[str, float] | None = None) -> dict[str, float]:
        """One average month of ``rep``'s plan, for the プロセスのベンチマーク column:
        annual counts ÷ 12 rounded up; 売上目標 and 売上 = orders × unit price."""
        annual = self.rep_annual(rep, shares)
        out = {key: plan_ceil(annual[key] / 12) for key in COUNT_KEYS if annual[key] is not None}
        price = self.value("unit_price")
        if "orders" in out and price:
            out["sales_target"] = out["sales"] = out["orders"] * price
        return out


def plan_ceil(x: float) -> int:
    """``ROUNDUP(ROUND(x, 6), 0)``: up to a whole count, past floating-point noise, exactly
    as the 年間計画 sheet rounds (``compute.plan.ceil_count`` uses a relative tolerance,
    which no spreadsheet function has).

    Examples
    --------
    >>> plan_ceil(96 * (1 / 12)), plan_ceil(32 / 0.128), plan_ceil(26.01)
    (8, 250, 27)
    """
    return math.ceil(round(x, 6))


def plan_round(x: float) -> int:
    """``ROUND(x, 0)`` as a spreadsheet rounds: half away from zero.

    Examples
    --------
    >>> plan_round(46.5), plan_round(46.49), plan_round(-0.5)
    (47, 46, -1)
    """
    y = round(x, 6)
    return int(math.floor(abs(y) + 0.5)) * (1 if y >= 0 else -1)


def plan_year(today: dt.date, fiscal_year_start: int = 4) -> dt.date:
    """The fiscal year a plan is made for by default: the one that holds ``today``, or the
    next one from its last quarter on (a plan is made before the year starts).

    Examples
    --------
    >>> plan_year(dt.date(2026, 11, 29)), plan_year(dt.date(2027, 1, 5))
    (datetime.date(2026, 4, 1), datetime.date(2027, 4, 1))
    """
    first = fiscal_year_first(today, fiscal_year_start)
    return add_months(first, 12) if month_start(today) >= add_months(first, 9) else first


def annual_plan(master: Master, year: dt.date, *, facts: Sequence[EventFacts] | None = None) -> AnnualPlan:
    """The plan of the fiscal year that starts in ``year``'s month (or holds ``year``).

    Parameters
    ----------
    master : Master
        Its 設定 (the inputs typed in), log (last fiscal year: the defaults, the monthly
        pattern and the reps' shares), 目標 (the default annual target: the sum of the
        year's monthly sales targets) and ベンチマーク (rates, when neither 設定 nor the
        log has them).
    year : date
        Any day of the fiscal year; its first day is the plan's year.
    facts : sequence, optional
        ``event_facts(master.events)``, when the caller has them.

    Returns
    -------
    AnnualPlan
        For the reps of メンバー who work in that year (not left before it starts, not
        hired after it ends).
    """
    settings = master.settings
    first = fiscal_year_first(year, settings.fiscal_year_start)
    months = [add_months(first, i) for i in range(12)]
    reference = [add_months(first, i - 12) for i in range(12)]
    last_day = month_end(months[-1])
    reps, teams = [], {}
    for m in master.members:
        if (m.left_on is None or m.left_on > first) and (m.hire_date is None or m.hire_date <= last_day):
            reps.append(m.rep)
            teams[m.rep] = m.team
    flows, by_rep, months_seen = _reference_flows(master.events, facts, reference)
    has_reference = bool(months_seen)
    inputs = {
        "annual_target": _annual_target(master, months, set(reps)),
        "last_year_sales": (PlanInput("last_year_sales", settings.last_year_sales, "settings")
                            if settings.last_year_sales is not None
                            else PlanInput("last_year_sales", sum_left(flows["sales"].values()), "log")
                            if has_reference else PlanInput("last_year_sales", 0.0, "default")),
        "retention": PlanInput("retention", settings.retention,
                               "default" if settings.retention == 1.0 else "settings"),
    }
    for key in RATE_KEYS:
        inputs[key] = _rate(key, getattr(settings, key), flows, master.benchmarks)
    pattern, pattern_sources = _pattern(flows["sales"], reference, months_seen)
    last_year = {r: by_rep.get(r, 0.0) for r in reps}
    shares, sources = _shares(reps, last_year)
    return AnnualPlan(year=first, months=months, reference=reference, inputs=inputs, pattern=pattern,
                      pattern_sources=pattern_sources, reps=reps, teams=teams, last_year_by_rep=last_year,
                      shares=shares, share_sources=sources,
                      has_reference=has_reference)


def plan_master(master: Master, plan: AnnualPlan) -> Master:
    """``master`` with what the manager left blank filled from ``plan`` (DOMAIN.md §4).

    For each rep of the plan and month of its year: a process target of 目標 left blank
    (or a month without a 目標 row) gets the plan's; sales targets are never filled (they
    are the plan's input).  A rep's プロセスのベンチマーク column is the plan's average
    month unless the ベンチマーク sheet has rows for the rep or for all reps: a typed
    benchmark wins as a whole (a column half typed, half planned would not add up).  The
    master itself is not changed.
    """
    chain = plan.chain()
    if all(chain[k] is None for k in COUNT_KEYS):
        return master
    by_key = {(t.rep, t.month): t for t in master.targets}
    targets = list(master.targets)
    index = {(t.rep, t.month): i for i, t in enumerate(targets)}
    benchmarks = dict(master.benchmarks)
    typed_reps = {r for r, _ in master.benchmarks}

    def typed_for(rep: str) -> bool:
        return "" in typed_reps or rep in typed_reps

    for rep in plan.reps:
        for m, figures in plan.rep_months(rep).items():
            wanted = {k: v for k, v in figures.items() if k in COUNT_KEYS}
            old = by_key.get((rep, m))
            if old is None:
                targets.append(Target(rep=rep, month=m, process=wanted))
                continue
            process = dict(old.process)
            for k, v in wanted.items():
                if process.get(k) is None:
                    process[k] = v
            targets[index[(rep, m)]] = replace(old, process=process)
        if not typed_for(rep):
            benchmarks.update({(rep, key): v for key, v in plan.benchmark(rep).items()})
    return replace(master, targets=targets, benchmarks=benchmarks)


def planned(master: Master, as_of: dt.date, *, facts: Sequence[EventFacts] | None = None) -> Master:
    """``master`` with the blanks of the fiscal year holding ``as_of`` filled from its plan
    (``plan_master(master, annual_plan(master, as_of))``): what every workbook of a build
    shows."""
    return plan_master(master, annual_plan(master, as_of, facts=facts))


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------


def _reference_flows(events: Sequence[Event], facts: Sequence[EventFacts] | None,
                     reference: Sequence[dt.date]) -> tuple[dict[str, dict[dt.date, float]], dict[str, float],
                                                            set[dt.date]]:
    # The reference period's flows by month (all reps), each rep's sales, and the months
    # the log holds a row in.  One pass over the log, as compute_scope counts flows.
    facts = facts if facts is not None else event_facts(events)
    first, end = reference[0], month_end(reference[-1])
    flows: dict[str, dict[dt.date, float]] = {k: defaultdict(float) for k in _FLOWS}
    by_rep: dict[str, float] = defaultdict(float)
    seen: set[dt.date] = set()
    for ev, fx in zip(events, facts):
        if not first <= ev.date <= end:
            continue
        m = month_start(ev.date)
        seen.add(m)
        if ev.activity == "order":
            amount = float(ev.amount or 0)
            flows["sales"][m] += amount
            flows["orders"][m] += 1
            by_rep[ev.rep] += amount
        elif ev.activity in ("visit", "follow", "list"):
            flows[ev.activity + "s"][m] += 1
        if fx.new_topic:
            flows["new_topics"][m] += 1
        if fx.new_deal:
            flows["new_deals"][m] += 1
    return flows, by_rep, seen


def _pattern(sales: Mapping[dt.date, float], reference: Sequence[dt.date],
             seen: set[dt.date]) -> tuple[list[float], list[str]]:
    # Last year's sales by month; a month without any log row gets the mean of the months
    # with rows (a log that starts mid-year would otherwise plan nothing for its missing months).
    known = [sales.get(m, 0.0) for m in reference if m in seen]
    mean = sum_left(known) / len(known) if known else 0.0
    pattern = [sales.get(m, 0.0) if m in seen else mean for m in reference]
    return pattern, ["log" if m in seen else "average" for m in reference]


def _annual_target(master: Master, months: Sequence[dt.date], reps: set[str]) -> PlanInput:
    if master.settings.annual_target is not None:
        return PlanInput("annual_target", master.settings.annual_target, "settings")
    year = set(months)
    typed = [t.sales_target for t in master.targets
             if t.month in year and t.rep in reps and t.sales_target is not None]
    if typed:
        return PlanInput("annual_target", sum_left(typed), "targets")
    return PlanInput("annual_target", None, "missing")


def _rate(key: str, typed: float | None, flows: Mapping[str, Mapping[dt.date, float]],
          benchmarks: Mapping[tuple[str, str], float]) -> PlanInput:
    if typed is not None:
        return PlanInput(key, typed, "settings")
    num_key, den_key = _MEASURED[key]
    num, den = sum_left(flows[num_key].values()), sum_left(flows[den_key].values())
    if num > 0 and den > 0:  # a measured 0 cannot divide the chain: the next source
        return PlanInput(key, num / den, "log")
    bench = benchmarks.get(("", key))
    if bench is None and benchmarks.get(("", num_key)) and benchmarks.get(("", den_key)):
        bench = benchmarks[("", num_key)] / benchmarks[("", den_key)]
    if bench:
        return PlanInput(key, bench, "benchmark")
    if key in DEFAULT_RATES:
        return PlanInput(key, DEFAULT_RATES[key], "default")
    return PlanInput(key, None, "missing")


def _shares(reps: Sequence[str], last_year: Mapping[str, float]) -> tuple[dict[str, float], dict[str, str]]:
    # Each rep's share of last year's sales; a rep without sales last year gets the average
    # share 1/N, and the others share the rest in proportion.
    n = len(reps)
    if not n:
        return {}, {}
    whole = sum_left(last_year[r] for r in reps if last_year[r] > 0)
    without = [r for r in reps if last_year[r] <= 0]
    rest = 1 - len(without) / n
    shares, sources = {}, {}
    for r in reps:
        if whole > 0 and last_year[r] > 0:
            shares[r], sources[r] = rest * last_year[r] / whole, "log"
        else:
            shares[r], sources[r] = 1 / n, "average"
    return shares, sources
