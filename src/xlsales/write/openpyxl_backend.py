"""Render sheet models into a workbook being edited with openpyxl (``FileBook``).

The same models the XlsxWriter backend writes into new files, rendered into an
existing workbook.  openpyxl stores no computed values for formulas; the FileBook sets
"recalculate on open" instead.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import TableColumn as XlTableColumn
from openpyxl.worksheet.table import TableFormula

from xlsales.layout import sheetmodel as sm
from xlsales.layout import styles as st


def style_kwargs(style: st.Style) -> dict[str, Any]:
    """The openpyxl cell attributes that draw ``style`` (as pandas' ``_convert_to_style_kwargs``).

    Parameters
    ----------
    style : Style
        A neutral style of :mod:`xlsales.layout.styles`.

    Returns
    -------
    dict
        Cell attribute -> value: ``font`` always, ``fill``, ``border``, ``alignment`` and
        ``number_format`` when the style sets them.
    """
    f, a = style.font, style.align
    out: dict[str, Any] = {
        "font": Font(name=f.name, size=f.size, bold=f.bold, italic=f.italic, color=_color(f.color)),
    }
    if style.fill:
        out["fill"] = PatternFill("solid", fgColor=_color(style.fill))
    sides = {name: Side(style=edge.style, color=_color(edge.color))
             for name in st.SIDES if (edge := getattr(style.border, name)) is not None}
    if sides:
        out["border"] = Border(**sides)
    if a != st.Align():
        out["alignment"] = Alignment(horizontal=a.horizontal, vertical=a.vertical, wrap_text=a.wrap or None,
                                     indent=a.indent)
    if style.number_format:
        out["number_format"] = style.number_format
    return out


def _color(value: str | None) -> str | None:
    # openpyxl wants ARGB without "#": an opaque "#1F3864" is "FF1F3864".
    return None if not value else "FF" + value.lstrip("#").upper()


@functools.lru_cache(maxsize=None)
def _style(name: str) -> dict[str, Any]:
    # openpyxl's style objects are immutable and shared, so one set per name will do.
    return style_kwargs(st.named_styles()[name])


def _apply(cell: Any, style: str | None) -> None:
    if style is None:
        return
    for attr, value in _style(style).items():
        setattr(cell, attr, value)


def render_sheet(ws: Any, sheet: sm.Sheet) -> None:
    """Write every cell, size, merge, validation and print setting of ``sheet`` into ``ws``."""
    for (row, col), cell in sheet.cells.items():
        target = ws.cell(row + 1, col + 1)
        if cell.formula is not None:
            target.value = "=" + cell.formula
        elif isinstance(cell.value, str):
            target.value = cell.value
            target.data_type = "s"  # "=1+1" typed by a rep stays text
        else:
            target.value = cell.value
        _apply(target, cell.style)
    for col, width in sheet.col_widths.items():
        dim = ws.column_dimensions[get_column_letter(col + 1)]
        dim.width = width
        dim.hidden = col in sheet.hidden_cols
    for row, height in sheet.row_heights.items():
        ws.row_dimensions[row + 1].height = height
    for row, level in sheet.row_levels.items():
        ws.row_dimensions[row + 1].outlineLevel = level
    for r1, c1, r2, c2 in sheet.merges:
        ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    if sheet.freeze:
        ws.freeze_panes = ws.cell(sheet.freeze[0] + 1, sheet.freeze[1] + 1)
    if sheet.autofilter:
        r1, c1, r2, c2 = sheet.autofilter
        ws.auto_filter.ref = f"{get_column_letter(c1 + 1)}{r1 + 1}:{get_column_letter(c2 + 1)}{r2 + 1}"
    for v in sheet.validations:
        _validation(ws, v)
    for cf in sheet.conditional_formats:
        rng = f"{get_column_letter(cf.first_col + 1)}{cf.first_row + 1}:" \
              f"{get_column_letter(cf.last_col + 1)}{cf.last_row + 1}"
        look = _style(cf.options["style"])
        ws.conditional_formatting.add(rng, FormulaRule(formula=[cf.options["criteria"].lstrip("=")],
                                                       fill=look.get("fill"), font=look.get("font")))
    p = sheet.print_setup
    ws.page_setup.orientation = "landscape" if p.landscape else "portrait"
    ws.page_setup.paperSize = p.paper
    if p.fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, p.fit_tall
    elif p.scale:
        ws.page_setup.scale = p.scale
    for col in p.col_breaks:
        ws.col_breaks.append(Break(id=col))
    for r in p.row_breaks:
        ws.row_breaks.append(Break(id=r))
    if p.repeat_rows:
        ws.print_title_rows = f"{p.repeat_rows[0] + 1}:{p.repeat_rows[1] + 1}"
    if p.area:
        r1, c1, r2, c2 = p.area
        ws.print_area = f"{get_column_letter(c1 + 1)}{r1 + 1}:{get_column_letter(c2 + 1)}{r2 + 1}"
    if sheet.tab_color:
        ws.sheet_properties.tabColor = sheet.tab_color.lstrip("#")
    if sheet.visibility != "visible":
        ws.sheet_state = {"hidden": "hidden", "very_hidden": "veryHidden"}[sheet.visibility]
    if sheet.protect:
        ws.protection.sheet = True


def _validation(ws: Any, v: sm.Validation) -> None:
    o = v.options
    if o["validate"] == "list":
        source = o["source"]
        formula = source.lstrip("=") if isinstance(source, str) else '"' + ",".join(source) + '"'
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    elif o["validate"] == "date":
        value = o["value"]
        serial = (value - dt.date(1899, 12, 30)).days if isinstance(value, dt.date) else value
        dv = DataValidation(type="date", operator="greaterThanOrEqual", formula1=str(serial))
    elif o["validate"] == "decimal":
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=str(o["value"]))
    elif o["validate"] == "custom":
        dv = DataValidation(type="custom", formula1=str(o["value"]).lstrip("="))
    else:  # pragma: no cover - the layout uses list, date, decimal and custom only
        return
    if "input_message" in o:
        dv.promptTitle, dv.prompt, dv.showInputMessage = o.get("input_title"), o["input_message"], True
    if "error_message" in o:
        dv.errorTitle, dv.error, dv.showErrorMessage = o.get("error_title"), o["error_message"], True
    ws.add_data_validation(dv)
    dv.add(f"{get_column_letter(v.first_col + 1)}{v.first_row + 1}:"
           f"{get_column_letter(v.last_col + 1)}{v.last_row + 1}")


def find_table(wb: Any, name: str) -> tuple[Any, Any]:
    """The worksheet holding the table ``name`` (case-insensitive) and the table."""
    for ws in wb.worksheets:
        for table in ws.tables.values():  # (TableList.items() gives refs, not tables)
            if table.displayName.casefold() == name.casefold():
                return ws, table
    raise KeyError(name)


def add_table_columns(wb: Any, name: str, columns: list[sm.TableColumn]) -> None:
    """Give table ``name`` the helper ``columns``: appended, or rewritten where the table has
    them already (an earlier refresh, maybe by an older xlsales with other formulas)."""
    ws, table = find_table(wb, name)
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    have = {c.name: (min_col + i, c) for i, c in enumerate(table.tableColumns)}
    for col in columns:
        if col.header in have:
            at, existing = have[col.header]
            for r in range(min_row + 1, max_row + 1):
                ws.cell(r, at, "=" + col.formula if col.formula else (col.values or {}).get(r))
            existing.calculatedColumnFormula = TableFormula(attr_text=col.formula) if col.formula else None
            continue
        max_col += 1
        ws.cell(min_row, max_col, col.header)
        for r in range(min_row + 1, max_row + 1):
            ws.cell(r, max_col, "=" + col.formula if col.formula else (col.values or {}).get(r))
            _apply(ws.cell(r, max_col), col.style)
        table.tableColumns.append(XlTableColumn(
            id=max(c.id for c in table.tableColumns) + 1, name=col.header,
            calculatedColumnFormula=TableFormula(attr_text=col.formula) if col.formula else None))
        if col.hidden:
            ws.column_dimensions[get_column_letter(max_col)].hidden = True
    table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref


def append_table_rows(wb: Any, name: str, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` (header text -> value) under the last filled row of table ``name``.

    Blank rows the table already spans are filled first; the table (and its autoFilter)
    grows over the rest.  Each new cell takes the style of the cell above it (a date stays
    a date), text is stored as text even when it starts with "=" (a rep's typing is never
    a formula), and a calculated column without a value gets its formula.
    """
    from copy import copy

    ws, table = find_table(wb, name)
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    columns = {}
    for i, col in enumerate(table.tableColumns):
        header = ws.cell(min_row, min_col + i).value
        columns[str(header if header is not None else col.name).strip()] = (min_col + i, col)
    last = min_row
    for r in range(max_row, min_row, -1):
        if any(ws.cell(r, c).value not in (None, "") for c in range(min_col, max_col + 1)):
            last = r
            break
    for i, values in enumerate(rows, start=last + 1):
        for header, (c, col) in columns.items():
            cell = ws.cell(i, c)
            if i > min_row + 1:
                above = ws.cell(i - 1, c)
                for attr in ("font", "fill", "border", "alignment", "protection", "number_format"):
                    setattr(cell, attr, copy(getattr(above, attr)))
            value = values.get(header)
            if value is None and col.calculatedColumnFormula is not None:
                cell.value = "=" + col.calculatedColumnFormula.attr_text
                continue
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
    end = max(max_row, last + len(rows))
    table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{end}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
