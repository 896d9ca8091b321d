"""Ribbon handlers run end to end against workbook files (FileBook), as in Excel."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from deck import AS_OF, REP
from masterfactory import write_master
from test_cli_build import _deck_rows
from workbooks import error_cells, process_table, same

from xlsales import addin
from xlsales._addin_build import buttons
from xlsales._books import MARK_AUTHOR, FileBook
from xlsales._build import build
from xlsales._validate import read_master
from xlsales.exceptions import InputError, ValidationError


def test_every_button_has_a_handler_and_every_handler_a_button():
    for lang in ("ja", "en"):
        assert sorted(b["id"] for b in buttons(lang)) == sorted(addin.HANDLERS)


def _values(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_validate_marks_bad_cells_lists_them_and_changes_no_value(tmp_path):
    master = write_master(tmp_path / "m.xlsx", log_rows=[
        {"date": dt.date(2026, 7, 1), "rep": "山田 太郎", "activity": "訪問", "customer": "A社"},
        {"date": "7/1", "rep": "山田 太郎", "activity": "訪問", "customer": "A社"},
        {"date": dt.date(2026, 7, 2), "rep": "山田 太郎", "activity": "受注", "customer": "B社", "amount": -5},
    ])
    out = tmp_path / "checked.xlsx"
    outcome = addin.run_button("xsValidate", FileBook(master, out), lang="ja")
    assert len(outcome.problems) == 2
    before, after = _values(master), _values(out)
    for sheet, rows in before.items():
        assert after[sheet] == rows, sheet  # not one typed value changed
    wb = openpyxl.load_workbook(out)
    log = wb["活動ログ"]
    assert log["B3"].comment.author == MARK_AUTHOR and "3行目" in log["B3"].comment.text
    assert log["B3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert log["F4"].comment is not None and log["B2"].comment is None
    results = wb["検証結果"]
    assert [results.cell(r, 2).value for r in (2, 3)] == [3, 4]
    assert master.read_bytes() == master.read_bytes() and out != master

    # Fix the rows and check again: the old marks go away.
    fixed = openpyxl.load_workbook(out)
    fixed["活動ログ"]["B3"] = dt.datetime(2026, 7, 1)
    fixed["活動ログ"]["F4"] = 5
    fixed.save(tmp_path / "fixed.xlsx")
    again = addin.run_button("xsValidate", FileBook(tmp_path / "fixed.xlsx", tmp_path / "again.xlsx"), lang="en")
    assert again.problems == []
    log2 = openpyxl.load_workbook(tmp_path / "again.xlsx")["活動ログ"]
    assert log2["B3"].comment is None and log2["F4"].comment is None


@pytest.fixture
def deck_file(tmp_path):
    from deck import BENCHMARK, TARGETS

    from xlsales._vocab import label

    return write_master(
        tmp_path / "master.xlsx", log_rows=_deck_rows(), members=[REP, "田中 花子"],
        targets=[{"rep": REP, "month": f"2026-{m:02d}", "sales_target": v} for m, v in TARGETS.items()],
        settings={"period_start": "2026-07", "period_months": 6},
        benchmark=[{"rep": None, "item": label("row", k), "value": v} for k, v in BENCHMARK.items()],
    )


@pytest.mark.libreoffice
def test_refresh_writes_the_same_sheets_as_build(deck_file, tmp_path, recalc):
    out = tmp_path / "refreshed.xlsx"
    addin.run_button("xsRefresh", FileBook(deck_file, out), lang="ja", as_of=AS_OF)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["チーム", REP, "田中 花子"]
    assert {"活動ログ", "メンバー", "目標", "設定", "ベンチマーク"} <= set(wb.sheetnames)
    refreshed = recalc(out)
    assert error_cells(refreshed) == []
    built = build(read_master(deck_file), tmp_path / "built", as_of=AS_OF)
    for sheet in ("チーム", REP, "田中 花子"):
        got, want = process_table(refreshed, sheet), process_table(built.team, sheet)
        assert got.keys() == want.keys()
        for lab in want:
            assert all(same(a, b) for a, b in zip(got[lab], want[lab])), (sheet, lab, got[lab], want[lab])
    # the user's log kept every typed value; the table only gained hidden helper columns
    before = _values(deck_file)["活動ログ"]
    after = _values(out)["活動ログ"]
    assert [row[:9] for row in after] == [row[:9] for row in before]


def test_refresh_refuses_rows_formulas_could_not_count(tmp_path):
    master = write_master(tmp_path / "m.xlsx", log_rows=[
        {"date": "2026/7/1", "rep": "山田 太郎", "activity": "訪問", "customer": "A社"},
        {"date": dt.date(2026, 7, 2), "rep": "山田 太郎", "activity": "商談○", "customer": "B社", "amount": 5},
    ])
    with pytest.raises(ValidationError) as err:
        addin.run_button("xsRefresh", FileBook(master, tmp_path / "out.xlsx"), lang="ja", as_of=AS_OF)
    assert {p.row for p in err.value.problems} == {2, 3}
    assert not (tmp_path / "out.xlsx").exists()


def test_file_adapter_refuses_what_it_would_lose(deck_file, tmp_path):
    built = build(read_master(deck_file), tmp_path / "built", as_of=AS_OF)  # has a chart
    with pytest.raises(InputError) as err:
        FileBook(built.team, tmp_path / "x.xlsx")
    assert "charts" in err.value.message("en")
    with pytest.raises(InputError):
        FileBook(deck_file, deck_file)  # never overwrites the original


def test_monthly_writes_the_workbooks_beside_the_master(deck_file, tmp_path):
    outcome = addin.run_button("xsMonthly", FileBook(deck_file), lang="ja", month=dt.date(2026, 12, 1))
    folder = deck_file.parent / "xlsales_2026-12"
    assert sorted(p.parent for p in outcome.paths) == [folder] * 3
    person = next(p for p in outcome.paths if REP in p.name)
    assert process_table(person, REP)["売上"][-1] == 350


def test_unknown_button():
    with pytest.raises(KeyError):
        addin.run_button("nope", None)
