"""Render a workbook model (``_sheetmodel``) into a new .xlsx file with XlsxWriter.

XlsxWriter stores each formula's computed value beside the formula, so previews and
Protected View show numbers.  Text is always written as text: a customer called
"=1+1" stays a string and never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from importlib import resources
from typing import Any

import xlsxwriter

try:  # XlsxWriter's internal cell record: see _put_formula
    from xlsxwriter.worksheet import CellFormulaTuple as _CellFormula
except ImportError:  # pragma: no cover - a future XlsxWriter
    _CellFormula = None

from . import _sheetmodel as sm
from ._files import atomic_path


@functools.lru_cache(maxsize=None)
def styles() -> dict[str, dict[str, Any]]:
    """The named cell styles of ``workbook_templates/styles.json``."""
    text = resources.files("xlsales").joinpath("workbook_templates/styles.json").read_text("utf-8")
    return json.loads(text)


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self._book = book
        self._cache: dict[str | None, Any] = {None: None}

    def __call__(self, name: str | None) -> Any:
        if name not in self._cache:
            props = dict(styles()[name])
            props.setdefault("font_name", "Meiryo UI")
            self._cache[name] = self._book.add_format(props)
        return self._cache[name]


def write_workbook(model: sm.Workbook, path: str | os.PathLike) -> None:
    """Write ``model`` to ``path`` atomically (a temporary file, then one rename)."""
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            "default_date_format": "yyyy/mm/dd",
        })
        fmt = _Formats(book)
        for sheet in model.sheets:
            _write_sheet(book, book.add_worksheet(sheet.name), sheet, fmt)
        for name, ref in model.defined_names.items():
            book.define_name(name, ref)
        if model.properties:
            book.set_properties(model.properties)
        book.worksheets()[model.active].activate()
        book.close()


def _put_formula(ws: Any, row: int, col: int, formula: str, f: Any, value: Any) -> None:
    # write_formula runs ~60 regular expressions per formula to add _xlfn. prefixes; ours
    # never need them (the layout writes _xlfn.MAXIFS itself), and a log of 100k rows has
    # 700k formulas.  Store the cell record directly; fall back to the public call.
    if _CellFormula is not None and hasattr(ws, "table") and hasattr(ws, "_check_dimensions"):
        if ws._check_dimensions(row, col) == 0:
            ws.table[row][col] = _CellFormula(formula, f, value)
        return
    ws.write_formula(row, col, "=" + formula, f, value)  # pragma: no cover


def _write_value(ws: Any, row: int, col: int, cell: sm.Cell, f: Any) -> None:
    value = cell.value
    if cell.formula is not None:
        if isinstance(value, (dt.date, dt.datetime)):
            value = _serial(value)  # a formula's cached value is a number, not a date object
        _put_formula(ws, row, col, cell.formula, f, "" if value is None else value)
    else:
        write_plain(ws, row, col, value, f)


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


def _serial(value: dt.date | dt.datetime) -> float:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value - dt.datetime(1899, 12, 30)
    return delta.days + delta.seconds / 86400


def _write_sheet(book: xlsxwriter.Workbook, ws: Any, sheet: sm.Sheet, fmt: _Formats) -> None:
    merged_tops = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merges}
    for table in sheet.tables:
        _write_table(ws, table, fmt)
    for (row, col), cell in sheet.cells.items():
        if (row, col) in merged_tops:
            r1, c1, r2, c2 = merged_tops[(row, col)]
            ws.merge_range(r1, c1, r2, c2, "", fmt(cell.style))
        _write_value(ws, row, col, cell, fmt(cell.style))
    for col, width in sheet.col_widths.items():
        ws.set_column(col, col, width, None, {"hidden": col in sheet.hidden_cols})
    for row in sorted(set(sheet.row_heights) | set(sheet.row_levels)):
        ws.set_row(row, sheet.row_heights.get(row), None, {"level": sheet.row_levels.get(row, 0)})
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
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
    if sheet.hidden:
        ws.hide()


def _write_table(ws: Any, table: sm.Table, fmt: _Formats) -> None:
    last_col = table.left + len(table.columns) - 1
    columns = [{"header": col.header, "format": fmt(col.style)} for col in table.columns]
    ws.add_table(table.top, table.left, table.last_row, last_col,
                 {"name": table.name, "style": table.style, "columns": columns})
    # Calculated columns: add_table would write (and regex-prepare) the formula into every
    # body row, which we overwrite below with cached values anyway.  Record the formula on
    # the table only (it becomes <calculatedColumnFormula>, which Excel copies into rows
    # a user appends).
    spec = ws.tables[-1]["columns"]
    for j, col in enumerate(table.columns):
        if col.formula:
            spec[j]["formula"] = col.formula
    if not table.rows:  # the one empty body row still gets the formulas
        for j, col in enumerate(table.columns):
            if col.formula:
                _put_formula(ws, table.top + 1, table.left + j, col.formula, fmt(col.style), "")
    # Overwrite the body with values and with formulas that carry their cached value.
    for i, values in enumerate(table.rows):
        row = table.top + 1 + i
        for j, (col, value) in enumerate(zip(table.columns, values)):
            cell = sm.Cell(value=value, formula=col.formula, style=col.style)
            _write_value(ws, row, table.left + j, cell, fmt(col.style))
    for j, col in enumerate(table.columns):
        if col.width or col.hidden:
            ws.set_column(table.left + j, table.left + j, col.width, None, {"hidden": col.hidden})


def _write_chart(book: xlsxwriter.Workbook, ws: Any, sheet_name: str, chart: sm.Chart) -> None:
    main = None
    for s in chart.series:
        c = book.add_chart({"type": s.kind})
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
        c.add_series(options)
        if main is None:
            main = c
        else:
            main.combine(c)
    if main is None:
        return
    main.set_title({"name": chart.title, "name_font": {"size": 12}})
    main.set_y_axis({"name": chart.y_title, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    main.set_legend({"position": "bottom"})
    main.set_size({"width": chart.size[0], "height": chart.size[1]})
    ws.insert_chart(chart.anchor[0], chart.anchor[1], main)


def _print_setup(ws: Any, p: sm.PrintSetup) -> None:
    if p.landscape:
        ws.set_landscape()
    ws.set_paper(p.paper)
    if p.fit_width:
        ws.fit_to_pages(1, 0)
    if p.repeat_rows:
        ws.repeat_rows(*p.repeat_rows)
    if p.repeat_cols:
        ws.repeat_columns(*p.repeat_cols)
    if p.header:
        ws.set_header(p.header)
    if p.footer:
        ws.set_footer(p.footer)
    ws.set_margins(*p.margins)
