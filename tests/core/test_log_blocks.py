"""A team workbook's log holds each rep's rows together; each rep's sheet counts over its
block of rows while every row of the rep is in it, and over the whole table when not.

The figures must not depend on which of the two it does: after a row changes hands, after
the manager sorts the log, the recalculated sheets equal what an independent count of the
rows gives.
"""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest
from support.models import master
from support.workbooks import error_cells, process_table, value_diffs

from xlsales import Settings, build

D = dt.date
AS_OF = D(2026, 8, 31)
REPS = ["山田 太郎", "鈴木*一郎", "佐藤 花子"]
SETTINGS = Settings(period_start=D(2026, 7, 1), period_months=3)
LOG = "活動ログ"


def _rows():
    # The reps' rows interleaved day by day, as a master's log is: no rep's rows together.
    rows = []
    for d in range(1, 29):
        for r, rep in enumerate(REPS):
            month = 7 + d % 2
            day = D(2026, month, d)
            if (d + r) % 3 != 0:
                rows.append(dict(date=day, rep=rep, activity="visit", customer=f"訪問{d}"))
            rows.append(dict(date=day, rep=rep, activity="follow", customer="見込"))
            if d % 7 == r:
                rows.append(dict(date=day, rep=rep, activity="order", customer=f"受注{d}", amount=10 * (r + 1) + d))
    return rows


ROWS = _rows()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(master(ROWS, REPS, settings=SETTINGS), tmp_path_factory.mktemp("blocks"), as_of=AS_OF, lang="ja")


def _count(rows, rep, activity, month):
    return sum(1 for r in rows if r["rep"] == rep and r["activity"] == activity and r["date"].month == month)


def _log_rows(path):
    ws = openpyxl.load_workbook(path)[LOG]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_col=9)]


def test_the_team_log_holds_each_reps_rows_together_in_the_masters_order(built):
    got = [(row[2], row[4], row[1].date()) for row in _log_rows(built.team)]
    # Independently: rep by rep in the members' order, each rep's rows as the master lists them.
    want = [(r["rep"], r["customer"], r["date"]) for rep in REPS for r in ROWS if r["rep"] == rep]
    assert got == want


def test_each_reps_sheet_checks_its_block_and_counts_over_it(built):
    wb = openpyxl.load_workbook(built.team)
    first = 2
    for rep, sheet in zip(REPS, ("山田 太郎", "鈴木_一郎", "佐藤 花子")):
        n = sum(1 for r in ROWS if r["rep"] == rep)
        block = f"'{LOG}'!$C${first}:$C${first + n - 1}"
        ws = wb[sheet]
        assert ws["K2"].value == "集計行"
        criterion = '"=' + rep.replace("*", "~*") + '"'
        assert ws["L2"].value == f"=--(COUNTIF(ActivityLog[担当者],{criterion})=COUNTIF({block},{criterion}))"
        visits = [ws.cell(r, 3).value for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "訪問件数"][0]
        assert visits.startswith('=IF(C$5>$D$2,"",IF($L$2,COUNTIFS(' + block + ",")
        assert visits.count("ActivityLog[担当者]") == 1  # the whole table: only when the check fails
        first += n
    # The team's own sheet counts every rep: the whole table, no check.
    assert wb["チーム"]["L2"].value is None
    assert not any("$L$2" in str(c.value) for row in wb["チーム"].iter_rows() for c in row)
    # A rep's own workbook holds only the rep's rows: no block, no check.
    person = openpyxl.load_workbook(built.people[REPS[0]])[REPS[0]]
    assert person["L2"].value is None and person["K2"].value is None


@pytest.mark.libreoffice
def test_as_built_every_block_holds_and_the_figures_are_the_cached_ones(built, recalc):
    after = recalc(built.team)
    assert value_diffs(built.team, after) == []
    assert error_cells(after) == []
    wb = openpyxl.load_workbook(after, data_only=True)
    assert [wb[s]["L2"].value for s in ("山田 太郎", "鈴木_一郎", "佐藤 花子")] == [1, 1, 1]


def _rewrite_log(src, out, rows):
    """The team workbook with the log table's body replaced by ``rows`` (lists of cell values
    or formulas, as openpyxl reads them with formulas), the rest as it was."""
    wb = openpyxl.load_workbook(src)
    ws = wb[LOG]
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            ws.cell(i, j, value)
    wb.save(out)
    return out


def _body(path):
    ws = openpyxl.load_workbook(path)[LOG]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=len(ROWS) + 1)]


@pytest.mark.libreoffice
def test_a_row_that_changes_hands_is_counted_for_its_new_rep(built, recalc, tmp_path):
    # The first of 山田's visits in July is typed over as 佐藤's: it now stands in 山田's block.
    body = _body(built.team)
    k = next(i for i, row in enumerate(body) if row[2] == REPS[0] and row[3] == "訪問" and row[1].month == 7)
    body[k][2] = REPS[2]
    after = recalc(_rewrite_log(built.team, tmp_path / "moved.xlsx", body))
    wb = openpyxl.load_workbook(after, data_only=True)
    # 山田's rows are all still in 山田's block; 佐藤 has a row outside theirs: the whole table.
    assert [wb[s]["L2"].value for s in ("山田 太郎", "鈴木_一郎", "佐藤 花子")] == [1, 1, 0]
    edited = [dict(r) for r in ROWS]
    moved = [r for r in edited if r["rep"] == REPS[0] and r["activity"] == "visit" and r["date"].month == 7][0]
    moved["rep"] = REPS[2]
    for rep, sheet in zip(REPS, ("山田 太郎", "鈴木_一郎", "佐藤 花子")):
        table = process_table(after, sheet)
        assert table["訪問件数"][1:3] == [_count(edited, rep, "visit", 7), _count(edited, rep, "visit", 8)], rep
        assert table["フォロー件数"][1:3] == [_count(edited, rep, "follow", 7), _count(edited, rep, "follow", 8)]
    assert process_table(after, "佐藤 花子")["訪問件数"][1] == _count(ROWS, REPS[2], "visit", 7) + 1
    assert error_cells(after) == []


@pytest.mark.libreoffice
def test_after_the_manager_sorts_the_log_by_date_the_figures_stay(built, recalc, tmp_path):
    body = _body(built.team)
    body.sort(key=lambda row: (row[1], row[0]))  # by date, then ID: the reps interleaved again
    after = recalc(_rewrite_log(built.team, tmp_path / "sorted.xlsx", body))
    wb = openpyxl.load_workbook(after, data_only=True)
    assert [wb[s]["L2"].value for s in ("山田 太郎", "鈴木_一郎", "佐藤 花子")] == [0, 0, 0]
    as_built = {s: process_table(built.team, s) for s in ("チーム", "山田 太郎", "鈴木_一郎", "佐藤 花子")}
    for sheet, want in as_built.items():
        got = process_table(after, sheet)
        for label in ("売上", "受注件数", "訪問件数", "フォロー件数", "前年同月売上"):
            assert got[label] == want[label], (sheet, label)
    # And independently of the build: 売上 of each rep in August.
    for rep, sheet in zip(REPS, ("山田 太郎", "鈴木_一郎", "佐藤 花子")):
        sales = sum(r["amount"] for r in ROWS if r["rep"] == rep and r["activity"] == "order" and r["date"].month == 8)
        assert process_table(after, sheet)["売上"][2] == pytest.approx(sales)
    assert error_cells(after) == []


def test_the_ribbon_refresh_writes_no_blocks_into_the_masters_log_order():
    # The ribbon's 更新 puts the sheets into the master, whose log is in the user's order.
    from xlsales.layout.workbook import layout_workbook

    model = layout_workbook(master(ROWS, REPS, settings=SETTINGS), REPS, as_of=AS_OF, lang="ja", team=True,
                            blocks_on=False)
    texts = [c.formula or "" for s in model.sheets[:4] for c in s.cells.values()]
    assert not any(re.search(r"活動ログ'!\$[A-Z]+\$\d+:", t) for t in texts)
    assert any("COUNTIFS(ActivityLog[担当者]" in t for t in texts)


# ----------------------------------------------------------------------------------
# Above LIVE_ROWS log rows, the company-wide workbooks are values (layout.values).
# ----------------------------------------------------------------------------------

TEAMS = {"山田 太郎": "東京", "鈴木*一郎": "東京", "佐藤 花子": "大阪"}


def _teams_master():
    from dataclasses import replace

    m = master(ROWS, REPS, settings=SETTINGS)
    m.members = [replace(x, team=TEAMS[x.rep]) for x in m.members]
    return m


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    import xlsales.layout.workbook as workbook_layout

    folder = tmp_path_factory.mktemp("company")
    live = build(_teams_master(), folder / "live", as_of=AS_OF, lang="ja")
    saved = workbook_layout.LIVE_ROWS
    workbook_layout.LIVE_ROWS = len(ROWS) - 1  # this log is "too big"
    try:
        frozen = build(_teams_master(), folder / "values", as_of=AS_OF, lang="ja")
    finally:
        workbook_layout.LIVE_ROWS = saved
    return live, frozen


def _all_formulas(path):
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in wb for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")}


def test_above_the_limit_the_company_workbook_holds_values_and_no_log(company):
    live, frozen = company
    wb = openpyxl.load_workbook(frozen.team)
    assert LOG not in wb.sheetnames and "ActivityLog" not in {n for n in wb.defined_names}
    formulas = _all_formulas(frozen.team)
    assert not [k for k, f in formulas.items() if "ActivityLog" in f or "活動ログ" in f]
    # What only reads other cells stays live: achievements, totals, チーム別's sums.
    assert any(k[0] == "チーム別" for k in formulas) and any("SUM(" in f for f in formulas.values())
    # Same figures as the live workbook, on every shared sheet.
    for sheet in ("チーム", "山田 太郎", "鈴木_一郎", "佐藤 花子"):
        assert process_table(frozen.team, sheet) == process_table(live.team, sheet), sheet
    note = wb["チーム"]["A3"].value
    assert f"ログが {len(ROWS):,} 行" in note and "数式ではありません" in note
    assert "集計行" not in {c.value for ws in wb for row in ws.iter_rows(max_row=2) for c in row}
    # The teams' and reps' workbooks keep their live formulas over their own log.
    for path in (*frozen.teams.values(), *frozen.people.values()):
        assert LOG in openpyxl.load_workbook(path).sheetnames
        assert any("ActivityLog[" in f for f in _all_formulas(path).values()), path


@pytest.mark.libreoffice
def test_the_values_workbook_recalculates_to_its_values(company, recalc):
    _, frozen = company
    after = recalc(frozen.team)
    assert value_diffs(frozen.team, after) == []
    assert error_cells(after) == []


def test_above_the_limit_the_team_checkin_and_the_evaluation_are_values_too(monkeypatch, tmp_path):
    import xlsales.layout.evaluation as evaluation_layout
    import xlsales.layout.workbook as workbook_layout
    from xlsales import write_evaluation
    from xlsales.write.checkin import write_checkins

    monkeypatch.setattr(workbook_layout, "LIVE_ROWS", len(ROWS) - 1)
    monkeypatch.setattr(evaluation_layout, "LIVE_ROWS", len(ROWS) - 1)
    m = _teams_master()
    checkins = write_checkins(m, tmp_path / "checkin", as_of=AS_OF, lang="ja")
    evaluation = write_evaluation(m, tmp_path / "evaluation", today=AS_OF, lang="ja")
    for path in (checkins.team, evaluation.paths[0]):
        wb = openpyxl.load_workbook(path)
        assert LOG not in wb.sheetnames, path
        assert not [k for k, f in _all_formulas(path).items() if "ActivityLog" in f or "活動ログ" in f], path
    notes = [c.value for ws in openpyxl.load_workbook(checkins.team) for row in ws.iter_rows(max_row=8) for c in row
             if isinstance(c.value, str) and "数式ではありません" in c.value]
    assert notes and f"{len(ROWS):,} 行" in notes[0]
    for path in checkins.people.values():  # each rep's check-in stays live
        assert LOG in openpyxl.load_workbook(path).sheetnames
