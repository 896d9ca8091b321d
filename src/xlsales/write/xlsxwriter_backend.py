"""Render a workbook model (``layout.sheetmodel``) into a new .xlsx file with XlsxWriter.

XlsxWriter stores each formula's computed value beside the formula, so previews and
Protected View show numbers.  Text is always written as text: a customer called
"=1+1" stays a string and never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_range
from xlsxwriter.worksheet import Worksheet

try:  # XlsxWriter's internal cell record: see _put_formula
    from xlsxwriter.worksheet import CellFormulaTuple as _CellFormula
except ImportError:  # pragma: no cover - a future XlsxWriter
    _CellFormula = None

from xlsales.layout import sheetmodel as sm
from xlsales.layout import styles as st
from xlsales.write.files import atomic_path
from xlsales.write.rowxml import cached_value, date_serial, row_writer

# Whether a streamed table's rows are written as XML directly (write.rowxml) rather than
# cell by cell through XlsxWriter's calls: the same bytes, several times faster.  A switch
# so tests can write both ways and compare the files.
FAST_ROWS = True

# A sheet without a table streams too (see _stream) when it has at least this many cells
# and nothing that needs its rows kept in memory (merges, row settings, charts): the sent
# record of a per-person workbook lists every row of the rep's log.
STREAM_CELLS = 1000

# zlib's level for the package: 3 is the strongest of zlib's fast strategy (levels 1-3).
# XlsxWriter leaves zipfile's default, 6; a build's 700 MB of sheet XML (100k log rows)
# compressed in 5.5 s at 6 and 2.5 s at 3, for files about a quarter larger (30.5 → 37.7 MB
# for the 58 workbooks).  Excel and LibreOffice open either the same way.
COMPRESS_LEVEL = 3

# XlsxWriter's border index of each border style of the style model.
_BORDER_INDEX = {"thin": 1, "medium": 2}


def format_properties(style: st.Style) -> dict[str, Any]:
    """The properties of ``workbook.add_format`` that draw ``style``.

    Parameters
    ----------
    style : Style
        A neutral style of :mod:`xlsales.layout.styles`.

    Returns
    -------
    dict
        XlsxWriter format properties; what the style leaves at its default is left out.

    Examples
    --------
    >>> from xlsales.layout.styles import named_styles
    >>> format_properties(named_styles()["log_amount"])
    {'font_name': 'Meiryo UI', 'font_size': 11, 'num_format': '#,##0'}
    """
    f, a = style.font, style.align
    out: dict[str, Any] = {}
    for key, value in (("font_name", f.name), ("font_size", f.size), ("bold", f.bold), ("italic", f.italic),
                       ("font_color", f.color), ("bg_color", style.fill), ("num_format", style.number_format),
                       ("align", a.horizontal), ("valign", {"center": "vcenter"}.get(a.vertical, a.vertical)),
                       ("text_wrap", a.wrap), ("indent", a.indent)):
        if value:
            out[key] = value
    for side in st.SIDES:
        edge = getattr(style.border, side)
        if edge is not None:
            out[side] = _BORDER_INDEX[edge.style]
            if edge.color:
                out[side + "_color"] = edge.color
    return out


class Formats:
    """The XlsxWriter formats of one workbook, one per named style (or style), made once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self._book = book
        self._styles = st.named_styles()
        self._cache: dict[st.Style, Any] = {}

    def __call__(self, name: str | None) -> Any:
        """The format of the named style ``name`` (None: no format)."""
        return None if name is None else self.of(self._styles[name])

    def of(self, style: st.Style) -> Any:
        """The format drawing ``style``; equal styles share one format."""
        if style not in self._cache:
            self._cache[style] = self._book.add_format(format_properties(style))
        return self._cache[style]


# Functions the layout uses that XlsxWriter never prefixes (_xlfn.): a formula naming only
# these (conditional formats, validations) needs none of its ~150 substitutions.
PLAIN_FUNCTIONS = frozenset({
    "ABS", "AND", "CHAR", "COUNTIF", "COUNTIFS", "DATE", "DAY", "EDATE", "EOMONTH", "IF", "INDEX", "INT",
    "ISBLANK", "ISNUMBER", "ISTEXT", "LEFT", "LEN", "MATCH", "MAX", "MID", "MIN", "MOD", "MONTH", "N",
    "NETWORKDAYS", "NOT", "OR", "RIGHT", "ROUND", "ROUNDUP", "ROW", "ROWS", "SUBSTITUTE", "SUM", "SUMIFS",
    "TEXT", "VALUE", "YEAR",
})
_CALLED = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*(?=\()")


class PlainFormulaWorksheet(Worksheet):
    """XlsxWriter's worksheet, preparing a formula that calls only ``PLAIN_FUNCTIONS``
    without its regular expressions.

    ``conditional_format`` runs about 150 substitutions per rule (future functions
    included); a 100k build has ~9,000 rules and spent ~3 s there.  Anything else (a
    name or text that looks like a call) goes through XlsxWriter's own preparation, so
    the result is always the one it gives (``tests/core/test_rowxml.py`` checks it).
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        body = formula[1:] if formula.startswith("{") else formula
        body = body[1:] if body.startswith("=") else body
        body = body[:-1] if body.endswith("}") else body
        if all(name in PLAIN_FUNCTIONS for name in _CALLED.findall(body)):
            return body
        return super()._prepare_formula(formula, expand_future_functions)


class FastZipWorkbook(xlsxwriter.Workbook):
    """XlsxWriter's workbook, its package compressed at ``COMPRESS_LEVEL``.

    XlsxWriter opens the zip file inside ``_store_workbook`` with zipfile's default level
    and no option to change it; the class it calls is swapped for one with the level for
    the duration of that call only.
    """

    def _store_workbook(self) -> None:
        module = sys.modules[xlsxwriter.Workbook.__module__]
        real = getattr(module, "ZipFile", None)
        if real is not zipfile.ZipFile:  # pragma: no cover - a future XlsxWriter: its own way
            super()._store_workbook()
            return
        module.ZipFile = functools.partial(zipfile.ZipFile, compresslevel=COMPRESS_LEVEL)
        try:
            super()._store_workbook()
        finally:
            module.ZipFile = real


def write_workbook(model: sm.Workbook, path: str | os.PathLike) -> None:
    """Write ``model`` to ``path`` atomically (a temporary file, then one rename)."""
    with atomic_path(path) as tmp:
        book = FastZipWorkbook(str(tmp), {
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            "default_date_format": "yyyy/mm/dd",
        })
        fmt = Formats(book)
        for sheet in model.sheets:
            _write_sheet(book, book.add_worksheet(sheet.name, worksheet_class=PlainFormulaWorksheet), sheet, fmt)
        for name, ref in model.defined_names.items():
            book.define_name(name, ref)
        if model.properties:
            book.set_properties(model.properties)
        book.worksheets()[model.active].activate()
        book.close()


def _stream(ws: Any) -> bool:
    """Switch one worksheet to XlsxWriter's constant_memory mode.

    Each row goes to a temporary file as soon as the next one starts, so a log of 700k
    rows is never held in memory.  XlsxWriter offers the mode only for a whole workbook,
    where it would also empty the charts' cached data of the other sheets; this does for
    one sheet what its ``Worksheet._initialize`` does.  Cells must then come row by row.
    """
    if ws.constant_memory or not all(hasattr(ws, a) for a in ("tmpdir", "previous_row", "_write_single_row",
                                                                  "row_data_fh", "_opt_reopen")):
        return False  # pragma: no cover - a future XlsxWriter: keep it in memory
    fd, name = tempfile.mkstemp(dir=ws.tmpdir)
    os.close(fd)
    ws.row_data_filename = name
    ws.row_data_fh = ws.fh = open(name, mode="w+", encoding="utf-8")  # noqa: SIM115 - XlsxWriter closes it
    ws.constant_memory = True
    return True


def _formula_setter(ws: Any) -> Callable[[int, int, str, Any, Any], None]:
    """A function storing a formula with its cached value into ``ws``.

    write_formula runs ~60 regular expressions per formula to add _xlfn. prefixes; ours
    never need them (the layout writes _xlfn.MAXIFS itself), and a log of 100k rows has
    800k formulas.  Store the cell record directly; fall back to the public call.
    """
    if _CellFormula is None or not all(hasattr(ws, a) for a in ("table", "_check_dimensions", "previous_row")):
        return lambda row, col, formula, f, value: ws.write_formula(  # pragma: no cover
            row, col, "=" + formula, f, value)
    check, cells = ws._check_dimensions, ws.table

    def store(row: int, col: int, formula: str, f: Any, value: Any) -> None:
        if check(row, col) == 0:
            if ws.constant_memory and row > ws.previous_row:
                ws._write_single_row(row)  # as XlsxWriter's own write methods do
            cells[row][col] = _CellFormula(formula, f, value)
    return store


def _put_formula(ws: Any, row: int, col: int, formula: str, f: Any, value: Any) -> None:
    _formula_setter(ws)(row, col, formula, f, value)


def _write_value(ws: Any, row: int, col: int, cell: sm.Cell, f: Any) -> None:
    if cell.formula is not None:
        _put_formula(ws, row, col, cell.formula, f, cached_value(cell.value))
    else:
        write_plain(ws, row, col, cell.value, f)


def write_plain(ws: Any, row: int, col: int, value: Any, f: Any = None) -> None:
    """Write a value by its type; text always as text ("=1+1" is a name, not a formula)."""
    if value is None or value == "":
        if f is not None:
            ws.write_blank(row, col, None, f)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, f)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, f)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(row, col, value, f)
    else:
        ws.write_string(row, col, str(value), f)


def _write_sheet(book: xlsxwriter.Workbook, ws: Any, sheet: sm.Sheet, fmt: Formats) -> None:
    merged_tops = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merges}
    # A sheet with a table may stream (see _stream): its other cells must then come in row
    # order with the table's rows, so they are handed to the table writer, sorted.
    streams = not sheet.tables and _plain_list(sheet) and _stream(ws)
    pending = sorted(sheet.cells.items()) if sheet.tables or streams else list(sheet.cells.items())
    for table in sheet.tables:
        pending = _write_table(ws, table, fmt, pending)

    def write_cells(cells: list[tuple[tuple[int, int], sm.Cell]]) -> None:
        for (row, col), cell in cells:
            if (row, col) in merged_tops:
                r1, c1, r2, c2 = merged_tops[(row, col)]
                ws.merge_range(r1, c1, r2, c2, "", fmt(cell.style))
            _write_value(ws, row, col, cell, fmt(cell.style))

    if FAST_ROWS and ws.constant_memory:
        _write_plain_rows(ws, sheet, pending, fmt, write_cells)
    else:
        write_cells(pending)
    for col, width in sheet.col_widths.items():
        ws.set_column(col, col, width, None, {"hidden": col in sheet.hidden_cols})
    for row in sorted(set(sheet.row_heights) | set(sheet.row_levels)):
        ws.set_row(row, sheet.row_heights.get(row), None, {"level": sheet.row_levels.get(row, 0)})
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
    if sheet.autofilter:
        ws.autofilter(*sheet.autofilter)
    for v in sheet.validations:
        ws.data_validation(v.first_row, v.first_col, v.last_row, v.last_col, dict(v.options))
    for cf in sheet.conditional_formats:
        options = dict(cf.options)
        options["format"] = fmt(options.pop("style"))
        ws.conditional_format(cf.first_row, cf.first_col, cf.last_row, cf.last_col, options)
    for chart in sheet.charts:
        _write_chart(book, ws, sheet.name, chart)
    _print_setup(ws, sheet.print_setup)
    if sheet.tab_color:
        ws.set_tab_color(sheet.tab_color)
    if sheet.zoom != 100:
        ws.set_zoom(sheet.zoom)
    if sheet.visibility == "hidden":
        ws.hide()
    elif sheet.visibility == "very_hidden":
        ws.very_hidden()
    if sheet.protect:  # no password: it keeps accidents out, not people
        ws.protect()


def _plain_list(sheet: sm.Sheet) -> bool:
    """Whether ``sheet`` is a long list that can stream: its rows need no setting made after them."""
    return len(sheet.cells) >= STREAM_CELLS and not (sheet.merges or sheet.row_heights or sheet.row_levels
                                                     or sheet.charts)


def _write_plain_rows(ws: Any, sheet: sm.Sheet, cells: list[tuple[tuple[int, int], sm.Cell]], fmt: Formats,
                      write_cells: Callable[[list[tuple[tuple[int, int], sm.Cell]]], None]) -> None:
    """Write a streaming sheet's ``cells`` (sorted) row by row: the rows that are plain
    lists as XML (``write.rowxml``), the others by ``write_cells`` (XlsxWriter's calls).

    A row qualifies when its cells stand side by side and each holds text or a number
    (no formula, blank, date or merge); the last row is always left, as in ``_write_table``,
    so settings made when the file closes still reach it.
    """
    merged = {(r1, c1) for r1, c1, _r2, _c2 in sheet.merges}
    settings = set(sheet.row_heights) | set(sheet.row_levels)
    writers: dict[tuple[int, tuple[str | None, ...]], Callable[[int, list[Any]], bool]] = {}
    last = cells[-1][0][0] if cells else -1
    for row, run in itertools.groupby(cells, key=lambda item: item[0][0]):
        group = list(run)
        first = group[0][0][1]
        plain = row != last and row not in settings and all(
            c == first + k and cell.formula is None and type(cell.value) in (str, int, float) and cell.value != ""
            and (r, c) not in merged for k, ((r, c), cell) in enumerate(group))
        if plain:
            key = (first, tuple(cell.style for _, cell in group))
            write = writers.get(key)
            if write is None:
                write = writers[key] = row_writer(ws, first, [(None, fmt(style)) for style in key[1]])
            if write(row, [cell.value for _, cell in group]):
                continue
        write_cells(group)


def _write_table(ws: Any, table: sm.Table, fmt: Formats,
                 cells: list[tuple[tuple[int, int], sm.Cell]]) -> list[tuple[tuple[int, int], sm.Cell]]:
    """Write ``table``, and of the sheet's other ``cells`` (sorted by row) those beside its
    rows; return the cells left (those below the table)."""
    pending = iter(cells)
    held = next(pending, None)

    def cells_up_to(row: int) -> None:
        nonlocal held
        while held is not None and held[0][0] <= row:
            (r, c), cell = held
            _write_value(ws, r, c, cell, fmt(cell.style))
            held = next(pending, None)

    last_col = table.left + len(table.columns) - 1
    columns = [{"header": col.header, "format": fmt(col.style)} for col in table.columns]
    # add_table records every cell of its range for an overlap check (1.7 million entries
    # and 200 MB for a log of 100k rows): give it the header and one body row, then widen
    # the range it stores.  The log sheet holds nothing else that could overlap.
    options = {"name": table.name, "style": table.style, "columns": columns}
    ws.add_table(table.top, table.left, table.top + 1, last_col, options)
    if table.last_row > table.top + 1:
        stored = ws.tables[-1]
        if all(k in stored for k in ("range", "a_range", "autofilter")):
            stored["range"] = stored["a_range"] = stored["autofilter"] = \
                xl_range(table.top, table.left, table.last_row, last_col)
        else:  # pragma: no cover - a future XlsxWriter: the plain call
            ws.tables.pop()
            ws.table_cells.clear()
            ws.add_table(table.top, table.left, table.last_row, last_col, options)
    if table.rows and _stream(ws):
        for j, col in enumerate(table.columns):  # add_table stored them as shared strings
            ws.write_string(table.top, table.left + j, col.header)
    # Calculated columns: add_table would write (and regex-prepare) the formula into every
    # body row, which we overwrite below with cached values anyway.  Record the formula on
    # the table only (it becomes <calculatedColumnFormula>, which Excel copies into rows
    # a user appends).
    spec = ws.tables[-1]["columns"]
    for j, col in enumerate(table.columns):
        if col.formula:
            spec[j]["formula"] = col.formula
    cells_up_to(table.top)
    if not table.rows:  # the one empty body row still gets the formulas
        for j, col in enumerate(table.columns):
            if col.formula:
                _put_formula(ws, table.top + 1, table.left + j, col.formula, fmt(col.style), "")
    # Overwrite the body with values and with formulas that carry their cached value.  Blank
    # cells are left out: each column's format is the column's own, for rows typed later.
    writers = [_column_writer(ws, col, fmt(col.style)) for col in table.columns]
    fast = row_writer(ws, table.left, [(col.formula, fmt(col.style)) for col in table.columns]) if FAST_ROWS \
        else lambda row, values: False
    # The last row goes through XlsxWriter's calls: it stays in the worksheet until the
    # file is closed, where later settings (set_row) still reach it.
    last = table.top + len(table.rows)
    for i, values in enumerate(table.rows):
        row = table.top + 1 + i
        cells_up_to(row)
        if row < last and fast(row, values):
            continue
        for j, (write, value) in enumerate(zip(writers, values), start=table.left):
            write(row, j, value)
    for j, col in enumerate(table.columns):
        ws.set_column(table.left + j, table.left + j, col.width, fmt(col.style), {"hidden": col.hidden})
    return ([held] if held is not None else []) + list(pending)


def _column_writer(ws: Any, col: sm.TableColumn, f: Any) -> Callable[[int, int, Any], None]:
    """How one table column's cells are written (the log has millions: no per-cell dispatch)."""
    if col.formula:
        formula, store = col.formula, _formula_setter(ws)
        return lambda row, c, value: store(row, c, formula, f, cached_value(value))

    def plain(row: int, c: int, value: Any) -> None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            ws.write_number(row, c, date_serial(value), f)  # a date is its serial with a date format
        elif value is not None and value != "":
            write_plain(ws, row, c, value, f)
    return plain


def _write_chart(book: xlsxwriter.Workbook, ws: Any, sheet_name: str, chart: sm.Chart) -> None:
    # One chart per kind: the series of a kind go into it (column series stand side by side),
    # and a second kind is combined into the first (columns with a line over them).
    by_kind: dict[str, Any] = {}
    for s in chart.series:
        c = by_kind.get(s.kind)
        if c is None:
            c = by_kind[s.kind] = book.add_chart({"type": s.kind})
        options: dict[str, Any] = {
            "name": [sheet_name, *s.name],
            "categories": [sheet_name, *s.categories],
            "values": [sheet_name, *s.values],
        }
        if s.kind == "line":
            options.update({"line": {"color": s.color, "width": 2.25},
                            "marker": {"type": "circle", "size": 6, "fill": {"color": s.color},
                                       "border": {"color": s.color}}})
        else:
            options["fill"] = {"color": s.color}
        if s.labels:
            options["data_labels"] = {"value": True}
        c.add_series(options)
    if not by_kind:
        return
    main, *others = by_kind.values()
    for c in others:
        main.combine(c)
    main.set_title({"name": chart.title, "name_font": {"size": 12}})
    y_axis: dict[str, Any] = {"name": chart.y_title, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    if chart.y_num_format:
        y_axis["num_format"] = chart.y_num_format
    main.set_y_axis(y_axis)
    if chart.x_num_format:
        main.set_x_axis({"num_format": chart.x_num_format})
    main.set_legend({"position": "bottom"})
    main.set_size({"width": chart.size[0], "height": chart.size[1]})
    ws.insert_chart(chart.anchor[0], chart.anchor[1], main)


def _print_setup(ws: Any, p: sm.PrintSetup) -> None:
    if p.landscape:
        ws.set_landscape()
    ws.set_paper(p.paper)
    if p.fit_width:
        ws.fit_to_pages(1, p.fit_tall)
    elif p.scale:
        ws.set_print_scale(p.scale)
    if p.col_breaks:
        ws.set_v_pagebreaks(list(p.col_breaks))
    if p.row_breaks:
        ws.set_h_pagebreaks(list(p.row_breaks))
    if p.repeat_rows:
        ws.repeat_rows(*p.repeat_rows)
    if p.repeat_cols:
        ws.repeat_columns(*p.repeat_cols)
    if p.area:
        ws.print_area(*p.area)
    if p.header:
        ws.set_header(p.header)
    if p.footer:
        ws.set_footer(p.footer)
    ws.set_margins(*p.margins)
