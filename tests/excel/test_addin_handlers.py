"""Ribbon handlers run end to end against workbook files (FileBook), as in Excel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from support.deck import AS_OF, REP, write_deck_master
from support.masterfactory import write_master
from support.workbooks import error_cells, process_table, same

from xlsales import InputError, ValidationError, build, read_master
from xlsales.excel import handlers, ribbon
from xlsales.excel.books import MARK_AUTHOR, FileBook
from xlsales.excel.ribbon_spec import buttons


def test_every_button_has_a_handler_and_every_handler_a_button():
    for lang in ("ja", "en"):
        assert sorted(b["id"] for b in buttons(lang)) == sorted(ribbon.HANDLERS)


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
    outcome = ribbon.run_button("xsValidate", FileBook(master, out), lang="ja")
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
    again = ribbon.run_button("xsValidate", FileBook(tmp_path / "fixed.xlsx", tmp_path / "again.xlsx"), lang="en")
    assert again.problems == []
    log2 = openpyxl.load_workbook(tmp_path / "again.xlsx")["活動ログ"]
    assert log2["B3"].comment is None and log2["F4"].comment is None


@pytest.fixture
def deck_file(tmp_path):
    return write_deck_master(tmp_path / "master.xlsx")


@pytest.mark.libreoffice
def test_refresh_writes_the_same_sheets_as_build(deck_file, tmp_path, recalc):
    out = tmp_path / "refreshed.xlsx"
    ribbon.run_button("xsRefresh", FileBook(deck_file, out), lang="ja", as_of=AS_OF)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["チーム", REP, "田中 花子"]
    assert {"活動ログ", "メンバー", "目標", "設定", "ベンチマーク"} <= set(wb.sheetnames)
    _assert_same_as_build(recalc(out), deck_file, tmp_path)
    # the user's log kept every typed value; the table only gained hidden helper columns
    before = _values(deck_file)["活動ログ"]
    after = _values(out)["活動ログ"]
    assert [row[:9] for row in after] == [row[:9] for row in before]


def _assert_same_as_build(refreshed, master_file, tmp_path):
    assert error_cells(refreshed) == []
    built = build(read_master(master_file), tmp_path / "built", as_of=AS_OF)
    for sheet in ("チーム", REP, "田中 花子"):
        got, want = process_table(refreshed, sheet), process_table(built.team, sheet)
        assert got.keys() == want.keys()
        for lab in want:
            assert all(same(a, b) for a, b in zip(got[lab], want[lab])), (sheet, lab, got[lab], want[lab])


@pytest.mark.libreoffice
def test_a_second_refresh_rewrites_the_helper_columns(deck_file, tmp_path, recalc):
    """Helper columns left by an earlier refresh (maybe an older xlsales) get today's formulas and values."""
    first = tmp_path / "first.xlsx"
    ribbon.run_button("xsRefresh", FileBook(deck_file, first), lang="ja", as_of=AS_OF)
    wb = openpyxl.load_workbook(first)
    ws = wb["活動ログ"]
    table = ws.tables["ActivityLog"]
    for i, col in enumerate(table.tableColumns, start=1):
        if col.name in ("直前順序", "作成時の直前"):  # an old formula, and stale history values
            if col.calculatedColumnFormula is not None:
                col.calculatedColumnFormula.attr_text = "0"
            for r in range(2, ws.max_row + 1):
                ws.cell(r, i, "=0" if col.calculatedColumnFormula is not None else 0)
    stale = tmp_path / "stale.xlsx"
    wb.save(stale)
    second = tmp_path / "second.xlsx"
    ribbon.run_button("xsRefresh", FileBook(stale, second), lang="ja", as_of=AS_OF)
    columns = {c.name: c for c in openpyxl.load_workbook(second)["活動ログ"].tables["ActivityLog"].tableColumns}
    assert columns["直前順序"].calculatedColumnFormula.attr_text.startswith("IF(")
    _assert_same_as_build(recalc(second), deck_file, tmp_path)


def test_refresh_refuses_rows_formulas_could_not_count(tmp_path):
    master = write_master(tmp_path / "m.xlsx", log_rows=[
        {"date": "2026/7/1", "rep": "山田 太郎", "activity": "訪問", "customer": "A社"},
        {"date": dt.date(2026, 7, 2), "rep": "山田 太郎", "activity": "商談○", "customer": "B社", "amount": 5},
    ])
    with pytest.raises(ValidationError) as err:
        ribbon.run_button("xsRefresh", FileBook(master, tmp_path / "out.xlsx"), lang="ja", as_of=AS_OF)
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
    outcome = ribbon.run_button("xsMonthly", FileBook(deck_file), lang="ja", month=dt.date(2026, 12, 1))
    folder = deck_file.parent / "xlsales_2026-12"
    assert sorted(p.parent for p in outcome.paths) == [folder] * 3
    person = next(p for p in outcome.paths if REP in p.name)
    assert process_table(person, REP)["売上"][-1] == 350


def test_unknown_button():
    with pytest.raises(KeyError):
        ribbon.run_button("nope", None)


class _AlertingBook(FileBook):
    """A FileBook that records message boxes, standing in for the workbook in Excel."""

    alerts: list[str] = []

    def alert(self, text, lang):
        _AlertingBook.alerts.append(text)


@pytest.mark.parametrize("lang, expect", [("ja", "問題に印を付け"), ("en", "Marked")])
def test_on_ribbon_reports_in_a_message_box(tmp_path, monkeypatch, lang, expect):
    xw = pytest.importorskip("xlwings")
    master = write_master(tmp_path / "m.xlsx", log_rows=[
        {"date": "7/1", "rep": "山田 太郎", "activity": "訪問", "customer": "A社"}])
    monkeypatch.setenv("XLSALES_LANG", lang)
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: master))
    monkeypatch.setattr(ribbon, "XlwingsBook", _AlertingBook)
    _AlertingBook.alerts = []
    ribbon.on_ribbon("xsValidate")
    assert len(_AlertingBook.alerts) == 1 and expect in _AlertingBook.alerts[0]


def test_on_ribbon_never_shows_a_traceback(tmp_path, monkeypatch):
    xw = pytest.importorskip("xlwings")
    master = write_master(tmp_path / "m.xlsx", log_rows=[
        {"date": dt.date(2026, 7, 1), "rep": "誰か", "activity": "訪問", "customer": "A社"}])
    monkeypatch.setenv("XLSALES_LANG", "ja")
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: master))
    monkeypatch.setattr(ribbon, "XlwingsBook", _AlertingBook)
    _AlertingBook.alerts = []
    ribbon.on_ribbon("xsRefresh")  # a rep not on the members sheet: a ValidationError
    assert "2行目" in _AlertingBook.alerts[0] and "Traceback" not in _AlertingBook.alerts[0]

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(ribbon.HANDLERS, "xsValidate", broken)
    ribbon.on_ribbon("xsValidate")
    assert "ZeroDivisionError" in _AlertingBook.alerts[1] and "Traceback" not in _AlertingBook.alerts[1]


JULY = dt.date(2026, 7, 1)


@pytest.mark.parametrize("answers, month", [
    (["2026-07"], JULY), (["2026/7"], JULY), (["2026/07"], JULY), (["2026年7月"], JULY), (["R8.7"], JULY),
    (["令和8年7月"], JULY), ([" 2026-07 "], JULY), (["2026/7/15"], JULY),
    ([False], None), ([None], None),  # Cancel: Excel's Application.InputBox returns False
    (["7月", "2026-07"], JULY), (["", "2026-7"], JULY), (["2026-13", False], None),
])
def test_the_month_is_asked_until_it_reads(answers, month):
    asked = []

    def prompt(message, default):
        asked.append((message, default))
        return answers[len(asked) - 1]

    assert handlers.ask_month(prompt, "ja", today=dt.date(2026, 8, 3)) == month
    assert len(asked) == len(answers)
    assert asked[0] == ("配布する月を入力してください（例 2026-10、2026/10、2026年10月、R8.10）", "2026-07")
    for (message, default), typed in zip(asked[1:], answers):
        # asked again with the answer, the reason and the answer as the new default
        assert f"「{str(typed).strip()}」は月として読めません" in message and default == str(typed).strip()
    if answers[0] == "7月":
        assert "年を含めて 2026-07 の形で" in asked[1][0]


def test_the_month_question_gives_up_after_five_unreadable_answers():
    asked = []
    assert handlers.ask_month(lambda m, d: asked.append(m) or "July", "en", today=dt.date(2026, 8, 3)) is None
    assert len(asked) == 5 and "\u201cJuly\u201d is not a month" in asked[1]


class _PromptingBook(_AlertingBook):
    """The workbook in Excel as the ribbon sees it: message boxes and an input box, recorded."""

    answers: list[object] = []
    prompts: list[str] = []
    alerts: list[str] = []

    def alert(self, text, lang):
        _PromptingBook.alerts.append(text)

    def prompt(self, message, default, lang):
        _PromptingBook.prompts.append(message)
        return _PromptingBook.answers.pop(0)


@pytest.fixture
def excel(monkeypatch):
    """``on_ribbon`` against a workbook file standing in for the workbook open in Excel."""
    xw = pytest.importorskip("xlwings")
    monkeypatch.setenv("XLSALES_LANG", "ja")
    monkeypatch.setattr(ribbon, "XlwingsBook", _PromptingBook)
    _PromptingBook.alerts, _PromptingBook.prompts = [], []

    def press(button, workbook, answers=()):
        monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: workbook))
        _PromptingBook.answers = list(answers)
        ribbon.on_ribbon(button)
        return _PromptingBook

    return press


def test_only_the_monthly_button_asks_for_a_month(excel, deck_file, tmp_path):
    book = excel("xsValidate", deck_file)
    assert book.prompts == [] and len(book.alerts) == 1
    refreshed = tmp_path / "copy.xlsx"
    refreshed.write_bytes(deck_file.read_bytes())
    book = excel("xsRefresh", refreshed)
    assert book.prompts == [] and len(book.alerts) == 2


def test_cancel_on_the_month_question_does_nothing(excel, deck_file):
    book = excel("xsMonthly", deck_file, answers=[False])
    assert len(book.prompts) == 1 and book.alerts == []
    assert not list(deck_file.parent.glob("xlsales_*"))


def test_an_unreadable_month_is_asked_again_then_built(excel, deck_file):
    book = excel("xsMonthly", deck_file, answers=["12月", "2026年12月"])
    assert len(book.prompts) == 2 and "「12月」は月として読めません" in book.prompts[1]
    folder = deck_file.parent / "xlsales_2026-12"
    assert len(list(folder.glob("*.xlsx"))) == 3 and str(folder) in book.alerts[-1]


@pytest.mark.parametrize("fullname, folder", [
    ("https://contoso-my.sharepoint.com/personal/a_contoso_com/Documents/master.xlsx", None),
    ("https://d.docs.live.net/abc123/営業/master.xlsx", None),
    ("Book1", None),  # never saved
    ("", None),
    ("/Users/sato/営業/master.xlsx", "/Users/sato/営業"),
])
def test_a_workbook_folder_only_when_it_is_on_this_computer(fullname, folder):
    assert handlers.local_folder(fullname) == (None if folder is None else Path(folder))


def test_monthly_books_of_a_workbook_on_onedrive_go_to_documents(deck_file, tmp_path):
    book = FileBook(deck_file)
    book.folder = None  # as XlwingsBook sets it for an https full name
    outcome = handlers.monthly_books(book, month=dt.date(2026, 12, 1), lang="en", documents=tmp_path / "Documents")
    folder = tmp_path / "Documents" / "xlsales" / "2026-12"
    assert sorted(p.parent for p in outcome.paths) == [folder] * 3
    assert "OneDrive/SharePoint" in outcome.message and str(folder) in outcome.message


def test_the_file_button_runner_refuses_a_hostile_package_before_openpyxl_reads_it(tmp_path):
    """`xlsales addin run` opens files with openpyxl: the reader's package checks come first."""
    import zipfile

    from xlsales.excel.books import FileBook

    bomb = tmp_path / "laughs.xlsx"
    lol = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    with zipfile.ZipFile(bomb, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?>' + lol + "<Types>&b;</Types>")
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
    with pytest.raises(InputError) as err:
        FileBook(bomb)
    assert err.value.key == "input_xml_dtd" and "[Content_Types].xml" in err.value.message("en")


def _master_with_addresses(deck_file, folder):
    import dataclasses

    from xlsales import write_master as write_master_file
    master = read_master(deck_file)
    master.members = [dataclasses.replace(master.members[0], email="sato@example.jp"), master.members[1]]
    return write_master_file(folder / "マスター.xlsx", master, lang="ja") or folder / "マスター.xlsx"


def test_mail_writes_drafts_beside_the_master_and_lists_who_got_none(deck_file, tmp_path):
    import email
    import email.policy
    path = _master_with_addresses(deck_file, tmp_path)
    outcome = ribbon.run_button("xsMail", FileBook(path), lang="ja", month=dt.date(2026, 12, 1))
    folder = tmp_path / "xlsales_2026-12"
    assert [p.parent for p in outcome.paths] == [folder] and outcome.paths[0].suffix == ".eml"
    assert str(folder) in outcome.message and "田中 花子: メンバーシートにメールアドレスがありません" in outcome.message
    msg = email.message_from_bytes(outcome.paths[0].read_bytes(), policy=email.policy.default)
    assert msg["To"].addresses[0].addr_spec == "sato@example.jp" and msg["X-Unsent"] == "1"
    (att,) = list(msg.iter_attachments())
    assert att.get_content() == (folder / att.get_filename()).read_bytes()
    assert not (folder / "sent.json").exists()  # the button never sends
    assert "xsMail" in ribbon.ASKS_MONTH


def test_mail_asks_for_the_month_like_monthly(excel, deck_file, tmp_path):
    path = _master_with_addresses(deck_file, tmp_path)
    book = excel("xsMail", path, answers=["2026年12月"])
    assert len(book.prompts) == 1
    assert len(list((tmp_path / "xlsales_2026-12").glob("*.eml"))) == 1 and "下書き" in book.alerts[-1]


def test_checkin_button_writes_the_checkin_sheet_first_with_live_figures(deck_file, tmp_path, recalc):
    out = tmp_path / "checkin.xlsx"
    # A month before today: as of its last working day (2026-09-30, a Wednesday).
    book = FileBook(deck_file, out)
    outcome = handlers.checkin_book(book, month=dt.date(2026, 9, 1), lang="ja", today=dt.date(2026, 10, 5))
    book.save()
    assert outcome.changed and "2026-09-30" in outcome.message and "月末" in outcome.message
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "チェックイン" and "xsCheckin" in ribbon.ASKS_MONTH
    assert wb["チェックイン"]["B2"].value.date() == dt.date(2026, 9, 30)
    again = tmp_path / "again.xlsx"  # pressed twice: one check-in sheet, replaced
    book = FileBook(out, again)
    handlers.checkin_book(book, month=dt.date(2026, 9, 1), lang="ja", today=dt.date(2026, 10, 5))
    book.save()
    assert [n for n in openpyxl.load_workbook(again).sheetnames if "チェックイン" in n] == ["チェックイン"]
    recalculated = recalc(again)
    assert error_cells(recalculated) == []
    # Its sales actual is the deck's orders of the month up to the as-of date, counted here from the master's log.
    master = read_master(deck_file)
    sold = sum(ev.amount or 0 for ev in master.events
               if ev.activity == "order" and dt.date(2026, 9, 1) <= ev.date <= dt.date(2026, 9, 30))
    ws = openpyxl.load_workbook(recalculated, data_only=True)["チェックイン"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "売上")
    assert ws.cell(row, 4).value == pytest.approx(sold) and sold > 0


@pytest.mark.libreoffice
def test_plan_button_writes_the_plan_sheet_first_with_live_figures(tmp_path, recalc):
    # The deck's inputs on 設定 (annual target 6,720, unit price 70, rates 50/80/62.5/12.8%, list 1.25).
    settings = {"annual_target": 6720, "unit_price": 70, "win_rate": 0.5, "deal_rate": 0.8, "topic_rate": 0.625,
                "appointment_rate": 0.128, "list_rate": 1.25}
    master = write_master(tmp_path / "m.xlsx", members=["佐藤 健太"], settings=settings, log_rows=[
        {"date": dt.date(2026, 5, 8), "rep": "佐藤 健太", "activity": "訪問", "customer": "A社"}])
    out = tmp_path / "planned.xlsx"
    book = FileBook(master, out)
    # From January on, the plan is the next fiscal year's.
    outcome = handlers.plan_book(book, lang="ja", today=dt.date(2027, 1, 10))
    book.save()
    assert outcome.changed and "2027年度" in outcome.message and "xsPlan" not in ribbon.ASKS_MONTH
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "年間計画" and wb["年間計画"]["A1"].value.startswith("年間計画　2027年度")
    again = tmp_path / "again.xlsx"  # pressed twice: one plan sheet, replaced
    book = FileBook(out, again)
    ribbon.run_button("xsPlan", book, lang="ja")
    assert [n for n in openpyxl.load_workbook(again).sheetnames if "年間計画" in n] == ["年間計画"]
    recalculated = recalc(out)
    assert error_cells(recalculated) == []
    ws = openpyxl.load_workbook(recalculated, data_only=True)["年間計画"]
    chain = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 40)}
    # 6,720 ÷ 70 = 96; ÷ 0.5 = 192; ÷ 0.8 = 240; ÷ 0.625 = 384; ÷ 0.128 = 3,000; ÷ 1.25 = 2,400
    assert [chain[k] for k in ("受注件数", "商談化件数", "話題化件数", "訪問件数", "フォロー件数", "リスト件数")] == \
        [96, 192, 240, 384, 3000, 2400]


def test_checkin_asks_for_this_month(excel, deck_file, tmp_path):
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(deck_file.read_bytes())
    book = excel("xsCheckin", copy, answers=[None])
    assert len(book.prompts) == 1 and "チェックイン" in book.prompts[0] and book.alerts == []  # Cancel: nothing


def test_evaluate_writes_the_evaluation_workbook_beside_the_master(deck_file, tmp_path):
    from xlsales.write.evaluation import write_evaluation

    outcome = handlers.evaluation_book(FileBook(deck_file), lang="ja", today=dt.date(2027, 1, 15))
    [path] = outcome.paths
    assert path.parent == deck_file.parent and path.name == "人事評価_2026-04_2026-12.xlsx"
    assert "2026-04〜2026-12" in outcome.message and str(deck_file.parent) in outcome.message
    # the same workbook xlsales evaluate writes
    expected = write_evaluation(read_master(deck_file), tmp_path / "cli", today=dt.date(2027, 1, 15)).workbook
    assert _values(path) == _values(expected)
    assert openpyxl.load_workbook(path).sheetnames[:2] == ["評価", "評価設定"]


def test_evaluate_of_a_workbook_on_onedrive_goes_to_documents(deck_file, tmp_path):
    book = FileBook(deck_file)
    book.folder = None
    outcome = handlers.evaluation_book(book, lang="en", today=dt.date(2027, 1, 15), documents=tmp_path / "Documents")
    assert [p.parent for p in outcome.paths] == [tmp_path / "Documents" / "xlsales"]
    assert "Evaluation_2026-04_2026-12.xlsx" == outcome.paths[0].name and "no folder" in outcome.message


def test_evaluate_asks_nothing_and_reports_in_a_message_box(excel, deck_file):
    book = excel("xsEvaluate", deck_file)
    assert book.prompts == [] and len(book.alerts) == 1 and "人事評価" in book.alerts[0]
