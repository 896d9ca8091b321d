"""The 累計 and 前年 rows of the target/process sheet (issue 14 §3), recalculated by LibreOffice.

Every expected figure is computed here from the log rows and targets the test writes:
fiscal years, month sums and ratios by hand, not by xlsales.  Each workbook is
recalculated by LibreOffice; its values must equal the expected ones, and the values
xlsales cached must equal LibreOffice's.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from support.models import master
from support.workbooks import error_cells, process_table, value_diffs

from xlsales import Settings, build

D = dt.date
REPS = ["山田 太郎", "佐藤 花子"]
ROWS = ("累計売上目標", "累計売上", "累計達成率", "前年同月売上", "前年比")
NO_LAST_YEAR = "前年度のログがないため前年比は空欄です。"


def _months(first: dt.date, n: int) -> list[dt.date]:
    out = []
    y, m = first.year, first.month
    for _ in range(n):
        out.append(D(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _fy(m: dt.date) -> int:  # fiscal years start in April: the year of their April
    return m.year if m.month >= 4 else m.year - 1


def _year_earlier(m: dt.date) -> dt.date:
    return D(m.year - 1, m.month, 1)


def _sales(rows: list[dict], reps: list[str], m: dt.date) -> float:
    return sum(r["amount"] for r in rows if r["activity"] == "order" and r["rep"] in reps
               and (r["date"].year, r["date"].month) == (m.year, m.month))


def _ratio(n, d):
    return None if not d else (n or 0) / d


def expected(rows, targets, reps, months, as_of):
    """Row label -> [benchmark, months..., total] of the five rows, as the sheet should show them."""
    future = {m: m > as_of for m in months}
    target = {m: sum(v for (rep, mo), v in targets.items() if rep in reps and mo == m) for m in _months(
        D(_fy(months[0]), 4, 1), 36)}
    fy_start = D(_fy(months[0]), 4, 1)
    before = [m for m in _months(fy_start, 12) if m < months[0]]
    carry_t = sum(target[m] for m in before) if before else None
    carry_s = sum(_sales(rows, reps, m) for m in before if m <= as_of) if before else None
    cum_t, cum_s, cum_a = [], [], []
    run_t, run_s = carry_t or 0, carry_s or 0
    for m in months:
        if m.month == 4:  # a new fiscal year starts from nothing
            run_t = run_s = 0
        run_t += target[m]
        run_s += _sales(rows, reps, m)
        cum_t.append(run_t)
        cum_s.append(None if future[m] else run_s)
        cum_a.append(None if future[m] else _ratio(run_s, run_t))
    years_with_rows = {_fy(r["date"]) for r in rows if r["rep"] in reps}
    has_last = {m: _fy(m) - 1 in years_with_rows for m in months}
    last = [(_sales(rows, reps, _year_earlier(m)) if has_last[m] and not future[m] else None) for m in months]
    sales = [None if future[m] else _sales(rows, reps, m) for m in months]
    yoy = [None if s is None or ly is None else _ratio(s, ly) for s, ly in zip(sales, last)]
    like_for_like = any(has_last.values()) and all(has_last[m] for m in months if not future[m])
    last_total = sum(v for v in last if v is not None) if like_for_like else None
    yoy_total = _ratio(sum(v for v in sales if v is not None), last_total) if like_for_like else None
    return {
        "累計売上目標": [carry_t, *cum_t, None],
        "累計売上": [carry_s, *cum_s, None],
        "累計達成率": [None, *cum_a, None],
        "前年同月売上": [None, *last, last_total],
        "前年比": [None, *yoy, yoy_total],
    }, not all(has_last.values())


def _close(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


def _check(result, recalc, rows, targets, months, as_of):
    for path, sheets in ((result.team, {"チーム": REPS, REPS[0]: [REPS[0]], REPS[1]: [REPS[1]]}),
                         (result.people[REPS[0]], {REPS[0]: [REPS[0]]})):
        recalculated = recalc(path)
        assert value_diffs(path, recalculated) == []
        assert error_cells(recalculated) == []
        book = openpyxl.load_workbook(recalculated, data_only=True)
        for sheet, reps in sheets.items():
            want, note = expected(rows, targets, reps, months, as_of)
            got = process_table(recalculated, sheet)
            for row in ROWS:
                assert len(got[row]) == len(want[row])
                bad = [(j, g, w) for j, (g, w) in enumerate(zip(got[row], want[row])) if not _close(g, w)]
                assert bad == [], (sheet, row, bad)
            notes = book[sheet].cell(4, 1).value
            assert (NO_LAST_YEAR in notes) == note, notes
            assert "累計は4月始まりの年度累計です。" in notes


def _order(day, rep, amount, customer="X社"):
    return dict(date=day, rep=rep, activity="order", customer=customer, amount=amount)


@pytest.mark.libreoffice
def test_a_view_from_july_carries_april_to_june_in(recalc, tmp_path):
    # Last fiscal year (FY2025) has rows, but orders only in July and September 2025:
    # the other months of last year are 0 and their 前年比 blank.
    rows = [
        dict(date=D(2025, 6, 3), rep=REPS[0], activity="visit", customer="古い社"),
        _order(D(2025, 7, 10), REPS[0], 40), _order(D(2025, 9, 1), REPS[1], 25),
        _order(D(2025, 9, 30), REPS[0], 15),
        _order(D(2026, 4, 5), REPS[0], 30), _order(D(2026, 5, 20), REPS[1], 12.5),
        _order(D(2026, 6, 30), REPS[0], 20),  # the last day before the view
        _order(D(2026, 7, 1), REPS[0], 50), _order(D(2026, 7, 31), REPS[1], 10),
        _order(D(2026, 9, 15), REPS[0], 35), _order(D(2026, 10, 2), REPS[0], 5),
        _order(D(2026, 11, 2), REPS[0], 99),  # after the as-of date: a future month
    ]
    targets = {(REPS[0], m): 40 + m.month for m in _months(D(2026, 4, 1), 12)}
    targets[(REPS[1], D(2026, 5, 1))] = 25  # 佐藤 has one target, before the view
    months = _months(D(2026, 7, 1), 6)
    as_of = D(2026, 10, 20)
    m = master(rows, REPS, targets=targets, settings=Settings(period_start=months[0], period_months=6))
    result = build(m, tmp_path / "out", as_of=as_of, lang="ja")
    _check(result, recalc, rows, targets, months, as_of)
    team = process_table(result.team, "チーム")
    # The carried-in values by hand: April–June targets of 山田 (44+45+46) and 佐藤's 25; sales 30+12.5+20.
    assert team["累計売上目標"][0] == 44 + 45 + 46 + 25 and team["累計売上"][0] == 62.5
    assert team["前年同月売上"][1:5] == [40, 0, 40, 0]  # July 40; August none; September 25+15; October none
    assert team["前年比"][1:5] == [60 / 40, None, 35 / 40, None]
    notes = openpyxl.load_workbook(result.team)["チーム"].cell(4, 1).value
    assert "4月〜6月" in notes and "繰越" in notes


@pytest.mark.libreoffice
def test_a_view_crossing_fiscal_years_restarts_in_april(recalc, tmp_path):
    # October 2026 – September 2027.  FY2025 holds no row: October–March have no last year
    # (blank); FY2026 has rows, so April–September 2027 compare with 2026 (0 where no order).
    rows = [
        _order(D(2026, 4, 10), REPS[0], 20), _order(D(2026, 8, 1), REPS[0], 30),
        _order(D(2026, 9, 30), REPS[1], 7),
        _order(D(2026, 10, 1), REPS[0], 11), _order(D(2027, 1, 15), REPS[1], 22),
        _order(D(2027, 3, 31), REPS[0], 33), _order(D(2027, 4, 1), REPS[0], 44),
        _order(D(2027, 5, 31), REPS[1], 4), _order(D(2027, 8, 8), REPS[0], 80),
    ]
    targets = {(rep, m): 10 * (k + 1) for k, rep in enumerate(REPS) for m in _months(D(2026, 4, 1), 24)}
    months = _months(D(2026, 10, 1), 12)
    as_of = D(2027, 6, 10)
    m = master(rows, REPS, targets=targets, settings=Settings(period_start=months[0], period_months=12))
    result = build(m, tmp_path / "out", as_of=as_of, lang="ja")
    _check(result, recalc, rows, targets, months, as_of)
    team = process_table(result.team, "チーム")
    april = 1 + months.index(D(2027, 4, 1))
    assert team["累計売上目標"][april] == 30 and team["累計売上"][april] == 44  # started again
    assert team["累計売上目標"][april - 1] == 30 * 12  # March: the whole fiscal year 2026
    assert team["前年同月売上"][1] is None and team["前年同月売上"][april] == 20
    assert team["前年同月売上"][-1] is None and team["前年比"][-1] is None  # no like-for-like total


@pytest.mark.libreoffice
def test_no_last_year_at_all_leaves_the_rows_blank_and_says_why(recalc, tmp_path):
    rows = [_order(D(2026, 4, 1), REPS[0], 10), _order(D(2026, 5, 1), REPS[1], 20),
            dict(date=D(2026, 5, 2), rep=REPS[0], activity="visit", customer="A社")]
    months = _months(D(2026, 4, 1), 12)
    as_of = D(2026, 5, 31)
    m = master(rows, REPS, settings=Settings())  # no targets: 累計達成率 blank, never #DIV/0!
    result = build(m, tmp_path / "out", as_of=as_of, lang="ja")
    _check(result, recalc, rows, {}, months, as_of)
    team = process_table(result.team, "チーム")
    assert all(v is None for v in team["前年同月売上"] + team["前年比"])
    assert team["累計売上目標"][0] is None  # the view starts with the fiscal year: nothing carried in


def test_the_rows_sit_after_sales_achievement_and_in_english_too(tmp_path):
    m = master([_order(D(2026, 4, 1), REPS[0], 10)], REPS, settings=Settings(period_start=D(2026, 6, 1)))
    result = build(m, tmp_path / "out", as_of=D(2026, 6, 5), lang="en")
    ws = openpyxl.load_workbook(result.team)["Team"]
    labels = [ws.cell(r, 1).value for r in range(6, 16)]
    assert labels[:9] == ["Sales target", "Sales", "Sales achievement", "Sales target, year to date",
                          "Sales, year to date", "Achievement, year to date", "Sales, same month last year",
                          "Sales vs. last year", "Orders"]
    assert ws.cell(9, 2).number_format == '"b/f "#,##0'  # the carried-in value (April–May) says what it is
    assert "Apr–May" in ws.cell(4, 1).value and "No activity log of the previous fiscal year" in ws.cell(4, 1).value


def test_last_year_is_one_sumifs_per_month_without_a_scan_of_the_log(tmp_path):
    rows = [_order(D(2025, 4, 1), REPS[0], 10), _order(D(2026, 4, 1), REPS[0], 10)]
    result = build(master(rows, REPS), tmp_path / "out", as_of=D(2026, 4, 30), lang="ja")
    ws = openpyxl.load_workbook(result.people[REPS[0]])[REPS[0]]
    row = next(r for r in range(1, 40) if ws.cell(r, 1).value == "前年同月売上")
    formula = ws.cell(row, 3).value
    assert formula.count("SUMIFS(") == 1 and "EDATE(C$5,-12)" in formula and "EDATE(C$5,-11)" in formula
    assert "SUMPRODUCT" not in formula and "{" not in formula
    cum = ws.cell(row - 2, 4).value  # 累計売上 of May: April's cumulative plus May's sales
    assert cum == f'=IF(D$5>$D$2,"",N(C{row - 2})+N(D7))'
