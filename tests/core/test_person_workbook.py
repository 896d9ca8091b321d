"""The per-person workbook is made to come back: rep filled in, validations, how-to note,
the sent record very hidden and protected (issue 13)."""

from __future__ import annotations

import openpyxl
import pytest

from xlsales import build, demo_master
from xlsales.demo import DEMO_AS_OF
from xlsales.layout.process import APPEND_ROOM, is_spare_row
from xlsales.layout.sent_record import RECORD_SHEET
from xlsales.read.cells import read_workbook
from xlsales.validate.values import parse_month

LOG_COLUMNS = 9  # ID .. メモ


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    master = demo_master()
    out = tmp_path_factory.mktemp("person")
    return master, build(master, out, as_of=DEMO_AS_OF, lang="ja"), build(master, out / "en", as_of=DEMO_AS_OF,
                                                                           lang="en")


def _log(path):
    wb = openpyxl.load_workbook(path)
    return wb, next(ws for ws in wb.worksheets if ws.tables.get("ActivityLog"))


def test_the_record_sheet_is_very_hidden_and_protected(built):
    master, ja, _ = built
    for path in ja.people.values():
        wb = openpyxl.load_workbook(path)
        ws = wb[RECORD_SHEET]
        assert ws.sheet_state == "veryHidden"
        assert ws.protection.sheet is True
    team = openpyxl.load_workbook(ja.team)
    assert RECORD_SHEET not in team.sheetnames


def test_spare_rows_have_the_rep_filled_in_and_nothing_else(built):
    master, ja, _ = built
    for rep, path in ja.people.items():
        own = sum(1 for ev in master.events if ev.rep == rep)
        _, ws = _log(path)
        first_spare = 2 + max(own, 1) if own else 2  # an empty table keeps one body row: it is spare too
        last = 1 + max(own, 1) + APPEND_ROOM
        for r in range(2, last + 1):
            values = [ws.cell(r, c).value for c in range(1, LOG_COLUMNS + 1)]
            if r >= first_spare:
                assert values == [None, None, rep] + [None] * 6, (rep, r)
        assert all(ws.cell(last + 1, c).value is None for c in range(1, LOG_COLUMNS + 1))
        assert ws.cell(first_spare, 3).value == rep


def test_the_log_prints_its_rows_not_the_spare_rows(built):
    # 2,000 spare rows holding the rep's name would print as pages of one name each.
    master, ja, _ = built
    for rep, path in ja.people.items():
        own = sum(1 for ev in master.events if ev.rep == rep)
        _, ws = _log(path)
        assert ws.print_area == f"'{ws.title}'!$A$1:$I${1 + max(own, 1)}", rep
    assert not _log(ja.team)[1].print_area  # the team's log has no spare rows filled in


def test_a_reader_sees_the_spare_rows_as_rows_and_is_spare_row_drops_exactly_them(built):
    master, ja, _ = built
    rep, path = next(iter(ja.people.items()))
    sheet = read_workbook(path, sheets=["log"])["log"]
    typed = [values for _, values in sheet.rows if not is_spare_row(values, rep)]
    assert len(typed) == sum(1 for ev in master.events if ev.rep == rep)
    assert len(sheet.rows) - len(typed) == APPEND_ROOM
    assert not is_spare_row({"rep": rep, "note": "x"}, rep)
    assert not is_spare_row({"rep": "田中 花子"}, rep)  # another rep's name is a typed value
    assert is_spare_row({"rep": f" {rep} ", "note": "  "}, rep)


def test_amount_and_close_month_are_validated_with_input_messages(built):
    _, ja, en = built
    for result, lang in ((ja, "ja"), (en, "en")):
        _, ws = _log(next(iter(result.people.values())))
        by_col = {str(dv.sqref).split(":")[0][0]: dv for dv in ws.data_validations.dataValidation}
        amount, month = by_col["F"], by_col["H"]
        assert amount.type == "decimal" and amount.operator == "greaterThanOrEqual" and amount.formula1 == "0"
        assert amount.showInputMessage and amount.prompt and amount.errorStyle in (None, "stop")
        assert month.type == "custom" and month.prompt and "yyyy-mm" in month.prompt
        assert ("受注予定月" if lang == "ja" else "Expected close") == month.promptTitle


def test_close_month_cells_are_yyyy_mm_text_that_parse_month_reads(built):
    master, ja, _ = built
    rep, path = next(iter(ja.people.items()))
    _, ws = _log(path)
    months = [ws.cell(r, 8).value for r in range(2, ws.max_row + 1) if ws.cell(r, 8).value is not None]
    expected = [ev.close_month for ev in master.events if ev.rep == rep and ev.close_month]
    assert months and [parse_month(m) for m in months] == expected
    assert all(isinstance(m, str) and len(m) == 7 and m[4] == "-" for m in months)
    assert ws.column_dimensions["H"].number_format == "@"  # typed 2026-09 stays text, not a date


@pytest.mark.parametrize("lang, title", [("ja", "使い方"), ("en", "How to use")])
def test_the_how_to_note_stands_right_of_the_table(built, lang, title):
    _, ja, en = built
    _, ws = _log(next(iter((ja if lang == "ja" else en).people.values())))
    table = ws.tables["ActivityLog"]
    last_col = openpyxl.utils.range_boundaries(table.ref)[2]
    note = [ws.cell(r, last_col + 2).value for r in range(1, 6)]
    assert note[0] == title and all(note)
    team = _log((ja if lang == "ja" else en).team)[1]
    assert team.cell(1, last_col + 2).value is None  # the team's workbook does not go out


def test_worksheet_functions_read_a_whole_per_person_log_sheet(built):
    # A rep's functions over the whole sheet (spare rows with only the rep, the how-to note
    # beside) count exactly the rep's rows, counted here from the master.
    from xlsales.compute.formulas import events_from_grid
    master, ja, _ = built
    rep, path = next(iter(ja.people.items()))
    _, ws = _log(path)
    events = events_from_grid([list(r) for r in ws.iter_rows(values_only=True)])
    assert len(events) == sum(1 for ev in master.events if ev.rep == rep)
    assert {ev.rep for ev in events} == {rep}
