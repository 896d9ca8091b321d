"""Read the raw cells of a master workbook (or a CSV activity log), without judging them.

The reader finds each sheet by name, finds its header row by the header labels of
``labels.json``, and hands back every non-empty data row as ``(excel_row, {key: value})``
with plain Python values (``str``, ``float``, ``int``, ``bool``, ``datetime``/``date``,
``None``).  Whether those values make sense is ``_validate``'s business; the reader only
reports what stops it from lining cells up with columns (no header row, a column twice).

Contract with ``_validate``:

* row numbers are the ones Excel shows (1-based), or the record number of a CSV file
  (header = 1), which is the row Excel shows when it opens the CSV;
* a cell holding an Excel error (``#N/A``, ``#REF!``...) is handed over as that error's
  text, exactly as a CSV export would show it: ``is_error_value`` tells them apart;
* empty strings become ``None``; a row whose known columns are all empty is left out;
* columns whose header is not a known label are ignored.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from ._vocab import label, normalize, parse_key
from .exceptions import InputError, Problem

__all__ = ["RawSheet", "ErrorValue", "read_workbook", "read_csv", "raw_sheet", "is_error_value",
           "REQUIRED_COLUMNS", "SHEET_KEYS"]

# Sheets of a master, by their key in labels.json section "sheet" (also the section of
# their headers).
SHEET_KEYS: tuple[str, ...] = ("log", "members", "targets", "settings", "benchmark")
# The columns that identify a sheet's header row; other known columns are optional.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "log": ("date", "rep", "activity"),
    "members": ("rep",),
    "targets": ("rep", "month"),
    "settings": ("item", "value"),
    "benchmark": ("item", "value"),
}
# The log sheet may be renamed as long as it still holds the table DOMAIN.md §3 names.
LOG_TABLE = "ActivityLog"
HEADER_SEARCH_ROWS = 10

_UNSUPPORTED = {".xls": "Excel 97-2003 (.xls)", ".xlsb": "Excel Binary (.xlsb)",
                ".ods": "OpenDocument (.ods)", ".csv": "CSV (.csv)"}
_ERROR_VALUES = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class RawSheet:
    """The raw rows of one sheet (or CSV file), keyed by column key."""

    name: str  # the sheet name as in the file; for a CSV log, the file name
    section: str  # the labels.json section of its headers: log, members, ...
    lang: str = "ja"  # the language its headers are written in
    header_row: int | None = None  # 1-based; None when no header row was found
    headers: dict[str, str] = field(default_factory=dict)  # key -> header text as in the file
    positions: dict[str, int] = field(default_factory=dict)  # key -> column index (0 = A)
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # what kept cells from lining up

    def column(self, key: str) -> str:
        """The header text of ``key`` as in the file, or its label when the column is absent."""
        return self.headers.get(key) or label(self.section, key, self.lang)


# ----------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------


def read_workbook(path: str | os.PathLike, *, sheets: Iterable[str] = SHEET_KEYS,
                  lang: str = "ja") -> dict[str, RawSheet | None]:
    """The raw sheets of a master workbook, by sheet key; ``None`` for a sheet that is absent.

    Parameters
    ----------
    path : str or os.PathLike
        An ``.xlsx`` or ``.xlsm`` file.
    sheets : iterable of str, default all of SHEET_KEYS
        The sheets to read (keys of labels.json section "sheet"); the others map to ``None``.
    lang : {"ja", "en"}, default "ja"
        Language assumed for a sheet whose headers name no language (an empty sheet).

    Raises
    ------
    InputError
        The file is missing, of a kind xlsales cannot read (.xls, .xlsb, .ods, .csv), not
        an Excel workbook at all, or damaged.
    """
    from python_calamine import CalamineError

    path = _existing_file(path)
    suffix = path.suffix.lower()
    if suffix in _UNSUPPORTED:
        raise InputError("input_unsupported", path=path.name, kind=_UNSUPPORTED[suffix])
    if not zipfile.is_zipfile(path):
        # Also what a password-protected .xlsx looks like: an encrypted OLE container.
        raise InputError("input_not_xlsx", path=path.name)
    wanted = set(sheets)
    try:
        book = _open_book(path)
        names = {k: v for k, v in _find_sheets(book).items() if k in wanted}
        grids = {key: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                 for key, name in names.items()}
    except CalamineError as err:
        raise InputError("input_unreadable", path=path.name, detail=_detail(err)) from err
    out: dict[str, RawSheet | None] = dict.fromkeys(SHEET_KEYS)
    for key, name in names.items():
        _put_error_values(path, name, grids[key])
        out[key] = raw_sheet(name, key, grids[key], lang=lang)
    return out


def read_csv(path: str | os.PathLike, section: str = "log", *, lang: str = "ja") -> RawSheet:
    """The raw rows of a CSV file (an activity log exported from a CRM).

    The file is read as UTF-8 (with or without a byte-order mark), else as cp932
    (Shift_JIS, what Excel for Japanese Windows writes).  Its header may be in either
    language and may sit in any of the first 10 lines.

    Raises
    ------
    InputError
        The file is missing, in neither encoding, or not CSV.
    """
    path = _existing_file(path)
    data = path.read_bytes()
    text = _decode(data, path)
    try:
        grid = [[cell if cell != "" else None for cell in record]
                for record in csv.reader(io.StringIO(text, newline=""), strict=False)]
    except csv.Error as err:
        raise InputError("input_unreadable", path=path.name, detail=_detail(err)) from err
    return raw_sheet(path.name, section, grid, lang=lang)


class ErrorValue(str):
    """The text of an Excel error cell (``#N/A``...): a ``str`` that remembers it was an error."""

    __slots__ = ()


def is_error_value(value: object) -> bool:
    """True for an Excel error such as ``#N/A`` or ``#REF!`` (as a cell or as CSV text)."""
    return isinstance(value, ErrorValue) or (isinstance(value, str) and value.strip().upper() in _ERROR_VALUES)


def raw_sheet(name: str, section: str, grid: list[list[object]], *, lang: str = "ja") -> RawSheet:
    """Line the cells of ``grid`` (row 0 = Excel row 1) up with the columns of ``section``."""
    sheet = RawSheet(name=name, section=section, lang=lang)
    found = _find_header(grid, section)
    if found is None:
        if any(_has_value(v) for r in grid for v in r):
            sheet.problems.append(_no_header_problem(name, section))
        return sheet
    index, positions = found
    sheet.header_row = index + 1
    sheet.positions = positions
    header = grid[index]
    sheet.headers = {key: str(header[j]).strip() for key, j in positions.items()}
    sheet.lang = _header_lang(section, sheet.headers, lang)
    sheet.problems.extend(_duplicate_columns(name, section, header, index + 1, positions))
    for i in range(index + 1, len(grid)):
        cells = grid[i]
        values = {key: _clean(cells[j]) if j < len(cells) else None for key, j in positions.items()}
        if any(v is not None for v in values.values()):
            sheet.rows.append((i + 1, values))
    return sheet


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------


def _existing_file(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError("input_missing", path=str(path))
    if not path.is_file():
        raise InputError("input_unreadable", path=str(path), detail="not a file")
    return path


def _detail(err: Exception) -> str:
    return (str(err) or type(err).__name__).splitlines()[0][:200]


def _decode(data: bytes, path: Path) -> str:
    # UTF-8 first: cp932 decodes many UTF-8 byte strings into nonsense without an error,
    # while text written in cp932 is almost never valid UTF-8.
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # a binary file (or UTF-16) that happened to decode
            break
        return text
    raise InputError("input_csv_encoding", path=path.name)


def _open_book(path: Path):
    from python_calamine import CalamineError, CalamineWorkbook

    # Tables are only needed to find a renamed log sheet; a workbook whose tables
    # calamine cannot load is still read by sheet names.
    try:
        return CalamineWorkbook.from_path(str(path), load_tables=True)
    except CalamineError:
        return CalamineWorkbook.from_path(str(path))


def _find_sheets(book) -> dict[str, str]:
    """Sheet key -> sheet name in the file, by ja or en name (first match wins)."""
    from python_calamine import CalamineError

    names: dict[str, str] = {}
    for name in book.sheet_names:
        key = parse_key("sheet", name)
        if key in SHEET_KEYS and key not in names:
            names[key] = name
    if "log" not in names:
        try:
            tables = book.table_names or []
        except CalamineError:  # tables not loaded: the sheet names were all we had
            tables = []
        for table in tables:
            if table.casefold() == LOG_TABLE.casefold():
                names["log"] = book.get_table_by_name(table).sheet
    return names


def _find_header(grid: list[list[object]], section: str) -> tuple[int, dict[str, int]] | None:
    """(row index, key -> column index) of the first row holding the required headers."""
    required = set(REQUIRED_COLUMNS[section])
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        positions: dict[str, int] = {}
        for j, value in enumerate(row):
            key = parse_key(section, value) if isinstance(value, str) else None
            if key is not None and key not in positions:
                positions[key] = j
        if required <= positions.keys():
            return i, positions
    return None


def _header_lang(section: str, headers: dict[str, str], default: str) -> str:
    # The language most headers are written in: missing columns are named in it.
    votes = {lang: sum(normalize(text) == normalize(label(section, key, lang)) for key, text in headers.items())
             for lang in ("ja", "en")}
    if votes["ja"] == votes["en"]:
        return default
    return "ja" if votes["ja"] > votes["en"] else "en"


def _duplicate_columns(name: str, section: str, header: list[object], row: int,
                       positions: dict[str, int]) -> list[Problem]:
    # Two columns for one key would make us pick one of them: a guess.
    out = []
    for j, value in enumerate(header):
        key = parse_key(section, value) if isinstance(value, str) else None
        if key is not None and positions[key] != j:
            out.append(Problem(sheet=name, row=row, column=str(value).strip(), value=None,
                               reason="column_duplicate",
                               params={"first": _col_letter(positions[key]), "second": _col_letter(j)}))
    return out


def _no_header_problem(name: str, section: str) -> Problem:
    required = REQUIRED_COLUMNS[section]
    return Problem(sheet=name, row=None, column=None, value=None, reason="header_missing", params={
        "rows": HEADER_SEARCH_ROWS,
        "columns_ja": "、".join(label(section, k, "ja") for k in required),
        "columns_en": ", ".join(label(section, k, "en") for k in required),
    })


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _has_value(value: object) -> bool:
    return _clean(value) is not None


def _clean(value: object) -> object:
    # Blank and whitespace-only cells are empty; everything else is kept as read.
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


# -- Excel error values -------------------------------------------------------------
# calamine reads an error cell (#N/A, #REF!...) as an empty string, which would make a
# broken formula look like a blank cell.  Error cells are rare, so the sheet's XML is
# scanned for them with a byte search and their text is put back into the grid.

_ERROR_TYPE = re.compile(rb"""\bt\s*=\s*["']e["']""")
_ERROR_CELL = re.compile(rb"""<(?:\w+:)?c\s[^>]*?\bt\s*=\s*["']e["'][^>]*>""")
_CELL_REF = re.compile(rb"""\br\s*=\s*["']\$?([A-Z]+)\$?(\d+)["']""")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>|<(?:\w+:)?c\s")


def _put_error_values(path: Path, sheet_name: str, grid: list[list[object]]) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            member = _sheet_member(zf, sheet_name)
            data = zf.read(member) if member else b""
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return  # calamine read the sheet: its values stand, without error markers
    if _ERROR_TYPE.search(data) is None:
        return
    for match in _ERROR_CELL.finditer(data):
        tag = match.group(0)
        ref = _CELL_REF.search(tag)
        if ref is None or tag.endswith(b"/>"):
            continue
        end = _CELL_END.search(data, match.end())
        body = data[match.end():end.start() if end else len(data)]
        value = _VALUE.search(body)
        text = value.group(1).decode("utf-8", "replace").strip() if value else ""
        row, col = int(ref.group(2)) - 1, _col_index(ref.group(1).decode())
        while len(grid) <= row:
            grid.append([])
        cells = grid[row]
        while len(cells) <= col:
            cells.append("")
        cells[col] = ErrorValue(text or "#N/A")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _sheet_member(zf: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding the worksheet called ``sheet_name``."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rid = None
    for el in book.iter():
        if el.tag.endswith("}sheet") and el.get("name") == sheet_name:
            rid = el.get(_NS_REL)
            break
    if rid is None:
        return None
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for el in rels.iter():
        if el.get("Id") == rid:
            target = el.get("Target", "")
            # Targets are relative to xl/ unless absolute (some writers use "/xl/...").
            member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            return member if member in zf.namelist() else None
    return None
