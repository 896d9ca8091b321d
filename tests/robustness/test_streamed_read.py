"""The log read row by row (``read_master``) gives what the whole-sheet reader gives.

``read_master`` asks ``read_workbook`` for the log as a :class:`RowStream` (each row lined
up while the validator looks at it) and ``read_csv`` for a CSV log the same way; the
reader's own tests and the collect path use the listed rows.  Every file of the hostile
corpus, read both ways, must give the same rows, the same problems and the same refusals;
and where the log holds no error cell and no formula without a value, the same rows as
calamine's whole grid lined up by ``raw_sheet`` (the reader before the rows were streamed).
"""

from __future__ import annotations

import datetime as dt
import sys
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hostile.corpus import CORPUS, Case
from python_calamine import CalamineWorkbook
from support.masterfactory import row, write_csv, write_master

from xlsales import InputError, read_master
from xlsales.read.cells import RowStream, raw_sheet, read_csv, read_workbook

ROOT = Path(__file__).resolve().parents[2]
FILES = [c for c in CORPUS if c.kind in ("read", "refuse") and not c.bomb]


def _outcome(read):
    """(rows, problems, header facts) of the log, or the InputError's key and parameters."""
    try:
        sheet = read()
    except InputError as err:
        return ("refused", err.key, err.params)
    if isinstance(sheet, dict):
        sheet = sheet["log"]
    if sheet is None:
        return None
    rows = list(sheet.rows)  # a RowStream completes the sheet's problems once read
    return (rows, sheet.problems, sheet.header_row, sheet.positions, sheet.headers, sheet.lang)


@pytest.mark.parametrize("case", FILES, ids=[c.name for c in FILES])
def test_streamed_log_reads_as_the_listed_one(case: Case, tmp_path):
    master, log = case.build(tmp_path)
    if log is not None:
        assert _outcome(lambda: read_csv(log, streamed=True)) == _outcome(lambda: read_csv(log))
        return
    streamed = _outcome(lambda: read_workbook(master, streamed=["log"]))
    assert streamed == _outcome(lambda: read_workbook(master))
    if streamed is None or streamed[0] == "refused" or not zipfile.is_zipfile(master):
        return
    with zipfile.ZipFile(master) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
    if b't="e"' in xml or b"<f>" in xml or b"<f " in xml:
        return  # calamine's grid has no error cells and no formulas without a value: see above
    book = CalamineWorkbook.from_path(str(master))
    name = read_workbook(master, sheets=["log"])["log"].name
    sheet = book.get_sheet_by_name(name)
    whole = raw_sheet(name, "log", sheet.to_python(skip_empty_area=False),
                      merged=sheet.merged_cell_ranges or [])
    assert streamed[:2] == (whole.rows, whole.problems)


def test_a_row_stream_is_read_once_and_adds_the_merged_cells_at_its_end(tmp_path):
    path = write_master(tmp_path / "m.xlsx", as_table=False, log_rows=[
        row(activity="訪問"), row(activity="商談△", amount=10, close_month="2026-08"),
        row(activity="商談△", amount=20, close_month="2026-08")])
    book = openpyxl.load_workbook(path)
    book["活動ログ"].merge_cells("H3:H4")  # one close month typed for two rows
    book.save(path)
    sheet = read_workbook(path, streamed=["log"])["log"]
    assert isinstance(sheet.rows, RowStream) and sheet.rows.most == 3
    assert sheet.problems == []  # not known before the rows are read
    assert [r for r, _ in sheet.rows] == [2, 3, 4]
    assert [(p.row, p.reason, p.params) for p in sheet.problems] == [(3, "cell_merged", {"range": "H3:H4"})]
    assert list(sheet.rows) == []  # one pass


def test_a_streamed_csv_hands_its_rows_over_once(tmp_path):
    path = write_csv(tmp_path / "log.csv", [row()] * 3)
    sheet = read_csv(path, streamed=True)
    assert isinstance(sheet.rows, RowStream) and sheet.rows.most >= 3
    assert [r for r, _ in sheet.rows] == [2, 3, 4]
    assert list(sheet.rows) == []


def test_repeated_values_are_one_object_and_types_stay_apart(tmp_path):
    rows = [row(date=dt.date(2026, 7, 1 + i % 3), rep=("山田 太郎", "佐藤 花子")[i % 2], customer=f"顧客{i % 4}")
            for i in range(24)]
    rows += [row(customer=True), row(customer=1), row(customer="1"), row(customer=True)]
    master = read_master(write_master(tmp_path / "m.xlsx", log_rows=rows))
    events = master.events
    for field in ("date", "rep", "customer"):
        values = [getattr(ev, field) for ev in events[:24]]
        assert len({id(v) for v in values}) == len(set(values)) == {"date": 3, "rep": 2, "customer": 4}[field]
    # True and 1 are equal in Python (and hash alike): each is read as itself
    assert [ev.customer for ev in events[24:]] == ["True", "1", "1", "True"]


ROWS = 20_000


@pytest.fixture(scope="module")
def big_master(tmp_path_factory):
    if str(ROOT) not in sys.path:  # benchmarks/ sits beside src/, not inside the package
        sys.path.insert(0, str(ROOT))
    from benchmarks.generate import synthetic_master
    from xlsales import write_master as write_xlsales_master

    return write_xlsales_master(tmp_path_factory.mktemp("big") / "master.xlsx", synthetic_master(ROWS, 10, seed=3))


def test_reading_holds_no_copy_of_the_log_in_python(big_master):
    # Python's own allocations only (calamine's copy of the sheet is not Python's): what the
    # read keeps is the events; what it needs on the way is little more.  The reader that
    # lined the whole grid up first kept ~550 bytes a row and needed ~800 more on the way.
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        master = read_master(big_master)
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(master.events) == ROWS
    kept, transient = (after - before) / ROWS, (peak - after) / ROWS
    assert kept < 300, f"{kept:.0f} bytes a row kept"
    assert transient < 200, f"{transient:.0f} bytes a row on the way"
