"""Generated workbooks: live formulas that LibreOffice recalculates to the cached values."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from support.models import master
from support.workbooks import all_xml_text, error_cells, formulas, function_names, process_table, value_diffs

from xlsales import Settings, build

D = dt.date
AS_OF = D(2026, 8, 15)  # mid-August: September–December are future months
REPS = ["山田 太郎", "O'Brien 花子", "鈴木*一郎"]
# Names that break naive criteria: wildcards, tilde, quotes, case, and formula-like text.
TRICKY = ["A*社", "A社", "B?社", "B1社", "~C社", "abc", "ABC", '"Q"社', "=1+1", "+81-3", "-x社", "@SUM(A1)"]


def _rows():
    rows = []
    for r, rep in enumerate(REPS):
        for i, cust in enumerate(TRICKY):
            day = D(2026, 7, 1 + i)
            rows.append(dict(date=day, rep=rep, activity="topic", customer=cust, amount=10 + i + r,
                             close_month="2026-08" if i % 2 else None))
            if i % 3 == 0:
                rows.append(dict(date=day, rep=rep, activity="deal_b", customer=cust, amount=20 + i))
            if i % 4 == 1:
                rows.append(dict(date=D(2026, 8, 3), rep=rep, activity="lost", customer=cust, lost_reason="now"))
            if i % 5 == 2:
                rows.append(dict(date=D(2026, 8, 5), rep=rep, activity="order", customer=cust, amount=33.3))
        for d in range(1, 20):
            rows.append(dict(date=D(2026, 7, d), rep=rep, activity="follow", customer="見込"))
            rows.append(dict(date=D(2026, 8, d % 15 + 1), rep=rep, activity="visit", customer=f"訪問{d}"))
        rows.append(dict(date=D(2026, 9, 2), rep=rep, activity="visit", customer="未来"))  # after the as-of date
    rows.append(dict(date=D(2026, 8, 10), rep=REPS[0], activity="lost", customer="abc", lost_reason="forever"))
    return rows


@pytest.fixture(scope="module")
def tricky(tmp_path_factory):
    m = master(_rows(), REPS, targets={(REPS[0], D(2026, 7, 1)): 100, (REPS[0], D(2026, 9, 1)): 80},
               settings=Settings(period_start=D(2026, 7, 1), period_months=6))
    return build(m, tmp_path_factory.mktemp("tricky"), as_of=AS_OF, lang="ja")


@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["team", 0, 1, 2])
def test_recalculation_equals_cached_values(tricky, recalc, which):
    path = tricky.team if which == "team" else tricky.people[REPS[which]]
    recalculated = recalc(path)
    assert value_diffs(path, recalculated) == []
    assert error_cells(recalculated) == []


def test_future_months_show_no_actuals(tricky):
    table = process_table(tricky.people[REPS[0]], REPS[0])
    # Columns: benchmark, Jul..Dec, total.  September onward is after the as-of month.
    for label in ("売上", "受注件数", "訪問件数", "フォロー件数", "話題化件数", "売上達成率", "アポ率"):
        assert table[label][3:7] == [None] * 4, label
    assert table["訪問件数"][2] == 19  # August counts
    assert table["売上目標"][3] == 80  # targets of future months are shown
    assert table["受注単価"][1] is None  # July: no orders -> blank, not #DIV/0!


def test_header_holds_month_dates_total_and_as_of(tricky):
    ws = openpyxl.load_workbook(tricky.team)["チーム"]
    head = [ws.cell(5, c).value for c in range(1, 10)]
    assert head[1] == "プロセスのベンチマーク" and head[-1] == "合計"
    assert [h.date() for h in head[2:8]] == [D(2026, m, 1) for m in range(7, 13)]
    labels = {ws.cell(r, c).value: (r, c) for r in range(1, 4) for c in range(1, 12)}
    r, c = labels["基準日"]
    assert ws.cell(r, c + 1).value.date() == AS_OF


def test_only_portable_functions_and_no_iferror(tricky):
    allowed = {"IF", "N", "OR", "AND", "SUM", "SUMIFS", "COUNTIFS", "COUNTIF", "EOMONTH", "EDATE", "ISNUMBER", "DATE",
               "YEAR", "MONTH", "INT", "ROW", "ROWS", "MATCH", "INDEX", "SUBSTITUTE", "MAX", "MOD", "CHAR",
               "_xlfn.MAXIFS",
               # the check-in sheet's working days (Excel 2007+, LibreOffice: EXCEL-NOTES.md)
               "NETWORKDAYS", "MIN",
               # the 年間計画 sheet's rounding and its live explanations (Excel 2007+, LibreOffice; its
               # TEXT codes #,##0, 0%, 0.0%, 0.00 and #,##0.00 compute alike: tests/core/test_plan_sheet.py)
               "ROUND", "ROUNDUP", "TEXT"}
    used = set()
    for path in tricky.paths:
        for _, _, f in formulas(path):
            used |= function_names(f)
    assert used <= allowed, used - allowed
    assert "SUMIFS" in used and "COUNTIFS" in used


def test_text_from_the_log_is_never_a_formula(tricky):
    wb = openpyxl.load_workbook(tricky.people[REPS[0]])
    log = wb["活動ログ"]
    seen = {}
    for row in log.iter_rows(min_row=2):
        cust = row[4]
        if cust.value in ("=1+1", "+81-3", "-x社", "@SUM(A1)"):
            seen[cust.value] = cust.data_type
    assert seen == {"=1+1": "s", "+81-3": "s", "-x社": "s", "@SUM(A1)": "s"}


def test_person_workbook_holds_only_that_reps_data(tricky):
    for rep, path in tricky.people.items():
        text = all_xml_text(path)
        for other in REPS:
            if other != rep:
                escaped = other.replace("'", "&apos;")
                assert other not in text and escaped not in text, (rep, other)
        wb = openpyxl.load_workbook(path)
        reps_in_log = {row[2].value for row in wb["活動ログ"].iter_rows(min_row=2)}
        assert reps_in_log == {rep}
        assert not any(ln.value and "[" in ln.value and ".xls" in ln.value for ln in wb.defined_names.values())
        assert not [n for n in __import__("zipfile").ZipFile(path).namelist()
                    if "externalLink" in n or "vbaProject" in n]


@pytest.mark.libreoffice
def test_rows_a_rep_appends_in_excel_are_counted(tricky, recalc, tmp_path):
    """Append rows to the ActivityLog table as Excel does (calculated columns filled in)."""
    rep = REPS[0]
    path = tricky.people[rep]
    wb = openpyxl.load_workbook(path)
    ws = wb["活動ログ"]
    table = ws.tables["ActivityLog"]
    first, last = table.ref.split(":")
    last_row = ws.max_row
    new_rows = [
        [None, dt.datetime(2026, 8, 14), rep, "訪問", "新規訪問社", None, None, None, None],
        [None, dt.datetime(2026, 8, 14), rep, "受注", "A社", 70, None, None, "追加"],
        [None, dt.datetime(2026, 8, 14), rep, "話題", "新規話題社", 5, None, "2026-08", None],
    ]
    calculated = {i: col.calculatedColumnFormula.attr_text for i, col in enumerate(table.tableColumns)
                  if col.calculatedColumnFormula is not None}
    for n, values in enumerate(new_rows, start=1):
        for c, v in enumerate(values, start=1):
            ws.cell(last_row + n, c, v)
        for i, f in calculated.items():
            ws.cell(last_row + n, i + 1, "=" + f)
    table.ref = f"{first}:{''.join(ch for ch in last if ch.isalpha())}{last_row + len(new_rows)}"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    before = process_table(recalc(path), rep)
    after = process_table(recalc(edited), rep)
    aug = 2
    assert after["訪問件数"][aug] == before["訪問件数"][aug] + 1
    assert after["受注件数"][aug] == before["受注件数"][aug] + 1
    assert after["売上"][aug] == pytest.approx(before["売上"][aug] + 70)
    assert after["話題化件数"][aug] == before["話題化件数"][aug] + 1
    assert after["受注単価"][aug] == pytest.approx(after["売上"][aug] / after["受注件数"][aug])


def test_sheets_print_well_and_look_finished(tricky):
    wb = openpyxl.load_workbook(tricky.team)
    assert wb.sheetnames[0] == "チーム" and wb.sheetnames[1:4] == REPS[:2] + ["鈴木_一郎"]
    ws = wb["チーム"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert ws.page_setup.fitToHeight in (None, 1)  # one page tall (1 is the default): issue 14 §5
    assert ws.print_area.endswith(f"!$A$1:${openpyxl.utils.get_column_letter(ws.max_column)}${ws.max_row}")  # the table
    assert ws.print_title_rows == "$1:$5"
    assert ws.freeze_panes == "C6"
    assert ws.column_dimensions["A"].width >= 20
    # ◯/△/話題 name rows are grouped under their figures
    grouped = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1) if ws.row_dimensions[r].outlineLevel == 1]
    assert {"商談◯1", "商談△3", "話題2"} <= set(grouped)
    # achievement rows are coloured by conditional formats
    rules = [str(rng.sqref) for rng in ws.conditional_formatting]
    assert len(rules) >= 7
    assert ws._charts or __import__("zipfile").ZipFile(tricky.team).namelist().count("xl/charts/chart1.xml")
    # number formats: amounts, percentages, the month header
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    assert ws.cell(labels["売上達成率"], 3).number_format == '[>=1]"◎ "0%;[>=0.8]"◇ "0%;"▼ "0%'  # B/W marks
    assert ws.cell(labels["前年比"], 3).number_format == "0%"
    assert ws.cell(labels["売上"], 3).number_format == "#,##0"
    assert ws.cell(5, 3).number_format == 'm"月"'


# Rows appended after the build that change the history of rows the build wrote.
HISTORY_REPS = ["佐藤", "鈴木"]
HISTORY_BUILT = [
    dict(date=D(2026, 7, 1), rep="佐藤", activity="topic", customer="P社", amount=10),
    dict(date=D(2026, 8, 1), rep="佐藤", activity="deal_b", customer="P社", amount=10),  # new deal in Aug
    dict(date=D(2026, 7, 1), rep="佐藤", activity="topic", customer="Q社", amount=20),
    dict(date=D(2026, 7, 10), rep="佐藤", activity="lost", customer="Q社", lost_reason="now"),
    dict(date=D(2026, 8, 2), rep="佐藤", activity="topic", customer="Q社", amount=20),  # re-opened: new in Aug
    dict(date=D(2026, 7, 1), rep="佐藤", activity="topic", customer="R社", amount=30),
    dict(date=D(2026, 7, 5), rep="佐藤", activity="deal_b", customer="R社", amount=30),
    dict(date=D(2026, 7, 1), rep="佐藤", activity="topic", customer="S社", amount=40),
    dict(date=D(2026, 8, 3), rep="佐藤", activity="deal_a", customer="S社", amount=40),
    dict(date=D(2026, 7, 2), rep="鈴木", activity="topic", customer="P社", amount=50),  # another rep's P社
    dict(date=D(2026, 8, 4), rep="鈴木", activity="deal_b", customer="P社", amount=50),
]
HISTORY_APPENDED = [
    # typed below the table, dated before P社's built August △: that △ now follows a deal, not new
    dict(date=D(2026, 7, 15), rep="佐藤", activity="deal_a", customer="P社", amount=10),
    # re-opened in July instead: Q社's August topic is no longer new
    dict(date=D(2026, 7, 20), rep="佐藤", activity="topic", customer="Q社", amount=20),
    # pasted from R社's first row (its build-time history comes along): still an open deal, not new
    dict(date=D(2026, 8, 4), rep="佐藤", activity="topic", customer="R社", amount=30, paste_from=7),
    # same day as the built ◯, one row lower: a deal after a deal, not new
    dict(date=D(2026, 8, 3), rep="佐藤", activity="deal_b", customer="S社", amount=40),
    # 鈴木's P社 is another opportunity: this re-opens nothing of 佐藤's
    dict(date=D(2026, 7, 3), rep="鈴木", activity="lost", customer="P社", lost_reason="now"),
]


def _append_like_excel(path, rows, out, lang="ja"):
    """Append ``rows`` to the ActivityLog table as Excel does: calculated columns get their
    formula, value columns stay blank, or hold what was copied when a row is pasted."""
    from xlsales.layout.process import LOG_INPUT_KEYS, log_columns
    from xlsales.texts import label

    wb = openpyxl.load_workbook(path)
    ws = wb[label("sheet", "log", lang)]
    table = ws.tables["ActivityLog"]
    first, last = table.ref.split(":")
    last_row = ws.max_row
    names = log_columns(lang).names
    col_of = {c.name: i + 1 for i, c in enumerate(table.tableColumns)}
    calculated = {i + 1: col.calculatedColumnFormula.attr_text for i, col in enumerate(table.tableColumns)
                  if col.calculatedColumnFormula is not None}
    for n, r in enumerate(rows, start=1):
        row = last_row + n
        if "paste_from" in r:  # a copy of a built row (sheet row), then edited
            for c in range(1, len(table.tableColumns) + 1):
                src = ws.cell(r["paste_from"], c).value
                ws.cell(row, c, src)
        values = {"date": dt.datetime.combine(r["date"], dt.time()), "rep": r["rep"],
                  "activity": label("activity", r["activity"], lang), "customer": r.get("customer"),
                  "amount": r.get("amount"),
                  "lost_reason": label("lost_reason", r["lost_reason"], lang) if r.get("lost_reason") else None}
        for key in LOG_INPUT_KEYS:
            ws.cell(row, col_of[names[key]], values.get(key))
        for c, f in calculated.items():
            ws.cell(row, c, "=" + f)
    table.ref = f"{first}:{''.join(ch for ch in last if ch.isalpha())}{last_row + len(rows)}"
    wb.save(out)
    return out


@pytest.mark.libreoffice
def test_appended_rows_that_change_built_history_count_as_a_fresh_build(recalc, tmp_path):
    settings = Settings(period_start=D(2026, 7, 1), period_months=3)
    as_of = D(2026, 8, 31)
    built = build(master(HISTORY_BUILT, HISTORY_REPS, settings=settings), tmp_path / "built", as_of=as_of,
                  lang="ja")
    edited = _append_like_excel(built.team, HISTORY_APPENDED, tmp_path / "edited.xlsx")
    after = recalc(edited)
    appended = [{k: v for k, v in r.items() if k != "paste_from"} for r in HISTORY_APPENDED]
    fresh = build(master(HISTORY_BUILT + appended, HISTORY_REPS, settings=settings), tmp_path / "fresh",
                  as_of=as_of, lang="ja")
    jul, aug = 1, 2
    for sheet in ("チーム", *HISTORY_REPS):
        got, want = process_table(after, sheet), process_table(fresh.team, sheet)
        for row in ("話題化件数", "商談化件数", "受注件数", "当月ボツ件数"):
            assert got[row][1:4] == want[row][1:4], (sheet, row)
    sato = process_table(after, "佐藤")
    # Independently of the engine: new topics P, Q, R, S + Q re-opened in July; new deals R and P (◯) in
    # July, S in August (P's and Q's August events are no longer new, the pasted R row is not new).
    assert sato["話題化件数"][jul:aug + 1] == [5, 0]
    assert sato["商談化件数"][jul:aug + 1] == [2, 1]
    assert process_table(after, "鈴木")["商談化件数"][jul:aug + 1] == [0, 1]
