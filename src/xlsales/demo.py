"""A realistic, deterministic demo master for ``xlsales demo`` (DOMAIN.md §1–§9).

Fiscal year 2026 (April 2026 – March 2027), log from 2026-04-01 to the as-of date
2026-12-31, eight reps in two teams following the deck's monthly rhythm (§9): about
250 follow-ups on Monday–Wednesday, pre-visit reports on Wednesday, about 32 visits
on Thursday and Friday each with a post-visit report, about 30 list entries, and an
opportunity pipeline topic → deal △ → deal ◯ → order (or lost, now or forever), with
slipping close months, same-day stage changes and re-opened lost opportunities.

One rep, :data:`DECK_REP` (佐藤 健太), reproduces the deck's table for 2026-07..12
exactly: from 2026-06-01 on, their rows are the hand-written list ``_DECK_EVENTS``
plus July's 20 visits and 150 follow-ups, and nothing else; before June they only
have activity and opportunities that closed before June.

Everything comes from one ``random.Random(seed)``: two calls with the same seed
return equal masters.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from xlsales.compute.engine import add_months as _add_months
from xlsales.compute.engine import month_end as _month_end
from xlsales.compute.engine import month_start as _month
from xlsales.model import Event, Master, Member, Settings, Target

__all__ = ["DECK_REP", "DEMO_AS_OF", "DEMO_BENCHMARK", "DEMO_PERIOD_START", "demo_master"]

DEMO_AS_OF = dt.date(2026, 12, 31)
DEMO_PERIOD_START = dt.date(2026, 4, 1)
DECK_REP = "佐藤 健太"

_LOG_START = DEMO_PERIOD_START
_DECK_FROM = dt.date(2026, 6, 1)  # the deck rep's rows from here on are exactly _DECK_EVENTS
_DECK_DEADLINE = dt.date(2026, 5, 29)  # their earlier opportunities close by this day
_FISCAL_MONTHS = [dt.date(2026 + (4 + i - 1) // 12, (4 + i - 1) % 12 + 1, 1) for i in range(12)]

# rep, team, grade, e-mail, hire date
_MEMBERS = [
    (DECK_REP, "営業1課", "leader", "sato@example.co.jp", dt.date(2019, 4, 1)),
    ("鈴木 美咲", "営業1課", "manager", "suzuki@example.co.jp", dt.date(2014, 4, 1)),
    ("高橋 翔", "営業1課", "member_senior", "takahashi@example.co.jp", dt.date(2022, 4, 1)),
    ("田中 花子", "営業1課", "member_junior", "tanaka@example.co.jp", dt.date(2025, 4, 1)),
    ("伊藤 大輔", "営業2課", "manager", "ito@example.co.jp", dt.date(2013, 4, 1)),
    ("渡辺 彩", "営業2課", "leader", "watanabe@example.co.jp", dt.date(2020, 10, 1)),
    ("山本 拓也", "営業2課", "member_senior", "yamamoto@example.co.jp", dt.date(2023, 4, 1)),
    ("中村 優奈", "営業2課", "member_junior", "nakamura@example.co.jp", dt.date(2024, 4, 1)),
]


@dataclass(frozen=True)
class _Profile:
    """How a grade sells: monthly target base, topic rate per visit, win rate, order size."""

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

# The industry's busy season: fiscal half-year ends (September, March) and December.
_SEASON = {4: 0.85, 5: 0.80, 6: 1.00, 7: 0.95, 8: 0.65, 9: 1.15, 10: 1.05, 11: 0.85, 12: 1.25,
           1: 0.75, 2: 0.95, 3: 1.55}
# The deck rep's sales targets (the deck's 7月..12月; the other months chosen to fit).
_DECK_TARGETS = {(2026, 4): 450, (2026, 5): 420, (2026, 6): 520, (2026, 7): 500, (2026, 8): 350,
                 (2026, 9): 610, (2026, 10): 600, (2026, 11): 400, (2026, 12): 800, (2027, 1): 420,
                 (2027, 2): 520, (2027, 3): 900}
_PROCESS_TARGETS = {"visits": 32, "follows": 250, "lists": 30}
_UNIT_PRICE, _WIN, _TOPIC_TO_DEAL = 70, 0.55, 0.7  # for the process targets of each month

DEMO_BENCHMARK = {
    "sales_target": 560, "sales": 560, "orders": 8, "open_amount": 280, "open_count": 4,
    "deal_a_amount": 140, "deal_a_count": 2, "deal_b_amount": 700, "deal_b_count": 10,
    "topic_amount": 210, "topic_count": 3, "lost": 5, "visits": 32, "follows": 250,
}

# The deck rep's stage events from June on:
# (month, day, activity, customer, amount, lost reason, close month (year, month) or None)
_DECK_EVENTS = [
    (6, 5, "topic", "E社", 40, None, (2026, 7)),
    (6, 10, "deal_b", "B社", 100, None, (2026, 7)),
    (6, 12, "topic", "I社", 50, None, (2026, 7)),
    (6, 15, "deal_b", "M社", 60, None, (2026, 7)),
    (7, 3, "deal_a", "A社", 100, None, (2026, 7)),
    (7, 6, "deal_b", "C社", 80, None, (2026, 7)),
    (7, 7, "deal_b", "D社", 70, None, None),
    (7, 8, "deal_b", "H社", 50, None, (2026, 7)),
    (7, 9, "topic", "F社", 35, None, None),
    (7, 10, "topic", "G社", 25, None, (2026, 7)),
    (7, 14, "order", "I社", 50, None, None),
    (7, 15, "order", "K社", 40, None, None),
    (7, 16, "order", "L社", 30, None, None),
    (7, 17, "lost", "M社", None, "now", None),
    (7, 20, "topic", "N社", 20, None, (2026, 7)),
    (7, 22, "lost", "N社", None, "forever", None),
    (7, 24, "deal_b", "P社", 90, None, (2026, 8)),
    (7, 27, "topic", "Q社", 60, None, (2026, 8)),
    (8, 4, "deal_a", "Q社", 70, None, (2026, 8)),
    (8, 5, "deal_b", "R社", 30, None, (2026, 8)),
    (8, 5, "deal_b", "S社", 30, None, (2026, 8)),
    (8, 6, "topic", "T社", 70, None, (2026, 8)),
    (8, 18, "order", "U社", 50, None, None),
    (8, 19, "order", "V社", 30, None, None),
    (8, 20, "topic", "W社", 60, None, (2026, 9)),
    (8, 21, "deal_b", "X社", 40, None, (2026, 9)),
    (9, 8, "order", "W社", 60, None, None),
    (9, 9, "order", "X社", 40, None, None),
    (9, 10, "deal_b", "Y社", 70, None, (2026, 9)),
    (9, 11, "topic", "J社", 80, None, (2026, 9)),
    (9, 14, "topic", "O社", 60, None, (2026, 9)),
    (9, 15, "topic", "Z社", 40, None, (2026, 9)),
    (10, 5, "deal_a", "ア社", 60, None, (2026, 10)),
    (10, 6, "deal_b", "イ社", 60, None, (2026, 10)),
    (10, 7, "deal_b", "ウ社", 40, None, (2026, 10)),
    (10, 8, "topic", "エ社", 50, None, (2026, 10)),
    (10, 13, "order", "オ社", 50, None, None),
    (10, 20, "topic", "カ社", 70, None, (2026, 11)),
    (10, 21, "topic", "キ社", 30, None, (2026, 12)),
]
_DECK_JULY_VISITS, _DECK_JULY_FOLLOWS = 20, 150

# National holidays and company holidays (お盆, 年末) of the demo's months.
_HOLIDAYS = frozenset(dt.date(2026, m, d) for m, d in [
    (4, 29), (5, 4), (5, 5), (5, 6), (7, 20), (8, 11), (8, 13), (8, 14), (9, 21), (9, 22), (9, 23),
    (10, 12), (11, 3), (11, 23), (12, 29), (12, 30), (12, 31),
])

# Japanese company names: a two-character stem and a line of business.
_STEM_HEADS = "東西南北中大新日三富光明朝旭昭平共協太丸千高山金"
_STEM_TAILS = "和洋栄進成星陽邦都興伸友信正立豊辰精"
_BUSINESSES = ["精機", "商事", "工業", "電機", "化成", "物産", "製作所", "産業", "技研", "印刷", "建設", "運輸",
               "食品", "システム", "興業", "機工", "通商", "設計", "光学", "電子", "化学", "鋼材", "紙業", "製菓",
               "薬品", "住設", "ホールディングス", "エンジニアリング", "テクノ", "ロジテック"]
_LOST_NOTES = {"now": ["来期予算で再検討", "時期が合わず", "社内稟議が見送り"],
               "forever": ["他社に決定", "内製化のため不要", "要件が合わず"]}
_STAGE_NOTES = {"topic": ["プランと時期は合意", "価格感は合意、時期未定", "課題ヒアリング済み"],
                "deal_b": ["見積提出済み", "決裁者と面談予定", "競合あり"],
                "deal_a": ["決裁者の内諾あり", "発注書待ち", "最終見積合意"],
                "order": ["発注書受領", "", ""]}


# ----------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------


def demo_master(*, seed: int = 2026) -> Master:
    """A deterministic demo master: eight reps, fiscal year 2026, log up to 2026-12-31.

    Parameters
    ----------
    seed : int, default 2026
        Seed of the only random source (``random.Random(seed)``).

    Returns
    -------
    Master
        Events in log order (``Event.row`` is the row in the master's log sheet, from 2;
        ids ``D000001``...), members, a sales target and process targets per rep and
        month of April 2026 – March 2027, default settings with 表示開始月 2026-04,
        and the deck's process benchmark for every rep.

    Notes
    -----
    :data:`DECK_REP`'s figures for July–December 2026 at the as-of date
    :data:`DEMO_AS_OF` are the deck's table (sales-process-deck.ja.txt).

    Examples
    --------
    >>> m = demo_master()
    >>> len(m.members), m.events[0].id, m.events[0].row
    (8, 'D000001', 2)
    """
    rng = random.Random(seed)
    names = _NamePool(rng)
    raw: list[_Raw] = []
    for index, (rep, _team, grade, _email, _hired) in enumerate(_MEMBERS):
        sim = _RepSimulation(rng, names, rep, index, _PROFILES[grade])
        if rep == DECK_REP:
            sim.run(_LOG_START, _DECK_FROM - dt.timedelta(days=1), deadline=_DECK_DEADLINE)
            sim.deck_events()
        else:
            sim.run(_LOG_START, DEMO_AS_OF, deadline=None)
        raw.extend(sim.out)
    raw.sort(key=lambda r: (r.date, r.rep_index, r.phase, r.seq))
    events = [
        Event(row=i + 2, id=f"D{i + 1:06d}", date=r.date, rep=r.rep, activity=r.activity, customer=r.customer,
              amount=None if r.amount is None else float(r.amount), lost_reason=r.lost_reason,
              close_month=r.close_month, note=r.note)
        for i, r in enumerate(raw) if r.date <= DEMO_AS_OF
    ]
    members = [Member(rep=rep, team=team, grade=grade, email=email, hire_date=hired)
               for rep, team, grade, email, hired in _MEMBERS]
    return Master(
        events=events,
        members=members,
        targets=_targets(rng),
        settings=Settings(period_start=DEMO_PERIOD_START),
        benchmarks={("", key): float(value) for key, value in DEMO_BENCHMARK.items()},
        source="demo",
    )


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------

# Order of a rep's rows within one day: list entries and calls, then reports, visits, stages.
_PHASE = {"list": 0, "follow": 1, "pre_report": 2, "visit": 3, "post_report": 3, "topic": 4, "deal_b": 4,
          "deal_a": 4, "order": 4, "lost": 4}


@dataclass
class _Raw:
    date: dt.date
    rep: str
    rep_index: int
    seq: int
    activity: str
    customer: str = ""
    amount: float | None = None
    lost_reason: str | None = None
    close_month: dt.date | None = None
    note: str = ""
    phase: int = field(init=False)

    def __post_init__(self) -> None:
        self.phase = _PHASE[self.activity]


def _working(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in _HOLIDAYS


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _round5(x: float) -> int:
    return max(10, int(round(x / 5.0)) * 5)


class _NamePool:
    """Unique company names, handed out in a seeded random order."""

    def __init__(self, rng: random.Random) -> None:
        names = [h + t + b for h in _STEM_HEADS for t in _STEM_TAILS for b in _BUSINESSES if h != t]
        rng.shuffle(names)
        self._names = names

    def take(self) -> str:
        return self._names.pop()


class _RepSimulation:
    """One rep's log: the monthly rhythm plus the opportunities their visits and calls open."""

    def __init__(self, rng: random.Random, names: _NamePool, rep: str, index: int, profile: _Profile) -> None:
        self.rng, self.names, self.rep, self.index, self.p = rng, names, rep, index, profile
        self.out: list[_Raw] = []
        self.pool = [names.take() for _ in range(60)]  # prospects known before the year began
        self.warm: list[str] = []  # recently called: the next visits go there first
        self.busy: dict[str, dt.date] = {}  # customer -> last day of their running opportunity
        self.skill = rng.uniform(0.85, 1.15)

    def add(self, date: dt.date, activity: str, **kw: object) -> None:
        self.out.append(_Raw(date=date, rep=self.rep, rep_index=self.index, seq=len(self.out),
                             activity=activity, **kw))

    # -- the monthly rhythm ----------------------------------------------------------

    def run(self, first: dt.date, last: dt.date, *, deadline: dt.date | None) -> None:
        # The pipeline carried into the year, entered on the log's first working days.
        opening = [d for d in _days(first, first + dt.timedelta(days=6)) if _working(d)]
        for _ in range(self.rng.randint(5, 8)):
            self.opportunity(self.rng.choice(opening[:3]), self._free_customer(first), deadline,
                             start=self.rng.choice(["topic", "deal_b", "deal_b", "deal_a"]))
        month = _month(first)
        while month <= last:
            self.month(month, max(first, month), min(last, _month_end(month)), deadline)
            month = _add_months(month, 1)

    def month(self, month: dt.date, first: dt.date, last: dt.date, deadline: dt.date | None) -> None:
        rng = self.rng
        days = [d for d in _days(first, last) if _working(d)]
        thu_fri = [d for d in days if d.weekday() in (3, 4)]
        n_visits = rng.randint(29, 35)
        # The deck's month: the 2nd Thursday and the last Friday are for calls, when there is room.
        visit_days = list(thu_fri)
        for spare in (_nth_weekday(thu_fri, 3, 2), thu_fri[-1] if thu_fri and thu_fri[-1].weekday() == 4 else None):
            if spare in visit_days and 5 * (len(visit_days) - 1) >= n_visits:
                visit_days.remove(spare)
        call_days = [d for d in days if d not in visit_days]
        follows = _spread(rng, rng.randint(238, 262), call_days)
        lists = _spread(rng, rng.randint(26, 34), [d for d in call_days if d.weekday() in (0, 1)] or call_days)
        visits = _spread(rng, n_visits, visit_days)
        # Opportunities from existing customers, found on calls (repeat business).
        repeats = [rng.choice(call_days) for _ in range(_poisson(rng, self.p.repeat_per_month * _SEASON[month.month]))
                   if call_days]
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
                self.opportunity(d, self._free_customer(d), deadline, start=rng.choice(["topic", "deal_b"]))
            if d in visits:
                self.visit_day(d, visits[d], deadline)

    def visit_day(self, day: dt.date, n: int, deadline: dt.date | None) -> None:
        customers = [self._visit_customer() for _ in range(n)]
        pre = _pre_report_day(day)
        for c in customers:
            self.add(pre, "pre_report", customer=c)
        for c in customers:
            self.add(day, "visit", customer=c)
            self.add(day, "post_report", customer=c)
        for c in customers:
            if self.rng.random() < self.p.topic_rate * self.skill and self.busy.get(c, dt.date.min) < day:
                self.opportunity(day, c, deadline, start="topic")

    def _follow_customer(self) -> str:
        recent = self.pool[-40:]
        return self.rng.choice(recent if self.rng.random() < 0.5 else self.pool)

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

    # -- opportunities ---------------------------------------------------------------

    def opportunity(self, d0: dt.date, customer: str, deadline: dt.date | None, *, start: str,
                    reopened: bool = False) -> None:
        """Write one opportunity's stage events, from ``d0`` to its order or loss."""
        rng = self.rng
        last_close = _month(deadline) if deadline else _add_months(_month(DEMO_AS_OF), 3)
        # Expected close 0-3 months ahead, weighted toward the busy season.
        options = [k for k in range(4) if _add_months(_month(d0), k) <= last_close]
        weights = [(4, 4, 2, 1)[k] * _SEASON[_add_months(_month(d0), k).month] for k in options]
        k = rng.choices(options, weights)[0]
        if k == 0 and d0.day > 22 and 1 in options:
            k = 1
        close = _add_months(_month(d0), k)
        end_of_window = min(_month_end(close), deadline) if deadline else _month_end(close)
        window = [d for d in _days(max(close, d0 + dt.timedelta(days=3)), end_of_window) if _working(d)]
        if not window:
            return  # too late in the month for this rep's constraints: no opportunity
        decided = rng.choice(window)
        win = rng.random() < min(0.9, self.p.win_rate * self.skill * {"deal_b": 1.1, "deal_a": 1.4}.get(start, 1.0))
        # The stages the opportunity goes through before the decision.
        stages = [start]
        if win:
            if start == "topic" and rng.random() < 0.9:
                stages.append("deal_b")
            if start != "deal_a" and rng.random() < 0.7:
                stages.append("deal_a")
        else:
            if start == "topic" and rng.random() < 0.5:
                stages.append("deal_b")
                if rng.random() < 0.25:
                    stages.append("deal_a")
        # Dates between d0 and the decision, some on the same day (same-day stage changes).
        span = [d for d in _days(d0 + dt.timedelta(days=1), decided - dt.timedelta(days=1)) if _working(d)]
        dates = [d0]
        for _ in stages[1:]:
            later = [d for d in span if d > dates[-1]]
            if rng.random() < 0.12 or not later:
                dates.append(dates[-1])
            else:
                dates.append(rng.choice(later[: max(1, len(later) // 2)]))
        final_day = decided if rng.random() > 0.1 else dates[-1]  # sometimes decided the same day
        amount = _round5(rng.triangular(20, 170, self.p.amount_mode))
        # A slip: the customer pushes the decision to the next month (when the window allows).
        slip_at = None
        if (not deadline and len(stages) > 1 and rng.random() < 0.2 and _add_months(close, 1) <= last_close
                and _add_months(close, 1) <= _add_months(_month(d0), 3)):
            slip_at = rng.randrange(1, len(stages))
        for i, (stage, day) in enumerate(zip(stages, dates)):
            if i > 0 and rng.random() < 0.3:
                amount = _round5(amount * rng.uniform(0.8, 1.2))
            if slip_at == i:
                close = _add_months(close, 1)
                final_day = rng.choice([d for d in _days(close, _month_end(close)) if _working(d)])
            shown = None if close == _month(day) and rng.random() < 0.3 else close  # blank = own month
            self.add(day, stage, customer=customer, amount=amount, close_month=shown,
                     note=rng.choice(_STAGE_NOTES[stage]) if rng.random() < 0.3 else "")
        if win:
            self.add(final_day, "order", customer=customer, amount=_round5(amount * rng.uniform(0.9, 1.05)),
                     note=rng.choice(_STAGE_NOTES["order"]))
            self.busy[customer] = final_day
            return
        reason = "now" if rng.random() < 0.6 else "forever"
        self.add(final_day, "lost", customer=customer, lost_reason=reason,
                 note=rng.choice(_LOST_NOTES[reason]) if rng.random() < 0.6 else "")
        self.busy[customer] = final_day
        # "Not now" comes back: some re-open one to three months later as a new topic.
        if reason == "now" and not deadline and not reopened and rng.random() < 0.35:
            back = [d for d in _days(final_day + dt.timedelta(days=30), final_day + dt.timedelta(days=90))
                    if _working(d) and d <= DEMO_AS_OF]
            if back:
                again = rng.choice(back)
                self.opportunity(again, customer, None, start="topic", reopened=True)

    # -- the deck rep ----------------------------------------------------------------

    def deck_events(self) -> None:
        """The deck's rows from June on: stage events, and July's visits and follow-ups."""
        for m, d, activity, customer, amount, reason, close in _DECK_EVENTS:
            self.add(dt.date(2026, m, d), activity, customer=customer, amount=amount, lost_reason=reason,
                     close_month=dt.date(*close, 1) if close else None)
        july = [d for d in _days(dt.date(2026, 7, 1), dt.date(2026, 7, 31)) if _working(d)]
        visit_days = [d for d in july if d.weekday() in (3, 4)]
        call_days = [d for d in july if d.weekday() < 3]
        for day, n in _spread(self.rng, _DECK_JULY_FOLLOWS, call_days).items():
            for _ in range(n):
                self.add(day, "follow", customer=self._follow_customer())
        for day, n in _spread(self.rng, _DECK_JULY_VISITS, visit_days).items():
            for _ in range(n):
                self.add(day, "visit", customer=self._visit_customer())


def _nth_weekday(days: list[dt.date], weekday: int, n: int) -> dt.date | None:
    hits = [d for d in days if d.weekday() == weekday]
    return hits[n - 1] if len(hits) >= n else None


def _spread(rng: random.Random, total: int, days: list[dt.date]) -> dict[dt.date, int]:
    """``total`` spread over ``days`` as evenly as possible (the remainder on random days)."""
    if not days:
        return {}
    base, extra = divmod(total, len(days))
    lucky = set(rng.sample(range(len(days)), extra))
    return {d: base + (1 if i in lucky else 0) for i, d in enumerate(days) if base or i in lucky}


def _pre_report_day(visit_day: dt.date) -> dt.date:
    # The Wednesday before (the deck's 外出前報告), else the last Monday-Tuesday before it;
    # never in an earlier month (a visit on the 1st or 2nd is reported that morning).
    d = visit_day - dt.timedelta(days=1)
    while d.day < visit_day.day:
        if d.weekday() <= 2 and _working(d):
            return d
        d -= dt.timedelta(days=1)
    return visit_day


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: small means only.
    threshold, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


def _targets(rng: random.Random) -> list[Target]:
    out = []
    for rep, _team, grade, _email, _hired in _MEMBERS:
        base = _PROFILES[grade].target * rng.uniform(0.9, 1.1)
        for month in _FISCAL_MONTHS:
            if rep == DECK_REP:
                sales = _DECK_TARGETS[(month.year, month.month)]
            else:
                sales = int(round(base * _SEASON[month.month] / 10.0)) * 10
            orders = math.ceil(sales / _UNIT_PRICE)
            deals = math.ceil(orders / _WIN)
            topics = math.ceil(deals / _TOPIC_TO_DEAL)
            process = {"orders": orders, "new_deals": deals, "new_topics": topics, **_PROCESS_TARGETS}
            out.append(Target(rep=rep, month=month, sales_target=float(sales),
                              process={k: float(v) for k, v in process.items()}))
    return out
