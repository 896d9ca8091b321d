"""Read the raw cells of a master workbook (or a CSV activity log), without judging them.

The reader finds each sheet by name, finds its header row by the header labels of
``labels.json``, and hands back every non-empty data row as ``(excel_row, {key: value})``
with plain Python values (``str``, ``float``, ``int``, ``bool``, ``datetime``/``date``,
``None``).  Whether those values make sense is ``xlsales.validate``'s business; the reader only
reports what stops it from lining cells up with columns (no header row, a column twice).

Contract with ``xlsales.validate``:

* row numbers are the ones Excel shows (1-based), or the record number of a CSV file
  (header = 1), which is the row Excel shows when it opens the CSV;
* a cell holding an Excel error (``#N/A``, ``#REF!``...) is handed over as that error's
  text, exactly as a CSV export would show it: ``is_error_value`` tells them apart;
  a formula saved without its result (a file no spreadsheet program has saved) is handed
  over as a :class:`NoCachedValue` (``=`` and its formula), an error of its own kind;
* merged cells over the header row or over the data of a known column are a problem of
  the sheet (a merged cell holds one value for several cells: a guess for the others);
* empty strings become ``None``; a row whose known columns are all empty is left out;
* columns whose header is not a known label are ignored;
* a sheet asked for ``streamed`` (the log, in ``read_master``) hands its rows over one at a
  time (a :class:`RowStream`): each row is lined up only when the validator asks for it,
  and the problems that need every row join the sheet's when the pass ends.

A workbook is a zip package, and a hostile one can be built to exhaust memory; before
any part is parsed, the package is checked (``check_package``): no part inflates beyond
``MAX_PART_BYTES``, or (a big one) more than ``MAX_RATIO`` times its compressed size (a
zip bomb), no XML part declares a DTD (entity expansion; Excel never writes one), and no
sheet that is read spans more than ``MAX_CELLS`` cells from A1 (a value typed in
XFD1048576 makes the whole rectangle a grid in memory).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import unescape

from xlsales.exceptions import InputError, Problem
from xlsales.texts import label
from xlsales.vocab import normalize, parse_key

__all__ = ["RawSheet", "RowStream", "ErrorValue", "NoCachedValue", "read_workbook", "read_csv", "raw_sheet",
           "is_error_value", "REQUIRED_COLUMNS", "SHEET_KEYS"]

# Sheets of a master, by their key in labels.json section "sheet" (also the section of
# their headers).
SHEET_KEYS: tuple[str, ...] = ("log", "members", "targets", "settings", "benchmark", "weights")
# The columns that identify a sheet's header row; other known columns are optional.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "log": ("date", "rep", "activity"),
    "members": ("rep",),
    "targets": ("rep", "month"),
    "settings": ("item", "value"),
    "benchmark": ("item", "value"),
    "weights": ("grade", "result", "process"),
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

# Limits against hostile packages, far above any sales log: Excel itself stops at 1,048,576
# rows, and the benchmark's log of 700,000 rows inflates to about 230 MB in 6.3 million cells.
MAX_PART_BYTES = 512 << 20  # one part of the package, inflated
MAX_RATIO = 100  # inflated / compressed size of a part over _RATIO_FROM; real sheets stay near 10
_RATIO_FROM = 64 << 20  # smaller parts may be all one repeated text: harmless, and no bomb
MAX_CELLS = 1 << 25  # rows x columns a sheet spans from A1: calamine builds that grid in memory
MAX_MERGED = 100_000  # merged ranges in a sheet that is read
_DTD_HEAD = 64 << 10  # a DTD sits in the prolog, before the root element


@dataclass
class RawSheet:
    """The raw rows of one sheet (or CSV file), keyed by column key."""

    name: str  # the sheet name as in the file; for a CSV log, the file name
    section: str  # the labels.json section of its headers: log, members, ...
    lang: str = "ja"  # the language its headers are written in
    header_row: int | None = None  # 1-based; None when no header row was found
    headers: dict[str, str] = field(default_factory=dict)  # key -> header text as in the file
    positions: dict[str, int] = field(default_factory=dict)  # key -> column index (0 = A)
    # (Excel row, {key: value}) of every non-empty data row; a RowStream for a sheet read with
    # ``streamed`` (its rows one at a time, once)
    rows: list[tuple[int, dict[str, object]]] | RowStream = field(default_factory=list)
    # what kept cells from lining up; for a RowStream, complete once its rows have been read
    problems: list[Problem] = field(default_factory=list)

    def column(self, key: str) -> str:
        """The header text of ``key`` as in the file, or its label when the column is absent."""
        return self.headers.get(key) or label(self.section, key, self.lang)


class RowStream:
    """The data rows of a sheet, handed over one at a time as they are asked for (one pass).

    ``RawSheet.rows`` of a sheet read with ``streamed``: the cells stay in calamine's copy of
    the sheet, and a row becomes Python values only while its reader looks at it (the log of
    700,000 rows as one list of Python rows held about 460 MB).  Problems that need every row
    (a merged range over the data) join ``RawSheet.problems`` when the pass ends.
    """

    def __init__(self, rows: Iterator[tuple[int, dict[str, object]]], most: int) -> None:
        self._rows = rows
        self.most = most  # the rows it may hand over at most: the sheet's height below its header

    def __iter__(self) -> Iterator[tuple[int, dict[str, object]]]:
        rows, self._rows = self._rows, iter(())
        return rows


# ----------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------


def read_workbook(path: str | os.PathLike, *, sheets: Iterable[str] = SHEET_KEYS,
                  lang: str = "ja", streamed: Iterable[str] = ()) -> dict[str, RawSheet | None]:
    """The raw sheets of a master workbook, by sheet key; ``None`` for a sheet that is absent.

    Parameters
    ----------
    path : str or os.PathLike
        An ``.xlsx`` or ``.xlsm`` file.
    sheets : iterable of str, default all of SHEET_KEYS
        The sheets to read (keys of labels.json section "sheet"); the others map to ``None``.
    lang : {"ja", "en"}, default "ja"
        Language assumed for a sheet whose headers name no language (an empty sheet).
    streamed : iterable of str, default none
        Sheets whose rows are a :class:`RowStream` (read once, row by row, as the caller
        goes) instead of a list: the log of ``read_master``.

    Raises
    ------
    InputError
        The file is missing, of a kind xlsales cannot read (.xls, .xlsb, .ods, .csv), not
        an Excel workbook at all, damaged, or built to exhaust memory (a zip bomb, an XML
        DTD, a value in a cell far beyond the data).
    """
    from python_calamine import CalamineError, CalamineWorkbook

    path = _existing_file(path)
    suffix = path.suffix.lower()
    if suffix in _UNSUPPORTED:
        raise InputError("input_unsupported", path=path.name, kind=_UNSUPPORTED[suffix])
    if not zipfile.is_zipfile(path):
        # Also what a password-protected .xlsx looks like: an encrypted OLE container.
        raise InputError("input_not_xlsx", path=path.name)
    wanted, streamed = set(sheets), set(streamed)
    out: dict[str, RawSheet | None] = dict.fromkeys(SHEET_KEYS)
    try:
        with zipfile.ZipFile(path) as zf:
            check_package(path, zf)
            members = _sheet_members(path, zf)
            book = CalamineWorkbook.from_path(str(path))
            names = {k: v for k, v in _find_sheets(book.sheet_names, path, zf, members).items() if k in wanted}
            for key, name in names.items():
                xml = _sheet_xml(zf, members[name]) if name in members else b""
                _check_area(path, name, xml)  # before calamine builds the grid
                sheet = book.get_sheet_by_name(name)
                merged = _merged_ranges(path, name, xml, sheet)
                markers = _cell_markers(xml)
                del xml
                rows, height = _sheet_rows(sheet, markers)
                del sheet  # held by the rows until they are read
                raw = _lined_up(name, key, rows, lang=lang, merged=merged, height=height)
                if key not in streamed:
                    raw.rows = list(raw.rows)
                out[key] = raw
    except CalamineError as err:
        raise InputError("input_unreadable", path=path.name, detail=_detail(err)) from err
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ElementTree.ParseError) as err:
        # What calamine reads and zipfile or ElementTree cannot: refused as well, since the
        # checks above could not look at it.
        raise InputError("input_unreadable", path=path.name, detail=_detail(err)) from err
    return out


def read_csv(path: str | os.PathLike, section: str = "log", *, lang: str = "ja", streamed: bool = False) -> RawSheet:
    """The raw rows of a CSV file (an activity log exported from a CRM).

    The file is read as UTF-8 (with or without a byte-order mark), else as cp932
    (Shift_JIS, what Excel for Japanese Windows writes).  Its header may be in either
    language and may sit in any of the first 10 lines.  ``streamed``: the rows are a
    :class:`RowStream`, as in ``read_workbook``.

    Raises
    ------
    InputError
        The file is missing, in neither encoding, or not CSV (for a streamed file, a
        record that is not CSV raises it when its rows are read).
    """
    path = _existing_file(path)
    text = _decode(path.read_bytes(), path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)

    def records() -> Iterator[list[object]]:
        while True:
            # csv's default limit (131,072 characters in a field) would refuse a long cell
            # with no row or column; lifted for this file while a record is read, the
            # validator names the cell that is too long.
            limit = csv.field_size_limit(max(csv.field_size_limit(), len(text)))
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                raise InputError("input_csv_unreadable", path=path.name, detail=_detail(err)) from err
            finally:
                csv.field_size_limit(limit)
            yield [cell if cell != "" else None for cell in record]

    # A record ends a line (or more): there are no more records than line ends, plus one.
    most = text.count("\n") + text.count("\r") + 1
    sheet = _lined_up(path.name, section, records(), lang=lang, merged=(), height=most)
    if not streamed:
        sheet.rows = list(sheet.rows)
    return sheet


class ErrorValue(str):
    """The text of an Excel error cell (``#N/A``...): a ``str`` that remembers it was an error."""

    __slots__ = ()


class NoCachedValue(ErrorValue):
    """A formula cell saved without its result (``=`` and the formula): nothing to read."""

    __slots__ = ()


def is_error_value(value: object) -> bool:
    """True for an Excel error such as ``#N/A`` or ``#REF!`` (as a cell or as CSV text)."""
    # ("#" in value first: every error starts with it, and most texts are not errors)
    return isinstance(value, ErrorValue) or (isinstance(value, str) and "#" in value
                                             and value.strip().upper() in _ERROR_VALUES)


def raw_sheet(name: str, section: str, grid: list[list[object]], *, lang: str = "ja",
              merged: Iterable[tuple[tuple[int, int], tuple[int, int]]] = ()) -> RawSheet:
    """Line the cells of ``grid`` (row 0 = Excel row 1) up with the columns of ``section``.

    ``merged`` lists the sheet's merged ranges as ((first row, first column), (last row,
    last column)), 0-based: those over the header row or the data of a known column are
    problems of the sheet.
    """
    sheet = _lined_up(name, section, iter(grid), lang=lang, merged=merged, height=len(grid))
    sheet.rows = list(sheet.rows)
    return sheet


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------


def _lined_up(name: str, section: str, grid: Iterator[list[object]], *, lang: str,
              merged: Iterable[tuple[tuple[int, int], tuple[int, int]]], height: int) -> RawSheet:
    """``raw_sheet`` of rows coming one at a time (``height`` of them at most): the rows are
    a RowStream that lines each one up as it is asked for; the header is found first."""
    sheet = RawSheet(name=name, section=section, lang=lang)
    head = list(itertools.islice(grid, HEADER_SEARCH_ROWS))
    found = _find_header(head, section)
    if found is None:
        if any(_has_value(v) for r in itertools.chain(head, grid) for v in r):
            sheet.problems.append(no_header_problem(name, section))
        return sheet
    index, positions = found
    sheet.header_row = index + 1
    sheet.positions = positions
    header = head[index]
    sheet.headers = {key: str(header[j]).strip() for key, j in positions.items()}
    sheet.lang = _header_lang(section, sheet.headers, lang)
    sheet.problems.extend(_duplicate_columns(name, section, header, index + 1, positions))
    merged = list(merged)
    # The first cell of each merged range (what it holds decides whether it is a problem),
    # picked up as its row goes by.
    firsts: dict[int, dict[int, object]] = {}
    for (r0, c0), _ in merged:
        firsts.setdefault(r0, {})[c0] = None
    columns = list(positions.items())

    def rows() -> Iterator[tuple[int, dict[str, object]]]:
        for i, cells in enumerate(itertools.chain(head, grid)):
            if i in firsts:
                picked = firsts[i]
                for c in picked:
                    picked[c] = cells[c] if c < len(cells) else None
            if i <= index:
                continue
            width = len(cells)
            # _clean written out: this runs for every cell of the log
            values = {key: None if (v := cells[j] if j < width else None) is None
                      or (isinstance(v, str) and not v.strip()) else v for key, j in columns}
            if list(values.values()).count(None) < len(columns):
                yield i + 1, values
        sheet.problems.extend(_merged_problems(sheet, firsts, index, merged))

    sheet.rows = RowStream(rows(), max(height - index - 1, 0))
    return sheet


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


def _find_sheets(sheet_names: list[str], path: Path, zf: zipfile.ZipFile, members: dict[str, str]) -> dict[str, str]:
    """Sheet key -> sheet name in the file, by ja or en name (first match wins)."""
    names: dict[str, str] = {}
    for name in sheet_names:
        key = parse_key("sheet", name)
        if key in SHEET_KEYS and key not in names:
            names[key] = name
    if "log" not in names:
        # Found from the package, not from calamine: its table lookup reads the whole sheet
        # before the sheet's area could be checked.
        sheet = _table_sheet(path, zf, members, LOG_TABLE)
        if sheet is not None:
            names["log"] = sheet
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


def no_header_problem(name: str, section: str) -> Problem:
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


# -- the package -------------------------------------------------------------------


def check_package(path: Path, zf: zipfile.ZipFile) -> None:
    """Refuse zip bombs and DTDs before anything inflates or parses a part."""
    for info in zf.infolist():
        if info.flag_bits & 0x1:  # a part encrypted in the zip itself
            raise InputError("input_not_xlsx", path=path.name)
        size, packed = info.file_size, max(info.compress_size, 1)
        if size > MAX_PART_BYTES or (size > _RATIO_FROM and size > MAX_RATIO * packed):
            raise InputError("input_zip_bomb", path=path.name, part=info.filename, size=_mb(size),
                             packed=_mb(packed), limit=_mb(MAX_PART_BYTES), ratio=MAX_RATIO)
        if info.filename.lower().endswith((".xml", ".rels")):
            with zf.open(info) as fh:
                head = fh.read(_DTD_HEAD)
            if b"<!DOCTYPE" in head.upper():
                raise InputError("input_xml_dtd", path=path.name, part=info.filename)


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.1f}"


def _parse_xml(path: Path, zf: zipfile.ZipFile, part: str) -> ElementTree.Element:
    """A small part (workbook, relationships, table) parsed, never with a DTD: whatever the
    expat that ElementTree runs on, no entity is expanded."""
    data = zf.read(part)
    if b"<!DOCTYPE" in data.upper():
        raise InputError("input_xml_dtd", path=path.name, part=part)
    return ElementTree.fromstring(data)


def _rels(path: Path, zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, zip member) of ``part`` (``xl/workbook.xml`` ...)."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in zf.NameToInfo:
        return {}
    names = set(zf.namelist())
    out: dict[str, tuple[str, str]] = {}
    for el in _parse_xml(path, zf, rels_name).iter():
        target = el.get("Target")
        if el.get("Id") is None or target is None or el.get("TargetMode") == "External":
            continue
        # Targets are relative to the part's folder unless absolute ("/xl/..."); a few
        # writers put package paths ("xl/...") where a relative one belongs.
        candidates = [target.lstrip("/")] if target.startswith("/") else [
            posixpath.normpath(posixpath.join(folder, target)), target]
        member = next((c for c in candidates if c in names), candidates[0])
        out[el.get("Id")] = (el.get("Type", ""), member)
    return out


def _sheet_members(path: Path, zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding the worksheet."""
    if "xl/workbook.xml" not in zf.NameToInfo:
        return {}  # not a workbook: calamine says so
    rels = _rels(path, zf, "xl/workbook.xml")
    out: dict[str, str] = {}
    for el in _parse_xml(path, zf, "xl/workbook.xml").iter():
        if el.tag.endswith("}sheet") and el.get(_NS_REL) in rels:
            member = rels[el.get(_NS_REL)][1]
            if member in zf.NameToInfo:
                out.setdefault(el.get("name", ""), member)
    return out


def _table_sheet(path: Path, zf: zipfile.ZipFile, members: dict[str, str], table: str) -> str | None:
    """The name of the sheet that holds the Excel table called ``table`` (any case), or None."""
    for name, member in members.items():
        for kind, target in _rels(path, zf, member).values():
            if kind.endswith("/table") and target in zf.NameToInfo:
                root = _parse_xml(path, zf, target)
                if table.casefold() in {(root.get(a) or "").casefold() for a in ("name", "displayName")}:
                    return name
    return None


# -- the area calamine reads ------------------------------------------------------------
# calamine turns a sheet into one rectangle from A1 to the last cell holding a value, in
# memory; one value in XFD1048576 makes that 17 billion cells.  The sheet's XML says where
# its cells are (``r="B2"``; a row or cell without ``r`` follows the one before it).

_ATTRS = rb"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
# Every row and cell tag: (tag, column letters of r, row digits of r, "/" when it holds nothing).
_AREA_TAG = re.compile(rb"""<(?:[\w.\-]+:)?(row|c)(?:\s+r\s*=\s*["']\$?([A-Za-z]*)\$?(\d*)["']"""
                       rb"""|\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")
# What makes a sheet need the count above: a row or cell tag without r, an r written other
# than r="..", or one beyond column Z or row 999,999 (26 x 999,999 cells stay under MAX_CELLS).
_NO_R_TAG = re.compile(rb"""<(?:[\w.\-]+:)?(?:row|c)(?:\s+(?!r\s*=)[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")
_FAR_R = re.compile(rb"""r(?<=\sr)(?:\s+=|=\s|='|="\$?(?:[A-Za-z]{2}|[A-Za-z]*\$?\d{7}))""")
# A row or cell tag whose first attribute is not r: every tag _NO_R_TAG finds is one (and a
# quicker search).
_FIRST_NOT_R = re.compile(rb"""<(?:row|c)(?=[\s/>])(?!\s+r\s*=)|<[\w.\-]+:(?:row|c)(?=[\s/>])(?!\s+r\s*=)""")


_SCAN_CHUNK, _SCAN_OVERLAP = 1 << 20, 1 << 16


def _sheet_xml(zf: zipfile.ZipFile, member: str) -> bytes:
    """The sheet's XML when it holds anything the checks here must look at (error cells,
    formulas, merged cells, cells far out or without a position), else ``b""``.

    Looked through in chunks: the log sheet of 700,000 rows is 225 MB of XML (and reading
    it whole took twice that), held only in the rare case it is needed.
    """
    with zf.open(member) as fh:
        tail = b""
        while chunk := fh.read(_SCAN_CHUNK):
            window = tail + chunk
            if _needs_xml(window):
                return zf.read(member)
            tail = window[-_SCAN_OVERLAP:]
    return b""


def _needs_xml(xml: bytes) -> bool:
    # A pattern is searched for only where the bytes it cannot match without are found:
    # ``in`` looks through the 225 MB of the 700k log several times faster than a pattern
    # that is tried at every "<" or "t".
    return (any(q in xml for q in (b'"e"', b"'e'", b'"e\'', b'\'e"')) and bool(_ERROR_TYPE.search(xml))
            or (b"<f" in xml or b":f" in xml) and bool(_FORMULA.search(xml))
            or b"mergeCell" in xml and bool(_MERGE_CELL.search(xml))
            or bool(_FAR_R.search(xml))
            or bool(_FIRST_NOT_R.search(xml)) and bool(_NO_R_TAG.search(xml)))


def _check_area(path: Path, sheet_name: str, xml: bytes) -> None:
    """Refuse a sheet whose cells span more than ``MAX_CELLS`` from A1."""
    if not xml or not (_FAR_R.search(xml) or _NO_R_TAG.search(xml)):
        return  # the common case: within Z999999, found without a loop in Python
    far_row = far_col = (-1, -1)  # (row, column) 0-based of the lowest and of the rightmost cell
    row = col = -1
    for match in _AREA_TAG.finditer(xml):
        tag, letters, digits, empty = match.groups()
        if tag == b"row":
            row, col = (int(digits[:10]) - 1 if digits else row + 1), -1
            continue
        # (four letters and ten digits are already far beyond any limit)
        col = _col_index(letters[:4].decode().upper()) if letters else col + 1
        row = int(digits[:10]) - 1 if digits else row
        if not empty:  # <c .../> holds no value
            far_row = max(far_row, (row, col))
            far_col = max(far_col, (col, row))
    rows, cols = far_row[0] + 1, far_col[0] + 1
    if rows * cols > MAX_CELLS:
        cells = dict.fromkeys([_ref(*far_row), _ref(far_col[1], far_col[0])])
        raise InputError("input_sheet_area", path=path.name, sheet=sheet_name, cells=", ".join(cells),
                         corner=_ref(rows - 1, cols - 1), area=f"{rows * cols:,}", limit=f"{MAX_CELLS:,}")


def _ref(row: int, col: int) -> str:
    return f"{_col_letter(col)}{row + 1}"


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


# -- merged cells ------------------------------------------------------------------------

_MERGE_CELL = re.compile(rb"<(?:[\w.\-]+:)?mergeCell[\s/>]")


def _merged_ranges(path: Path, sheet_name: str, xml: bytes, sheet) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The merged ranges of a sheet; counted in its XML first (calamine hands them over all at once)."""
    count = sum(1 for _ in itertools.islice(_MERGE_CELL.finditer(xml), MAX_MERGED + 1)) if xml else 0
    if count > MAX_MERGED:
        raise InputError("input_sheet_merged", path=path.name, sheet=sheet_name, limit=f"{MAX_MERGED:,}")
    return list(sheet.merged_cell_ranges or []) if count else []


def _merged_problems(sheet: RawSheet, firsts: dict[int, dict[int, object]], header_index: int,
                     merged: Iterable[tuple[tuple[int, int], tuple[int, int]]]) -> list[Problem]:
    # A merged range over the header row hides a column's header; over data rows it holds
    # one value for several rows, and which rows it was meant for would be a guess.  An
    # empty one below the header holds nothing to guess about.
    out = []
    by_column = sorted((j, key) for key, j in sheet.positions.items())
    for (r0, c0), (r1, c1) in merged:
        covered = [key for j, key in by_column if c0 <= j <= c1]
        if r1 < header_index or not covered or (r0, c0) == (r1, c1):
            continue
        first = firsts.get(r0, {}).get(c0)
        if r0 > header_index and not _has_value(first):
            continue
        out.append(Problem(sheet=sheet.name, row=max(r0, header_index) + 1, column=sheet.column(covered[0]),
                           value=None, reason="cell_merged",
                           params={"range": f"{_ref(r0, c0)}:{_ref(r1, c1)}"}))
    return out


# -- Excel error values and formulas without a value ----------------------------------
# calamine reads an error cell (#N/A, #REF!...) as an empty string, which would make a
# broken formula look like a blank cell, and a formula saved without its result (openpyxl
# and other programs write formulas only, for a spreadsheet to calculate) as nothing.
# Both are rare, so the sheet's XML is scanned for them with byte searches and they are
# put back into the rows as calamine hands them over.

_ERROR_TYPE = re.compile(rb"""\bt\s*=\s*["']e["']""")
_ERROR_CELL = re.compile(rb"""<(?:\w+:)?c\s[^>]*?\bt\s*=\s*["']e["'][^>]*>""")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]+)\$?(\d+)["']""")  # r, not xr:r
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>|<(?:\w+:)?c\s")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
# A formula (<f>text</f> or <f .../>) with no value, then the cell's end: (formula, <v/>, <v></v>).
# openpyxl writes <v/> (or <v />); <v></v> is a saved empty text, as XlsxWriter writes it.
_NO_VALUE_FORMULA = re.compile(
    rb"""<(?:\w+:)?f(?:\s[^>]*?)?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*"""
    rb"""(?:(<(?:\w+:)?v\s*/>)|(<(?:\w+:)?v>\s*</(?:\w+:)?v>))?\s*</(?:\w+:)?c>""")
_CELL_START = re.compile(rb"<(?:\w+:)?c(" + _ATTRS + rb")\s*>\s*")
_TEXT_TYPE = re.compile(rb"""\st\s*=\s*["'](?:str|inlineStr)["']""")
_XML_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def _cell_markers(xml: bytes) -> dict[int, dict[int, object]]:
    """Row -> column -> the ErrorValue or NoCachedValue of that cell (0-based), from the XML."""
    markers: dict[int, dict[int, object]] = {}
    if not xml:
        return markers
    if _ERROR_TYPE.search(xml):
        for match in _ERROR_CELL.finditer(xml):
            tag = match.group(0)
            ref = _CELL_REF.search(tag)
            if ref is None or tag.endswith(b"/>"):
                continue
            end = _CELL_END.search(xml, match.end())
            body = xml[match.end():end.start() if end else len(xml)]
            value = _VALUE.search(body)
            text = value.group(1).decode("utf-8", "replace").strip() if value else ""
            _put(markers, ref, ErrorValue(text or "#N/A"))
    if _FORMULA.search(xml):
        for match in _NO_VALUE_FORMULA.finditer(xml):
            # The cell's start tag sits right before its <f>.
            start = _CELL_START.fullmatch(xml, xml.rfind(b"<", 0, match.start()), match.start())
            formula, no_value, empty_text = match.groups()
            ref = _CELL_REF.search(start.group(1)) if start else None
            # An empty value of a text formula is its result: an empty string.
            if ref is None or empty_text or (no_value and _TEXT_TYPE.search(start.group(1))):
                continue
            _put(markers, ref, NoCachedValue("=" + unescape((formula or b"").decode("utf-8", "replace"),
                                                            _XML_ENTITIES)))
    return markers


def _put(markers: dict[int, dict[int, object]], ref: re.Match, value: object) -> None:
    markers.setdefault(int(ref.group(2)) - 1, {})[_col_index(ref.group(1).decode().upper())] = value


def _sheet_rows(sheet, markers: dict[int, dict[int, object]]) -> tuple[Iterator[list[object]], int]:
    """The rows of a calamine sheet from row 1 and column A, the markers put in, and how many.

    calamine hands rows over from row 1 but from the first column that holds anything: the
    columns left of it are put back, so that a column's index is its place in the sheet.
    """
    end = sheet.end
    width = end[1] + 1 if end else 0
    height = max(end[0] + 1 if end else 0, max(markers, default=-1) + 1)

    def rows() -> Iterator[list[object]]:
        done = 0
        for i, cells in enumerate(sheet.iter_rows()):
            if len(cells) < width:
                cells = [""] * (width - len(cells)) + cells
            if markers and i in markers:
                _mark(cells, markers[i])
            done = i + 1
            yield cells
        for i in range(done, height):  # a formula without a value below the last cell calamine read
            cells = []
            _mark(cells, markers.get(i, {}))
            yield cells

    return rows(), height


def _mark(cells: list[object], marks: dict[int, object]) -> None:
    for col, value in marks.items():
        if len(cells) <= col:
            cells.extend([""] * (col + 1 - len(cells)))
        cells[col] = value
