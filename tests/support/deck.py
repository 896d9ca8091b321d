"""The deck's table (sales-process-deck.ja.txt, 「プロセスと結果の集計」) as a test fixture.

``deck_log()`` is an activity log written by hand so that DOMAIN.md §5's rules give
exactly the deck's figures for 2026-07..12 with the as-of date 2026-12-31.
``DECK_TABLE`` is the deck's table as printed, with one correction: the 受注単価 total
is 350 / 8 = 43.75 (the deck shows #DIV/0!), and the deck's #DIV/0! cells are blank.
"""

from __future__ import annotations

import datetime as dt

REP = "佐藤 健太"
AS_OF = dt.date(2026, 12, 31)
MONTHS = [dt.date(2026, m, 1) for m in range(7, 13)]
TARGETS = {7: 500, 8: 350, 9: 610, 10: 600, 11: 400, 12: 800}
BENCHMARK = {
    "sales_target": 560, "sales": 560, "orders": 8, "open_amount": 280, "open_count": 4,
    "deal_a_amount": 140, "deal_a_count": 2, "deal_b_amount": 700, "deal_b_count": 10,
    "topic_amount": 210, "topic_count": 3, "lost": 5, "visits": 32, "follows": 250,
}

# (month, day, activity key, customer, amount, lost reason, close month "YYYY-MM" or None)
_STAGE_EVENTS = [
    (6, 5, "topic", "E社", 40, None, "2026-07"),
    (6, 10, "deal_b", "B社", 100, None, "2026-07"),
    (6, 12, "topic", "I社", 50, None, "2026-07"),
    (6, 15, "deal_b", "M社", 60, None, "2026-07"),
    (7, 3, "deal_a", "A社", 100, None, "2026-07"),
    (7, 6, "deal_b", "C社", 80, None, "2026-07"),
    (7, 7, "deal_b", "D社", 70, None, None),
    (7, 8, "deal_b", "H社", 50, None, "2026-07"),
    (7, 9, "topic", "F社", 35, None, None),
    (7, 10, "topic", "G社", 25, None, "2026-07"),
    (7, 14, "order", "I社", 50, None, None),
    (7, 15, "order", "K社", 40, None, None),
    (7, 16, "order", "L社", 30, None, None),
    (7, 17, "lost", "M社", None, "now", None),
    (7, 20, "topic", "N社", 20, None, "2026-07"),
    (7, 22, "lost", "N社", None, "forever", None),
    (7, 24, "deal_b", "P社", 90, None, "2026-08"),
    (7, 27, "topic", "Q社", 60, None, "2026-08"),
    (8, 4, "deal_a", "Q社", 70, None, "2026-08"),
    (8, 5, "deal_b", "R社", 30, None, "2026-08"),
    (8, 5, "deal_b", "S社", 30, None, "2026-08"),
    (8, 6, "topic", "T社", 70, None, "2026-08"),
    (8, 18, "order", "U社", 50, None, None),
    (8, 19, "order", "V社", 30, None, None),
    (8, 20, "topic", "W社", 60, None, "2026-09"),
    (8, 21, "deal_b", "X社", 40, None, "2026-09"),
    (9, 8, "order", "W社", 60, None, None),
    (9, 9, "order", "X社", 40, None, None),
    (9, 10, "deal_b", "Y社", 70, None, "2026-09"),
    (9, 11, "topic", "J社", 80, None, "2026-09"),
    (9, 14, "topic", "O社", 60, None, "2026-09"),
    (9, 15, "topic", "Z社", 40, None, "2026-09"),
    (10, 5, "deal_a", "ア社", 60, None, "2026-10"),
    (10, 6, "deal_b", "イ社", 60, None, "2026-10"),
    (10, 7, "deal_b", "ウ社", 40, None, "2026-10"),
    (10, 8, "topic", "エ社", 50, None, "2026-10"),
    (10, 13, "order", "オ社", 50, None, None),
    (10, 20, "topic", "カ社", 70, None, "2026-11"),
    (10, 21, "topic", "キ社", 30, None, "2026-12"),
]


def deck_log() -> list[dict]:
    """The rep's log as rows of key -> value, in date order (same-date rows as listed)."""
    rows = []
    for m, d, act, cust, amount, reason, close in _STAGE_EVENTS:
        rows.append(dict(date=dt.date(2026, m, d), rep=REP, activity=act, customer=cust, amount=amount,
                         lost_reason=reason, close_month=close))
    # July: 150 follow-ups (Mon-Wed) and 20 visits (Thu/Fri), 3.. of each per day.
    july = [dt.date(2026, 7, d) for d in range(1, 32)]
    follow_days = [d for d in july if d.weekday() < 3]
    visit_days = [d for d in july if d.weekday() in (3, 4)]
    for n in range(150):
        day = follow_days[n % len(follow_days)]
        rows.append(dict(date=day, rep=REP, activity="follow", customer=f"見込{n % 40:02d}社"))
    for n in range(20):
        day = visit_days[n % len(visit_days)]
        rows.append(dict(date=day, rep=REP, activity="visit", customer=f"訪問先{n:02d}社"))
    return sorted(rows, key=lambda r: r["date"])  # stable: same-date rows keep their order


# The deck's table: row label -> (benchmark, 7月..12月, 合計); None = a blank cell.
DECK_TABLE = {
    "売上目標": (560, 500, 350, 610, 600, 400, 800, 3260),
    "売上": (560, 120, 80, 100, 50, 0, 0, 350),
    "売上達成率": (1.0, 120 / 500, 80 / 350, 100 / 610, 50 / 600, 0.0, 0.0, 350 / 3260),
    "受注件数": (8, 3, 2, 2, 1, 0, 0, 8),
    "受注単価": (70, 40, 40, 50, 50, None, None, 43.75),
    "月初の商談金額": (280, 250, 150, 100, 0, 70, 30, 600),
    "月初の商談件数": (4, 4, 2, 2, 0, 1, 1, 10),
    "商談◯金額": (140, 100, 70, 0, 60, 0, 0, 230),
    "商談◯件数": (2, 1, 1, 0, 1, 0, 0, 3),
    "商談△金額": (700, 300, 150, 70, 100, 0, 0, 620),
    "商談△件数": (10, 4, 3, 1, 2, 0, 0, 10),
    "話題金額": (210, 100, 70, 180, 50, 70, 30, 500),
    "話題件数": (3, 3, 1, 3, 1, 1, 1, 10),
    "当月ボツ件数": (5, 2, 0, 0, 0, 0, 0, 2),
    "訪問件数": (32, 20, 0, 0, 0, 0, 0, 20),
    "フォロー件数": (250, 150, 0, 0, 0, 0, 0, 150),
}
# The deck names the largest three of July; the rest follow the same rule.
DECK_NAMES_JULY = {"商談◯1": "A社", "商談△1": "B社", "商談△2": "C社", "商談△3": "D社",
                   "話題1": "E社", "話題2": "F社", "話題3": "G社"}


def write_deck_master(path):
    """The deck's log, targets, settings and benchmark as a master workbook file (ja)."""
    from support.masterfactory import write_master
    from xlsales.texts import label

    rows = [{"date": r["date"], "rep": r["rep"], "activity": label("activity", r["activity"]),
             "customer": r.get("customer"), "amount": r.get("amount"),
             "lost_reason": label("lost_reason", r["lost_reason"]) if r.get("lost_reason") else None,
             "close_month": r.get("close_month")} for r in deck_log()]
    return write_master(
        path, log_rows=rows, members=[REP, "田中 花子"],
        targets=[{"rep": REP, "month": f"2026-{m:02d}", "sales_target": v} for m, v in TARGETS.items()],
        settings={"period_start": "2026-07", "period_months": 6},
        benchmark=[{"rep": None, "item": label("row", k), "value": v} for k, v in BENCHMARK.items()],
    )
