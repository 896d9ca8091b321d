"""The annual plan's figures (compute/annual_plan.py), checked against hand computations."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from xlsales.compute.annual_plan import annual_plan, plan_ceil, plan_master, plan_year
from xlsales.model import Event, Master, Member, Settings, Target

D = dt.date
DECK_INPUTS = dict(annual_target=560 * 12, unit_price=70, win_rate=0.5, deal_rate=0.8, topic_rate=0.625,
                   appointment_rate=0.128, list_rate=1.25)


def _events() -> list[Event]:
    # Fiscal 2025 (Apr 2025 - Mar 2026): 10 follows, 4 visits, 5 list entries, 3 new topics,
    # 2 new deals, 2 orders worth 100 (May, rep A) and 300 (August, rep B).
    rows = [(D(2025, 5, 1), "A", "list", "")] * 5 + [(D(2025, 5, 2), "A", "follow", "")] * 10
    rows += [(D(2025, 5, 3), "A", "visit", "")] * 4
    rows += [(D(2025, 5, 4), "A", "topic", "X"), (D(2025, 5, 5), "A", "topic", "Y"),
             (D(2025, 5, 6), "A", "deal_b", "X"), (D(2025, 5, 20), "A", "order", "X"),
             (D(2025, 8, 1), "B", "topic", "Z"), (D(2025, 8, 2), "B", "deal_a", "Z"),
             (D(2025, 8, 20), "B", "order", "Z")]
    amounts = {("A", "order"): 100, ("B", "order"): 300}
    return [Event(row=i + 2, id=str(i), date=d, rep=rep, activity=act, customer=cust,
                  amount=amounts.get((rep, act), 50 if cust else None))
            for i, (d, rep, act, cust) in enumerate(rows)]


def test_the_decks_benchmark_column_comes_out_of_a_plan():
    # 560 = 8 × 70; 32 visits; 250 follow-ups (the deck's プロセスのベンチマーク)
    master = Master(members=[Member("佐藤")], settings=Settings(**DECK_INPUTS))
    plan = annual_plan(master, D(2026, 4, 1))
    assert {k: plan.inputs[k].source for k in DECK_INPUTS} == dict.fromkeys(DECK_INPUTS, "settings")
    chain = plan.chain()
    assert [chain[k] for k in ("orders", "new_deals", "new_topics", "visits", "follows", "lists")] == \
        [96, 192, 240, 384, 3000, 2400]
    bench = plan.benchmark("佐藤")
    assert (bench["sales"], bench["orders"], bench["visits"], bench["follows"]) == (560, 8, 32, 250)
    assert plan.even and plan.months[0] == D(2026, 4, 1) and len(plan.months) == 12


def test_rates_pattern_and_shares_come_from_last_years_log():
    master = Master(events=_events(), members=[Member("A"), Member("B"), Member("C")],
                    settings=Settings(annual_target=2400))
    plan = annual_plan(master, D(2026, 6, 15))
    got = {k: (plan.inputs[k].value, plan.inputs[k].source) for k in
           ("last_year_sales", "unit_price", "win_rate", "deal_rate", "topic_rate", "appointment_rate", "list_rate")}
    assert got == {"last_year_sales": (400, "log"), "unit_price": (200, "log"), "win_rate": (1.0, "log"),
                   "deal_rate": (pytest.approx(2 / 3), "log"), "topic_rate": (0.75, "log"),
                   "appointment_rate": (0.4, "log"), "list_rate": (2.0, "log")}
    chain = plan.chain()
    # new sales 2400 - 400 = 2000; ÷200 = 10 orders; ÷1 = 10 deals; ÷2/3 = 15 topics; ÷.75 = 20 visits; ...
    assert [chain[k] for k in ("new_sales", "orders", "new_deals", "new_topics", "visits", "follows", "lists")] == \
        [2000, 10, 10, 15, 20, 50, 25]
    # The pattern: May 100, August 300; the ten months without a log row get the mean 200.
    assert plan.pattern == [200, 100, 200, 200, 300] + [200] * 7
    assert plan.pattern_sources.count("average") == 10
    # Shares: C sold nothing and gets the average 1/3; A and B share 2/3 as 100 : 300.
    assert plan.shares == pytest.approx({"A": 2 / 3 * 0.25, "B": 2 / 3 * 0.75, "C": 1 / 3})
    assert plan.share_sources == {"A": "log", "B": "log", "C": "average"}
    # Per rep and month: rep annual count rounded up, then month share rounded up.
    whole = sum(plan.pattern)
    for rep, share in (("A", 1 / 6), ("B", 1 / 2), ("C", 1 / 3)):
        annual = plan.rep_annual(rep)
        assert annual["visits"] == math.ceil(round(20 * share, 6))
        months = plan.rep_months(rep)
        assert months[D(2026, 8, 1)]["visits"] == math.ceil(round(annual["visits"] * 300 / whole, 6))
        assert months[D(2026, 8, 1)]["sales_target"] == math.floor(2400 * share * 300 / whole + 0.5)
        assert sum(m["visits"] for m in months.values()) >= annual["visits"]


def test_without_last_year_the_plan_spreads_evenly_and_uses_the_defaults():
    master = Master(members=[Member("A"), Member("B")],
                    targets=[Target("A", D(2026, m, 1), 100) for m in (4, 5, 6)] + [Target("B", D(2026, 4, 1), 60)],
                    settings=Settings(unit_price=20))
    plan = annual_plan(master, D(2026, 4, 1))
    assert plan.inputs["annual_target"].value == 360 and plan.inputs["annual_target"].source == "targets"
    assert plan.inputs["win_rate"].source == "default" and plan.inputs["last_year_sales"].value == 0
    assert plan.even and plan.weights() == [1 / 12] * 12
    assert plan.shares == {"A": 0.5, "B": 0.5}
    # 360 / 20 = 18 orders; A's half 9; each month ROUNDUP(9 / 12) = 1
    assert plan.rep_annual("A")["orders"] == 9
    assert {m["orders"] for m in plan.rep_months("A").values()} == {1}


def test_a_plan_without_unit_price_has_no_counts_and_fills_nothing():
    master = Master(members=[Member("A")], settings=Settings(annual_target=1000))
    plan = annual_plan(master, D(2026, 4, 1))
    assert plan.inputs["unit_price"].source == "missing" and plan.chain()["orders"] is None
    assert plan_master(master, plan) is master


def test_plan_master_fills_only_what_was_left_blank():
    typed = Target("A", D(2026, 5, 1), 500, {"orders": 3})
    master = Master(members=[Member("A")], targets=[typed], settings=Settings(**DECK_INPUTS))
    plan = annual_plan(master, D(2026, 4, 1))
    filled = plan_master(master, plan)
    by_month = {t.month: t for t in filled.targets}
    assert by_month[D(2026, 5, 1)].process["orders"] == 3  # typed wins
    assert by_month[D(2026, 5, 1)].process["visits"] == 32 and by_month[D(2026, 5, 1)].sales_target == 500
    assert by_month[D(2026, 6, 1)].sales_target is None and by_month[D(2026, 6, 1)].process["follows"] == 250
    assert len(filled.targets) == 12 and master.targets == [typed]
    assert filled.benchmarks[("A", "sales")] == 560
    # A typed ベンチマーク for all reps wins as a whole.
    typed_bench = Master(members=master.members, targets=master.targets, settings=master.settings,
                         benchmarks={("", "orders"): 5})
    assert plan_master(typed_bench, plan).benchmarks == {("", "orders"): 5}


def test_plan_year_and_rounding():
    assert plan_year(D(2026, 12, 31)) == D(2026, 4, 1) and plan_year(D(2027, 1, 1)) == D(2027, 4, 1)
    assert plan_year(D(2026, 3, 1), 1) == D(2026, 1, 1) and plan_year(D(2026, 10, 1), 1) == D(2027, 1, 1)
    assert plan_ceil(3 / 0.1) == 30 and plan_ceil(30.01) == 31
