"""The 回収 (Collect) button: the returned workbooks merged into the workbook open in Excel.

Run against workbook files (``FileBook``, and ``on_ribbon`` with a stand-in for Excel's
dialogs); the rows the button appends are compared with what ``xlsales collect`` adds
for the same files, each computed on its own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from support.models import events

import xlsales
from xlsales import Master, Member, Settings
from xlsales.collect.master import collect
from xlsales.excel import ribbon
from xlsales.excel.books import FileBook
from xlsales.excel.xlwings_book import picked_paths
from xlsales.write.master import write_master

SATO, TANAKA = "佐藤 健太", "田中 花子"
AS_OF = dt.date(2026, 7, 31)
MASTER_ID = "0b5f3a52-8c7e-4d0b-9a51-2f0e6a7c1d42"


@pytest.fixture
def mailed(tmp_path):
    """A master file, and the per-person workbooks built from it (as mailed)."""
    rows = [dict(date=dt.date(2026, 7, d), rep=rep, activity="visit", customer=f"{c}社")
            for d, rep, c in [(1, SATO, "A"), (2, SATO, "B"), (3, TANAKA, "C"), (6, TANAKA, "D")]]
    master = Master(events=events(rows), members=[Member(SATO, "東京"), Member(TANAKA, "東京")],
                    settings=Settings(master_id=MASTER_ID))
    path = write_master(tmp_path / "master.xlsx", master)
    result = xlsales.build(xlsales.read_master(path), tmp_path / "out", as_of=AS_OF)
    return path, result.people


def _returned(book: Path, rows: list[list[object]], out: Path, *, edit: dict | None = None) -> Path:
    """What a rep does in Excel: rows typed under the last one (ID left blank), a cell changed."""
    wb = openpyxl.load_workbook(book)
    ws = wb["活動ログ"]
    last = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value is not None)
    for i, values in enumerate(rows, start=last + 1):
        for j, v in enumerate(values, start=2):
            if v is not None:
                cell = ws.cell(i, j, v)
                if isinstance(v, str):
                    cell.data_type = "s"  # typed text, never a formula
    for (r, c), v in (edit or {}).items():
        ws.cell(r, c, v)
    wb.save(out)
    return out


def _rows(path: Path) -> list[tuple]:
    m = xlsales.read_master(path)
    return [(e.id, e.date, e.rep, e.activity, e.customer, e.amount, e.lost_reason, e.close_month, e.note)
            for e in m.events]


@pytest.fixture
def returned(mailed, tmp_path):
    master, people = mailed
    sato = _returned(people[SATO], [[dt.date(2026, 7, 20), SATO, "訪問", "新規社", None, None, None, "初訪問"],
                                    [dt.date(2026, 8, 5), SATO, "受注", "B社", 150],
                                    [dt.date(2026, 7, 21), TANAKA, "訪問", "X社"],  # another rep's row: refused
                                    [dt.date(2026, 9, 30), SATO, "訪問", "遅い社"]],  # outside the window
                     tmp_path / "sato.xlsx", edit={(2, 5): "A社 本店"})  # a sent row changed: a conflict
    tanaka = _returned(people[TANAKA], [[dt.date(2026, 7, 28), TANAKA, "商談△", "E社", 80, None, "2026-09"]],
                       tmp_path / "tanaka.xlsx")
    return master, [sato, tanaka]


def test_the_button_appends_what_collect_adds_and_a_second_press_adds_nothing(returned, tmp_path):
    master, files = returned
    before = master.read_bytes()
    cli = collect(master, files, out=tmp_path / "collected.xlsx")
    want = _rows(cli.out)[4:]
    assert [(r[2], r[4]) for r in want] == [(SATO, "新規社"), (SATO, "B社"), (TANAKA, "E社")]

    out = tmp_path / "pressed.xlsx"
    outcome = ribbon.run_button("xsCollect", FileBook(master, out), lang="ja", files=files)
    assert master.read_bytes() == before and outcome.paths == [out]
    got = _rows(out)
    assert got[:4] == _rows(master)  # the rows already there are as they were
    assert got[4:] == want  # the same rows, IDs included, as xlsales collect adds
    lines = outcome.message.splitlines()
    assert lines[0] == "sato.xlsx（佐藤 健太、2026-07）: 追加 2、変更なし 1、競合 1、拒否 2"
    assert lines[1] == "tanaka.xlsx（田中 花子、2026-07）: 追加 1、変更なし 2、競合 0、拒否 0"
    assert "1 件の競合" in lines[2] and "回収ログ" in lines[-1] and "3 行を追加" in lines[-1]

    wb = openpyxl.load_workbook(out)
    table = wb["活動ログ"].tables["ActivityLog"]
    assert table.ref == "A1:I8"  # the table grew over the new rows
    log = wb["回収ログ"]
    assert [c.value for c in log[1]][:4] == ["日時", "回収者", "ファイル", "担当者"]
    body = [[c.value for c in row] for row in log.iter_rows(min_row=2)]
    assert [row[2:9] for row in body] == [["sato.xlsx", SATO, "2026-07", 2, 1, 1, 2],
                                          ["tanaka.xlsx", TANAKA, "2026-07", 1, 2, 0, 0]]
    note = body[0][9]
    assert "A社 本店" in note and "X社" not in note and "2026-07-01〜2026-08-31" in note  # details, by reason
    assert note.count("\n") == 2  # one line each: the other rep's row, the late row, the conflict
    # nothing changed in the master's other sheets
    src = openpyxl.load_workbook(master)
    for name in src.sheetnames:
        if name != "活動ログ":
            assert [[c.value for c in r] for r in wb[name].iter_rows()] == \
                [[c.value for c in r] for r in src[name].iter_rows()], name

    again_out = tmp_path / "again.xlsx"
    again = ribbon.run_button("xsCollect", FileBook(out, again_out), lang="ja", files=files)
    assert not again.changed and again.paths == [] and not again_out.exists()
    assert "追加 0" in again.message and "ブックは変更していません" in again.message


def test_the_collect_log_grows_and_the_rows_are_text_as_typed(mailed, tmp_path):
    master, people = mailed
    first = _returned(people[SATO], [[dt.date(2026, 7, 20), SATO, "訪問", "=HYPERLINK(\"http://x\")"]],
                      tmp_path / "first.xlsx")
    once = tmp_path / "once.xlsx"
    ribbon.run_button("xsCollect", FileBook(master, once), lang="en", files=[first])
    second = _returned(people[TANAKA], [[dt.date(2026, 7, 22), TANAKA, "訪問", "+1"]], tmp_path / "second.xlsx")
    twice = tmp_path / "twice.xlsx"
    outcome = ribbon.run_button("xsCollect", FileBook(once, twice), lang="en", files=[second])
    assert outcome.message.splitlines()[0] == "second.xlsx (田中 花子, 2026-07): added 1, unchanged 2, conflicts 0, " \
                                              "refused 0"
    log = openpyxl.load_workbook(twice)["Collect log"]
    assert [row[2].value for row in log.iter_rows(min_row=2)] == ["first.xlsx", "second.xlsx"]
    # the look of xlsales collect's 回収ログ: the header bold on dark blue and frozen, 日時 a
    # date-time shown to the minute (the first row's kept a date-time), 備考 wrapped
    assert all(c.font.b and c.fill.fgColor.rgb == "FF1F3864" for c in log[1]) and log.freeze_panes == "A2"
    assert all(isinstance(log.cell(r, 1).value, dt.datetime) for r in (2, 3))
    assert {log.cell(r, 1).number_format for r in (2, 3)} == {"yyyy-mm-dd hh:mm"}
    assert log.cell(2, 10).alignment.wrap_text and log.column_dimensions["J"].width >= 60
    assert [e.customer for e in xlsales.read_master(twice).events[4:]] == ["=HYPERLINK(\"http://x\")", "+1"]
    ws = openpyxl.load_workbook(twice)["活動ログ"]
    assert [ws.cell(r, 5).data_type for r in (6, 7)] == ["s", "s"]  # text cells, no formula


def test_a_refused_file_adds_nothing_and_says_why(mailed, tmp_path):
    master, _ = mailed
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    outcome = ribbon.run_button("xsCollect", FileBook(master, tmp_path / "x.xlsx"), lang="en", files=[junk])
    assert not outcome.changed and not (tmp_path / "x.xlsx").exists()
    assert "junk.xlsx" in outcome.message.splitlines()[0] and "unchanged" in outcome.message.splitlines()[-1]


class _ExcelStandin(FileBook):
    """The workbook in Excel as the ribbon sees it: the Open dialog and message boxes, recorded."""

    picked: list[Path] | None = None
    asked: int = 0
    alerts: list[str] = []

    def ask_files(self, lang):
        _ExcelStandin.asked += 1
        return _ExcelStandin.picked

    def alert(self, text, lang):
        _ExcelStandin.alerts.append(text)


@pytest.fixture
def excel(monkeypatch):
    xw = pytest.importorskip("xlwings")
    monkeypatch.setenv("XLSALES_LANG", "ja")
    monkeypatch.setattr(ribbon, "XlwingsBook", _ExcelStandin)
    _ExcelStandin.alerts, _ExcelStandin.asked = [], 0

    def press(workbook, picked):
        monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: workbook))
        _ExcelStandin.picked = picked
        ribbon.on_ribbon("xsCollect")
        return _ExcelStandin

    return press


@pytest.mark.parametrize("cancel", [None, []])
def test_cancel_in_the_open_dialog_does_nothing(excel, returned, cancel):
    master, _ = returned
    book = excel(master, cancel)
    assert book.asked == 1 and book.alerts == []
    assert sorted(p.name for p in master.parent.glob("*.xlsx")) == ["master.xlsx", "sato.xlsx", "tanaka.xlsx"]


def test_the_button_in_excel_asks_for_files_and_reports_in_a_message_box(excel, returned):
    master, files = returned
    book = excel(master, files)
    assert book.asked == 1 and len(book.alerts) == 1
    assert "追加 2" in book.alerts[0] and "回収ログ" in book.alerts[0]
    saved = master.with_name("master_xlsales.xlsx")  # FileBook's default output stands for "Excel, unsaved"
    assert len(_rows(saved)) == 7


@pytest.mark.parametrize("answer, paths", [
    (False, None),  # Cancel: GetOpenFilename returns False
    (("C:\\in\\a.xlsx", "C:\\in\\b.eml"), [Path("C:\\in\\a.xlsx"), Path("C:\\in\\b.eml")]),
    ("/Users/sato/a.xlsx", [Path("/Users/sato/a.xlsx")]),
    ([type("Alias", (), {"path": "/Users/sato/b.msg"})()], [Path("/Users/sato/b.msg")]),  # a Mac's aliases
    ((), None),
])
def test_what_the_open_dialog_returns_becomes_paths(answer, paths):
    assert picked_paths(answer) == paths
