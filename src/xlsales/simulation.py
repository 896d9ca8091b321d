"""A sales team's activity log, simulated month by month in the deck's rhythm (DOMAIN.md §9).

Every rep, per month: about 250 follow-ups on call days (Monday–Wednesday, plus the 2nd
Thursday and the last Friday when the visits leave room), about 30 list entries on
Mondays and Tuesdays, about 32 visits on Thursdays and Fridays each with a pre-visit
report (the Wednesday before) and a post-visit report, and an opportunity pipeline
topic → deal △ → deal ◯ → order or lost (now or forever), with amounts by grade, expected
close months weighted toward the busy season, slips, same-day stage changes and
re-opened lost opportunities.  Nobody works on weekends, on Japan's public holidays (the
``holidays`` package) or on the company's days off (:data:`COMPANY_DAYS_OFF`).

:class:`TeamSimulation` is the simulator, parameterised by its members, the period each
rep is run over, a volume (a multiplier of the rhythm's counts) and one
``random.Random``: equal arguments give equal logs.  ``xlsales demo`` (:mod:`xlsales.demo`)
and the benchmark masters (``benchmarks/generate.py``) are both made with it.

Examples
--------
>>> import datetime as dt, random
>>> from xlsales.model import Member
>>> team = TeamSimulation(random.Random(1), as_of=dt.date(2026, 4, 30))
>>> team.run([Member(rep="佐藤 健太", team="営業1課", grade="leader")], dt.date(2026, 4, 1), dt.date(2026, 4, 30))
>>> events = team.events(id_prefix="S", digits=6)
>>> events[0].id, events[0].date >= dt.date(2026, 4, 1), 300 < len(events) < 500
('S000001', True, True)
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from xlsales.compute.engine import add_months as _add_months
from xlsales.compute.engine import month_end as _month_end
from xlsales.compute.engine import month_start as _month
from xlsales.compute.workdays import public_holidays
from xlsales.model import Event, Member, Target

__all__ = ["COMPANY_DAYS_OFF", "PROFILES", "SEASON", "Profile", "RepSimulation", "TeamSimulation", "is_working_day",
           "monthly_targets", "spread", "team_members", "working_days"]


@dataclass(frozen=True)
class Profile:
    """How a grade sells: monthly target base, topic rate per visit, win rate, order size."""

    target: int
    topic_rate: float
    repeat_per_month: float  # opportunities from existing customers (follow-up calls)
    win_rate: float
    amount_mode: float


PROFILES = {
    "manager": Profile(600, 0.21, 3.5, 0.60, 85),
    "leader": Profile(540, 0.20, 3.0, 0.57, 75),
    "member_senior": Profile(440, 0.19, 2.5, 0.53, 65),
    "member_junior": Profile(300, 0.17, 1.5, 0.47, 50),
}
# The industry's busy season: fiscal half-year ends (September, March) and December.
SEASON = {4: 0.85, 5: 0.80, 6: 1.00, 7: 0.95, 8: 0.65, 9: 1.15, 10: 1.05, 11: 0.85, 12: 1.25,
          1: 0.75, 2: 0.95, 3: 1.55}
# The company's own days off of every year (month, day): 年始, お盆, 年末.
COMPANY_DAYS_OFF = frozenset({(1, 2), (1, 3), (8, 13), (8, 14), (8, 15), (12, 29), (12, 30), (12, 31)})

_PROCESS_TARGETS = {"visits": 32, "follows": 250, "lists": 30}
_UNIT_PRICE, _WIN, _TOPIC_TO_DEAL = 70, 0.55, 0.7  # for the process targets of each month

# Japanese company names: a two-character stem and a line of business; a branch once they run out.
_STEM_HEADS = "東西南北中大新日三富光明朝旭昭平共協太丸千高山金"
_STEM_TAILS = "和洋栄進成星陽邦都興伸友信正立豊辰精"
_BUSINESSES = ["精機", "商事", "工業", "電機", "化成", "物産", "製作所", "産業", "技研", "印刷", "建設", "運輸",
               "食品", "システム", "興業", "機工", "通商", "設計", "光学", "電子", "化学", "鋼材", "紙業", "製菓",
               "薬品", "住設", "ホールディングス", "エンジニアリング", "テクノ", "ロジテック"]
_BRANCHES = ["", " 東京支店", " 大阪支店", " 名古屋支店", " 福岡支店", " 札幌支店", " 仙台支店", " 広島支店"]
_LOST_NOTES = {"now": ["来期予算で再検討", "時期が合わず", "社内稟議が見送り"],
               "forever": ["他社に決定", "内製化のため不要", "要件が合わず"]}
_STAGE_NOTES = {"topic": ["プランと時期は合意", "価格感は合意、時期未定", "課題ヒアリング済み"],
                "deal_b": ["見積提出済み", "決裁者と面談予定", "競合あり"],
                "deal_a": ["決裁者の内諾あり", "発注書待ち", "最終見積合意"],
                "order": ["発注書受領", "", ""]}
# Reps' names for teams of any size, and the grades of a team of eight.
_SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
             "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本"]
_GIVEN = ["健太", "美咲", "翔", "花子", "大輔", "彩", "拓也", "優奈", "陽介", "真由美", "直樹", "由佳", "誠",
          "愛", "亮", "恵", "浩二", "千尋", "隆", "沙織", "修", "舞", "剛", "瞳"]
_TEAM_GRADES = ["manager", "leader", "member_senior", "member_senior", "member_junior", "member_junior",
                "leader", "member_junior"]


# ----------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    """Whether the team works on ``day``.

    Parameters
    ----------
    day : datetime.date

    Returns
    -------
    bool
        False on Saturdays, Sundays, Japan's public holidays (including substitute and
        citizens' holidays, from the ``holidays`` package) and :data:`COMPANY_DAYS_OFF`.

    Examples
    --------
    >>> is_working_day(dt.date(2026, 5, 6)), is_working_day(dt.date(2026, 5, 7))  # 振替休日, a Thursday
    (False, True)
    """
    return day.weekday() < 5 and day not in _days_off(day.year)


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """The working days (:func:`is_working_day`) from ``first`` to ``last``, both included.

    Parameters
    ----------
    first, last : datetime.date

    Returns
    -------
    list of datetime.date
        In calendar order; empty when ``last`` is before ``first``.
    """
    days = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if is_working_day(d)]


def spread(rng: random.Random, total: int, days: list[dt.date]) -> dict[dt.date, int]:
    """``total`` spread over ``days`` as evenly as possible, the remainder on random days.

    Parameters
    ----------
    rng : random.Random
        Picks the days that get one more.
    total : int
    days : list of datetime.date

    Returns
    -------
    dict
        Day -> count, for the days whose count is not 0 (empty when ``days`` is).
    """
    if not days:
        return {}
    base, extra = divmod(total, len(days))
    lucky = set(rng.sample(range(len(days)), extra))
    return {d: base + (1 if i in lucky else 0) for i, d in enumerate(days) if base or i in lucky}


def team_members(rng: random.Random, reps: int) -> list[Member]:
    """``reps`` members with random Japanese names, in teams of eight of every grade.

    Parameters
    ----------
    rng : random.Random
    reps : int

    Returns
    -------
    list of Member
        Unique names (numbered once the 576 name pairs run out), teams ``営業1課``,
        ``営業2課``..., e-mails ``rep0001@example.co.jp``..., hired on an April 1st.
    """
    names = [s + " " + g for s in _SURNAMES for g in _GIVEN]
    rng.shuffle(names)
    out = []
    for i in range(reps):
        rep = names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "")
        out.append(Member(rep=rep, team=f"営業{i // 8 + 1}課", grade=_TEAM_GRADES[i % 8],
                          email=f"rep{i + 1:04d}@example.co.jp",
                          hire_date=dt.date(2026 - rng.randint(1, 20), 4, 1)))
    return out


def monthly_targets(rng: random.Random, members: Iterable[Member], months: Iterable[dt.date], *,
                    sales: Mapping[tuple[str, dt.date], float] | None = None) -> list[Target]:
    """A sales target and the process targets it implies, per member and month.

    Parameters
    ----------
    rng : random.Random
        Draws each member's base (their grade's :attr:`Profile.target`, ±10 %).
    members : iterable of Member
    months : iterable of datetime.date
        First days of the months.
    sales : mapping, optional
        ``(rep, month) -> sales target`` that replaces the drawn one.

    Returns
    -------
    list of Target
        Member by member, month by month: the sales target follows :data:`SEASON`
        (rounded to 10); 受注数, 新規商談数 and 新規話題数 follow from it, 訪問, フォロー
        and リスト are the deck's 32, 250 and 30.
    """
    months, sales = list(months), sales or {}
    out = []
    for member in members:
        base = PROFILES[member.grade].target * rng.uniform(0.9, 1.1)
        for month in months:
            amount = sales.get((member.rep, month), int(round(base * SEASON[month.month] / 10.0)) * 10)
            orders = math.ceil(amount / _UNIT_PRICE)
            deals = math.ceil(orders / _WIN)
            topics = math.ceil(deals / _TOPIC_TO_DEAL)
            process = {"orders": orders, "new_deals": deals, "new_topics": topics, **_PROCESS_TARGETS}
            out.append(Target(rep=member.rep, month=month, sales_target=float(amount),
                              process={k: float(v) for k, v in process.items()}))
    return out


class TeamSimulation:
    """A team's log, simulated rep by rep from one random source.

    Parameters
    ----------
    rng : random.Random
        The only random source; the same draws in the same order give the same log.
    as_of : datetime.date
        The log's last day: no opportunity re-opens after it, and expected close months
        reach at most three months beyond it.
    volume : float, default 1.0
        Multiplies the rhythm's monthly counts (follow-ups, list entries, visits,
        repeat opportunities): 2.0 is a rep twice as busy.

    Notes
    -----
    Add each rep with :meth:`add_rep` and run them (:meth:`RepSimulation.run`), or run a
    whole team over one period with :meth:`run`; then :meth:`events` is the log.
    """

    def __init__(self, rng: random.Random, *, as_of: dt.date, volume: float = 1.0) -> None:
        self.rng, self.as_of, self.volume = rng, as_of, volume
        self._names = _NamePool(rng)
        self._reps: list[RepSimulation] = []

    def add_rep(self, member: Member) -> RepSimulation:
        """A new rep of the team, who sells as their grade's :data:`PROFILES` entry."""
        rep = RepSimulation(self, member.rep, len(self._reps), PROFILES[member.grade])
        self._reps.append(rep)
        return rep

    def run(self, members: Iterable[Member], first: dt.date, last: dt.date) -> None:
        """Add every member and run each from ``first`` to ``last``, one after the other."""
        for member in members:
            self.add_rep(member).run(first, last)

    def row_count(self) -> int:
        """How many rows :meth:`events` would return without a limit."""
        return sum(1 for rep in self._reps for row in rep._rows if row.date <= self.as_of)

    def events(self, *, id_prefix: str, digits: int, limit: int | None = None) -> list[Event]:
        """The log up to :attr:`as_of` in log order, as a master's events.

        Parameters
        ----------
        id_prefix : str
            Start of every ID, followed by the row's number from 1 in ``digits`` digits.
        digits : int
        limit : int, optional
            Keep only the first ``limit`` rows.

        Returns
        -------
        list of Event
            By date, then rep (in the order added), then the day's order of activities
            (list entries and calls, reports, visits, stages), then as simulated;
            ``Event.row`` is the row in a master's log sheet, from 2.
        """
        rows = sorted((r for rep in self._reps for r in rep._rows if r.date <= self.as_of),
                      key=lambda r: (r.date, r.rep_index, r.phase, r.seq))[:limit]
        return [
            Event(row=i + 2, id=f"{id_prefix}{i + 1:0{digits}d}", date=r.date, rep=r.rep, activity=r.activity,
                  customer=r.customer, amount=None if r.amount is None else float(r.amount),
                  lost_reason=r.lost_reason, close_month=r.close_month, note=r.note)
            for i, r in enumerate(rows)
        ]


class RepSimulation:
    """One rep's log: the monthly rhythm plus the opportunities their visits and calls open.

    Made by :meth:`TeamSimulation.add_rep`, which hands the rep the team's random source,
    as-of date, volume and the company names not yet taken.
    """

    def __init__(self, team: TeamSimulation, rep: str, index: int, profile: Profile) -> None:
        self.rng, self.rep, self.index, self.p = team.rng, rep, index, profile
        self.as_of, self.volume, self._names = team.as_of, team.volume, team._names
        self._rows: list[_Row] = []
        self._pool = [self._names.take() for _ in range(60)]  # prospects known before the log began
        self._warm: list[str] = []  # recently called: the next visits go there first
        self._busy: dict[str, dt.date] = {}  # customer -> last day of their running opportunity
        self._skill = self.rng.uniform(0.85, 1.15)

    def add(self, day: dt.date, activity: str, *, customer: str = "", amount: float | None = None,
            lost_reason: str | None = None, close_month: dt.date | None = None, note: str = "") -> None:
        """Log one row of this rep (an activity key of ``xlsales.vocab.ACTIVITIES``)."""
        self._rows.append(_Row(date=day, rep=self.rep, rep_index=self.index, seq=len(self._rows), activity=activity,
                              customer=customer, amount=amount, lost_reason=lost_reason, close_month=close_month,
                              note=note))

    def follow_customer(self) -> str:
        """A customer to call: half the time one of the 40 newest prospects."""
        recent = self._pool[-40:]
        return self.rng.choice(recent if self.rng.random() < 0.5 else self._pool)

    def visit_customer(self) -> str:
        """A customer to visit: mostly one called recently."""
        if self._warm and self.rng.random() < 0.8:
            return self.rng.choice(self._warm)
        return self.rng.choice(self._pool)

    def run(self, first: dt.date, last: dt.date, *, deadline: dt.date | None = None) -> None:
        """Simulate the rep's days from ``first`` to ``last``.

        Parameters
        ----------
        first, last : datetime.date
            The period; it opens with a pipeline of 5–8 opportunities carried into it.
        deadline : datetime.date, optional
            Every opportunity of this run is decided by this day: none slips, none
            re-opens.  Without it, decisions may fall after ``last``.
        """
        # The pipeline carried into the period, entered on its first working days.
        opening = working_days(first, first + dt.timedelta(days=6))
        for _ in range(self.rng.randint(5, 8)):
            self._opportunity(self.rng.choice(opening[:3]), self._free_customer(first), deadline,
                              start=self.rng.choice(["topic", "deal_b", "deal_b", "deal_a"]))
        month = _month(first)
        while month <= last:
            self._month(month, max(first, month), min(last, _month_end(month)), deadline)
            month = _add_months(month, 1)

    # -- the monthly rhythm ----------------------------------------------------------

    def _scaled(self, low: int, high: int) -> int:
        return int(round(self.rng.randint(low, high) * self.volume))

    def _month(self, month: dt.date, first: dt.date, last: dt.date, deadline: dt.date | None) -> None:
        rng = self.rng
        days = working_days(first, last)
        thu_fri = [d for d in days if d.weekday() in (3, 4)]
        n_visits = self._scaled(29, 35)
        # The deck's month: the 2nd Thursday and the last Friday are for calls, when there is room.
        visit_days = list(thu_fri)
        for spare in (_nth_weekday(thu_fri, 3, 2), thu_fri[-1] if thu_fri and thu_fri[-1].weekday() == 4 else None):
            if spare in visit_days and 5 * (len(visit_days) - 1) >= n_visits:
                visit_days.remove(spare)
        call_days = [d for d in days if d not in visit_days]
        follows = spread(rng, self._scaled(238, 262), call_days)
        lists = spread(rng, self._scaled(26, 34), [d for d in call_days if d.weekday() in (0, 1)] or call_days)
        visits = spread(rng, n_visits, visit_days)
        # Opportunities from existing customers, found on calls (repeat business).
        n_repeats = _poisson(rng, self.p.repeat_per_month * SEASON[month.month] * self.volume)
        repeats = [rng.choice(call_days) for _ in range(n_repeats)] if call_days else []
        for d in days:
            for _ in range(lists.get(d, 0)):
                name = self._names.take()
                self._pool.append(name)
                self.add(d, "list", customer=name)
            for _ in range(follows.get(d, 0)):
                customer = self.follow_customer()
                self.add(d, "follow", customer=customer)
                self._warm.append(customer)
            self._warm = self._warm[-60:]
            for _ in range(repeats.count(d)):
                self._opportunity(d, self._free_customer(d), deadline, start=rng.choice(["topic", "deal_b"]))
            if d in visits:
                self._visit_day(d, visits[d], deadline)

    def _visit_day(self, day: dt.date, n: int, deadline: dt.date | None) -> None:
        customers = [self.visit_customer() for _ in range(n)]
        pre = _pre_report_day(day)
        for c in customers:
            self.add(pre, "pre_report", customer=c)
        for c in customers:
            self.add(day, "visit", customer=c)
            self.add(day, "post_report", customer=c)
        for c in customers:
            if self.rng.random() < self.p.topic_rate * self._skill and self._busy.get(c, dt.date.min) < day:
                self._opportunity(day, c, deadline, start="topic")

    def _free_customer(self, day: dt.date) -> str:
        # A prospect with no running opportunity; a new name when twenty tries find none.
        for _ in range(20):
            c = self.rng.choice(self._pool)
            if self._busy.get(c, dt.date.min) < day:
                return c
        c = self._names.take()
        self._pool.append(c)
        return c

    # -- opportunities ---------------------------------------------------------------

    def _opportunity(self, d0: dt.date, customer: str, deadline: dt.date | None, *, start: str,
                     reopened: bool = False) -> None:
        # One opportunity's stage events, from d0 to its order or loss.
        rng = self.rng
        last_close = _month(deadline) if deadline else _add_months(_month(self.as_of), 3)
        # Expected close 0-3 months ahead, weighted toward the busy season.
        options = [k for k in range(4) if _add_months(_month(d0), k) <= last_close]
        weights = [(4, 4, 2, 1)[k] * SEASON[_add_months(_month(d0), k).month] for k in options]
        k = rng.choices(options, weights)[0]
        if k == 0 and d0.day > 22 and 1 in options:
            k = 1
        close = _add_months(_month(d0), k)
        end_of_window = min(_month_end(close), deadline) if deadline else _month_end(close)
        window = working_days(max(close, d0 + dt.timedelta(days=3)), end_of_window)
        if not window:
            return  # too late in the month for this rep's constraints: no opportunity
        decided = rng.choice(window)
        win = rng.random() < min(0.9, self.p.win_rate * self._skill * {"deal_b": 1.1, "deal_a": 1.4}.get(start, 1.0))
        # The stages the opportunity goes through before the decision.
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
        span = working_days(d0 + dt.timedelta(days=1), decided - dt.timedelta(days=1))
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
                final_day = rng.choice(working_days(close, _month_end(close)))
            shown = None if close == _month(day) and rng.random() < 0.3 else close  # blank = own month
            self.add(day, stage, customer=customer, amount=amount, close_month=shown,
                     note=rng.choice(_STAGE_NOTES[stage]) if rng.random() < 0.3 else "")
        self._busy[customer] = final_day
        if win:
            self.add(final_day, "order", customer=customer, amount=_round5(amount * rng.uniform(0.9, 1.05)),
                     note=rng.choice(_STAGE_NOTES["order"]))
            return
        reason = "now" if rng.random() < 0.6 else "forever"
        self.add(final_day, "lost", customer=customer, lost_reason=reason,
                 note=rng.choice(_LOST_NOTES[reason]) if rng.random() < 0.6 else "")
        # "Not now" comes back: some re-open one to three months later as a new topic.
        if reason == "now" and not deadline and not reopened and rng.random() < 0.35:
            back = [d for d in working_days(final_day + dt.timedelta(days=30), final_day + dt.timedelta(days=90))
                    if d <= self.as_of]
            if back:
                self._opportunity(rng.choice(back), customer, None, start="topic", reopened=True)


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------

# Order of a rep's rows within one day: list entries and calls, then reports, visits, stages.
_PHASE = {"list": 0, "follow": 1, "pre_report": 2, "visit": 3, "post_report": 3, "topic": 4, "deal_b": 4,
          "deal_a": 4, "order": 4, "lost": 4}


@dataclass
class _Row:
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


class _NamePool:
    # Unique company names in a seeded random order; once all are taken, again with a branch.

    def __init__(self, rng: random.Random) -> None:
        names = [h + t + b for h in _STEM_HEADS for t in _STEM_TAILS for b in _BUSINESSES if h != t]
        rng.shuffle(names)
        self._names = names
        self._taken = 0

    def take(self) -> str:
        lap, index = divmod(self._taken, len(self._names))
        self._taken += 1
        branch = _BRANCHES[lap] if lap < len(_BRANCHES) else f" 第{lap}営業所"
        return self._names[-1 - index] + branch  # from the end: the order the demo has always had


@functools.cache
def _days_off(year: int) -> frozenset[dt.date]:
    # A set per year: a holidays lookup costs microseconds, and a large master asks millions of times.
    return public_holidays(year) | {dt.date(year, m, d) for m, d in COMPANY_DAYS_OFF}


def _nth_weekday(days: list[dt.date], weekday: int, n: int) -> dt.date | None:
    hits = [d for d in days if d.weekday() == weekday]
    return hits[n - 1] if len(hits) >= n else None


def _pre_report_day(visit_day: dt.date) -> dt.date:
    # The Wednesday before (the deck's 外出前報告), else the last Monday-Tuesday before it;
    # never in an earlier month (a visit on the 1st or 2nd is reported that morning).
    d = visit_day - dt.timedelta(days=1)
    while d.day < visit_day.day:
        if d.weekday() <= 2 and is_working_day(d):
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


def _round5(x: float) -> int:
    return max(10, int(round(x / 5.0)) * 5)
