"""The demo master of ``xlsales demo``: realistic, deterministic, and the deck's table for 佐藤 健太."""

from __future__ import annotations

import collections
import datetime as dt

import openpyxl
import pytest

from xlsales import write_master
from xlsales.compute.engine import compute_scope
from xlsales.demo import DECK_REP, DEMO_AS_OF, DEMO_PERIOD_START, demo_master
from xlsales.vocab import ACTIVITIES, GRADES, NEEDS_AMOUNT, NEEDS_CUSTOMER, OPEN_STAGES, STAGES

D = dt.date
REP = "佐藤 健太"
# The deck rep's stage events from 2026-06-01 on, written out again by hand:
# (date, activity, customer, amount, lost reason, expected close month or None)
DECK_ROWS = [
    (D(2026, 6, 5), "topic", "E社", 40, None, D(2026, 7, 1)),
    (D(2026, 6, 10), "deal_b", "B社", 100, None, D(2026, 7, 1)),
    (D(2026, 6, 12), "topic", "I社", 50, None, D(2026, 7, 1)),
    (D(2026, 6, 15), "deal_b", "M社", 60, None, D(2026, 7, 1)),
    (D(2026, 7, 3), "deal_a", "A社", 100, None, D(2026, 7, 1)),
    (D(2026, 7, 6), "deal_b", "C社", 80, None, D(2026, 7, 1)),
    (D(2026, 7, 7), "deal_b", "D社", 70, None, None),
    (D(2026, 7, 8), "deal_b", "H社", 50, None, D(2026, 7, 1)),
    (D(2026, 7, 9), "topic", "F社", 35, None, None),
    (D(2026, 7, 10), "topic", "G社", 25, None, D(2026, 7, 1)),
    (D(2026, 7, 14), "order", "I社", 50, None, None),
    (D(2026, 7, 15), "order", "K社", 40, None, None),
    (D(2026, 7, 16), "order", "L社", 30, None, None),
    (D(2026, 7, 17), "lost", "M社", None, "now", None),
    (D(2026, 7, 20), "topic", "N社", 20, None, D(2026, 7, 1)),
    (D(2026, 7, 22), "lost", "N社", None, "forever", None),
    (D(2026, 7, 24), "deal_b", "P社", 90, None, D(2026, 8, 1)),
    (D(2026, 7, 27), "topic", "Q社", 60, None, D(2026, 8, 1)),
    (D(2026, 8, 4), "deal_a", "Q社", 70, None, D(2026, 8, 1)),
    (D(2026, 8, 5), "deal_b", "R社", 30, None, D(2026, 8, 1)),
    (D(2026, 8, 5), "deal_b", "S社", 30, None, D(2026, 8, 1)),
    (D(2026, 8, 6), "topic", "T社", 70, None, D(2026, 8, 1)),
    (D(2026, 8, 18), "order", "U社", 50, None, None),
    (D(2026, 8, 19), "order", "V社", 30, None, None),
    (D(2026, 8, 20), "topic", "W社", 60, None, D(2026, 9, 1)),
    (D(2026, 8, 21), "deal_b", "X社", 40, None, D(2026, 9, 1)),
    (D(2026, 9, 8), "order", "W社", 60, None, None),
    (D(2026, 9, 9), "order", "X社", 40, None, None),
    (D(2026, 9, 10), "deal_b", "Y社", 70, None, D(2026, 9, 1)),
    (D(2026, 9, 11), "topic", "J社", 80, None, D(2026, 9, 1)),
    (D(2026, 9, 14), "topic", "O社", 60, None, D(2026, 9, 1)),
    (D(2026, 9, 15), "topic", "Z社", 40, None, D(2026, 9, 1)),
    (D(2026, 10, 5), "deal_a", "ア社", 60, None, D(2026, 10, 1)),
    (D(2026, 10, 6), "deal_b", "イ社", 60, None, D(2026, 10, 1)),
    (D(2026, 10, 7), "deal_b", "ウ社", 40, None, D(2026, 10, 1)),
    (D(2026, 10, 8), "topic", "エ社", 50, None, D(2026, 10, 1)),
    (D(2026, 10, 13), "order", "オ社", 50, None, None),
    (D(2026, 10, 20), "topic", "カ社", 70, None, D(2026, 11, 1)),
    (D(2026, 10, 21), "topic", "キ社", 30, None, D(2026, 12, 1)),
]
DECK_TARGETS = {7: 500, 8: 350, 9: 610, 10: 600, 11: 400, 12: 800}
LOG_MONTHS = [D(2026, m, 1) for m in range(4, 13)]


@pytest.fixture(scope="module")
def demo():
    return demo_master()


def _month(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def test_constants():
    assert DECK_REP == REP
    assert DEMO_AS_OF == D(2026, 12, 31)
    assert DEMO_PERIOD_START == D(2026, 4, 1)


def test_deterministic(demo):
    assert demo_master() == demo
    assert demo_master(seed=7) != demo


def test_members(demo):
    reps = [m.rep for m in demo.members]
    assert len(reps) == 8 and len(set(reps)) == 8 and REP in reps
    assert all(" " in r for r in reps)  # 姓 名
    assert len({m.team for m in demo.members}) == 2
    assert {m.grade for m in demo.members} == set(GRADES)
    assert all(m.email.endswith("@example.co.jp") for m in demo.members)
    assert len({m.email for m in demo.members}) == 8
    assert next(m for m in demo.members if m.rep == REP).email == "sato@example.co.jp"


def test_log_order_rows_and_ids(demo):
    events = demo.events
    assert 20_000 < len(events) < 40_000
    assert [e.row for e in events] == list(range(2, len(events) + 2))
    assert [e.id for e in events] == [f"D{i:06d}" for i in range(1, len(events) + 1)]
    assert all(a.date <= b.date for a, b in zip(events, events[1:]))
    assert events[0].date == D(2026, 4, 1) and events[-1].date <= D(2026, 12, 31)
    # 佐藤's rows are interleaved with the others', not in a block of their own.
    reps_by_day = collections.defaultdict(set)
    for e in events:
        reps_by_day[e.date].add(e.rep)
    assert sum(1 for reps in reps_by_day.values() if REP in reps and len(reps) > 1) > 50


def test_every_event_is_valid(demo):
    reps = {m.rep for m in demo.members}
    for e in demo.events:
        assert e.rep in reps
        assert e.activity in ACTIVITIES
        if e.activity in NEEDS_CUSTOMER:
            assert e.customer, e
        if e.activity in NEEDS_AMOUNT:
            assert e.amount is not None and e.amount >= 0, e
        if e.activity == "lost":
            assert e.lost_reason in ("now", "forever"), e
        else:
            assert e.lost_reason is None, e
        if e.close_month is not None:
            assert e.activity in OPEN_STAGES and e.close_month.day == 1, e
            assert 0 <= _months_between(e.date, e.close_month) <= 3, e


def test_monthly_rhythm(demo):
    count = collections.Counter((e.rep, _month(e.date), e.activity) for e in demo.events)
    for m in demo.members:
        for month in LOG_MONTHS:
            if m.rep == REP and month >= D(2026, 6, 1):
                continue
            follows, visits = count[(m.rep, month, "follow")], count[(m.rep, month, "visit")]
            assert 230 <= follows <= 270, (m.rep, month, follows)
            assert 28 <= visits <= 36, (m.rep, month, visits)
            assert count[(m.rep, month, "post_report")] == visits
            assert 20 <= count[(m.rep, month, "pre_report")] <= 40
            assert 20 <= count[(m.rep, month, "list")] <= 40
    for e in demo.events:
        if e.activity == "follow" and e.rep != REP:
            assert e.date.weekday() <= 4
        if e.activity in ("visit", "post_report") and e.rep != REP:
            assert e.date.weekday() in (3, 4), e  # Thursday and Friday
    pre = collections.Counter(e.date.weekday() for e in demo.events if e.activity == "pre_report")
    assert pre.most_common(1)[0][0] == 2  # mostly on Wednesday


def test_pipeline_is_realistic(demo):
    stage_events = [e for e in demo.events if e.activity in STAGES]
    orders = [e.amount for e in stage_events if e.activity == "order"]
    assert len(orders) > 150
    assert sum(30 <= a <= 150 for a in orders) / len(orders) > 0.8
    assert {e.lost_reason for e in stage_events if e.activity == "lost"} == {"now", "forever"}
    same_day = collections.Counter((e.rep, e.customer, e.date) for e in stage_events)
    assert sum(1 for n in same_day.values() if n > 1) >= 10  # same-day stage changes
    last: dict[tuple[str, str], str] = {}
    reopened = 0
    path = collections.Counter()
    for e in stage_events:
        key = (e.rep, e.customer)
        if last.get(key) == "lost" and e.activity in OPEN_STAGES:
            reopened += 1
        path[(last.get(key), e.activity)] += 1
        last[key] = e.activity
    assert reopened >= 5
    for step in [(None, "topic"), ("topic", "deal_b"), ("deal_b", "deal_a"), ("deal_a", "order"),
                 ("deal_b", "lost"), ("topic", "lost")]:
        assert path[step] > 5, step
    assert any(stage in OPEN_STAGES for stage in last.values())  # a pipeline at the as-of date
    assert any(e.close_month is None for e in stage_events if e.activity in OPEN_STAGES)  # blank = own month


def test_deck_rep_from_june_is_exactly_the_deck(demo):
    mine = [e for e in demo.events if e.rep == REP and e.date >= D(2026, 6, 1)]
    stages = [(e.date, e.activity, e.customer, e.amount, e.lost_reason, e.close_month)
              for e in mine if e.activity in STAGES]
    assert stages == DECK_ROWS
    others = collections.Counter((_month(e.date), e.activity) for e in mine if e.activity not in STAGES)
    assert others == {(D(2026, 7, 1), "follow"): 150, (D(2026, 7, 1), "visit"): 20}
    assert all(e.customer for e in mine)


def test_deck_rep_before_june_is_closed(demo):
    last: dict[str, dt.date | None] = {}
    state: dict[str, str] = {}
    before = [e for e in demo.events if e.rep == REP and e.date < D(2026, 6, 1)]
    assert sum(e.activity == "order" for e in before) > 0
    for e in before:
        if e.activity in STAGES:
            state[e.customer] = e.activity
            if e.close_month is not None:
                assert e.close_month < D(2026, 7, 1)
            last[e.customer] = e.date
    assert state and all(s in ("order", "lost") for s in state.values())
    assert not set(state) & {row[2] for row in DECK_ROWS}


def test_deck_rep_reproduces_the_deck_table(demo):
    months = [D(2026, m, 1) for m in range(7, 13)]
    events = [e for e in demo.events if e.rep == REP]
    s = compute_scope(events, months, DEMO_AS_OF)
    assert [s.flow("sales", m) for m in months] == [120, 80, 100, 50, 0, 0]
    assert [s.flow("orders", m) for m in months] == [3, 2, 2, 1, 0, 0]
    assert [s.flow("lost", m) for m in months] == [2, 0, 0, 0, 0, 0]
    assert [s.flow("visits", m) for m in months] == [20, 0, 0, 0, 0, 0]
    assert [s.flow("follows", m) for m in months] == [150, 0, 0, 0, 0, 0]
    assert [(s.month_start[m].amount, s.month_start[m].count) for m in months] == [
        (250, 4), (150, 2), (100, 2), (0, 0), (70, 1), (30, 1)]
    expected = {"deal_a": ([100, 70, 0, 60, 0, 0], [1, 1, 0, 1, 0, 0], (230, 3)),
                "deal_b": ([300, 150, 70, 100, 0, 0], [4, 3, 1, 2, 0, 0], (620, 10)),
                "topic": ([100, 70, 180, 50, 70, 30], [3, 1, 3, 1, 1, 1], (500, 10))}
    for stage, (amounts, counts, total) in expected.items():
        assert [s.stocks[stage][m].amount for m in months] == amounts, stage
        assert [s.stocks[stage][m].count for m in months] == counts, stage
        assert (s.stocks[stage][None].amount, s.stocks[stage][None].count) == total, stage
    july = D(2026, 7, 1)
    assert [it.customer for it in s.stocks["deal_a"][july].top] == ["A社"]
    assert [it.customer for it in s.stocks["deal_b"][july].top] == ["B社", "C社", "D社"]
    assert [it.customer for it in s.stocks["topic"][july].top] == ["E社", "F社", "G社"]


def test_targets(demo):
    fiscal = [D(2026, m, 1) for m in range(4, 13)] + [D(2027, m, 1) for m in range(1, 4)]
    by = {(t.rep, t.month): t for t in demo.targets}
    assert len(by) == len(demo.targets) == 8 * 12
    for m in demo.members:
        for month in fiscal:
            t = by[(m.rep, month)]
            assert t.sales_target and t.sales_target > 0
            assert t.process["visits"] == 32 and t.process["follows"] == 250 and t.process["lists"] == 30
            assert t.process["orders"] <= t.process["new_deals"] <= t.process["new_topics"]
        values = [by[(m.rep, month)].sales_target for month in fiscal]
        assert max(values) > 1.3 * min(values)  # a seasonal pattern
    for month, value in DECK_TARGETS.items():
        assert by[(REP, D(2026, month, 1))].sales_target == value


def test_settings_and_benchmarks(demo):
    s = demo.settings
    assert (s.fiscal_year_start, s.period_months, s.amount_unit) == (4, 12, "万円")
    assert s.period_start == D(2026, 4, 1)
    assert demo.benchmarks == {
        ("", "sales_target"): 560, ("", "sales"): 560, ("", "orders"): 8, ("", "open_amount"): 280,
        ("", "open_count"): 4, ("", "deal_a_amount"): 140, ("", "deal_a_count"): 2, ("", "deal_b_amount"): 700,
        ("", "deal_b_count"): 10, ("", "topic_amount"): 210, ("", "topic_count"): 3, ("", "lost"): 5,
        ("", "visits"): 32, ("", "follows"): 250}


def test_written_demo_rows_are_the_event_rows(demo, tmp_path):
    path = write_master(tmp_path / "demo.xlsx", demo)
    ws = openpyxl.load_workbook(path, read_only=True)["活動ログ"]
    rows = list(ws.iter_rows(min_row=1, values_only=True))
    assert len(rows) == len(demo.events) + 1
    for e in demo.events[:50] + demo.events[-50:] + [e for e in demo.events if e.rep == REP][-40:]:
        row = rows[e.row - 1]
        assert row[0] == e.id and row[1].date() == e.date and row[2] == e.rep and row[4] == e.customer
