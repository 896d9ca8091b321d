"""The monthly round trip end to end: build → mail → a rep edits the attachment → collect → build.

The rep's edits are made as reps make them: in a workbook saved by openpyxl (one file then
saved again by LibreOffice, which rewrites every part of it), and typed cell by cell in
LibreOffice Calc through UNO (``support.lo_edit``, Debian's python3-uno under the system
Python).  What the master must hold afterwards, and the figures rebuilt from it, are
counted here from the rows the test wrote, not by xlsales.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import shutil

import openpyxl
import pytest
from openpyxl.utils import range_boundaries
from support.libreoffice import convert
from support.lo_edit import edit_in_libreoffice, uno_python
from support.models import events
from support.workbooks import process_table

import xlsales
from xlsales import Master, Member, Settings, write_master
from xlsales.collect.master import collect
from xlsales.mail.monthly import mail_month

SATO, TANAKA = "佐藤 健太", "田中 花子"
EMAIL = {SATO: "sato@example.com", TANAKA: "tanaka@example.com"}
JULY = dt.date(2026, 7, 1)
TODAY = dt.date(2026, 8, 3)
NOW = dt.datetime(2026, 8, 3, 9, 30)
SENT = [(dt.date(2026, 7, d), rep, "visit", f"{c}社") for d, rep, c in
        [(1, SATO, "A"), (2, SATO, "B"), (8, SATO, "C"), (3, TANAKA, "D"), (9, TANAKA, "E")]]
# What each rep types: two rows at the end of the table, one row below the table.
TYPED = {SATO: [(dt.date(2026, 7, 20), "訪問", "新宿社"), (dt.date(2026, 7, 21), "訪問", "品川社")],
         TANAKA: [(dt.date(2026, 7, 22), "訪問", "横浜社"), (dt.date(2026, 7, 23), "フォロー", "川崎社")]}
BELOW = {SATO: (dt.date(2026, 7, 24), "訪問", "池袋社"), TANAKA: (dt.date(2026, 7, 27), "訪問", "大宮社")}


@pytest.fixture
def mailed(tmp_path):
    rows = [dict(date=d, rep=rep, activity=a, customer=c) for d, rep, a, c in SENT]
    master = Master(events=events(rows), members=[Member(SATO, "東京", email=EMAIL[SATO]),
                                                  Member(TANAKA, "東京", email=EMAIL[TANAKA])],
                    settings=Settings(master_id="7d1f0c1e-2b33-4d5e-9f60-0a1b2c3d4e5f"))
    path = write_master(tmp_path / "master.xlsx", master)
    result = mail_month(xlsales.read_master(path), tmp_path / "mail", month=JULY, today=TODAY)
    return path, result


def _attachment(draft, to):
    with open(draft, "rb") as fh:
        msg = email.message_from_binary_file(fh, policy=email.policy.default)
    assert msg["X-Unsent"] == "1" and msg["To"].addresses[0].addr_spec == to
    parts = [p for p in msg.walk() if p.get_filename()]
    assert len(parts) == 1 and parts[0].get_filename().endswith(".xlsx")
    return parts[0].get_payload(decode=True)


def _edit_as_the_rep(path, rep):
    """Rows typed at the end of the table and below it, one sent row changed, one bad row."""
    wb = openpyxl.load_workbook(path)
    ws = wb["活動ログ"]
    table = next(iter(ws.tables.values()))
    _, _, _, last_row = range_boundaries(table.ref)
    head = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    filled = [r for r in range(2, last_row + 1) if ws.cell(r, head["日付"]).value is not None]
    sent_rows = len(filled)

    def put(r, date, activity, customer):
        ws.cell(r, head["日付"], date).number_format = "yyyy/mm/dd"
        ws.cell(r, head["担当者"], rep)
        ws.cell(r, head["区分"], activity)
        ws.cell(r, head["顧客"], customer)

    r = filled[-1] + 1
    for values in TYPED[rep]:
        put(r, *values)
        r += 1
    put(r, dt.date(2026, 7, 25), "電話", "誤入力社")  # a bad row: 電話 is no 区分
    if r > last_row:  # typed right under the table: Excel grows the table over them (AutoExpand)
        first_col, first_row, last_col, _ = range_boundaries(table.ref)
        table.ref = f"{ws.cell(first_row, first_col).coordinate}:{ws.cell(r, last_col).coordinate}"
        table.autoFilter.ref = table.ref
    put(max(r, last_row) + 2, *BELOW[rep])  # after a blank row, below the table: not in it
    changed_row = filled[0]
    ws.cell(changed_row, head["顧客"], ws.cell(changed_row, head["顧客"]).value + "（改）")
    wb.save(path)
    return sent_rows


def _returned(tmp_path, mailed_result, rep, *, libreoffice):
    draft = next(p for p in mailed_result.drafts.values() if p.read_bytes().find(EMAIL[rep].encode()) >= 0)
    path = tmp_path / f"returned-{rep}.xlsx"
    path.write_bytes(_attachment(draft, EMAIL[rep]))
    assert _edit_as_the_rep(path, rep) == sum(1 for s in SENT if s[1] == rep)
    if libreoffice:  # the same file opened and saved by LibreOffice
        out = convert(path, tmp_path / "lo")
        shutil.move(out, path)
    return path


def _typed_in_libreoffice(path, rep):
    """The same edits as ``_edit_as_the_rep``, typed into LibreOffice Calc and saved as .xlsx there.

    The table ends at the last sent row; the spare rows below it have 担当者 filled in by
    the build, so the rep types 日付, 区分 and 顧客 only: two rows at the end of the table
    (the first spare rows: Calc does not grow the table over them as Excel does), the bad
    row, then one row further below after a blank row; and one sent row's 顧客 is changed.
    Dates are typed as text ("2026-07-20") and parsed by Calc, as a user's typing is.
    """
    wb = openpyxl.load_workbook(path)  # only to find where to type; the file is edited by LibreOffice
    ws = wb["活動ログ"]
    table = next(iter(ws.tables.values()))
    _, _, _, last_row = range_boundaries(table.ref)
    head = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    filled = [r for r in range(2, last_row + 1) if ws.cell(r, head["日付"]).value is not None]
    spare = filled[-1] + 1
    below = spare + len(TYPED[rep]) + 2  # after the bad row and a blank row
    assert spare == last_row + 1, "the table ends at the last sent row"
    assert all(ws.cell(r, head["担当者"]).value == rep for r in range(spare, below + 1)), "spare rows pre-filled"
    changed_row = filled[0]
    changed = ws.cell(changed_row, head["顧客"]).value + "（改）"
    wb.close()

    def row(r, date, activity, customer):
        return [(r, head["日付"], "typed", date.isoformat()), (r, head["区分"], "text", activity),
                (r, head["顧客"], "text", customer)]

    cells = [c for i, values in enumerate(TYPED[rep]) for c in row(spare + i, *values)]
    cells += row(spare + len(TYPED[rep]), dt.date(2026, 7, 25), "電話", "誤入力社")  # a bad row: 電話 is no 区分
    cells += row(below, *BELOW[rep])
    cells.append((changed_row, head["顧客"], "text", changed))
    out = path.with_name(path.stem + "-lo.xlsx")
    seen = edit_in_libreoffice(path, out, "活動ログ", cells)
    dates = [s for s in seen if s["col"] == head["日付"]]
    assert len(dates) == 4 and all(s["type"] == "VALUE" for s in dates), dates  # real date cells in Calc
    shutil.move(out, path)

    # What arrives is what was typed: dates as date cells, the changed row changed.
    wb = openpyxl.load_workbook(path)
    ws = wb["活動ログ"]
    assert ws.cell(spare, head["日付"]).value == dt.datetime.combine(TYPED[rep][0][0], dt.time())
    assert ws.cell(below, head["日付"]).value == dt.datetime.combine(BELOW[rep][0], dt.time())
    assert ws.cell(below, head["担当者"]).value == rep
    assert ws.cell(changed_row, head["顧客"]).value == changed
    return len(filled)


def _log(path):
    return sorted((e.date, e.rep, e.activity, e.customer) for e in xlsales.read_master(path).events)


@pytest.mark.libreoffice
def test_build_mail_edit_collect_build(mailed, tmp_path):
    master, mailed_result = mailed
    returned = [_returned(tmp_path, mailed_result, SATO, libreoffice=False),
                _returned(tmp_path, mailed_result, TANAKA, libreoffice=True)]
    before = master.read_bytes()
    merged = tmp_path / "merged.xlsx"
    result = collect(master, returned, out=merged, skip_bad_rows=True, now=NOW, who="manager")
    assert master.read_bytes() == before

    _assert_merged_as_expected(result, merged, returned, tmp_path)


needs_uno = pytest.mark.skipif(
    uno_python() is None and os.environ.get("CI", "").lower() != "true",  # CI installs python3-uno: never skips
    reason="python3-uno is not installed: /usr/bin/python3 -c 'import uno' fails (apt-get install python3-uno)")


@pytest.mark.libreoffice
@needs_uno
def test_round_trip_typed_in_libreoffice(mailed, tmp_path):
    master, mailed_result = mailed
    returned = []
    for rep in (SATO, TANAKA):
        draft = next(p for p in mailed_result.drafts.values() if p.read_bytes().find(EMAIL[rep].encode()) >= 0)
        path = tmp_path / f"returned-{rep}.xlsx"
        path.write_bytes(_attachment(draft, EMAIL[rep]))
        assert _typed_in_libreoffice(path, rep) == sum(1 for s in SENT if s[1] == rep)
        returned.append(path)
    before = master.read_bytes()

    # A file with a bad row merges nothing: the bad row is reported, the master stays as it was.
    strict = collect(master, returned, out=tmp_path / "strict.xlsx", now=NOW, who="manager")
    assert strict.out is None and not (tmp_path / "strict.xlsx").exists()
    for f in strict.files:
        assert (f.added, f.unchanged, len(f.bad), f.error) == (0, 0, 1, None), f.rep
        assert f.bad[0].value == "電話"
    assert master.read_bytes() == before

    # --skip-bad-rows: the good rows merged, the conflict reported and not merged.
    merged = tmp_path / "merged.xlsx"
    result = collect(master, returned, out=merged, skip_bad_rows=True, now=NOW, who="manager")
    assert master.read_bytes() == before and result.out == merged
    _assert_merged_as_expected(result, merged, returned, tmp_path)


def _assert_merged_as_expected(result, merged, returned, tmp_path):
    # Each rep's file: three rows added, the sent rows but one unchanged, one conflict (the
    # changed sent row, reported, not merged; the reader folds （） to () by NFKC), one bad row.
    for f in result.files:
        sent = sum(1 for s in SENT if s[1] == f.rep)
        assert (f.added, f.unchanged, len(f.conflicts), len(f.bad)) == (3, sent - 1, 1, 1), f.rep
        conflict = f.conflicts[0]
        assert conflict.returned.customer == conflict.master.customer + "(改)"
    assert {f.rep for f in result.files} == {SATO, TANAKA}
    # Exactly the sent rows (unchanged) plus each rep's typed rows and the row below the table.
    code = {"訪問": "visit", "フォロー": "follow"}
    expected = sorted([*SENT, *[(d, rep, code[a], c) for rep in TYPED for d, a, c in [*TYPED[rep], BELOW[rep]]]])
    assert _log(merged) == expected
    ids = [e.id for e in xlsales.read_master(merged).events]
    assert len(set(ids)) == len(ids) and all(ids)
    # Collecting the same files again changes nothing and writes nothing.
    again = collect(merged, returned, out=tmp_path / "again.xlsx", skip_bad_rows=True, now=NOW, who="manager")
    assert again.out is None and not (tmp_path / "again.xlsx").exists()
    assert all(f.added == 0 for f in again.files)
    # The figures rebuilt from the merged master count the reps' rows (July visits).
    built = xlsales.build(xlsales.read_master(merged), tmp_path / "built", as_of=dt.date(2026, 7, 31))
    for rep in (SATO, TANAKA):
        visits = sum(1 for d, r, a, _ in expected if r == rep and a == "visit" and d.month == 7)
        table = process_table(built.people[rep], rep)
        july = 1 + (JULY.month - 4)  # after the benchmark column, the fiscal year from April
        assert table["訪問件数"][july] == visits, rep
