"""xlsales collect: returned per-person workbooks merged into a new master, nothing lost."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner
from support.models import events
from support.workbooks import add_manager_extras

import xlsales
from xlsales import Master, Member, Settings, cli
from xlsales.collect import master as collect_master
from xlsales.collect.master import collect
from xlsales.exceptions import CollectError
from xlsales.read.cells import read_workbook
from xlsales.write.master import write_master

SATO, TANAKA = "佐藤 健太", "田中 花子"
AS_OF = dt.date(2026, 7, 31)
MASTER_ID = "0b5f3a52-8c7e-4d0b-9a51-2f0e6a7c1d42"
NOW = dt.datetime(2026, 8, 3, 9, 30, 0)


def _master(master_id: str = MASTER_ID, blank_ids: bool = False) -> Master:
    rows = [dict(date=dt.date(2026, 7, d), rep=rep, activity="visit", customer=f"{c}社")
            for d, rep, c in [(1, SATO, "A"), (2, SATO, "B"), (3, TANAKA, "C"), (6, TANAKA, "D")]]
    if blank_ids:
        for r in rows[:2]:
            r["id"] = ""
    return Master(events=events(rows), members=[Member(SATO, "東京"), Member(TANAKA, "東京")],
                  settings=Settings(master_id=master_id))


@pytest.fixture
def setup(tmp_path):
    """A master file, and the per-person workbooks built from it (as mailed)."""
    def make(**kw):
        path = write_master(tmp_path / "master.xlsx", _master(**kw))
        result = xlsales.build(xlsales.read_master(path), tmp_path / "out", as_of=AS_OF)
        return path, result.people
    return make


def _add_rows(book: Path, rows: list[list[object]], out: Path, *, edit: dict | None = None) -> Path:
    """What a rep does in Excel: rows typed under the last one, a cell changed."""
    wb = openpyxl.load_workbook(book)
    ws = wb["活動ログ"]
    last = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value is not None)
    for i, values in enumerate(rows, start=last + 1):
        for j, v in enumerate(values, start=2):  # from B: the ID column is left blank
            if v is not None:
                cell = ws.cell(i, j, v)
                cell.data_type = "n" if isinstance(v, (int, float)) else cell.data_type
                if isinstance(v, str):
                    cell.data_type = "s"  # a text typed, never a formula
    for (r, c), v in (edit or {}).items():
        ws.cell(r, c, v)
    wb.save(out)
    return out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _log(path: Path) -> list[tuple]:
    m = xlsales.read_master(path)
    return [(e.id, e.date, e.rep, e.activity, e.customer, e.amount) for e in m.events]


def test_added_rows_get_ids_unchanged_rows_are_skipped_and_collecting_again_changes_nothing(setup, tmp_path):
    master, people = setup(master_id="", blank_ids=True)
    before = _log(master)
    ret = _add_rows(people[SATO], [[dt.date(2026, 7, 20), SATO, "訪問", "新規社"],
                                   [dt.date(2026, 8, 5), SATO, "受注", "B社", 150],
                                   [None, SATO]],  # a spare row with only 担当者 pre-filled: blank
                    tmp_path / "ret.xlsx")
    digest = _digest(master)
    res = collect(master, [ret], out=tmp_path / "new.xlsx", now=NOW, who="manager")
    assert _digest(master) == digest  # the master itself is never touched
    [f] = res.files
    assert (f.added, f.unchanged, f.conflicts, f.refused, f.bad, f.error) == (2, 2, [], [], [], None)
    after = _log(res.out)
    assert after[:4] == before  # derived IDs of the blank cells are now written, the same ones
    new = after[4:]
    assert [row[1:] for row in new] == [(dt.date(2026, 7, 20), SATO, "visit", "新規社", None),
                                        (dt.date(2026, 8, 5), SATO, "order", "B社", 150.0)]
    assert all(row[0].startswith("C") and len(row[0]) == 11 for row in new) and new[0][0] != new[1][0]
    raw = read_workbook(res.out, sheets=["log", "settings"])
    assert all(values["id"] for _, values in raw["log"].rows)  # every row has an explicit ID
    new_id = xlsales.read_master(res.out).settings.master_id
    assert len(new_id) == 36 and new_id.count("-") == 4  # a UUID added to 設定
    # the 回収ログ: who, when, which file, the counts
    log = openpyxl.load_workbook(res.out)["回収ログ"]
    assert [c.value for c in log[2]][:9] == [dt.datetime(2026, 8, 3, 9, 30), "manager", "ret.xlsx", SATO, "2026-07",
                                             2, 2, 0, 0]
    # the same file collected into the new master: nothing new, nothing written
    again = collect(res.out, [ret], out=tmp_path / "again.xlsx", now=NOW)
    assert again.out is None and not (tmp_path / "again.xlsx").exists()
    assert (again.files[0].added, again.files[0].unchanged) == (0, 4)


def test_a_changed_sent_row_is_a_conflict_settled_only_when_asked(setup, tmp_path):
    master, people = setup()
    ret = _add_rows(people[SATO], [], tmp_path / "ret.xlsx", edit={(2, 5): "A社 本店"})
    res = collect(master, [ret], out=tmp_path / "new.xlsx")
    [c] = res.files[0].conflicts
    assert (c.row, c.master.customer, c.returned.customer) == (2, "A社", "A社 本店")
    assert res.out is None  # nothing else to merge: no file
    keep = collect(master, [ret], out=tmp_path / "keep.xlsx", resolve="keep_master")
    assert keep.out is None
    take = collect(master, [ret], out=tmp_path / "take.xlsx", resolve="take_returned")
    log = _log(take.out)
    assert log[0] == (c.master.id, dt.date(2026, 7, 1), SATO, "visit", "A社 本店", None)
    assert len(log) == 4
    # collected again from the new master: the change is already there
    again = collect(take.out, [ret], out=tmp_path / "again.xlsx")
    assert again.out is None and again.files[0].conflicts == [] and again.files[0].unchanged == 2


def test_rows_of_another_rep_and_outside_the_window_are_refused_with_their_reason(setup, tmp_path):
    master, people = setup()
    ret = _add_rows(people[SATO], [[dt.date(2026, 7, 21), TANAKA, "訪問", "X社"],
                                   [dt.date(2026, 9, 1), SATO, "訪問", "Y社"],
                                   [dt.date(2026, 6, 30), SATO, "訪問", "Z社"],
                                   [dt.date(2026, 8, 31), SATO, "訪問", "W社"]], tmp_path / "ret.xlsx")
    res = collect(master, [ret], out=tmp_path / "new.xlsx")
    f = res.files[0]
    assert [(p.row, p.reason) for p in f.refused] == [(4, "collect_other_rep"), (5, "collect_outside_window"),
                                                      (6, "collect_outside_window")]
    assert f.refused[0].message("en").startswith("sheet '活動ログ', row 4, column '担当者'")
    assert [row[4] for row in _log(res.out)[4:]] == ["W社"]
    # The 回収ログ row of the file says why, one refused row per line (as the 回収 button writes it).
    ws = openpyxl.load_workbook(res.out)["回収ログ"]
    note = ws.cell(ws.max_row, ws.max_column).value
    assert [line.split(":")[0] for line in note.splitlines()] == [
        "シート「活動ログ」 4行目 「担当者」", "シート「活動ログ」 5行目 「日付」", "シート「活動ログ」 6行目 「日付」"]
    res = collect(master, [ret], out=tmp_path / "any.xlsx", any_date=True)
    assert [row[4] for row in _log(res.out)[4:]] == ["Y社", "Z社", "W社"]


def test_a_file_with_bad_rows_gives_nothing_unless_skip_bad_rows(setup, tmp_path):
    master, people = setup()
    ret = _add_rows(people[SATO], [[dt.date(2026, 7, 21), SATO, "訪問", "良社"],
                                   [dt.date(2026, 7, 22), SATO, "受注", "金額なし社"]], tmp_path / "ret.xlsx")
    res = collect(master, [ret], out=tmp_path / "new.xlsx")
    [bad] = res.files[0].bad
    assert (bad.row, bad.reason, res.out) == (5, "required_for_activity", None)
    res = collect(master, [ret], out=tmp_path / "new.xlsx", skip_bad_rows=True)
    assert [row[4] for row in _log(res.out)[4:]] == ["良社"]


def test_files_of_another_master_are_refused_whole(setup, tmp_path):
    master, people = setup()
    ret = _add_rows(people[SATO], [[dt.date(2026, 7, 21), SATO, "訪問", "新社"]], tmp_path / "ret.xlsx")
    other = write_master(tmp_path / "other.xlsx", _master(master_id="7d1c2a44-0000-4000-8000-000000000001"))
    res = collect(other, [ret], out=tmp_path / "new.xlsx")
    assert res.files[0].error.key == "collect_other_master" and res.out is None
    # a master without an ID is recognised by the sent rows' fingerprints (here none is found)
    changed = _master(master_id="")
    changed.events[:2] = [dataclasses.replace(e, customer="別社") for e in changed.events[:2]]
    no_id = write_master(tmp_path / "noid.xlsx", changed)
    assert collect(no_id, [ret], out=tmp_path / "n.xlsx").files[0].error.key == "collect_unknown_master"
    same = write_master(tmp_path / "same.xlsx", _master(master_id=""))
    assert collect(same, [ret], out=tmp_path / "s.xlsx").files[0].added == 1


def test_formula_injection_typed_by_a_rep_stays_text(setup, tmp_path):
    master, people = setup()
    payload = '=HYPERLINK("http://evil.example","INJ")'
    ret = _add_rows(people[SATO], [[dt.date(2026, 7, 21), SATO, "訪問", payload]], tmp_path / "ret.xlsx")
    res = collect(master, [ret], out=tmp_path / "new.xlsx")
    with zipfile.ZipFile(res.out) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in sheet and 't="inlineStr"' in sheet and "=HYPERLINK(&quot;" not in sheet
    assert _log(res.out)[-1][4] == payload


# -- faults: a clear message, the master byte for byte unchanged -----------------------------


def _encrypted(src: Path, out: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as fin, open(out, "wb") as fout:
        OOXMLFile(fin).encrypt("secret", fout)
    return out


def _renamed_table(src: Path, out: Path) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/tables/"):
                data = data.replace(b'name="ActivityLog"', b'name="MyLog"').replace(b'displayName="ActivityLog"',
                                                                                   b'displayName="MyLog"')
            zout.writestr(info, data)
    return out


def _header_changed(src: Path, out: Path) -> Path:
    wb = openpyxl.load_workbook(src)
    ws = wb["活動ログ"]
    ws.cell(1, 2, "日")
    ws.cell(1, 3, "人")
    wb.save(out)
    return out


@pytest.mark.parametrize("make, key", [
    (lambda src, out: out.write_bytes(src.read_bytes()[:4000]) and out, "input_not_xlsx"),
    (lambda src, out: out.write_bytes(b"%PDF-1.4 not a workbook") and out, "input_not_xlsx"),
    (_encrypted, "collect_encrypted"),
    (_renamed_table, "collect_no_log"),
    (_header_changed, "collect_no_log"),
    (lambda src, out: out.with_suffix(".xlsm").write_bytes(src.read_bytes()) and out.with_suffix(".xlsm"),
     "collect_macros"),
], ids=["truncated", "not_xlsx", "password", "table_renamed", "header_changed", "xlsm"])
def test_a_returned_file_that_cannot_be_read_is_refused_and_the_master_is_unchanged(setup, tmp_path, make, key):
    master, people = setup()
    digest = _digest(master)
    bad = make(people[SATO], tmp_path / "bad.xlsx")
    good = _add_rows(people[TANAKA], [[dt.date(2026, 7, 21), TANAKA, "訪問", "新社"]], tmp_path / "good.xlsx")
    res = collect(master, [bad, good], out=tmp_path / "new.xlsx")
    assert res.files[0].error.key == key
    assert res.files[0].error.message("ja") and res.files[0].error.message("en")
    assert res.files[1].added == 1  # one bad file never stops the others
    assert _digest(master) == digest


def test_a_write_that_fails_leaves_the_master_unchanged_and_no_file(setup, tmp_path, monkeypatch):
    master, people = setup()
    ret = _add_rows(people[SATO], [[dt.date(2026, 7, 21), SATO, "訪問", "新社"]], tmp_path / "ret.xlsx")
    digest = _digest(master)
    # A read-only folder and a refused os.replace: tests/robustness/test_collect_faults.py.

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(collect_master, "edit_package", full)
    for kwargs in ({"out": tmp_path / "new.xlsx"}, {"in_place": True}):
        with pytest.raises(CollectError) as info:
            collect(master, [ret], **kwargs)
        assert "No space left" in info.value.message("en")
        assert _digest(master) == digest and not (tmp_path / "new.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]


def test_in_place_keeps_a_backup_and_replaces_the_master(setup, tmp_path):
    master, people = setup()
    original = master.read_bytes()
    ret = _add_rows(people[SATO], [[dt.date(2026, 7, 21), SATO, "訪問", "新社"]], tmp_path / "ret.xlsx")
    res = collect(master, [ret], in_place=True, now=NOW)
    assert res.out == master and res.backup.name == "master_backup_20260803-093000.xlsx"
    assert res.backup.read_bytes() == original
    assert len(_log(master)) == 5


def test_the_cli_takes_mails_and_folders_and_prints_a_summary_per_file(setup, tmp_path):
    from email.message import EmailMessage

    master, people = setup()
    ret = _add_rows(people[SATO], [[dt.date(2026, 7, 21), SATO, "訪問", "新社"]], tmp_path / "ret.xlsx")
    mail = EmailMessage()
    mail["Subject"] = "7月分"
    mail.set_content("返送します")
    mail.add_attachment(ret.read_bytes(), maintype="application", filename="目標プロセス_佐藤.xlsx",
                        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    folder = tmp_path / "mails"
    folder.mkdir()
    (folder / "sato.eml").write_bytes(bytes(mail))
    (folder / "tanaka.xlsx").write_bytes(people[TANAKA].read_bytes())
    out = tmp_path / "new.xlsx"
    result = CliRunner().invoke(cli.cli, ["collect", str(master), str(folder), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "sato.eml: 目標プロセス_佐藤.xlsx (佐藤 健太, 2026-07): added 1, unchanged 2" in result.output
    assert f"tanaka.xlsx ({TANAKA}, 2026-07): added 0, unchanged 2" in result.output
    assert [row[4] for row in _log(out)[4:]] == ["新社"]
    # a mail with no workbook is named, and the exit code says something was refused
    plain = EmailMessage()
    plain.set_content("添付を忘れました")
    (tmp_path / "empty.eml").write_bytes(bytes(plain))
    result = CliRunner().invoke(cli.cli, ["collect", str(master), str(tmp_path / "empty.eml"), "--lang", "en"])
    assert result.exit_code == 1 and "empty.eml has no .xlsx attachment" in result.output


def test_an_outlook_msg_gives_its_workbook(setup, tmp_path):
    # The .msg is written by msgforge, a writer independent of the reader (extract-msg).
    msgforge = pytest.importorskip("msgforge")
    master, people = setup()
    ret = _add_rows(people[SATO], [[dt.date(2026, 7, 22), SATO, "訪問", "丸の内社"]], tmp_path / "ret.xlsx")
    mail = msgforge.Message(subject="7月分の活動ログ", text_body="返送します", to=["manager@example.com"])
    mail.attach_bytes("目標プロセス_佐藤 健太_2026-07.xlsx", ret.read_bytes(),
                      mime_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    mail.save(tmp_path / "sato.msg")
    out = tmp_path / "new.xlsx"
    result = CliRunner().invoke(cli.cli, ["collect", str(master), str(tmp_path / "sato.msg"), "--out", str(out),
                                          "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "sato.msg: 目標プロセス_佐藤 健太_2026-07.xlsx (佐藤 健太, 2026-07): added 1, unchanged 2" in result.output
    assert [row[4] for row in _log(out)[4:]] == ["丸の内社"]


# -- nothing of the master is lost -----------------------------------------------------------


def _rich_master(path: Path) -> Path:
    """A master with what openpyxl would drop or a careless writer lose: a chart, an image,
    data validation, conditional formats, defined names and a sheet of the manager's own."""
    import xlsxwriter

    from xlsales.texts import label, labels

    picture = Path(__file__).resolve().parents[2] / "docs" / "target-process-sheet.png"
    wb = xlsxwriter.Workbook(str(path))
    date = wb.add_format({"num_format": "yyyy/mm/dd"})
    log = wb.add_worksheet(label("sheet", "log"))
    heads = list(labels("log").values())
    rows = [["R1", dt.date(2026, 7, 1), SATO, "訪問", "A社"], ["R2", dt.date(2026, 7, 2), SATO, "訪問", "B社"],
            [None, dt.date(2026, 7, 3), TANAKA, "訪問", "C社"]]
    log.add_table(0, 0, len(rows), len(heads) - 1, {"name": "ActivityLog", "columns": [{"header": h} for h in heads]})
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r):
            if isinstance(v, dt.date):
                log.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date)
            elif v is not None:
                log.write_string(i, j, v)
    log.set_column(1, 1, 12, date)
    log.data_validation(1, 3, 500, 3, {"validate": "list", "source": list(labels("activity").values())})
    log.conditional_format(1, 5, 500, 5, {"type": "cell", "criteria": ">", "value": 100,
                                          "format": wb.add_format({"bg_color": "#FFC7CE"})})
    members = wb.add_worksheet(label("sheet", "members"))
    members.add_table(0, 0, 2, 1, {"name": "Members", "columns": [{"header": "担当者"}, {"header": "チーム"}],
                                   "data": [[SATO, "東京"], [TANAKA, "東京"]]})
    settings = wb.add_worksheet(label("sheet", "settings"))
    settings.add_table(0, 0, 1, 1, {"name": "Settings", "columns": [{"header": "項目"}, {"header": "値"}],
                                    "data": [[label("settings", "fiscal_year_start"), 4]]})
    add_manager_extras(wb, picture, label("sheet", "log"))
    wb.close()
    return path


@pytest.mark.libreoffice
def test_everything_of_the_master_survives_and_libreoffice_opens_the_result(tmp_path):
    from support.libreoffice import convert

    master = _rich_master(tmp_path / "master.xlsx")
    people = xlsales.build(xlsales.read_master(master), tmp_path / "out", as_of=AS_OF).people
    ret = _add_rows(people[SATO], [[dt.date(2026, 7, 21), SATO, "受注", "新社", 300]], tmp_path / "ret.xlsx")
    res = collect(master, [ret], out=tmp_path / "new.xlsx")
    with zipfile.ZipFile(master) as a, zipfile.ZipFile(res.out) as b:
        old = {n: a.read(n) for n in a.namelist()}
        new = {n: b.read(n) for n in b.namelist()}
    changed = {n for n in old if old[n] != new.get(n)}
    # the log sheet (a row added, the blank ID written), its table, 設定 and its table (a マスターID
    # row), the three parts that list the 回収ログ sheet, and styles.xml (its cell formats
    # appended: every existing one kept at its index); every other part byte for byte as it was
    assert changed == {"xl/worksheets/sheet1.xml", "xl/tables/table1.xml", "xl/worksheets/sheet3.xml",
                       "xl/tables/table3.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                       "xl/styles.xml"}
    _assert_styles_appended(old["xl/styles.xml"], new["xl/styles.xml"])
    assert set(new) - set(old) == {"xl/worksheets/sheet5.xml"}
    assert {"xl/charts/chart1.xml", "xl/media/image1.png", "xl/drawings/drawing1.xml"} <= set(new)
    assert b"<dataValidation " in new["xl/worksheets/sheet1.xml"]
    assert b"<conditionalFormatting " in new["xl/worksheets/sheet1.xml"]
    assert b'ref="A1:I5"' in new["xl/tables/table1.xml"]
    log = _log(res.out)
    assert [row[4] for row in log] == ["A社", "B社", "C社", "新社"] and log[2][0].startswith("G")
    # LibreOffice opens it, and what it saves is read back with the new rows
    converted = convert(res.out, tmp_path / "lo")
    assert _log(converted) == log
    assert xlsales.read_master(converted).settings.master_id == xlsales.read_master(res.out).settings.master_id


def _assert_styles_appended(old: bytes, new: bytes) -> None:
    """Every list of styles.xml the same up to its old length (so every ``s`` index keeps its
    look), and only grown; nothing else of the part changed."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    a, b = ElementTree.fromstring(old), ElementTree.fromstring(new)
    assert [el.tag for el in a if el.tag != ns + "numFmts"] == [el.tag for el in b if el.tag != ns + "numFmts"]
    for el in a:
        grown = b.find(el.tag)
        olds, news = [ElementTree.tostring(x) for x in el], [ElementTree.tostring(x) for x in grown]
        assert news[:len(olds)] == olds, el.tag
        if el.tag in {ns + t for t in ("fonts", "fills", "borders", "cellXfs", "numFmts")}:
            assert int(grown.get("count")) == len(news) >= len(olds), el.tag
        else:
            assert news == olds, el.tag


@pytest.mark.libreoffice
def test_the_collect_log_looks_like_the_masters_tables_and_keeps_its_look_when_it_grows(setup, tmp_path):
    from support.libreoffice import convert

    master, people = setup()
    first = _add_rows(people[SATO], [[dt.date(2026, 7, 20), SATO, "訪問", "新規社"],
                                     [dt.date(2026, 7, 21), TANAKA, "訪問", "X社"]], tmp_path / "first.xlsx")
    once = collect(master, [first], out=tmp_path / "once.xlsx", now=NOW, who="manager").out
    second = _add_rows(people[TANAKA], [[dt.date(2026, 7, 22), TANAKA, "訪問", "Y社"]], tmp_path / "second.xlsx")
    later = dt.datetime(2026, 8, 4, 17, 5, 42)
    twice = collect(once, [second], out=tmp_path / "twice.xlsx", now=later, who="manager").out

    wb = openpyxl.load_workbook(twice)
    ws = wb["回収ログ"]
    head = [ws.cell(1, c) for c in range(1, 11)]
    assert [c.value for c in head] == ["日時", "回収者", "ファイル", "担当者", "月", "追加", "変更なし", "競合", "拒否",
                                       "備考"]
    # the header as the master's tables have it: bold white on dark blue, framed, centred
    assert all(c.font.b and c.fill.fgColor.rgb == "FF1F3864" and c.font.color.rgb == "FFFFFFFF" for c in head)
    assert all(c.border.bottom.style == "thin" and c.alignment.horizontal == "center" for c in head)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:J3"  # grown over the second collect's row
    # 日時 a date-time cell shown to the minute, on both rows (the second styled like the first)
    assert [ws.cell(r, 1).value for r in (2, 3)] == [NOW, later.replace(second=42)]
    assert {ws.cell(r, 1).number_format for r in (2, 3)} == {"yyyy-mm-dd hh:mm"}
    assert [ws.cell(r, 3).value for r in (2, 3)] == ["first.xlsx", "second.xlsx"]
    note = ws.cell(2, 10)
    assert note.alignment.wrap_text and "X社" not in note.value and note.value.count("\n") == 0
    assert ws.column_dimensions["J"].width >= 60 and ws.column_dimensions["A"].width >= 16
    assert all(ws.cell(r, c).border.left.style == "thin" for r in (2, 3) for c in range(1, 11))
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    # the master's cell formats kept at their indices, on each collect (the second adds none:
    # its row takes the first one's formats)
    parts = [zipfile.ZipFile(p).read("xl/styles.xml") for p in (master, once, twice)]
    _assert_styles_appended(parts[0], parts[1])
    assert parts[2] == parts[1]

    # LibreOffice opens it and shows the same values (the date-time a date-time)
    lo = openpyxl.load_workbook(convert(twice, tmp_path / "lo"))["回収ログ"]
    assert [[c.value for c in row] for row in lo.iter_rows(max_col=9)] == \
        [[c.value for c in row] for row in ws.iter_rows(max_col=9)]
    assert lo.auto_filter.ref == "A1:J3"  # (headless, LibreOffice saves no sheet's frozen panes: not checked)


def test_collect_exits_3_while_conflicts_are_left_unsettled(setup, tmp_path):
    master, people = setup()
    # a conflict (a sent row changed) beside a new row: the new row is merged, the conflict waits
    ret = _add_rows(people[SATO], [[dt.date(2026, 7, 21), SATO, "訪問", "新社"]], tmp_path / "ret.xlsx",
                    edit={(2, 5): "A社 本店"})
    out = tmp_path / "new.xlsx"
    result = CliRunner().invoke(cli.cli, ["collect", str(master), str(ret), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 3, result.output
    log = _log(out)  # written all the same: the new row in, the conflicting row as the master has it
    assert (log[0][4], [row[4] for row in log[4:]]) == ("A社", ["新社"])
    for flag, customer in (("--take-returned", "A社 本店"), ("--keep-master", "A社")):
        settled = tmp_path / f"{flag}.xlsx"
        result = CliRunner().invoke(cli.cli, ["collect", str(master), str(ret), "--out", str(settled), flag])
        assert result.exit_code == 0, result.output
        assert _log(settled)[0][4] == customer
    # a conflict only, nothing to write: still 3 (the manager has something to decide)
    only = _add_rows(people[SATO], [], tmp_path / "only.xlsx", edit={(2, 5): "A社 本店"})
    result = CliRunner().invoke(cli.cli, ["collect", str(master), str(only), "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 3 and not (tmp_path / "x.xlsx").exists()
