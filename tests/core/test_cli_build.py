"""End to end through the command line: master file in, workbooks out (or nothing out)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from click.testing import CliRunner
from support.deck import AS_OF, DECK_TABLE, REP, write_deck_master
from support.masterfactory import write_master
from support.workbooks import error_cells, process_table, same, value_diffs

from xlsales import cli


@pytest.fixture
def deck_master(tmp_path):
    return write_deck_master(tmp_path / "master.xlsx")


def _invoke(*args):
    return CliRunner().invoke(cli.cli, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.libreoffice
def test_build_from_a_master_file_gives_the_deck(deck_master, tmp_path, recalc):
    out = tmp_path / "out"
    result = _invoke("build", deck_master, "--out", out, "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert any("チーム" in f for f in files) and any(REP in f for f in files) and len(files) == 3
    person = next(p for p in out.iterdir() if REP in p.name)
    recalculated = recalc(person)
    table = process_table(recalculated, REP)
    for lab, expected in DECK_TABLE.items():
        assert all(same(e, g) for e, g in zip(expected, table[lab])), (lab, table[lab])
    assert value_diffs(person, recalculated) == [] and error_cells(recalculated) == []


def test_validate_exit_codes_and_messages(tmp_path):
    clean = write_master(tmp_path / "ok.xlsx", log_rows=[{"date": dt.date(2026, 7, 1), "rep": "山田 太郎",
                                                        "activity": "フォロー", "customer": "A社"}])
    assert _invoke("validate", clean).exit_code == 0
    bad = write_master(tmp_path / "bad.xlsx", log_rows=[
        {"date": "7/1", "rep": "山田 太郎", "activity": "訪問", "customer": "A社"},
        {"date": dt.date(2026, 7, 2), "rep": "誰か", "activity": "訪問", "customer": "A社"},
        {"date": dt.date(2026, 7, 3), "rep": "山田 太郎", "activity": "受注", "customer": "B社", "amount": "abc"},
    ])
    ja = _invoke("validate", bad)
    assert ja.exit_code == 1
    for row in ("2行目", "3行目", "4行目"):
        assert row in ja.output
    assert "bad.xlsx に 3 件の問題" in ja.output  # the file, then each problem's sheet, row and column
    en = _invoke("validate", bad, "--lang", "en")
    assert en.exit_code == 1 and "row 2" in en.output and "row 4" in en.output
    assert "3 problem(s) found in bad.xlsx" in en.output


def test_build_writes_nothing_when_a_row_is_bad(tmp_path):
    bad = write_master(tmp_path / "bad.xlsx", log_rows=[
        {"date": dt.date(2026, 7, 1), "rep": "山田 太郎", "activity": "謎の区分", "customer": "A社"}])
    out = tmp_path / "out"
    result = _invoke("build", bad, "--out", out, "--as-of", "2026-07-31")
    assert result.exit_code == 1 and "謎の区分" in result.output and "bad.xlsx の入力に 1 件の問題" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_skip_bad_rows_builds_and_lists_them_in_the_team_workbook(tmp_path):
    import openpyxl

    master = write_master(tmp_path / "m.xlsx", log_rows=[
        {"date": dt.date(2026, 7, 1), "rep": "山田 太郎", "activity": "訪問", "customer": "A社"},
        {"date": dt.date(2026, 7, 2), "rep": "山田 太郎", "activity": "謎の区分", "customer": "A社"},
    ])
    out = tmp_path / "out"
    result = _invoke("build", master, "--out", out, "--as-of", "2026-07-31", "--skip-bad-rows")
    assert result.exit_code == 0, result.output
    team = next(p for p in out.iterdir() if "チーム" in p.name)
    wb = openpyxl.load_workbook(team)
    skipped = wb["除外した行"]
    assert [c.value for c in skipped[1]] == ["シート", "行", "列", "理由"]
    assert skipped.cell(2, 2).value == 3 and "謎の区分" in skipped.cell(2, 4).value
    person = next(p for p in out.iterdir() if "山田" in p.name)
    assert "除外した行" not in openpyxl.load_workbook(person).sheetnames


def test_build_with_a_crm_csv_in_shift_jis(tmp_path):
    master = write_master(tmp_path / "m.xlsx", log_rows=[])
    log = tmp_path / "crm.csv"
    with open(log, "w", encoding="cp932", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["日付", "担当者", "区分", "顧客", "金額"])
        w.writerow(["2026/7/1", "山田 太郎", "訪問", "Ａ社", ""])
        w.writerow(["2026/7/2", "山田 太郎", "受注", "Ａ社", "１２０"])
    out = tmp_path / "out"
    result = _invoke("build", master, "--out", out, "--as-of", "2026-07-31", "--log", log)
    assert result.exit_code == 0, result.output
    person = next(p for p in out.iterdir() if "山田" in p.name)
    table = process_table(person, "山田 太郎")
    july = 4 - 1 + 1  # fiscal year from April: benchmark, 4月, 5月, 6月, 7月
    assert table["訪問件数"][july] == 1 and table["売上"][july] == 120


def test_new_writes_a_master_that_validates(tmp_path):
    path = tmp_path / "blank.xlsx"
    assert _invoke("new", path).exit_code == 0
    assert _invoke("validate", path).exit_code == 0
    assert _invoke("new", path).exit_code != 0  # never overwrites without --force


def test_demo_runs_with_no_input(tmp_path):
    result = _invoke("demo", "--out", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "マスター.xlsx").is_file()
    books = list((tmp_path / "demo" / "workbooks").glob("*.xlsx"))
    assert len(books) == 11  # all reps', the two teams' (営業1課, 営業2課) and 8 reps'
    assert {"目標プロセス_チーム_2026-12.xlsx", "目標プロセス_チーム_営業1課_2026-12.xlsx",
            "目標プロセス_チーム_営業2課_2026-12.xlsx"} <= {p.name for p in books}
    for name in ("目標プロセス_チーム_営業1課_2026-12.xlsx", "目標プロセス_チーム_営業2課_2026-12.xlsx"):
        assert name in result.output  # the CLI lists every file it wrote
    sato = next(p for p in books if "佐藤 健太" in p.name)
    table = process_table(sato, "佐藤 健太")
    # Fiscal year from April: July..December are columns 4..9 (after the benchmark).
    for lab, expected in DECK_TABLE.items():
        if lab in ("売上目標", "売上", "受注件数", "訪問件数", "フォロー件数", "当月ボツ件数", "話題件数", "商談△金額"):
            assert all(same(e, g) for e, g in zip(expected[1:7], table[lab][4:10])), (lab, table[lab])


@pytest.mark.libreoffice
def test_demo_team_workbook_recalculates_to_its_cached_values(tmp_path, recalc):
    """At the demo's scale (8 reps, ~26,000 log rows): every cell, as written and recalculated."""
    import xlsales
    from xlsales.demo import DEMO_AS_OF

    result = xlsales.build(xlsales.demo_master(), tmp_path / "out", as_of=DEMO_AS_OF)
    recalculated = recalc(result.team)
    assert value_diffs(result.team, recalculated) == []
    assert error_cells(recalculated) == []


def test_a_log_longer_than_an_excel_sheet_is_refused_before_any_work(tmp_path):
    from xlsales.validate.master import MAX_LOG_ROWS

    assert MAX_LOG_ROWS == 1_048_576 - 1  # Excel's rows a sheet, less the table's header row
    master = write_master(tmp_path / "m.xlsx", log_rows=[])
    log = tmp_path / "crm.csv"
    line = "2026/7/1,山田 太郎,フォロー\n"
    with open(log, "w", encoding="utf-8", newline="") as fh:
        fh.write("日付,担当者,区分\n")
        fh.write(line * (MAX_LOG_ROWS + 1))
    out = tmp_path / "out"
    for lang, fragments in (("ja", ["1,048,576 行", "1,048,575 行", "年度ごと", "チームごと", "crm.csv"]),
                            ("en", ["1,048,576 rows", "1,048,575", "fiscal year", "by team", "crm.csv"])):
        result = _invoke("build", master, "--out", out, "--log", log, "--lang", lang)
        assert result.exit_code != 0
        for fragment in fragments:
            assert fragment in result.output, (fragment, result.output)
    assert not out.exists() or not any(out.iterdir())
