"""The reverse plan (DOMAIN.md §6) and the monthly spread, with numbers worked by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlsales import XlsalesError
from xlsales.compute.plan import PLAN_KEYS, PlanError, ceil_count, plan_label, reverse_plan, spread

# The deck's process benchmark month: 560 of sales at a unit price of 70, 32 visits and
# 250 follow-ups.  Rates chosen so that every step is worked out by hand:
#   560 / 70 = 8 orders; 8 / 0.5 = 16 deals; 16 / 0.8 = 20 topics; 20 / 0.625 = 32 visits;
#   32 / 0.128 = 250 follow-ups (250.00000000000003 in floating point); 250 / 0.5 = 500 lists.
DECK_RATES = dict(unit_price=70, win_rate=0.5, deal_rate=0.8, topic_rate=0.625, appointment_rate=0.128)


def test_the_deck_benchmark_month_worked_backwards():
    plan = reverse_plan(560, list_rate=0.5, **DECK_RATES)
    assert plan == {"sales_target": 560, "retained_sales": 0, "new_sales": 560, "orders": 8, "new_deals": 16,
                    "new_topics": 20, "visits": 32, "follows": 250, "lists": 500}
    assert list(plan) == list(PLAN_KEYS)
    assert all(isinstance(plan[k], int) for k in ("orders", "new_deals", "new_topics", "visits", "follows"))


def test_without_a_list_rate_there_is_no_list_row():
    plan = reverse_plan(560, **DECK_RATES)
    assert "lists" not in plan and plan["follows"] == 250


def test_last_years_sales_times_retention_are_not_new_sales():
    # 6720 − 6000 × 0.9 = 1320 new; 1320 / 70 = 18.86 -> 19 orders; 19 / 0.3 = 63.3 -> 64 deals;
    # 64 / 0.5 = 128 topics; 128 / 0.4 = 320 visits; 320 / 0.125 = 2560 follow-ups.
    plan = reverse_plan(6720, last_year_sales=6000, retention=0.9, unit_price=70, win_rate=0.3, deal_rate=0.5,
                        topic_rate=0.4, appointment_rate=0.125)
    assert plan["retained_sales"] == pytest.approx(5400)
    assert plan["new_sales"] == pytest.approx(1320)
    assert [plan[k] for k in ("orders", "new_deals", "new_topics", "visits", "follows")] == [19, 64, 128, 320, 2560]


def test_default_retention_is_all_of_last_year_and_blank_means_default():
    a = reverse_plan(1000, last_year_sales=400, **DECK_RATES)
    b = reverse_plan(1000, last_year_sales=400, retention=None, **DECK_RATES)
    assert a == b and a["new_sales"] == 600 and a["orders"] == 9  # 600 / 70 = 8.57 -> 9
    assert reverse_plan(1000, last_year_sales=None, **DECK_RATES)["new_sales"] == 1000


def test_new_sales_are_never_below_zero():
    plan = reverse_plan(5000, last_year_sales=6000, **DECK_RATES)
    assert plan["new_sales"] == 0
    assert [plan[k] for k in ("orders", "new_deals", "new_topics", "visits", "follows")] == [0, 0, 0, 0, 0]


@pytest.mark.parametrize(("x", "expected"), [
    (3 / 0.1, 30),           # 30.000000000000004: floating noise, not a 31st deal
    (0.7 / 0.1, 7),          # 6.999999999999999
    (8.000000001, 8),        # within 1e-9 relative
    (30.001, 31),            # a real excess rounds up
    (26.6, 27),
    (0.0, 0),
    (1e6 * (1 + 1e-12), 1_000_000),
    (1e6 + 0.01, 1_000_001),
])
def test_counts_round_up_ignoring_floating_noise(x, expected):
    assert ceil_count(x) == expected


def test_rounding_up_at_every_step():
    # 30 / 10 = 3 orders; 3 / 0.1 = 30 deals (not 31); 30 / 0.7 = 42.86 -> 43 topics;
    # 43 / 0.3 = 143.3 -> 144 visits; 144 / 0.3 = 480 (479.99999999999994) follow-ups.
    plan = reverse_plan(30, unit_price=10, win_rate=0.1, deal_rate=0.7, topic_rate=0.3, appointment_rate=0.3)
    assert [plan[k] for k in ("orders", "new_deals", "new_topics", "visits", "follows")] == [3, 30, 43, 144, 480]
    # A fraction of an order is a whole order: 71 / 70 -> 2.
    assert reverse_plan(71, **DECK_RATES)["orders"] == 2


@pytest.mark.parametrize("name", ["unit_price", "win_rate", "deal_rate", "topic_rate", "appointment_rate"])
@pytest.mark.parametrize("bad", [0, None, -0.5, float("nan"), True, "0.5"])
def test_a_zero_missing_or_bad_rate_is_named(name, bad):
    with pytest.raises(PlanError) as info:
        reverse_plan(560, **{**DECK_RATES, name: bad})
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, XlsalesError)
    assert err.name == name
    english = {"unit_price": "order unit price", "win_rate": "win rate", "deal_rate": "deal rate",
               "topic_rate": "topic rate", "appointment_rate": "appointment rate"}[name]
    japanese = {"unit_price": "受注単価", "win_rate": "受注率", "deal_rate": "商談化率", "topic_rate": "話題化率",
                "appointment_rate": "アポ率"}[name]
    assert english in str(err) and english in err.message("en")
    assert err.message("ja").startswith(japanese)


def test_list_rate_zero_is_an_error_but_blank_is_no_row():
    with pytest.raises(PlanError, match="list rate"):
        reverse_plan(560, list_rate=0, **DECK_RATES)


@pytest.mark.parametrize(("kwargs", "name"), [
    (dict(annual_target=-1), "annual_target"),
    (dict(annual_target=None), "annual_target"),
    (dict(annual_target=560, last_year_sales=-1), "last_year_sales"),
    (dict(annual_target=560, retention=-0.1), "retention"),
])
def test_negative_amounts_are_named(kwargs, name):
    target = kwargs.pop("annual_target")
    with pytest.raises(PlanError) as info:
        reverse_plan(target, **kwargs, **DECK_RATES)
    assert info.value.name == name


def test_rates_above_one_are_allowed():
    # A measured 商談化率 can exceed 1 (deals opened without a topic).
    assert reverse_plan(560, **{**DECK_RATES, "deal_rate": 1.6})["new_topics"] == 10


def test_plan_labels_in_both_languages():
    assert [plan_label(k) for k in PLAN_KEYS] == [
        "売上目標", "前年実績×継続率", "新規で必要な売上", "受注件数", "商談化件数", "話題化件数", "訪問件数",
        "フォロー件数", "リスト件数"]
    assert plan_label("new_sales", "en") == "New sales needed" and plan_label("visits", "en") == "Visits"


# ----------------------------------------------------------------------------------
# spread
# ----------------------------------------------------------------------------------


def test_spread_by_last_years_pattern_adds_up_exactly():
    # 250 follow-ups over a busy season: exact shares 25, 50, 100, 75 -> no rounding at all.
    assert spread(250, [10, 20, 40, 30]) == [25, 50, 100, 75]
    # 100 over thirds: 33.33 each; the one unit left goes to the earliest of the tied remainders.
    assert spread(100, [1, 1, 1]) == [34, 33, 33]
    # 7 over 1:2:4 = 1, 2, 4.  11 over 1:2:4 = 1.571, 3.143, 6.286 -> floors 1, 3, 6, one unit left
    # for the largest remainder (0.571).
    assert spread(7, [1, 2, 4]) == [1, 2, 4]
    assert spread(11, [1, 2, 4]) == [2, 3, 6]


def test_spread_without_a_pattern_is_equal_shares():
    assert spread(12, [0, 0, 0, 0]) == [3, 3, 3, 3]
    assert spread(10, [None, None, None, None]) == [3, 3, 2, 2]
    assert spread(10, [None, 1, None, 1]) == [0, 5, 0, 5]  # blanks are months with no weight


def test_spread_of_an_amount_is_proportional():
    shares = spread(6720.5, [1, 3], integer=False)
    assert shares == pytest.approx([1680.125, 5040.375])


def test_spread_twelve_months_of_a_real_pattern():
    last_year = [410, 380, 520, 610, 450, 300, 280, 390, 560, 720, 650, 480]
    for total in (560 * 12, 8 * 12 + 5, 32 * 12, 250 * 12 + 7):
        shares = spread(total, last_year)
        assert sum(shares) == total
        exact = [total * w / sum(last_year) for w in last_year]
        assert all(math.floor(e) <= s <= math.ceil(e) for s, e in zip(shares, exact, strict=True))


@pytest.mark.parametrize(("total", "weights", "integer"), [
    (10.5, [1, 1], True),
    (-1, [1, 1], True),
    (10, [1, -1], True),
    (10, [], True),
    (10, ["x", 1], True),
])
def test_spread_refuses_bad_input(total, weights, integer):
    with pytest.raises(PlanError):
        spread(total, weights, integer=integer)


@given(total=st.integers(0, 10_000),
       weights=st.lists(st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)), min_size=1, max_size=24))
def test_spread_always_adds_up_and_stays_within_one_of_the_exact_share(total, weights):
    shares = spread(total, weights)
    assert sum(shares) == total and len(shares) == len(weights)
    values = [w or 0.0 for w in weights]
    if sum(values) == 0:
        values = [1.0] * len(values)
    for s, w in zip(shares, values, strict=True):
        exact = total * w / sum(values)
        assert exact - 1 < s < exact + 1
