"""One returned per-person workbook, read: its sent record and its activity-log rows.

The rows are validated by the same validator as ``build`` (``validate.master.log_rows``,
DOMAIN.md §3); what the rep broke is kept as problems, row by row.  A spare row of the
table whose only value is the workbook's own rep (pre-filled 担当者) is a blank row.
"""

from __future__ import annotations

import dataclasses
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from xlsales.exceptions import InputError, Problem
from xlsales.layout.process import is_spare_row
from xlsales.layout.sent_record import RECORD_SHEET, RecordError, SentRecord, read_record
from xlsales.model import Event
from xlsales.read.cells import LOG_TABLE, RawSheet, read_workbook
from xlsales.validate.master import log_rows

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: .xls, .msg, an encrypted .xlsx
_MACROS = "xl/vbaProject.bin"


@dataclass
class Returned:
    """What a returned workbook holds, read and validated."""

    name: str  # the file as the user named it (an attachment: "mail.eml: book.xlsx")
    record: SentRecord
    sheet: str  # the log sheet's name in the file
    rows: list[tuple[Event, bool]] = field(default_factory=list)  # valid rows in sheet order; True: ID cell blank
    problems: list[Problem] = field(default_factory=list)  # bad rows (and what kept the sheet from lining up)
    columns: dict[str, str] = field(default_factory=dict)  # column key -> its header text in the file


def read_returned(path: str | os.PathLike, reps: set[str] | None, *, name: str | None = None) -> Returned:
    """Read the returned workbook at ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.xlsx`` file.
    reps : set of str or None
        The reps of the master's Members sheet: a row naming another is a bad row.
    name : str, optional
        The name to report the file by (default: the file's name).

    Raises
    ------
    InputError
        The file is not an xlsx workbook (truncated, another kind, password-protected,
        a zip bomb), has macros, has no sent record, or its ActivityLog table is renamed
        or its header changed.
    """
    path = Path(path)
    name = name or path.name
    _check_kind(path, name)
    try:
        sheets = read_workbook(path, sheets=["log"])
    except InputError as err:
        raise InputError(err.key, **{**err.params, "path": name}) from None
    sheet = sheets["log"]
    with zipfile.ZipFile(path) as zf:
        if _MACROS in zf.NameToInfo:
            raise InputError("collect_macros", path=name)
        if not _has_table(zf, LOG_TABLE):
            raise InputError("collect_no_log", path=name, table=LOG_TABLE)
    if sheet is None or sheet.header_row is None:
        raise InputError("collect_no_log", path=name, table=LOG_TABLE)
    record = _record(path, name)
    rows = log_rows(_without_prefilled(sheet, record.rep), reps)
    blank_ids = {row for row, values in sheet.rows if values.get("id") is None}
    return Returned(name=name, record=record, sheet=sheet.name,
                    rows=[(ev, ev.row in blank_ids) for ev in rows.items], problems=rows.problems,
                    columns={key: sheet.column(key) for key in ("id", "date", "rep")})


def _check_kind(path: Path, name: str) -> None:
    # What a file that is no zip package is, said plainly: an encrypted OOXML file is an OLE
    # container with an EncryptedPackage stream (and a .msg is one as well, read elsewhere).
    if not path.is_file():
        raise InputError("input_missing", path=name)
    if path.suffix.lower() == ".xlsm":
        raise InputError("collect_macros", path=name)
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        import olefile

        try:
            with olefile.OleFileIO(str(path)) as ole:
                encrypted = ole.exists("EncryptedPackage")
        except OSError:
            encrypted = False
        raise InputError("collect_encrypted" if encrypted else "input_not_xlsx", path=name)
    if not zipfile.is_zipfile(path):
        raise InputError("input_not_xlsx", path=name)


def _has_table(zf: zipfile.ZipFile, table: str) -> bool:
    for member in zf.namelist():
        if member.startswith("xl/tables/") and member.endswith(".xml"):
            data = zf.read(member)
            if b"<!DOCTYPE" in data.upper():
                return False  # refused by the reader before; never parsed here
            root = ElementTree.fromstring(data)
            if table.casefold() in {(root.get(a) or "").casefold() for a in ("name", "displayName")}:
                return True
    return False


def _record(path: Path, name: str) -> SentRecord:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        if RECORD_SHEET not in book.sheet_names:
            raise InputError("collect_no_record", path=name)
        grid = book.get_sheet_by_name(RECORD_SHEET).to_python(skip_empty_area=False)
    except CalamineError as err:
        raise InputError("input_unreadable", path=name, detail=str(err).splitlines()[0][:200]) from err
    try:
        return read_record(grid)
    except RecordError as err:
        raise InputError("collect_bad_record", path=name, detail=str(err)) from None


def _without_prefilled(sheet: RawSheet, rep: str) -> RawSheet:
    # A spare row with 担当者 pre-filled and nothing else is a blank row, not a bad one.
    return dataclasses.replace(sheet, rows=[(r, v) for r, v in sheet.rows if not is_spare_row(v, rep)])
