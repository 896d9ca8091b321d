"""The sent record: what a per-person workbook carries so that ``collect`` can take it back.

A workbook mailed to a rep comes back with the rep's new rows; to merge them without
duplicates or losses, collect needs to know whose workbook it is, for which month, from
which master, and which rows it was sent with.  That record is a sheet of its own,
``RECORD_SHEET``, very hidden and protected (a rep does not see it in Excel's Unhide
list, nor edit it by accident), laid out as plain cells so every reader finds it:

    A1  xlsales sent record        B1  FORMAT_VERSION
    A2  rep                        B2  佐藤 健太
    A3  month                      B3  2026-07        (the build month, YYYY-MM text)
    A4  master_id                  B4  UUID of the master (設定 マスターID), or ""
    A5  built                      B5  2026-07-31     (the as-of date of the build)
    A6  rows                       B6  n              (the number of sent rows below)
    A8  id                         B8  fingerprint    (header of the sent rows)
    A9… one row per sent activity-log row: its ID and ``row_fingerprint``

Keys are ASCII and never translated: the record is read by code, not by people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from xlsales.compute.fingerprint import row_fingerprint
from xlsales.layout import sheetmodel as sm
from xlsales.model import Event

RECORD_SHEET = "xlsales_sent"
FORMAT_VERSION = 1
_TITLE = "xlsales sent record"
_FIRST_ROW = 8  # 0-based index of the first sent row (Excel row 9)


@dataclass(frozen=True)
class SentRecord:
    """Whose workbook, which month, which master, and the rows it was sent with."""

    rep: str
    month: dt.date  # first day of the build month
    master_id: str  # "" for a master without マスターID
    built: dt.date  # the build's as-of date
    rows: dict[str, str] = field(default_factory=dict)  # activity-log ID -> row_fingerprint


def record_of(rep: str, month: dt.date, master_id: str, built: dt.date, events: Sequence[Event]) -> SentRecord:
    """The record of a workbook sent to ``rep`` with ``events`` (the rep's rows)."""
    return SentRecord(rep=rep, month=month.replace(day=1), master_id=master_id, built=built,
                      rows={ev.id: row_fingerprint(ev) for ev in events})


def record_sheet(record: SentRecord) -> sm.Sheet:
    """The sheet model of ``record``: very hidden and protected."""
    sheet = sm.Sheet(name=RECORD_SHEET, visibility="very_hidden", protect=True)
    head = [(_TITLE, FORMAT_VERSION), ("rep", record.rep), ("month", record.month.strftime("%Y-%m")),
            ("master_id", record.master_id), ("built", record.built.isoformat()), ("rows", len(record.rows))]
    for i, (key, value) in enumerate(head):
        sheet.set(i, 0, key)
        sheet.set(i, 1, value)
    sheet.set(_FIRST_ROW - 1, 0, "id")
    sheet.set(_FIRST_ROW - 1, 1, "fingerprint")
    for i, (row_id, fingerprint) in enumerate(record.rows.items(), start=_FIRST_ROW):
        sheet.set(i, 0, row_id)
        sheet.set(i, 1, fingerprint)
    return sheet


class RecordError(ValueError):
    """The sheet is not a sent record this version of xlsales can read; ``str`` says why (English)."""


def read_record(grid: Sequence[Sequence[object]]) -> SentRecord:
    """The record on a sheet's values (``grid[row][col]``, as readers return them).

    Raises
    ------
    RecordError
        The title, version, keys or row count are not what ``record_sheet`` writes.
    """
    def cell(r: int, c: int) -> object:
        return grid[r][c] if r < len(grid) and c < len(grid[r]) else None

    if cell(0, 0) != _TITLE:
        raise RecordError("not an xlsales sent record")
    if _whole(cell(0, 1)) != FORMAT_VERSION:
        raise RecordError(f"sent record format {cell(0, 1)!r}, expected {FORMAT_VERSION}")
    keys = [cell(r, 0) for r in range(1, 6)]
    if keys != ["rep", "month", "master_id", "built", "rows"]:
        raise RecordError(f"sent record keys {keys!r}")
    try:
        month = dt.date.fromisoformat(f"{cell(2, 1)}-01")
        built = dt.date.fromisoformat(str(cell(4, 1))[:10])
    except ValueError as err:
        raise RecordError(f"sent record dates: {err}") from None
    rows: dict[str, str] = {}
    for r in range(_FIRST_ROW, len(grid)):
        row_id, fingerprint = cell(r, 0), cell(r, 1)
        if row_id in (None, ""):
            break
        rows[str(row_id)] = str(fingerprint)
    if len(rows) != _whole(cell(5, 1)):
        raise RecordError(f"sent record lists {len(rows)} rows, says {cell(5, 1)!r}")
    return SentRecord(rep=str(cell(1, 1) or ""), month=month, master_id=str(cell(3, 1) or ""), built=built,
                      rows=rows)


def _whole(value: object) -> int | None:
    # Readers hand numbers back as int or float (calamine: 1.0).
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        return None
    return int(value)
