"""Edit a workbook's zip package part by part: every other part is copied as it is.

openpyxl drops charts, images and more on a round trip; collect never rewrites a master
that way.  Here the master's package is copied member by member, and only these parts
change:

- the worksheets given cells to set: their ``<row>`` elements are rewritten or inserted
  (text as inline strings, ``t="inlineStr"``, so ``sharedStrings.xml`` stays as it is;
  numbers and dates as serial numbers), styled like the cell above;
- the tables on those sheets, grown to cover new rows (``ref`` and its ``autoFilter``) and
  widened by the columns an edit adds at their right (``tableColumns``);
- a sheet appended to (its rows after its last one, styled like the row above, its
  autofilter grown) or added (its part, and its entries in ``workbook.xml``, the
  workbook's relationships and ``[Content_Types].xml``), with the cell formats it needs
  appended to ``styles.xml`` (``styles_part``: no existing index changes).

Cells are found by their ``r`` attribute, which every writer of xlsx (Excel, LibreOffice,
openpyxl, XlsxWriter) puts on every row and cell; a sheet without it is refused.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import column_index_from_string, get_column_letter

from xlsales.collect.styles_part import STYLES_PART, StylesPartError, add_cell_formats
from xlsales.layout.styles import Style

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKSHEET_TYPE = _NS_R + "/worksheet"
_WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_WORKBOOK = "xl/workbook.xml"
# Characters XML 1.0 cannot hold (a rep may paste them): dropped from the text written.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class PackageError(ValueError):
    """The package is not laid out as this module can edit; ``str`` says why (English)."""


class TableColumnsError(PackageError):
    """The columns an edit adds cannot join the table at their left: they do not follow its
    last column (a cell of the header row lies beyond the table)."""


@dataclass
class SheetEdit:
    """Cells to set on one sheet: 1-based row -> 0-based column -> value (None: left as is).

    Values are ``str`` (inline text, never a formula), ``int``/``float``, ``dt.date``
    (a serial number).  ``header_row``: new cells under it never copy its style.
    """

    cells: dict[int, dict[int, object]] = field(default_factory=dict)
    header_row: int = 1
    grow_table: bool = True  # the table whose header is ``header_row`` grows down to the last row set
    styles: dict[int, bytes] = field(default_factory=dict)  # column -> cellXfs index of new rows' cells
    heights: dict[int, float] = field(default_factory=dict)  # new row -> its height in points
    # A column added to the sheet -> the column it looks like: a cell set in it without a
    # style of its own takes the style of that column's cell (same row, else the row above),
    # and the column takes that column's width when no <col> covers it.
    like: dict[int, int] = field(default_factory=dict)
    # 0-based column -> header text: the columns the table whose header is ``header_row``
    # gains at its right (they must follow its last column); the cells are set as any other.
    table_columns: dict[int, str] = field(default_factory=dict)


@dataclass
class NewSheet:
    """A sheet ``edit_package`` adds, or appends rows to when the workbook has it already.

    ``rows`` starts with the header.  Added, the sheet gets ``widths``, the header in
    ``header_style`` (frozen, with an autofilter over the rows), each column's cells in its
    ``styles`` entry and each row the height in ``heights`` (None: the default).  Appended
    to, the new rows are styled like the sheet's last row (``styles`` where it has none)
    and its autofilter grows over them.
    """

    name: str
    rows: Sequence[Sequence[object]]
    widths: Sequence[float] = ()
    header_style: Style | None = None
    styles: Sequence[Style | None] = ()
    heights: Sequence[float | None] = ()


def edit_package(src: str | Path, dst: str | Path, edits: Mapping[str, SheetEdit], *,
                 new_sheet: NewSheet | None = None) -> None:
    """Copy the package ``src`` to ``dst`` with ``edits`` (by sheet name) applied.

    ``new_sheet``: a sheet added at the end of the workbook when it has no sheet of that
    name, else its rows are appended after that sheet's last row (the first row, its
    header, is then left out).

    Raises
    ------
    PackageError
        A sheet named in ``edits`` is missing, or a sheet's XML is not as expected.
    """
    with zipfile.ZipFile(src) as zin:
        sheets = _sheet_parts(zin)
        date1904 = b'date1904="1"' in zin.read(_WORKBOOK) or b"date1904=\"true\"" in zin.read(_WORKBOOK)
        changed: dict[str, bytes] = {}
        edits = dict(edits)
        added: tuple[str, bytes] | None = None
        if new_sheet is not None:
            name, rows = new_sheet.name, new_sheet.rows
            if name in sheets:
                xml = zin.read(sheets[name])
                last = _last_row(xml)
                edit = edits.setdefault(name, SheetEdit())
                for i, values in enumerate(rows[1:], start=last + 1):
                    edit.cells[i] = dict(enumerate(values))
                    if i - last < len(new_sheet.heights) and new_sheet.heights[i - last] is not None:
                        edit.heights[i] = new_sheet.heights[i - last]
                above = _row_styles(xml, last) if last > 1 else {}
                wanted = [c for c, style in enumerate(new_sheet.styles) if style is not None and c not in above]
                if wanted:  # a sheet with no styled row yet (a header alone, or written plain)
                    styles, formats = _with_formats(zin, [new_sheet.styles[c] for c in wanted])
                    if styles is not None:
                        changed[STYLES_PART] = styles
                        edit.styles.update({c: str(f).encode() for c, f in zip(wanted, formats)})
            else:
                part = _free_part(zin)
                wanted = [new_sheet.header_style, *new_sheet.styles]
                styles, formats = _with_formats(zin, [s for s in wanted if s is not None])
                it = iter(formats)
                indices = [next(it) if s is not None else None for s in wanted] if styles is not None else []
                if styles is not None:
                    changed[STYLES_PART] = styles
                added = (part, _sheet_xml(new_sheet, indices, date1904))
                changed.update(_register_sheet(zin, name, part))
                # Excel writes an autofilter's range as a hidden name too; LibreOffice reads it from there.
                width = max((len(r) for r in rows), default=1)
                changed[_WORKBOOK] = _filter_name(changed[_WORKBOOK], len(sheets), name, width, len(rows))
        for name, edit in edits.items():
            if name not in sheets:
                raise PackageError(f"no sheet {name!r}")
            member = sheets[name]
            xml = zin.read(member)
            changed[member] = _edit_sheet(xml, edit, date1904)
            if new_sheet is not None and name == new_sheet.name and edit.cells:
                changed[member] = _grow_autofilter(changed[member], max(edit.cells))
                index = list(sheets).index(name)
                changed[_WORKBOOK] = _grow_filter_name(changed.get(_WORKBOOK, zin.read(_WORKBOOK)), index,
                                                       max(edit.cells))
            last = max(edit.cells, default=0)
            for table in _tables_of(zin, member):
                xml = zin.read(table)
                if _table_top(xml) == edit.header_row:
                    if edit.grow_table:
                        xml = changed[table] = _grow_table(xml, last)
                    if edit.table_columns:
                        changed[table] = _widen_table(xml, edit.table_columns)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = changed.get(info.filename)
                zout.writestr(info, data if data is not None else zin.read(info), compress_type=zipfile.ZIP_DEFLATED)
            if added is not None:
                zout.writestr(added[0], added[1])


# -- finding parts -------------------------------------------------------------------------


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _targets(zin: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, member) of ``part``."""
    name = _rels_name(part)
    if name not in zin.NameToInfo:
        return {}
    folder = posixpath.dirname(part)
    out = {}
    for el in ElementTree.fromstring(zin.read(name)):
        target = el.get("Target", "")
        if el.get("TargetMode") == "External":
            continue
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[el.get("Id", "")] = (el.get("Type", ""), member)
    return out


def _sheet_parts(zin: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its worksheet member."""
    if _WORKBOOK not in zin.NameToInfo:
        raise PackageError("no xl/workbook.xml")
    rels = _targets(zin, _WORKBOOK)
    out = {}
    for el in ElementTree.fromstring(zin.read(_WORKBOOK)).iter(f"{{{_NS_MAIN}}}sheet"):
        kind, member = rels.get(el.get(f"{{{_NS_R}}}id", ""), ("", ""))
        if kind == _WORKSHEET_TYPE:
            out[el.get("name", "")] = member
    return out


def _table_top(xml: bytes) -> int | None:
    """The first row of the table part ``xml`` (its header row)."""
    m = re.search(r"\$?[A-Z]+\$?(\d+)", ElementTree.fromstring(xml).get("ref") or "")
    return int(m.group(1)) if m else None


def _tables_of(zin: zipfile.ZipFile, sheet_member: str) -> list[str]:
    return [member for kind, member in _targets(zin, sheet_member).values() if kind.endswith("/table")]


# -- rows and cells ------------------------------------------------------------------------

_ROW_TAG = re.compile(rb"<(?P<p>[\w.\-]+:)?row\b(?P<attrs>[^>]*?)(?P<empty>/?)>")
_R_ATTR = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_CELL = re.compile(rb"<(?:[\w.\-]+:)?c\b(?P<attrs>[^>]*?)(?:/>|>.*?</(?:[\w.\-]+:)?c>)", re.S)
_CELL_R = re.compile(rb"""\sr\s*=\s*["']\$?([A-Z]+)\$?\d+["']""")
_CELL_S = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")
_SPANS = re.compile(rb"""\sspans\s*=\s*["'][^"']*["']""")
_COL = re.compile(rb"<(?:[\w.\-]+:)?col\b([^>]*)/?>")
_DIMENSION = re.compile(rb"""(<(?:[\w.\-]+:)?dimension\s+ref\s*=\s*["'])([A-Z]+\d+)(?::([A-Z]+)(\d+))?(["'])""")


def _last_row(xml: bytes) -> int:
    rows = [int(m.group(1)) for t in _ROW_TAG.finditer(xml) if (m := _R_ATTR.search(t.group("attrs")))]
    return max(rows, default=0)


def _edit_sheet(xml: bytes, edit: SheetEdit, date1904: bool) -> bytes:
    if not edit.cells:
        return xml
    empty = re.search(rb"<([\w.\-]+:)?sheetData\s*/>", xml)
    if empty is not None:  # no rows yet: the element opened and closed, then edited as any other
        p = empty.group(1) or b""
        xml = xml[:empty.start()] + b"<" + p + b"sheetData></" + p + b"sheetData>" + xml[empty.end():]
    close = re.search(rb"</(?:[\w.\-]+:)?sheetData>", xml)
    if close is None:
        raise PackageError("no sheetData")
    prefix = re.search(rb"<([\w.\-]+:)?sheetData", xml).group(1) or b""
    col_styles = _col_styles(xml)
    # Every row's start tag: (row number, start, end of the start tag, self-closing).
    rows: list[tuple[int, int, int, bool]] = []
    for tag in _ROW_TAG.finditer(xml, 0, close.start()):
        r = _R_ATTR.search(tag.group("attrs"))
        if r is None:
            raise PackageError("a row without its r attribute")
        rows.append((int(r.group(1)), tag.start(), tag.end(), bool(tag.group("empty"))))
    index = {r: i for i, (r, *_rest) in enumerate(rows)}
    pieces: list[bytes] = []
    pos = 0
    insert_at = close.start()
    ordered = sorted(edit.cells)
    for r in ordered:
        values = edit.cells[r]
        if r in index:
            i = index[r]
            _, start, tag_end, self_closing = rows[i]
            end = _row_close(xml, tag_end) if not self_closing else tag_end
            above = _cell_styles(xml, rows[i - 1]) if i > 0 and rows[i - 1][0] > edit.header_row \
                else {}
            pieces.append(xml[pos:start])
            pieces.append(_rewrite_row(xml[start:end], values, above, col_styles, prefix, date1904, like=edit.like))
            pos = end
        else:
            # A new row goes before the first row below it, styled like the row above it.
            i = _bisect(rows, r)
            at = rows[i][1] if i < len(rows) else insert_at
            prev = rows[i - 1] if i > 0 else None
            above = _cell_styles(xml, prev) if prev and prev[0] > edit.header_row else {}
            if at < pos:
                raise PackageError("rows out of order")
            pieces.append(xml[pos:at])
            pieces.append(_new_row(r, values, {**above, **edit.styles}, col_styles, prefix, date1904,
                                   height=edit.heights.get(r), like=edit.like))
            pos = at
    pieces.append(xml[pos:])
    out = _like_widths(b"".join(pieces), edit.like)
    return _grow_dimension(out, max(ordered), max((max(v) for v in edit.cells.values() if v), default=0))


def _row_close(xml: bytes, tag_end: int) -> int:
    m = re.compile(rb"</(?:[\w.\-]+:)?row>").search(xml, tag_end)
    if m is None:
        raise PackageError("a row without its end tag")
    return m.end()


def _bisect(rows: list[tuple[int, int, int, bool]], r: int) -> int:
    lo, hi = 0, len(rows)
    while lo < hi:
        mid = (lo + hi) // 2
        if rows[mid][0] < r:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _col_styles(xml: bytes) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    for m in _COL.finditer(xml):
        attrs = dict(re.findall(rb"""(\w+)\s*=\s*["']([^"']*)["']""", m.group(1)))
        if b"style" in attrs and b"min" in attrs and b"max" in attrs:
            for c in range(int(attrs[b"min"]) - 1, min(int(attrs[b"max"]), 16384)):
                out[c] = attrs[b"style"]
    return out


def _cell_styles(xml: bytes, row: tuple[int, int, int, bool] | None) -> dict[int, bytes]:
    """Column -> the style of its cell in ``row``."""
    if row is None or row[3]:
        return {}
    body = xml[row[2]:_row_close(xml, row[2])]
    out = {}
    for cell in _CELL.finditer(body):
        ref, style = _CELL_R.search(cell.group("attrs")), _CELL_S.search(cell.group("attrs"))
        if ref is not None and style is not None:
            out[col_index(ref.group(1).decode())] = style.group(1)
    return out


def _rewrite_row(row_xml: bytes, values: dict[int, object], above: dict[int, bytes], col_styles: dict[int, bytes],
                 prefix: bytes, date1904: bool, *, like: Mapping[int, int] | None = None) -> bytes:
    like = like or {}
    tag = _ROW_TAG.match(row_xml)
    r = int(_R_ATTR.search(tag.group("attrs")).group(1))
    cells: dict[int, bytes] = {}
    styles: dict[int, bytes] = {}
    body = b"" if tag.group("empty") else row_xml[tag.end():row_xml.rindex(b"</")]
    for cell in _CELL.finditer(body):
        ref = _CELL_R.search(cell.group("attrs"))
        if ref is None:
            raise PackageError(f"a cell without its r attribute in row {r}")
        c = col_index(ref.group(1).decode())
        cells[c] = cell.group(0)
        style = _CELL_S.search(cell.group("attrs"))
        if style is not None:
            styles[c] = style.group(1)
    for c, value in values.items():
        if value is None:
            continue
        source = like.get(c, c)
        style = styles.get(c) or above.get(c) or styles.get(source) or above.get(source) or col_styles.get(c)
        cells[c] = _cell(prefix, c, r, value, style, date1904)
    attrs = _SPANS.sub(b"", tag.group("attrs"))
    inner = b"".join(cells[c] for c in sorted(cells))
    return b"<" + prefix + b"row" + attrs + b">" + inner + b"</" + prefix + b"row>"


def _new_row(r: int, values: dict[int, object], above: dict[int, bytes], col_styles: dict[int, bytes],
             prefix: bytes, date1904: bool, *, height: float | None = None,
             like: Mapping[int, int] | None = None) -> bytes:
    like = like or {}
    inner = b"".join(_cell(prefix, c, r, v, above.get(c) or above.get(like.get(c, c)) or col_styles.get(c), date1904)
                     for c, v in sorted(values.items()) if v is not None)
    ht = f' ht="{height:g}" customHeight="1"'.encode() if height else b""
    return b"<" + prefix + b'row r="' + str(r).encode() + b'"' + ht + b">" + inner + b"</" + prefix + b"row>"


def _like_widths(xml: bytes, like: Mapping[int, int]) -> bytes:
    """``xml`` with a ``<col>`` for each added column no ``<col>`` covers: a copy of the one
    of the column it looks like (its width and style), in column order."""
    for c in sorted(like):
        spans = []
        for m in _COL.finditer(xml):
            attrs = dict(re.findall(rb"""(\w+)\s*=\s*["']([^"']*)["']""", m.group(1)))
            if b"min" in attrs and b"max" in attrs:
                spans.append((int(attrs[b"min"]) - 1, int(attrs[b"max"]) - 1, m))
        source = next((m for lo, hi, m in spans if lo <= like[c] <= hi), None)
        if source is None or any(lo <= c <= hi for lo, hi, _ in spans):
            continue
        element = re.sub(rb"""(\s(?:min|max)\s*=\s*["'])\d+(["'])""", rb"\g<1>" + str(c + 1).encode() + rb"\g<2>",
                         source.group(0))
        after = next((m for lo, _hi, m in spans if lo > c), None)
        at = after.start() if after is not None else re.search(rb"</(?:[\w.\-]+:)?cols>", xml).start()
        xml = xml[:at] + element + xml[at:]
    return xml


def _row_styles(xml: bytes, r: int) -> dict[int, bytes]:
    """Column -> the style of its cell in row ``r`` of the sheet ``xml`` (empty: no such row)."""
    for tag in _ROW_TAG.finditer(xml):
        m = _R_ATTR.search(tag.group("attrs"))
        if m is not None and int(m.group(1)) == r:
            return _cell_styles(xml, (r, tag.start(), tag.end(), bool(tag.group("empty"))))
    return {}


def _with_formats(zin: zipfile.ZipFile, styles: Sequence[Style]) -> tuple[bytes | None, list[int]]:
    # A styles.xml this module cannot append to leaves the sheet plain: its look is never
    # worth refusing a collect over.
    if STYLES_PART not in zin.NameToInfo:
        return None, []
    try:
        return add_cell_formats(zin.read(STYLES_PART), styles)
    except (StylesPartError, ElementTree.ParseError):
        return None, []


_AUTOFILTER = re.compile(rb"""(<(?:[\w.\-]+:)?autoFilter\b[^>]*?\sref\s*=\s*["'])"""
                         rb"""\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)(["'])""")


_FILTER_NAME = "_xlnm._FilterDatabase"


def _filter_name(wb: bytes, index: int, sheet: str, width: int, rows: int) -> bytes:
    """workbook.xml with the hidden name of the autofilter of sheet number ``index`` (0-based)."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    ref = f"{quoted}!$A$1:${col_letter(width - 1)}${max(rows, 1)}"
    p = re.search(rb"<(?P<p>[\w.\-]+:)?workbook\b", wb).group("p") or b""
    entry = (b"<" + p + b'definedName name="' + _FILTER_NAME.encode() + b'" localSheetId="' + str(index).encode()
             + b'" hidden="1">' + escape(ref).encode("utf-8") + b"</" + p + b"definedName>")
    close = re.search(rb"</(?:[\w.\-]+:)?definedNames>", wb)
    if close is not None:
        return wb[:close.start()] + entry + wb[close.start():]
    # definedNames follows sheets (and functionGroups, externalReferences when present).
    after = max(m.end() for m in re.finditer(rb"</(?:[\w.\-]+:)?(?:sheets|functionGroups|externalReferences)>", wb))
    return wb[:after] + b"<" + p + b"definedNames>" + entry + b"</" + p + b"definedNames>" + wb[after:]


def _grow_filter_name(wb: bytes, index: int, last_row: int) -> bytes:
    """The hidden autofilter name of sheet number ``index`` reaching down to ``last_row``."""
    pattern = re.compile(rb"""(<(?:[\w.\-]+:)?definedName\b(?=[^>]*name=["']""" + re.escape(_FILTER_NAME.encode())
                         + rb"""["'])(?=[^>]*localSheetId=["']""" + str(index).encode()
                         + rb"""["'])[^>]*>[^<]*?\$[A-Z]+\$)(\d+)(<)""")

    def grow(m: re.Match) -> bytes:
        return m.group(1) + str(max(int(m.group(2)), last_row)).encode() + m.group(3)

    return pattern.sub(grow, wb, count=1)


def _grow_autofilter(xml: bytes, last_row: int) -> bytes:
    """The sheet's own autofilter (not a table's) reaching down to ``last_row`` at least."""
    def grow(m: re.Match) -> bytes:
        end = max(int(m.group(5)), last_row)
        return m.group(1) + m.group(2) + m.group(3) + b":" + m.group(4) + str(end).encode() + m.group(6)

    return _AUTOFILTER.sub(grow, xml, count=1)


def serial(day: dt.date, date1904: bool = False) -> float:
    """Excel's serial number of a date (or date and time)."""
    base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    if not isinstance(day, dt.datetime):
        day = dt.datetime(day.year, day.month, day.day)
    delta = day - base
    return delta.days + delta.seconds / 86400


def _cell(prefix: bytes, c: int, r: int, value: object, style: bytes | None, date1904: bool) -> bytes:
    ref = f"{col_letter(c)}{r}".encode()
    s = b' s="' + style + b'"' if style else b""
    head = b"<" + prefix + b'c r="' + ref + b'"' + s
    if isinstance(value, bool):
        return head + b' t="b"><' + prefix + b"v>" + (b"1" if value else b"0") + b"</" + prefix + b"v></" + \
            prefix + b"c>"
    if isinstance(value, (int, float)):
        number = repr(float(value)) if isinstance(value, float) and value != int(value) else str(int(value))
        return head + b"><" + prefix + b"v>" + number.encode() + b"</" + prefix + b"v></" + prefix + b"c>"
    if isinstance(value, dt.date):
        number = serial(value, date1904)
        text = str(int(number)) if number == int(number) else repr(number)
        return head + b"><" + prefix + b"v>" + text.encode() + b"</" + prefix + b"v></" + prefix + b"c>"
    if value == "":  # a cleared cell keeps its style and holds nothing
        return head + b"/>"
    text = escape(_NOT_XML.sub("", str(value))).encode("utf-8")
    return (head + b' t="inlineStr"><' + prefix + b'is><' + prefix + b't xml:space="preserve">' + text +
            b"</" + prefix + b"t></" + prefix + b"is></" + prefix + b"c>")


def col_letter(index: int) -> str:
    """Column letters of a 0-based column index (0 -> A)."""
    return get_column_letter(index + 1)


def col_index(letters: str) -> int:
    """0-based column index of column letters (A -> 0)."""
    return column_index_from_string(letters) - 1


def _grow_dimension(xml: bytes, last_row: int, last_col: int) -> bytes:
    m = _DIMENSION.search(xml)
    if m is None:
        return xml
    first, end_col, end_row = m.group(2), m.group(3), m.group(4)
    if end_col is None:  # a one-cell dimension: A1
        end_col, end_row = re.match(rb"([A-Z]+)(\d+)", first).groups()
    col = max(col_index(end_col.decode()), last_col)
    row = max(int(end_row), last_row)
    ref = first + b":" + col_letter(col).encode() + str(row).encode()
    return xml[:m.start()] + m.group(1) + ref + m.group(5) + xml[m.end():]


_TABLE_REF = re.compile(rb"""(\sref\s*=\s*["'])\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)(["'])""")


def _grow_table(xml: bytes, last_row: int) -> bytes:
    """The table's ``ref`` (and its autoFilter's) reaching down to ``last_row`` at least."""
    def grow(m: re.Match) -> bytes:
        end = max(int(m.group(5)), last_row)
        return m.group(1) + m.group(2) + m.group(3) + b":" + m.group(4) + str(end).encode() + m.group(6)

    head_end = xml.index(b">", xml.index(b"<", xml.index(b"table")))  # the table start tag
    table_tag = _TABLE_REF.sub(grow, xml[:head_end], count=1)
    rest = xml[head_end:]
    auto = re.search(rb"<(?:[\w.\-]+:)?autoFilter\b[^>]*>", rest)
    if auto is not None:
        rest = rest[:auto.start()] + _TABLE_REF.sub(grow, auto.group(0), count=1) + rest[auto.end():]
    return table_tag + rest


def _widen_table(xml: bytes, columns: Mapping[int, str]) -> bytes:
    """The table part ``xml`` with ``columns`` (0-based column -> name) added at its right:
    its ``ref`` and its autoFilter's reaching the last of them, a ``tableColumn`` each."""
    m = _TABLE_REF.search(xml[:xml.index(b">", xml.index(b"<", xml.index(b"table")))])
    if m is None:
        raise PackageError("a table without its ref")
    end = col_index(m.group(4).decode())
    if sorted(columns) != list(range(end + 1, end + 1 + len(columns))):
        raise TableColumnsError(f"the table ends at column {m.group(4).decode()}, before the last header cell")
    last = col_letter(max(columns)).encode()

    def widen(found: re.Match) -> bytes:
        return found.group(1) + found.group(2) + found.group(3) + b":" + last + found.group(5) + found.group(6)

    head_end = xml.index(b">", xml.index(b"<", xml.index(b"table")))
    head, rest = _TABLE_REF.sub(widen, xml[:head_end], count=1), xml[head_end:]
    auto = re.search(rb"<(?:[\w.\-]+:)?autoFilter\b[^>]*>", rest)
    if auto is not None:
        rest = rest[:auto.start()] + _TABLE_REF.sub(widen, auto.group(0), count=1) + rest[auto.end():]
    group = re.search(rb"<(?P<p>[\w.\-]+:)?tableColumns\b[^>]*>", rest)
    if group is None:
        raise PackageError("a table without its columns")
    p = group.group("p") or b""
    ids = [int(x) for x in re.findall(rb"""<(?:[\w.\-]+:)?tableColumn\b[^>]*?\sid\s*=\s*["'](\d+)["']""", rest)]
    count = re.sub(rb"""(\scount\s*=\s*["'])\d+(["'])""",
                   lambda c: c.group(1) + str(len(ids) + len(columns)).encode() + c.group(2), group.group(0))
    rest = rest[:group.start()] + count + rest[group.end():]
    close = re.search(rb"</(?:[\w.\-]+:)?tableColumns>", rest)
    if close is None:
        raise PackageError("a table without its columns")
    first = max(ids, default=0) + 1
    added = b"".join(b"<" + p + b'tableColumn id="' + str(first + i).encode() + b'" name='
                     + quoteattr(name).encode("utf-8") + b"/>" for i, (_, name) in enumerate(sorted(columns.items())))
    rest = rest[:close.start()] + added + rest[close.start():]
    return head + rest


def last_value_column(src: str | Path, sheet: str, row: int) -> int:
    """The 0-based column of the last cell of ``row`` on ``sheet`` that holds a value (-1: none).

    Raises
    ------
    PackageError
        The workbook has no sheet of that name.
    """
    with zipfile.ZipFile(src) as zin:
        sheets = _sheet_parts(zin)
        if sheet not in sheets:
            raise PackageError(f"no sheet {sheet!r}")
        xml = zin.read(sheets[sheet])
    for tag in _ROW_TAG.finditer(xml):
        m = _R_ATTR.search(tag.group("attrs"))
        if m is None or int(m.group(1)) != row or tag.group("empty"):
            continue
        body = xml[tag.end():_row_close(xml, tag.end())]
        found = [col_index(ref.group(1).decode()) for cell in _CELL.finditer(body)
                 if (ref := _CELL_R.search(cell.group("attrs"))) and re.search(rb"<(?:[\w.\-]+:)?(?:v|is)\b",
                                                                                cell.group(0))]
        return max(found, default=-1)
    return -1


# -- a sheet added ---------------------------------------------------------------------------


def _free_part(zin: zipfile.ZipFile) -> str:
    n = 1
    while f"xl/worksheets/sheet{n}.xml" in zin.NameToInfo:
        n += 1
    return f"xl/worksheets/sheet{n}.xml"


def _sheet_xml(sheet: NewSheet, styles: Sequence[int | None], date1904: bool) -> bytes:
    """The worksheet part of an added sheet: ``styles`` are the header's, then each column's
    cellXfs indices (empty: no formats could be added; the sheet is then plain)."""
    rows = sheet.rows
    head_style, col_styles = (styles[0], styles[1:]) if styles else (None, [])
    width = max((len(r) for r in rows), default=0)
    cols = b"".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'.encode()
                    for i, w in enumerate(sheet.widths, start=1))
    body = []
    for r, values in enumerate(rows, start=1):
        style = ({c: str(head_style).encode() for c in range(width)} if head_style is not None else {}) if r == 1 \
            else {c: str(s).encode() for c, s in enumerate(col_styles) if s is not None}
        height = sheet.heights[r - 1] if r - 1 < len(sheet.heights) else None
        body.append(_new_row(r, {c: v for c, v in enumerate(values)}, style, {}, b"", date1904, height=height))
    last = f"{col_letter(max(width - 1, 0))}{max(len(rows), 1)}"
    # The header frozen (the rows scroll under it), an autofilter over the table, A4 landscape
    # one page wide: the look of the master's own tables.
    views = (b'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
             b' state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>')
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="' + _NS_MAIN.encode() + b'" xmlns:r="' + _NS_R.encode() + b'">'
            + b'<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            + b'<dimension ref="A1:' + last.encode() + b'"/>' + views
            + (b"<cols>" + cols + b"</cols>" if cols else b"")
            + b"<sheetData>" + b"".join(body) + b"</sheetData>"
            + b'<autoFilter ref="A1:' + last.encode() + b'"/>'
            + b'<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
            + b'<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            + b"</worksheet>")


def _register_sheet(zin: zipfile.ZipFile, name: str, part: str) -> dict[str, bytes]:
    """workbook.xml, its relationships and [Content_Types].xml with the sheet ``part`` added."""
    wb = zin.read(_WORKBOOK)
    rels_name = _rels_name(_WORKBOOK)
    rels = zin.read(rels_name)
    ids = set(re.findall(rb"""\sId\s*=\s*["']([^"']+)["']""", rels))
    n = len(ids) + 1
    while f"rId{n}".encode() in ids:
        n += 1
    rid = f"rId{n}"
    sheet_ids = [int(x) for x in re.findall(rb"""<(?:[\w.\-]+:)?sheet\b[^>]*?\ssheetId\s*=\s*["'](\d+)["']""", wb)]
    sheet_id = max(sheet_ids, default=0) + 1
    r_prefix = re.search(rb'xmlns:([\w.\-]+)\s*=\s*["\']' + re.escape(_NS_R.encode()) + rb'["\']', wb)
    close = re.search(rb"</(?P<p>[\w.\-]+:)?sheets>", wb)
    if close is None:
        raise PackageError("workbook.xml has no sheets")
    p = close.group("p") or b""
    if r_prefix is not None:
        rattr = r_prefix.group(1) + b':id="' + rid.encode() + b'"'
    else:
        rattr = b'xmlns:xr_="' + _NS_R.encode() + b'" xr_:id="' + rid.encode() + b'"'
    entry = (b"<" + p + b"sheet name=" + quoteattr(name).encode("utf-8") + b' sheetId="' + str(sheet_id).encode()
             + b'" ' + rattr + b"/>")
    wb = wb[:close.start()] + entry + wb[close.start():]
    target = posixpath.relpath(part, posixpath.dirname(_WORKBOOK))
    rel = f'<Relationship Id="{rid}" Type="{_WORKSHEET_TYPE}" Target="{target}"/>'.encode()
    end = rels.rindex(b"</")
    rels = rels[:end] + rel + rels[end:]
    types = zin.read("[Content_Types].xml")
    override = f'<Override PartName="/{part}" ContentType="{_WORKSHEET_CT}"/>'.encode()
    end = types.rindex(b"</")
    types = types[:end] + override + types[end:]
    return {_WORKBOOK: wb, rels_name: rels, "[Content_Types].xml": types}
