"""DOMAIN.md §3/§5 semantics of the engine, case by case, with expectations worked by hand."""

from __future__ import annotations

import datetime as dt

from support.models import events

from xlsales import Settings
from xlsales.compute.engine import compute_scope, event_facts, period_months

D = dt.date
JUL, AUG, SEP = D(2026, 7, 1), D(2026, 8, 1), D(2026, 9, 1)


def ev(day, activity, customer="", amount=None, close=None, reason=None, rep="山田"):
    return dict(date=day, rep=rep, activity=activity, customer=customer, amount=amount, close_month=close,
                lost_reason=reason)


def test_new_topics_and_deals_follow_the_opportunity_history():
    rows = [
        ev(D(2026, 7, 1), "topic", "A社", 10),        # new topic
        ev(D(2026, 7, 2), "topic", "A社", 12),        # amount update: not new
        ev(D(2026, 7, 3), "deal_b", "A社", 12),       # topic -> deal: new deal
        ev(D(2026, 7, 4), "deal_a", "A社", 15),       # △ -> ◯ upgrade: not a new deal
        ev(D(2026, 7, 5), "topic", "A社", 15),        # back to topic: still open, not a new topic
        ev(D(2026, 7, 6), "deal_a", "A社", 15),       # topic -> deal again: a new deal
        ev(D(2026, 7, 7), "lost", "A社", reason="now"),
        ev(D(2026, 7, 8), "topic", "A社", 9),         # re-opened: a new topic
        ev(D(2026, 7, 9), "lost", "B社", reason="forever"),
        ev(D(2026, 7, 10), "deal_b", "B社", 5),       # re-opened straight into a deal: new deal, no topic
        ev(D(2026, 7, 11), "order", "C社", 30),       # an order with no history
    ]
    facts = event_facts(events(rows))
    assert [f.new_topic for f in facts] == [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]
    assert [f.new_deal for f in facts] == [0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0]
    assert [f.prev_stage for f in facts] == [0, 1, 1, 2, 3, 1, 3, 5, 0, 5, 0]
    m = compute_scope(events(rows), [JUL], D(2026, 7, 31))
    assert m.flow("new_topics", JUL) == 2 and m.flow("new_deals", JUL) == 3
    assert m.flow("lost", JUL) == 2 and m.flow("lost_now", JUL) == 1 and m.flow("lost_forever", JUL) == 1
    assert m.flow("sales", JUL) == 30 and m.flow("orders", JUL) == 1


def test_same_date_the_lower_row_wins():
    rows = [
        ev(D(2026, 7, 10), "deal_a", "A社", 50),
        ev(D(2026, 7, 10), "lost", "A社", reason="now"),  # same day, lower row: the deal is lost
        ev(D(2026, 7, 10), "lost", "B社", reason="now"),
        ev(D(2026, 7, 10), "deal_b", "B社", 20),          # same day, lower row: open as △
    ]
    m = compute_scope(events(rows), [JUL], D(2026, 7, 31))
    assert m.stocks["deal_a"][JUL].count == 0
    assert (m.stocks["deal_b"][JUL].count, m.stocks["deal_b"][JUL].amount) == (1, 20)
    # B社's △ is a new deal (it was lost just before in row order), A社's ◯ too.
    assert m.flow("new_deals", JUL) == 2


def test_row_order_wins_over_date_order_only_within_a_day():
    rows = [
        ev(D(2026, 7, 20), "order", "A社", 40),
        ev(D(2026, 7, 5), "deal_a", "A社", 40),  # earlier date, lower row: still before the order
    ]
    m = compute_scope(events(rows), [JUL], D(2026, 7, 31))
    assert m.stocks["deal_a"][JUL].count == 0
    assert m.flow("new_deals", JUL) == 1


def test_stocks_are_by_expected_close_month_and_snapshot_day():
    rows = [
        ev(D(2026, 7, 1), "deal_a", "A社", 100, close="2026-08"),
        ev(D(2026, 7, 2), "deal_b", "B社", 30),                   # blank close: its own month (July)
        ev(D(2026, 8, 20), "order", "A社", 100),                  # closes A in August
        ev(D(2026, 8, 21), "topic", "C社", 7, close="2026-09"),
        ev(D(2026, 9, 2), "deal_b", "C社", 8, close="2026-09"),    # after the as-of date: not seen
    ]
    as_of = D(2026, 8, 25)
    m = compute_scope(events(rows), [JUL, AUG, SEP], as_of)
    # July ended: snapshot at July 31 (B△ open, expected July).
    assert (m.stocks["deal_b"][JUL].count, m.stocks["deal_b"][JUL].amount) == (1, 30)
    # August is current: at the as-of date A社 is already ordered.
    assert m.stocks["deal_a"][AUG].count == 0
    # 月初 of August (after July's events): A◯ 100 expected in August.
    assert (m.month_start[AUG].count, m.month_start[AUG].amount) == (1, 100)
    # September is after the as-of month: stocks and 月初 at the as-of date (C is a topic of 7).
    assert (m.stocks["topic"][SEP].count, m.stocks["topic"][SEP].amount) == (1, 7)
    assert (m.month_start[SEP].count, m.month_start[SEP].amount) == (1, 7)
    # Totals: the as-of snapshot over the period (B△ in July and C topic in September).
    assert m.stocks["deal_b"][None].count == 1 and m.stocks["topic"][None].count == 1
    # Flows count every row dated in a month, also after the as-of date.
    assert m.flow("new_deals", SEP) == 1


def test_top_three_by_amount_ties_by_earlier_stage_event():
    rows = [ev(D(2026, 7, d), "deal_b", name, amt) for d, name, amt in
            [(1, "A社", 10), (2, "B社", 30), (3, "C社", 30), (4, "D社", 50), (5, "E社", 30)]]
    top = compute_scope(events(rows), [JUL], D(2026, 7, 31)).stocks["deal_b"][JUL].top
    assert [t.customer for t in top] == ["D社", "B社", "C社"]


def test_customers_match_case_insensitively_like_spreadsheet_criteria():
    rows = [ev(D(2026, 7, 1), "topic", "abc商事", 5), ev(D(2026, 7, 2), "lost", "ABC商事", reason="now")]
    m = compute_scope(events(rows), [JUL], D(2026, 7, 31))
    assert m.stocks["topic"][JUL].count == 0


def test_period_defaults_to_the_fiscal_year_of_the_as_of_date():
    assert period_months(Settings(), D(2026, 2, 10))[0] == D(2025, 4, 1)
    assert period_months(Settings(), D(2026, 4, 1))[0] == D(2026, 4, 1)
    months = period_months(Settings(fiscal_year_start=1, period_months=3), D(2026, 11, 24))
    assert months == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    assert period_months(Settings(period_start=D(2026, 7, 1), period_months=6), D(2027, 1, 1))[-1] == D(2026, 12, 1)
