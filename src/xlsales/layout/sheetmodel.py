"""A plain model of workbooks: what "lay out" produces and every writer renders.

The layout decides every cell (its formula, its computed value and a style name); a
backend only renders.  XlsxWriter renders new files (``write.xlsxwriter_backend``); the
add-in renders the same model into the workbook open in Excel.  One layout, so
``xlsales build`` and the ribbon's refresh cannot drift apart.

Rows and columns are 0-based, as in XlsxWriter.  Styles are names of
``workbook_templates/styles.json`` (described by ``layout.styles``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Cell:
    """A value, or a formula with the value it computes (cached in the file)."""

    value: Any = None
    formula: str | None = None  # without the leading "="
    style: str | None = None


@dataclass
class TableColumn:
    header: str
    formula: str | None = None  # a calculated column (qualified [#This Row] references)
    # A column of values written into an existing table (the add-in's refresh): sheet row
    # (1-based) -> value; body rows not listed are blank.
    values: dict[int, Any] | None = None
    style: str | None = None
    width: float | None = None
    hidden: bool = False


@dataclass
class Table:
    """An Excel Table whose body is ``rows`` (cached values for calculated columns)."""

    name: str
    top: int
    left: int
    columns: list[TableColumn]
    rows: Sequence[list[Any]]  # a list, or rows made when asked for
    style: str = "Table Style Medium 2"
    min_rows: int = 1  # Excel tables need one body row even when empty

    @property
    def last_row(self) -> int:
        return self.top + max(len(self.rows), self.min_rows)


@dataclass
class Validation:
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    options: dict[str, Any]  # XlsxWriter data_validation options


@dataclass
class ConditionalFormat:
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    options: dict[str, Any]  # XlsxWriter options; "style" names a style instead of "format"


@dataclass
class ChartSeries:
    name: tuple[int, int]  # the cell holding the series name
    categories: tuple[int, int, int, int]  # first_row, first_col, last_row, last_col
    values: tuple[int, int, int, int]
    kind: str = "column"  # column or line; the column series of a chart stand side by side
    color: str | None = None
    labels: bool = False  # each point's value written on it


@dataclass
class Chart:
    title: str
    anchor: tuple[int, int]
    series: list[ChartSeries]
    y_title: str = ""
    size: tuple[int, int] = (720, 300)
    # The category axis' number format, not linked to the source cells: LibreOffice shows
    # date categories as serials (46113) otherwise.
    x_num_format: str | None = None
    y_num_format: str | None = None  # e.g. "0%": not the source cells' format (◎ 100% on an axis)


@dataclass
class PrintSetup:
    landscape: bool = True
    paper: int = 9  # A4
    fit_width: bool = True
    fit_tall: int = 0  # with fit_width: pages tall (0: as many as needed)
    scale: int | None = None  # percent, when not fitted (fitting ignores manual page breaks)
    col_breaks: tuple[int, ...] = ()  # a page starts at each of these columns (0-based)
    row_breaks: tuple[int, ...] = ()  # a page starts at each of these rows (0-based; with a scale, not fitting)
    repeat_rows: tuple[int, int] | None = None
    repeat_cols: tuple[int, int] | None = None
    header: str = ""
    footer: str = "&C&P / &N"
    area: tuple[int, int, int, int] | None = None  # first row, first col, last row, last col (0-based)
    margins: tuple[float, float, float, float] = (0.4, 0.4, 0.6, 0.6)  # left, right, top, bottom


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    col_widths: dict[int, float] = field(default_factory=dict)
    hidden_cols: set[int] = field(default_factory=set)
    row_heights: dict[int, float] = field(default_factory=dict)
    row_levels: dict[int, int] = field(default_factory=dict)  # outline level per row
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    freeze: tuple[int, int] | None = None
    autofilter: tuple[int, int, int, int] | None = None  # first row (the header), first col, last row, last col
    tables: list[Table] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    conditional_formats: list[ConditionalFormat] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    print_setup: PrintSetup = field(default_factory=PrintSetup)
    # visible, hidden (Format > Unhide lists it) or very_hidden (only code shows it again)
    visibility: str = "visible"
    protect: bool = False  # sheet protection without a password: no edit by accident
    tab_color: str | None = None
    zoom: int = 100

    def set(self, row: int, col: int, value: Any = None, *, formula: str | None = None,
            style: str | None = None) -> Cell:
        cell = Cell(value=value, formula=formula, style=style)
        self.cells[(row, col)] = cell
        return cell


VISIBILITIES = ("visible", "hidden", "very_hidden")


@dataclass
class Workbook:
    sheets: list[Sheet] = field(default_factory=list)
    defined_names: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    active: int = 0

    def sheet(self, name: str) -> Sheet:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)
