"""人事評価 (DOMAIN.md §7): each rep's result and process achievement, score and rank over a period.

Per rep, over the months of the period the rep counts in (from the month of 入社日 to
the month of 退職日: the *eligible* months):

- result achievement = Σ 売上 ÷ Σ 売上目標, capped at ``Settings.achievement_cap``;
- each process KPI (商談化件数, 話題化件数, 訪問件数, フォロー件数, リスト件数): Σ actual ÷
  Σ target, capped; a KPI whose target sums to 0 (or is blank) is left out;
- process achievement = the mean of the KPIs left in; with none left, the rep is scored
  on the result alone (the process weight has nothing to weigh: DOMAIN.md §7 evaluates
  "on the KPIs that have one", and with none there is only the result);
- score = w_result × result + w_process × process, weights by grade (``Master.weights``);
  no score (and a reason) without a sales target over the months, or without a grade;
- rank within the チーム by score, highest first, ties sharing a rank.

Actuals of a month after the as-of month are 0 (the target/process sheet shows them
blank); targets count for every eligible month.  This is what the 評価 sheet's
formulas compute from the target/process sheets, and its cached values come from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from xlsales.compute.engine import ScopeMetrics, add_months, fiscal_year_first, month_start
from xlsales.model import Master, Member

# The process KPIs of DOMAIN.md §7, in the deck's order (受注件数 is the result's, not a KPI here).
EVALUATION_KPIS: tuple[str, ...] = ("new_deals", "new_topics", "visits", "follows", "lists")


@dataclass(frozen=True)
class RepTargets:
    """One rep's targets by month, as the rep's target/process sheet shows them."""

    sales: Mapping[dt.date, float] = field(default_factory=dict)
    process: Mapping[str, Mapping[dt.date, float]] = field(default_factory=dict)  # kpi -> month -> target


@dataclass(frozen=True)
class KpiResult:
    """One process KPI of one rep over the rep's months."""

    actual: float
    target: float
    achievement: float | None  # capped; None when the target is 0 (the KPI is left out)


@dataclass(frozen=True)
class RepEvaluation:
    """One rep's evaluation over the period (DOMAIN.md §7)."""

    rep: str
    team: str
    grade: str | None
    months: tuple[dt.date, ...]  # the eligible months, in order
    sales_target: float
    sales: float
    orders: float  # 受注件数 (the funnel's last step)
    result: float | None  # capped; None without a sales target
    kpis: dict[str, KpiResult]
    process: float | None  # the mean of the KPIs with a target; None when none has one
    weights: tuple[float, float] | None  # (result, process); None without a grade (or its weights)
    score: float | None
    rank: int | None  # within the team; None without a score
    reason: str | None  # why there is no score: no_sales_target, no_grade, no_weights

    @property
    def missing_kpis(self) -> tuple[str, ...]:
        """The KPIs left out of the process achievement (no target over the months)."""
        return tuple(k for k in EVALUATION_KPIS if self.kpis[k].achievement is None)


def default_period(today: dt.date, fiscal_year_start: int) -> tuple[dt.date, dt.date]:
    """The fiscal year up to the last month that ended before ``today``: (first, last) months.

    Examples
    --------
    >>> default_period(dt.date(2026, 11, 29), 4)
    (datetime.date(2026, 4, 1), datetime.date(2026, 10, 1))
    >>> default_period(dt.date(2027, 4, 10), 4)  # a new fiscal year: the whole last one
    (datetime.date(2026, 4, 1), datetime.date(2027, 3, 1))
    """
    last = add_months(month_start(today), -1)
    return fiscal_year_first(last, fiscal_year_start), last


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first`` to ``last``, both included."""
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def eligible_months(member: Member, months: Sequence[dt.date]) -> list[dt.date]:
    """The months of ``months`` the member counts in: not before the month of 入社日, not
    after the month of 退職日 (DOMAIN.md §7)."""
    first = month_start(member.hire_date) if member.hire_date else dt.date.min
    last = month_start(member.left_on) if member.left_on else dt.date.max
    return [m for m in months if first <= m <= last]


def targets_of(master: Master, rep: str) -> RepTargets:
    """A rep's targets by month from the master's 目標 sheet."""
    sales: dict[dt.date, float] = {}
    process: dict[str, dict[dt.date, float]] = {k: {} for k in EVALUATION_KPIS}
    for t in master.targets:
        if t.rep != rep:
            continue
        if t.sales_target is not None:
            sales[t.month] = sales.get(t.month, 0.0) + t.sales_target
        for k in EVALUATION_KPIS:
            if t.process.get(k) is not None:
                process[k][t.month] = process[k].get(t.month, 0.0) + t.process[k]
    return RepTargets(sales, process)


def capped_ratio(actual: float, target: float, cap: float) -> float | None:
    """min(cap, actual ÷ target); None for a target of 0 (what ``IF(N(t)=0,"",MIN(cap,a/t))`` gives)."""
    return None if not target else min(cap, actual / target)


def evaluate(master: Master, metrics: Mapping[str, ScopeMetrics], *,
             targets: Mapping[str, RepTargets] | None = None) -> list[RepEvaluation]:
    """Every member with a month in the period, evaluated, in the order of メンバー.

    Parameters
    ----------
    master : Master
        Members (team, grade, 入社日, 退職日), weights and the cap (設定 達成率上限).
    metrics : mapping of rep -> ScopeMetrics
        Each rep's figures over the period (``compute_scope`` with the period's months);
        a member without an entry is not evaluated.
    targets : mapping of rep -> RepTargets, optional
        The targets each rep's target/process sheet shows; default the master's 目標.

    Returns
    -------
    list of RepEvaluation
        Reps with no eligible month (hired after the period, left before it) are left out.
    """
    cap = master.settings.achievement_cap
    out: list[RepEvaluation] = []
    for member in master.members:
        scope = metrics.get(member.rep)
        if scope is None:
            continue
        months = eligible_months(member, scope.months)
        if not months:
            continue
        tg = targets[member.rep] if targets is not None and member.rep in targets else targets_of(master, member.rep)

        def actual(key: str, scope: ScopeMetrics = scope, months: list[dt.date] = months) -> float:
            return sum(scope.flow(key, m) for m in months if not scope.is_future(m))

        sales_target = sum(tg.sales.get(m) or 0.0 for m in months)
        sales = actual("sales")
        kpis = {}
        for k in EVALUATION_KPIS:
            target = sum(tg.process.get(k, {}).get(m) or 0.0 for m in months)
            act = actual(k)
            kpis[k] = KpiResult(act, target, capped_ratio(act, target, cap))
        result = capped_ratio(sales, sales_target, cap)
        present = [v.achievement for v in kpis.values() if v.achievement is not None]
        process = sum(present) / len(present) if present else None
        weights = master.weights.get(member.grade) if member.grade else None
        reason = None
        if result is None:
            reason = "no_sales_target"
        elif member.grade is None:
            reason = "no_grade"
        elif weights is None:
            reason = "no_weights"
        score = None
        if reason is None:
            score = result if process is None else weights[0] * result + weights[1] * process
        out.append(RepEvaluation(member.rep, member.team, member.grade, tuple(months), sales_target, sales,
                                 actual("orders"), result, kpis, process, weights, score, None, reason))
    return _ranked(out)


def _ranked(evaluations: list[RepEvaluation]) -> list[RepEvaluation]:
    # 1 + how many of the same team scored higher: ties share a rank (COUNTIFS(...,">"&x)+1).
    out = []
    for ev in evaluations:
        rank = None
        if ev.score is not None:
            rank = 1 + sum(1 for o in evaluations if o.team == ev.team and o.score is not None and o.score > ev.score)
        out.append(RepEvaluation(**{**ev.__dict__, "rank": rank}))
    return out
