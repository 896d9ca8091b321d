"""The reverse plan (逆算, DOMAIN.md §6): from the annual sales target back to the process.

annual target − last year's actual × retention = new sales needed; ÷ order unit price =
orders; ÷ 受注率 = deals; ÷ 商談化率 = topics; ÷ 話題化率 = visits; ÷ アポ率 =
follow-ups; ÷ the list → follow-up ratio = list entries.  Every count is rounded up.
``spread`` then shares an annual figure over the months by last year's pattern.

Counts use the keys of the process targets (``orders``, ``new_deals``, ``new_topics``,
``visits``, ``follows``, ``lists``), so a plan fills ``Target.process`` as it is.

Floating-point noise never costs a whole extra deal: 3 / 0.1 is 30.000000000000004 in
binary floating point, and the plan says 30, not 31 (see :func:`ceil_count`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from xlsales.exceptions import PlanError
from xlsales.texts import check_lang, label, labels

__all__ = ["CHAIN_STEPS", "PLAN_KEYS", "PlanError", "ceil_count", "plan_label", "reverse_plan", "spread"]

# The rows of a plan, in the order of the deck's 年間目標の作成.
PLAN_KEYS: tuple[str, ...] = (
    "sales_target", "retained_sales", "new_sales", "orders", "new_deals", "new_topics", "visits", "follows",
    "lists",
)
# Each step of the chain: (count, the count it comes from, what divides it: the unit price or a rate).
CHAIN_STEPS: tuple[tuple[str, str, str], ...] = (
    ("orders", "new_sales", "unit_price"),
    ("new_deals", "orders", "win_rate"),
    ("new_topics", "new_deals", "deal_rate"),
    ("visits", "new_topics", "topic_rate"),
    ("follows", "visits", "appointment_rate"),
    ("lists", "follows", "list_rate"),
)
# Relative tolerance below which a quotient counts as the whole number it is next to.
_EPSILON = 1e-9


# ----------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------


def reverse_plan(annual_target: float, *, last_year_sales: float | None = 0, retention: float | None = 1.0,
                 unit_price: float, win_rate: float, deal_rate: float, topic_rate: float,
                 appointment_rate: float, list_rate: float | None = None) -> dict[str, float]:
    """The process needed to reach ``annual_target`` (DOMAIN.md §6).

    Parameters
    ----------
    annual_target : float
        The annual sales target (in the amount unit of Settings, e.g. 万円).
    last_year_sales : float, default 0
        Last year's actual sales; blank (None) is 0.
    retention : float, default 1.0
        Share of last year's sales expected again (1.0 = 100%); blank (None) is 1.0.
    unit_price : float
        Order unit price (受注単価).
    win_rate, deal_rate, topic_rate, appointment_rate : float
        受注率 (deal → order), 商談化率 (topic → deal), 話題化率 (visit → topic) and
        アポ率 (follow-up → visit), as fractions (0.25 = 25%).  Rates above 1 are
        allowed (a measured 商談化率 can exceed 1 when deals open without a topic).
    list_rate : float, optional
        List entry → follow-up ratio; without it there is no ``lists`` row.

    Returns
    -------
    dict
        In :data:`PLAN_KEYS` order: ``sales_target``, ``retained_sales`` (last year ×
        retention), ``new_sales`` (target − retained, never below 0), then the counts
        ``orders``, ``new_deals``, ``new_topics``, ``visits``, ``follows`` and, with
        ``list_rate``, ``lists``: each the count before it ÷ its rate, rounded up.

    Raises
    ------
    PlanError
        A ``ValueError`` naming the argument: a rate or the unit price blank, 0 or
        negative; the target, last year's sales or the retention negative.

    Examples
    --------
    >>> plan = reverse_plan(560, unit_price=70, win_rate=0.5, deal_rate=0.8, topic_rate=0.625,
    ...                     appointment_rate=0.128)
    >>> [plan[k] for k in ("orders", "new_deals", "new_topics", "visits", "follows")]
    [8, 16, 20, 32, 250]
    """
    target = _not_negative(annual_target, "annual_target")
    last = _not_negative(0 if last_year_sales is None else last_year_sales, "last_year_sales")
    kept = _not_negative(1.0 if retention is None else retention, "retention")
    rates = {"win_rate": win_rate, "deal_rate": deal_rate, "topic_rate": topic_rate,
             "appointment_rate": appointment_rate, "list_rate": list_rate}
    price = _positive(unit_price, "unit_price")
    for name, rate in rates.items():
        if rate is not None or name != "list_rate":
            _positive(rate, name)
    retained = last * kept
    plan: dict[str, float] = {"sales_target": target, "retained_sales": retained,
                              "new_sales": max(target - retained, 0.0)}
    rates["unit_price"] = price
    for key, before, rate_name in CHAIN_STEPS:
        if rates[rate_name] is not None:
            plan[key] = ceil_count(plan[before] / rates[rate_name])
    return plan


def spread(total: float, weights: Sequence[float | None], *, integer: bool = True) -> list[float]:
    """``total`` shared over periods in proportion to ``weights`` (last year's pattern).

    Parameters
    ----------
    total : float
        The annual figure.
    weights : sequence of float or None
        One weight per period, e.g. last year's sales of each month; None is 0.  When
        every weight is 0 (no pattern), the shares are equal.
    integer : bool, default True
        Whole shares by the largest-remainder method: each period gets the floor of its
        exact share, and the units left go to the largest remainders (ties: the earlier
        period), so the shares add up to ``total`` exactly.  ``total`` must then be a
        whole number.  False: exact proportional shares.

    Returns
    -------
    list of float
        One share per weight (``int`` when ``integer``).

    Raises
    ------
    PlanError
        ``total`` or a weight negative, ``weights`` empty, or ``total`` not whole with
        ``integer``.

    Examples
    --------
    >>> spread(10, [1, 1, 1])
    [4, 3, 3]
    >>> spread(12, [0, 0, 0, 0])
    [3, 3, 3, 3]
    """
    total = _not_negative(total, "total")
    values = [_not_negative(0.0 if w is None else w, "weights") for w in weights]
    if not values:
        raise PlanError("plan_positive", "weights")
    if sum(values) == 0:
        values = [1.0] * len(values)
    if not integer:
        whole = math.fsum(values)
        return [total * w / whole for w in values]
    units = round(total)
    if abs(total - units) > _EPSILON * max(1.0, total):
        raise PlanError("plan_whole", "total")
    # Exact fractions: the shares add up to ``units`` whatever the weights' binary noise.
    exact_weights = [Fraction(w) for w in values]
    whole_weight = sum(exact_weights)
    exact = [units * w / whole_weight for w in exact_weights]
    shares = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[:units - sum(shares)]:
        shares[i] += 1
    return shares


def ceil_count(x: float) -> int:
    """``x`` rounded up to a whole count, ignoring floating-point noise.

    A quotient within a relative 1e-9 of a whole number is that number: 3 / 0.1 =
    30.000000000000004 is 30, while 30.001 is 31.

    Examples
    --------
    >>> ceil_count(3 / 0.1), ceil_count(30.001), ceil_count(26.6)
    (30, 31, 27)
    """
    nearest = round(x)
    if abs(x - nearest) <= _EPSILON * max(1.0, abs(x)):
        return int(nearest)
    return math.ceil(x)


def plan_label(key: str, lang: str = "ja") -> str:
    """The text of a plan row (a :data:`PLAN_KEYS` key) in ``lang``."""
    lang = check_lang(lang)
    # The plan's own rows (labels.json section "plan"); the counts are the process rows.
    own = labels("plan", lang)
    return own[key] if key in own else label("row", key, lang)


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------


def _number(value: object, name: str, key: str) -> float:
    # bool is an int in Python, but TRUE is not a rate.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PlanError(key, name)
    return float(value)


def _positive(value: object, name: str) -> float:
    number = _number(value, name, "plan_positive")
    if number <= 0:
        raise PlanError("plan_positive", name)
    return number


def _not_negative(value: object, name: str) -> float:
    number = _number(value, name, "plan_not_negative")
    if number < 0:
        raise PlanError("plan_not_negative", name)
    return number
