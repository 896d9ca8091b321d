"""The sent record and row fingerprints: written by the layout, read back by collect."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import openpyxl
import pytest

from xlsales import Event
from xlsales.compute.fingerprint import row_fingerprint
from xlsales.layout import sheetmodel as sm
from xlsales.layout.sent_record import RECORD_SHEET, RecordError, read_record, record_of, record_sheet
from xlsales.write.xlsxwriter_backend import write_workbook

ROW = Event(row=5, id="A-7", date=dt.date(2026, 7, 3), rep="佐藤 健太", activity="deal_a", customer="A社",
            amount=120.0, close_month=dt.date(2026, 8, 1), note="来月決裁")


def test_the_fingerprint_is_sha256_of_the_rows_content():
    # computed here independently: the fields joined by the unit separator
    text = "\x1f".join(["2026-07-03", "佐藤 健太", "deal_a", "A社", "120", "", "2026-08", "来月決裁"])
    assert row_fingerprint(ROW) == hashlib.sha256(text.encode()).hexdigest()[:20]


@pytest.mark.parametrize("change", [
    {"date": dt.date(2026, 7, 4)}, {"rep": "田中 花子"}, {"activity": "deal_b"}, {"customer": "B社"},
    {"amount": 121.0}, {"amount": None}, {"lost_reason": "now"}, {"close_month": None}, {"note": ""},
])
def test_every_field_of_the_row_changes_the_fingerprint(change):
    assert row_fingerprint(dataclasses.replace(ROW, **change)) != row_fingerprint(ROW)


@pytest.mark.parametrize("change", [{"row": 99}, {"id": "G123"}, {"amount": 120}])
def test_position_id_and_number_type_do_not(change):
    assert row_fingerprint(dataclasses.replace(ROW, **change)) == row_fingerprint(ROW)


def test_the_record_round_trips_through_a_written_workbook(tmp_path):
    other = dataclasses.replace(ROW, id="B-1", activity="visit", amount=None, close_month=None)
    record = record_of("佐藤 健太", dt.date(2026, 7, 15), "6f1c-uuid", dt.date(2026, 7, 31), [ROW, other])
    assert record.month == dt.date(2026, 7, 1) and list(record.rows) == ["A-7", "B-1"]
    path = tmp_path / "sent.xlsx"
    write_workbook(sm.Workbook(sheets=[sm.Sheet(name="x"), record_sheet(record)]), path)
    ws = openpyxl.load_workbook(path)[RECORD_SHEET]
    assert ws.sheet_state != "visible"
    assert read_record([list(r) for r in ws.iter_rows(values_only=True)]) == record


def test_a_long_record_streams_and_reads_back_in_every_reader(tmp_path):
    # A rep's whole log: the record sheet streams (its text in line, not shared strings)
    # and collect's reader (calamine) and openpyxl read every row back, hidden and protected.
    import zipfile

    from python_calamine import CalamineWorkbook

    from xlsales.write import xlsxwriter_backend

    events = [dataclasses.replace(ROW, id=f"R-{i}", amount=float(i), note=f"<&>{i}")
              for i in range(xlsxwriter_backend.STREAM_CELLS)]
    record = record_of("佐藤 健太", dt.date(2026, 7, 1), "6f1c-uuid", dt.date(2026, 7, 31), events)
    assert len(set(record.rows.values())) == len(events)
    path = tmp_path / "long.xlsx"
    write_workbook(sm.Workbook(sheets=[sm.Sheet(name="x"), record_sheet(record)]), path)
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml")
    assert xml.count(b't="inlineStr"') >= 2 * len(events) and b"<sheetProtection" in xml
    ws = openpyxl.load_workbook(path)[RECORD_SHEET]
    assert ws.sheet_state == "veryHidden" and ws.protection.sheet
    assert read_record([list(r) for r in ws.iter_rows(values_only=True)]) == record
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(RECORD_SHEET).to_python(skip_empty_area=False)
    assert read_record(grid) == record


@pytest.mark.parametrize("damage, why", [
    (lambda g: g[0].__setitem__(0, "something else"), "not an xlsales sent record"),
    (lambda g: g[0].__setitem__(1, 2), "format"),
    (lambda g: g[5].__setitem__(1, 3), "lists 1 rows"),
    (lambda g: g[2].__setitem__(1, "July"), "dates"),
])
def test_a_damaged_record_is_refused(damage, why):
    record = record_of("佐藤 健太", dt.date(2026, 7, 1), "", dt.date(2026, 7, 31), [ROW])
    sheet = record_sheet(record)
    grid = [[None] * 2 for _ in range(1 + max(r for r, _ in sheet.cells))]
    for (r, c), cell in sheet.cells.items():
        grid[r][c] = cell.value
    assert read_record(grid) == record
    damage(grid)
    with pytest.raises(RecordError, match=why):
        read_record(grid)
