"""A realistic, deterministic demo master for ``xlsales demo`` (DOMAIN.md §1–§9).

Fiscal year 2026 (April 2026 – March 2027), log from 2026-04-01 to the as-of date
2026-12-31, eight reps in two teams simulated by :mod:`xlsales.simulation` in the
deck's monthly rhythm (§9): about 250 follow-ups on Monday–Wednesday, pre-visit reports
on Wednesday, about 32 visits on Thursday and Friday each with a post-visit report,
about 30 list entries, and an opportunity pipeline topic → deal △ → deal ◯ → order (or
lost, now or forever), with slipping close months, same-day stage changes and re-opened
lost opportunities.  This module holds what is the demo's own: its members, targets and
the deck rep's rows.

One rep, :data:`DECK_REP` (佐藤 健太), reproduces the deck's table for 2026-07..12
exactly: from 2026-06-01 on, their rows are the hand-written list ``_DECK_EVENTS``
plus July's 20 visits and 150 follow-ups, and nothing else; before June they only
have activity and opportunities that closed before June.

Everything comes from one ``random.Random(seed)``: two calls with the same seed
return equal masters.
"""

from __future__ import annotations

import datetime as dt
import random

from xlsales.model import Master, Member, Settings
from xlsales.simulation import RepSimulation, TeamSimulation, monthly_targets, spread, working_days

__all__ = ["DECK_REP", "DEMO_AS_OF", "DEMO_BENCHMARK", "DEMO_PERIOD_START", "demo_master"]

DEMO_AS_OF = dt.date(2026, 12, 31)
DEMO_PERIOD_START = dt.date(2026, 4, 1)
DECK_REP = "佐藤 健太"
# The demo master's identity (設定 マスターID), fixed so that the demo is deterministic.
DEMO_MASTER_ID = "5e1e5d3a-9c1b-4c5e-8d2a-2026d3e30001"

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

# The deck rep's sales targets (the deck's 7月..12月; the other months chosen to fit).
_DECK_TARGETS = {(2026, 4): 450, (2026, 5): 420, (2026, 6): 520, (2026, 7): 500, (2026, 8): 350,
                 (2026, 9): 610, (2026, 10): 600, (2026, 11): 400, (2026, 12): 800, (2027, 1): 420,
                 (2027, 2): 520, (2027, 3): 900}
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
    members = [Member(rep=rep, team=team, grade=grade, email=email, hire_date=hired)
               for rep, team, grade, email, hired in _MEMBERS]
    simulation = TeamSimulation(rng, as_of=DEMO_AS_OF)
    for member in members:
        rep = simulation.add_rep(member)
        if member.rep == DECK_REP:
            rep.run(_LOG_START, _DECK_FROM - dt.timedelta(days=1), deadline=_DECK_DEADLINE)
            _deck_rows(rep)
        else:
            rep.run(_LOG_START, DEMO_AS_OF)
    deck_sales = {(DECK_REP, dt.date(year, month, 1)): sales for (year, month), sales in _DECK_TARGETS.items()}
    return Master(
        events=simulation.events(id_prefix="D", digits=6),
        members=members,
        targets=monthly_targets(rng, members, _FISCAL_MONTHS, sales=deck_sales),
        settings=Settings(period_start=DEMO_PERIOD_START, master_id=DEMO_MASTER_ID),
        benchmarks={("", key): float(value) for key, value in DEMO_BENCHMARK.items()},
        source="demo",
    )


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------


def _deck_rows(rep: RepSimulation) -> None:
    # The deck's rows from June on, written by hand: stage events, and July's visits and follow-ups.
    for m, d, activity, customer, amount, reason, close in _DECK_EVENTS:
        rep.add(dt.date(2026, m, d), activity, customer=customer, amount=amount, lost_reason=reason,
                close_month=dt.date(*close, 1) if close else None)
    july = working_days(dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    visit_days = [d for d in july if d.weekday() in (3, 4)]
    call_days = [d for d in july if d.weekday() < 3]
    for day, n in spread(rep.rng, _DECK_JULY_FOLLOWS, call_days).items():
        for _ in range(n):
            rep.add(day, "follow", customer=rep.follow_customer())
    for day, n in spread(rep.rng, _DECK_JULY_VISITS, visit_days).items():
        for _ in range(n):
            rep.add(day, "visit", customer=rep.visit_customer())
