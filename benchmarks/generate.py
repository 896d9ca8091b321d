"""A deterministic synthetic master of any size, shaped like the deck's monthly rhythm.

Every rep follows the rhythm of ``xlsales demo`` (DOMAIN.md §9), per month: about 250
follow-ups on call days, about 30 list entries on Mondays and Tuesdays, about 32 visits
on Thursdays and Fridays each with a pre-visit report (the Wednesday before) and a
post-visit report, and a pipeline topic → deal △ → deal ◯ → order or lost (now or
forever), with amounts, expected close months, slips, same-day stage changes and
re-opened lost opportunities.  That is about :data:`ROWS_PER_REP_MONTH` log rows per rep
and month.

A master of ``rows`` rows and ``reps`` reps simulates enough months from
:data:`LOG_START` (at most 12; beyond that each rep's volume is scaled up), sorts the
rows by date and keeps the first ``rows``: the log ends on the as-of date
(:func:`log_end`) with the pipeline open as it is on that day.

Everything comes from one ``random.Random(seed)``: equal arguments give equal masters.

Command line: ``python -m benchmarks.generate 100k --reps 50 --out master.xlsx``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from xlsales.compute.engine import add_months as _add_months
from xlsales.compute.engine import month_end as _month_end
from xlsales.compute.engine import month_start as _month
from xlsales.demo import (  # the demo's calendar and wording: one source for both generators
    _BUSINESSES,
    _LOST_NOTES,
    _PHASE,
    _PROCESS_TARGETS,
    _SEASON,
    _STAGE_NOTES,
    _STEM_HEADS,
    _STEM_TAILS,
    DEMO_BENCHMARK,
    _round5,
)
from xlsales.model import Event, Master, Member, Settings, Target
from xlsales.write.master import write_master

__all__ = ["LOG_START", "ROWS_PER_REP_MONTH", "SIZES", "log_end", "parse_size", "synthetic_master"]

# The benchmark sizes of the issue: name -> (log rows, reps).
SIZES: dict[str, tuple[int, int]] = {"10k": (10_000, 10), "100k": (100_000, 50), "700k": (700_000, 200)}
LOG_START = dt.date(2026, 4, 1)  # the first day of fiscal year 2026 (会計年度開始月 4)
# Log rows a rep writes in a month of the rhythm (measured on this generator over a year: ~400).
ROWS_PER_REP_MONTH = 400
_MAX_MONTHS = 12  # the sheets show 12 months; more volume comes from busier reps

# ----------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------


def synthetic_master(rows: int, reps: int, *, seed: int = 0) -> Master:
    """A valid master with exactly ``rows`` log rows (when ``rows`` > 0) and ``reps`` reps.

    Parameters
    ----------
    rows : int
        Activity-log rows.
    reps : int
        Members (all of whom have log rows, targets and the deck's benchmark).
    seed : int, default 0
        Seed of the only random source.

    Returns
    -------
    Master
        Events in log order (``Event.row`` from 2, ids ``B0000001``...), members in
        teams of eight, a sales target and process targets per rep for the 12 months
        from :data:`LOG_START`, settings with 表示開始月 = :data:`LOG_START`.

    Examples
    --------
    >>> m = synthetic_master(2_000, 3)
    >>> len(m.events), len(m.members), log_end(m) > LOG_START
    (2000, 3, True)
    """
    if rows < 0 or reps < 1:
        raise ValueError("rows must be >= 0 and reps >= 1")
    needed = rows / (reps * ROWS_PER_REP_MONTH)
    months = min(_MAX_MONTHS, math.ceil(needed) + 1)
    volume = max(1.0, needed * 1.1 / (_MAX_MONTHS - 1)) if needed > _MAX_MONTHS - 1 else 1.0
    while True:
        rng = random.Random(seed)
        members = _members(rng, reps)
        names = _NamePool(rng)
        raw: list[_Raw] = []
        for index, member in enumerate(members):
            sim = _RepSimulation(rng, names, member.rep, index, _PROFILES[member.grade], volume)
            sim.run(LOG_START, _add_months(LOG_START, months) - dt.timedelta(days=1))
            raw.extend(sim.out)
        if len(raw) >= rows:
            break
        volume *= 1.2  # rare: the months ran short of rows; try again, busier
    raw.sort(key=lambda r: (r.date, r.rep_index, r.phase, r.seq))
    events = [
        Event(row=i + 2, id=f"B{i + 1:07d}", date=r.date, rep=r.rep, activity=r.activity, customer=r.customer,
              amount=None if r.amount is None else float(r.amount), lost_reason=r.lost_reason,
              close_month=r.close_month, note=r.note)
        for i, r in enumerate(raw[:rows])
    ]
    return Master(
        events=events,
        members=members,
        targets=_targets(rng, members),
        settings=Settings(period_start=LOG_START),
        benchmarks={("", key): float(value) for key, value in DEMO_BENCHMARK.items()},
        source=f"synthetic {rows} rows / {reps} reps / seed {seed}",
    )


def log_end(master: Master) -> dt.date:
    """The date of the log's last row (the natural as-of date of a synthetic master)."""
    return max((ev.date for ev in master.events), default=LOG_START)


def parse_size(text: str) -> int:
    """``"10k"`` -> 10000, ``"1.5M"`` -> 1500000, ``"2500"`` -> 2500."""
    t = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(round(float(t[:-1] if scale > 1 else t) * scale))


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """How a grade sells (as in ``xlsales._demo``): target, topics per visit, win rate, order size."""

    target: int
    topic_rate: float
    repeat_per_month: float  # opportunities from existing customers (follow-up calls)
    win_rate: float
    amount_mode: float


_PROFILES = {
    "manager": _Profile(600, 0.21, 3.5, 0.60, 85),
    "leader": _Profile(540, 0.20, 3.0, 0.57, 75),
    "member_senior": _Profile(440, 0.19, 2.5, 0.53, 65),
    "member_junior": _Profile(300, 0.17, 1.5, 0.47, 50),
}
_TEAM_GRADES = ["manager", "leader", "member_senior", "member_senior", "member_junior", "member_junior",
                "leader", "member_junior"]  # a team of eight
_UNIT_PRICE, _WIN, _TOPIC_TO_DEAL = 70, 0.55, 0.7  # for the process targets
# Holidays of any year (month, day): New Year, Golden Week, お盆, 年末.
_HOLIDAYS = frozenset({(1, 1), (1, 2), (1, 3), (4, 29), (5, 3), (5, 4), (5, 5), (8, 13), (8, 14), (8, 15),
                       (12, 29), (12, 30), (12, 31)})

_SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
             "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本"]
_GIVEN = ["健太", "美咲", "翔", "花子", "大輔", "彩", "拓也", "優奈", "陽介", "真由美", "直樹", "由佳", "誠",
          "愛", "亮", "恵", "浩二", "千尋", "隆", "沙織", "修", "舞", "剛", "瞳"]
_BRANCHES = ["", " 東京支店", " 大阪支店", " 名古屋支店", " 福岡支店", " 札幌支店", " 仙台支店", " 広島支店"]
# Order of a rep's rows within one day: list entries and calls, then reports, visits, stages.
@dataclass
class _Raw:
    date: dt.date
    rep: str
    rep_index: int
    seq: int
    activity: str
    phase: int
    customer: str = ""
    amount: float | None = None
    lost_reason: str | None = None
    close_month: dt.date | None = None
    note: str = ""


def _working(d: dt.date) -> bool:
    return d.weekday() < 5 and (d.month, d.day) not in _HOLIDAYS


def _working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if _working(d)]


def _spread(rng: random.Random, total: int, days: list[dt.date]) -> dict[dt.date, int]:
    # ``total`` over ``days`` as evenly as possible, the remainder on random days.
    if not days:
        return {}
    base, extra = divmod(total, len(days))
    lucky = set(rng.sample(range(len(days)), extra))
    return {d: base + (1 if i in lucky else 0) for i, d in enumerate(days) if base or i in lucky}


def _poisson(rng: random.Random, lam: float) -> int:
    threshold, k, p = math.exp(-lam), 0, 1.0  # Knuth's method: small means only
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


def _pre_report_day(visit_day: dt.date) -> dt.date:
    # The Wednesday (or Monday-Tuesday) before, never in an earlier month.
    d = visit_day - dt.timedelta(days=1)
    while d.day < visit_day.day:
        if d.weekday() <= 2 and _working(d):
            return d
        d -= dt.timedelta(days=1)
    return visit_day


def _members(rng: random.Random, reps: int) -> list[Member]:
    names = [s + " " + g for s in _SURNAMES for g in _GIVEN]
    rng.shuffle(names)
    out = []
    for i in range(reps):
        rep = names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "")
        out.append(Member(rep=rep, team=f"営業{i // 8 + 1}課", grade=_TEAM_GRADES[i % 8],
                          email=f"rep{i + 1:04d}@example.co.jp",
                          hire_date=dt.date(2026 - rng.randint(1, 20), 4, 1)))
    return out


def _targets(rng: random.Random, members: list[Member]) -> list[Target]:
    out = []
    for m in members:
        base = _PROFILES[m.grade].target * rng.uniform(0.9, 1.1)
        for i in range(12):
            month = _add_months(LOG_START, i)
            sales = int(round(base * _SEASON[month.month] / 10.0)) * 10
            orders = math.ceil(sales / _UNIT_PRICE)
            deals = math.ceil(orders / _WIN)
            topics = math.ceil(deals / _TOPIC_TO_DEAL)
            process = {"orders": orders, "new_deals": deals, "new_topics": topics, **_PROCESS_TARGETS}
            out.append(Target(rep=m.rep, month=month, sales_target=float(sales),
                              process={k: float(v) for k, v in process.items()}))
    return out


class _NamePool:
    """Unique company names, in a seeded random order; branches once the stems run out."""

    def __init__(self, rng: random.Random) -> None:
        names = [h + t + b for h in _STEM_HEADS for t in _STEM_TAILS for b in _BUSINESSES if h != t]
        rng.shuffle(names)
        self._names = names
        self._next = 0

    def take(self) -> str:
        base, lap = divmod(self._next, len(self._names))
        self._next += 1
        branch = _BRANCHES[lap] if lap < len(_BRANCHES) else f" 第{lap}営業所"
        return self._names[base] + branch


class _RepSimulation:
    """One rep's log: the monthly rhythm plus the opportunities their visits and calls open."""

    def __init__(self, rng: random.Random, names: _NamePool, rep: str, index: int, profile: _Profile,
                 volume: float) -> None:
        self.rng, self.names, self.rep, self.index, self.p, self.volume = rng, names, rep, index, profile, volume
        self.out: list[_Raw] = []
        self.pool = [names.take() for _ in range(60)]  # prospects known before the log began
        self.warm: list[str] = []  # recently called: the next visits go there first
        self.busy: dict[str, dt.date] = {}  # customer -> last day of their running opportunity
        self.skill = rng.uniform(0.85, 1.15)

    def add(self, date: dt.date, activity: str, **kw: object) -> None:
        self.out.append(_Raw(date=date, rep=self.rep, rep_index=self.index, seq=len(self.out), activity=activity,
                             phase=_PHASE[activity], **kw))

    def scaled(self, low: int, high: int) -> int:
        return int(round(self.rng.randint(low, high) * self.volume))

    def run(self, first: dt.date, last: dt.date) -> None:
        # The pipeline carried into the log, entered on its first working days.
        opening = _working_days(first, first + dt.timedelta(days=6))[:3]
        for _ in range(self.rng.randint(5, 8)):
            self.opportunity(self.rng.choice(opening), self._free_customer(first),
                             start=self.rng.choice(["topic", "deal_b", "deal_b", "deal_a"]))
        month = _month(first)
        while month <= last:
            self.month(month, min(last, _month_end(month)))
            month = _add_months(month, 1)

    def month(self, first: dt.date, last: dt.date) -> None:
        rng = self.rng
        days = _working_days(first, last)
        visit_days = [d for d in days if d.weekday() in (3, 4)]
        call_days = [d for d in days if d not in visit_days] or days
        n_visits = self.scaled(29, 35)
        follows = _spread(rng, self.scaled(238, 262), call_days)
        lists = _spread(rng, self.scaled(26, 34), [d for d in call_days if d.weekday() in (0, 1)] or call_days)
        visits = _spread(rng, n_visits, visit_days or days)
        lam = self.p.repeat_per_month * _SEASON[first.month] * self.volume
        repeats = [rng.choice(call_days) for _ in range(_poisson(rng, lam))]
        for d in days:
            for _ in range(lists.get(d, 0)):
                name = self.names.take()
                self.pool.append(name)
                self.add(d, "list", customer=name)
            for _ in range(follows.get(d, 0)):
                customer = self._follow_customer()
                self.add(d, "follow", customer=customer)
                self.warm.append(customer)
            self.warm = self.warm[-60:]
            for _ in range(repeats.count(d)):
                self.opportunity(d, self._free_customer(d), start=rng.choice(["topic", "deal_b"]))
            if d in visits:
                self.visit_day(d, visits[d])

    def visit_day(self, day: dt.date, n: int) -> None:
        customers = [self._visit_customer() for _ in range(n)]
        pre = _pre_report_day(day)
        for c in customers:
            self.add(pre, "pre_report", customer=c)
        for c in customers:
            self.add(day, "visit", customer=c)
            self.add(day, "post_report", customer=c)
        for c in customers:
            if self.rng.random() < self.p.topic_rate * self.skill and self.busy.get(c, dt.date.min) < day:
                self.opportunity(day, c, start="topic")

    def _follow_customer(self) -> str:
        return self.rng.choice(self.pool[-40:] if self.rng.random() < 0.5 else self.pool)

    def _visit_customer(self) -> str:
        if self.warm and self.rng.random() < 0.8:
            return self.rng.choice(self.warm)
        return self.rng.choice(self.pool)

    def _free_customer(self, day: dt.date) -> str:
        for _ in range(20):
            c = self.rng.choice(self.pool)
            if self.busy.get(c, dt.date.min) < day:
                return c
        c = self.names.take()
        self.pool.append(c)
        return c

    def opportunity(self, d0: dt.date, customer: str, *, start: str, reopened: bool = False) -> None:
        """One opportunity's stage events, from ``d0`` to its order or loss."""
        rng = self.rng
        # Expected close 0-3 months ahead, weighted toward the busy season.
        weights = [(4, 4, 2, 1)[k] * _SEASON[_add_months(_month(d0), k).month] for k in range(4)]
        k = rng.choices(range(4), weights)[0]
        if k == 0 and d0.day > 22:
            k = 1
        close = _add_months(_month(d0), k)
        window = _working_days(max(close, d0 + dt.timedelta(days=3)), _month_end(close))
        if not window:
            return
        decided = rng.choice(window)
        win = rng.random() < min(0.9, self.p.win_rate * self.skill * {"deal_b": 1.1, "deal_a": 1.4}.get(start, 1.0))
        stages = [start]
        if win:
            if start == "topic" and rng.random() < 0.9:
                stages.append("deal_b")
            if start != "deal_a" and rng.random() < 0.7:
                stages.append("deal_a")
        elif start == "topic" and rng.random() < 0.5:
            stages.append("deal_b")
            if rng.random() < 0.25:
                stages.append("deal_a")
        # Dates between d0 and the decision, some on the same day (same-day stage changes).
        span = _working_days(d0 + dt.timedelta(days=1), decided - dt.timedelta(days=1))
        dates = [d0]
        for _ in stages[1:]:
            later = [d for d in span if d > dates[-1]]
            if rng.random() < 0.12 or not later:
                dates.append(dates[-1])
            else:
                dates.append(rng.choice(later[: max(1, len(later) // 2)]))
        final_day = decided if rng.random() > 0.1 else dates[-1]
        amount = _round5(rng.triangular(20, 170, self.p.amount_mode))
        # A slip: the customer pushes the decision to the next month.
        slip_at = rng.randrange(1, len(stages)) if len(stages) > 1 and rng.random() < 0.2 else None
        for i, (stage, day) in enumerate(zip(stages, dates)):
            if i > 0 and rng.random() < 0.3:
                amount = _round5(amount * rng.uniform(0.8, 1.2))
            if slip_at == i:
                close = _add_months(close, 1)
                final_day = rng.choice(_working_days(close, _month_end(close)))
            shown = None if close == _month(day) and rng.random() < 0.3 else close  # blank = own month
            self.add(day, stage, customer=customer, amount=amount, close_month=shown,
                     note=rng.choice(_STAGE_NOTES[stage]) if rng.random() < 0.3 else "")
        self.busy[customer] = final_day
        if win:
            self.add(final_day, "order", customer=customer, amount=_round5(amount * rng.uniform(0.9, 1.05)),
                     note=rng.choice(_STAGE_NOTES["order"]))
            return
        reason = "now" if rng.random() < 0.6 else "forever"
        self.add(final_day, "lost", customer=customer, lost_reason=reason,
                 note=rng.choice(_LOST_NOTES[reason]) if rng.random() < 0.6 else "")
        # "Not now" comes back: some re-open one to three months later as a new topic.
        if reason == "now" and not reopened and rng.random() < 0.35:
            back = _working_days(final_day + dt.timedelta(days=30), final_day + dt.timedelta(days=90))
            self.opportunity(rng.choice(back), customer, start="topic", reopened=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.splitlines()[0])
    parser.add_argument("size", help="log rows: 10k, 100k, 700k (default reps from the issue) or a number")
    parser.add_argument("--reps", type=int, help="reps (default: 10k->10, 100k->50, 700k->200, else 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="the master workbook to write")
    args = parser.parse_args(argv)
    rows = parse_size(args.size)
    reps = args.reps or SIZES.get(args.size, (rows, 10))[1]
    t0 = time.perf_counter()
    master = synthetic_master(rows, reps, seed=args.seed)
    t1 = time.perf_counter()
    write_master(args.out, master)
    t2 = time.perf_counter()
    print(f"{len(master.events)} rows, {reps} reps, log {LOG_START}..{log_end(master)}: "
          f"generated in {t1 - t0:.1f} s, written in {t2 - t1:.1f} s to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
