"""A recording stand-in of the few xlwings members the add-in's adapter uses (no Excel).

``XlwingsBook`` (``xlsales.excel.xlwings_book``) runs against ``StandinBook`` as against
``xlwings.Book``.  Every member it reaches must be one of xlwings' own (``xlwings.main``
classes): a missing one is an AttributeError, a set needs a property with a setter, a
``Literal`` setter refuses other values, and ``MEMBERS`` lists what the stand-in
offers so that a test can check it against xlwings.

Each member access that is a round trip to Excel is one entry of ``StandinBook.calls``:
a property read or set, a method call, and ``Sheet.range`` (xlwings builds a range
through Excel: COM ``Range(Cells(..), Cells(..))``, AppleScript ``get_address``).  An
entry is ``(kind, sheet, rect, path, value)``: kind ``get``/``set``/``call``, rect the
range's ``(first_row, first_col, last_row, last_col)``, 1-based, or None.

``replay(calls)`` plays the recorded writes into a grid of cells the way Excel keeps
them (text written into a cell that is not text-formatted and starts with ``=``, ``+``,
``-`` or ``@`` becomes a formula; an edge of a range is its outline, inside borders are
between its cells), so a test can compare the grid with the sheet model.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any

import xlwings.main as xw_main

Rect = tuple[int, int, int, int]
# The members the stand-in offers, by the xlwings class it stands in for.
MEMBERS: dict[type, set[str]] = {
    xw_main.App: {"screen_updating", "calculation"},
    xw_main.Book: {"name", "fullname", "sheets", "app"},
    xw_main.Sheets: {"add"},
    xw_main.Sheet: {"name", "clear", "range", "tables"},
    xw_main.Table: {"name", "header_row_range", "data_body_range", "range", "resize"},
    xw_main.Range: {"row", "column", "shape", "rows", "columns", "value", "formula", "number_format",
                    "column_width", "merge", "insert", "font", "borders", "api", "color", "wrap_text",
                    "horizontal_alignment", "vertical_alignment", "options"},
}


def _check_set(cls: type, name: str, value: Any) -> None:
    member = getattr(cls, name)  # AttributeError: xlwings has no such thing
    assert isinstance(member, property) and member.fset is not None, f"{cls.__name__}.{name} cannot be set"
    hint = typing.get_type_hints(member.fset).get("value")
    for option in (hint, *typing.get_args(hint)):
        if typing.get_origin(option) is typing.Literal:
            assert value in typing.get_args(option), (f"{cls.__name__}.{name}", value)


class StandinApp:
    """``xlwings.App``: screen updating and calculation, read and set as recorded calls."""

    def __init__(self, calls: list[tuple]) -> None:
        object.__setattr__(self, "_calls", calls)
        object.__setattr__(self, "_state", {"screen_updating": True, "calculation": "automatic"})

    def __getattr__(self, name: str) -> Any:
        if name not in self._state:
            raise AttributeError(name)
        self._calls.append(("get", None, None, f"app.{name}", self._state[name]))
        return self._state[name]

    def __setattr__(self, name: str, value: Any) -> None:
        assert name in MEMBERS[xw_main.App], name
        _check_set(xw_main.App, name, value)
        self._calls.append(("set", None, None, f"app.{name}", value))
        self._state[name] = value


class StandinBook:
    """``xlwings.Book``: its sheets, its app, and the log of every call made through them."""

    def __init__(self, name: str = "team.xlsx", fullname: str = "/tmp/team.xlsx") -> None:
        self.calls: list[tuple] = []
        self.name = name
        self.fullname = fullname
        self.app = StandinApp(self.calls)
        self._sheets = StandinSheets(self)

    @property
    def sheets(self) -> StandinSheets:
        self.calls.append(("get", None, None, "book.sheets", None))
        return self._sheets


class StandinSheets(list):
    """``xlwings.Sheets``: iterable, indexed by name, ``add(name, before=...)``."""

    def __init__(self, book: StandinBook) -> None:
        super().__init__()
        self.book = book

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return next(s for s in self if s._name == key)
        return super().__getitem__(key)

    def add(self, name: str | None = None, before: Any = None, after: Any = None) -> StandinSheet:
        self.book.calls.append(("call", name, None, "sheets.add", before))
        sheet = StandinSheet(self.book.calls, name)
        names = [s._name for s in self]
        self.insert(names.index(before) if before in names else len(self), sheet)
        return sheet


class StandinSheet:
    """``xlwings.Sheet``: ``range``, ``clear``, ``tables`` (StandinTable)."""

    def __init__(self, calls: list[tuple], name: str, tables: list[StandinTable] | None = None) -> None:
        self._calls = calls
        self._name = name
        self.tables = tables or []

    @property
    def name(self) -> str:
        self._calls.append(("get", self._name, None, "name", None))
        return self._name

    def clear(self) -> None:
        self._calls.append(("call", self._name, None, "clear", None))

    def range(self, first: tuple[int, int], last: tuple[int, int] | None = None) -> StandinRange:
        last = last or first
        rect = (first[0], first[1], last[0], last[1])
        assert min(rect) >= 1 and rect[0] <= rect[2] and rect[1] <= rect[3], rect
        self._calls.append(("call", self._name, rect, "range", None))
        return StandinRange(self, rect)


class StandinTable:
    """``xlwings.Table`` over ``rect`` (1-based, header row first), with its header texts."""

    def __init__(self, sheet: StandinSheet, name: str, rect: Rect, headers: list[str],
                 body: list[list[Any]] | None = None) -> None:
        self._sheet, self.name, self._rect, self._headers = sheet, name, rect, list(headers)
        self._body = body  # the body's values, when a test reads them

    @property
    def header_row_range(self) -> StandinRange:
        r1, c1, _, c2 = self._rect
        return _ValuedRange(self._sheet, (r1, c1, r1, c2), list(self._headers))

    @property
    def data_body_range(self) -> StandinRange | None:
        r1, c1, r2, c2 = self._rect
        if r2 <= r1:
            return None
        if self._body is not None:
            return _ValuedRange(self._sheet, (r1 + 1, c1, r2, c2), self._body)
        return StandinRange(self._sheet, (r1 + 1, c1, r2, c2))

    @property
    def range(self) -> StandinRange:
        return StandinRange(self._sheet, self._rect)

    def resize(self, range: StandinRange) -> None:  # noqa: A002 - xlwings' own parameter name
        self._sheet._calls.append(("call", self._sheet._name, range._rect, "table.resize", self.name))
        self._rect = range._rect


class _Sub:
    # A sub-object of a range (font, borders, a border, api): follows the property's
    # annotated return type (Range.font -> Font); api is Excel's own object: anything goes.
    def __init__(self, rng: StandinRange, cls: type | None, path: str) -> None:
        object.__setattr__(self, "_rng", rng)
        object.__setattr__(self, "_cls", cls)
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> Any:
        returns = None
        if self._cls is not None:
            member = getattr(self._cls, name)
            assert isinstance(member, property), f"{self._cls.__name__}.{name}"
            returns = typing.get_type_hints(member.fget).get("return")
        self._rng._record("get", f"{self._path}.{name}", None)
        return _Sub(self._rng, returns if isinstance(returns, type) else None, f"{self._path}.{name}")

    def __getitem__(self, key: str) -> Any:
        returns = typing.get_type_hints(self._cls.__getitem__)["return"] if self._cls else None
        self._rng._record("get", f"{self._path}[{key}]", None)
        return _Sub(self._rng, returns, f"{self._path}[{key}]")

    def __setattr__(self, name: str, value: Any) -> None:
        if self._cls is not None:
            _check_set(self._cls, name, value)
        self._rng._record("set", f"{self._path}.{name}", value)


class StandinRange:
    """``xlwings.Range`` over ``rect``: every set and call recorded, with the rectangle."""

    def __init__(self, sheet: StandinSheet, rect: Rect) -> None:
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "_rect", rect)

    def _record(self, kind: str, path: str, value: Any) -> None:
        self._sheet._calls.append((kind, self._sheet._name, self._rect, path, value))

    def __getattr__(self, name: str) -> Any:
        assert name in MEMBERS[xw_main.Range], f"the stand-in has no Range.{name}"
        member = getattr(xw_main.Range, name)
        if not isinstance(member, property):
            return lambda *args, **kwargs: self._record("call", name, (args, kwargs))
        r1, c1, r2, c2 = self._rect
        self._record("get", name, None)
        if name in ("row", "column", "shape"):
            return {"row": r1, "column": c1, "shape": (r2 - r1 + 1, c2 - c1 + 1)}[name]
        if name == "rows":
            return _Count(r2 - r1 + 1)
        if name == "columns":
            return [StandinRange(self._sheet, (r1, c, r2, c)) for c in range(c1, c2 + 1)]
        if name == "api":
            return _Sub(self, None, "api")
        returns = typing.get_type_hints(member.fget).get("return")
        return _Sub(self, returns, name)

    def __setattr__(self, name: str, value: Any) -> None:
        assert name in MEMBERS[xw_main.Range], f"the stand-in has no Range.{name}"
        _check_set(xw_main.Range, name, value)
        self._record("set", name, value)


class _ValuedRange(StandinRange):
    # A range whose value is read (a table's header row).
    def __init__(self, sheet: StandinSheet, rect: Rect, value: Any) -> None:
        super().__init__(sheet, rect)
        object.__setattr__(self, "_value", value)

    @property
    def value(self) -> Any:
        self._record("get", "value", None)
        return self._value

    def options(self, *args: Any, **kwargs: Any) -> _ValuedRange:
        # Range.options(ndim=2, ...) gives the same range, read with these options.
        self._record("call", "options", (args, kwargs))
        return self


@dataclass
class _Count:
    count: int


# ---------------------------------------------------------------------------------
# Replaying the recorded writes.
# ---------------------------------------------------------------------------------


@dataclass
class Cell:
    """A cell as the replay leaves it: value or formula, number format, style settings."""

    value: Any = None
    formula: str | None = None  # without the leading "="
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Grid:
    """One sheet after the replay (1-based coordinates, as Excel's)."""

    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    merges: list[Rect] = field(default_factory=list)

    def at(self, row: int, col: int) -> Cell:
        return self.cells.setdefault((row, col), Cell())


def replay(calls: list[tuple]) -> dict[str, Grid]:
    """Sheet name -> the grid that the recorded sets and calls leave (see the module doc)."""
    grids: dict[str, Grid] = {}
    for kind, sheet, rect, path, value in calls:
        if sheet is None or kind == "get" or (rect is None and path != "clear"):
            continue
        grid = grids.setdefault(sheet, Grid())
        if kind == "call" and path == "clear":
            grids[sheet] = Grid()
        elif kind == "call" and path == "merge":
            grid.merges.append(rect)
        elif kind == "set" and path in ("value", "formula"):
            _put(grid, rect, value)
        elif kind == "set" and path == "column_width":
            for c in range(rect[1], rect[3] + 1):
                grid.widths[c] = value
        elif kind == "set":
            for key, cell_path in _reach(rect, path):
                grid.at(*key).settings[cell_path] = value
    return grids


def _put(grid: Grid, rect: Rect, value: Any) -> None:
    r1, c1, r2, c2 = rect
    rows = value if isinstance(value, list) else [[value] * (c2 - c1 + 1)] * (r2 - r1 + 1)
    for i, row in enumerate(rows):
        for j, item in enumerate(row):
            cell = grid.at(r1 + i, c1 + j)
            text_cell = cell.settings.get("number_format") == "@"
            if isinstance(item, str) and item[:1] in ("=", "+", "-", "@") and not text_cell:
                cell.value, cell.formula = None, item[1:] if item[:1] == "=" else item
            else:
                cell.value, cell.formula = item, None


def _reach(rect: Rect, path: str) -> list[tuple[tuple[int, int], str]]:
    # The cells a setting reaches, and the per-cell path it sets there.
    r1, c1, r2, c2 = rect
    every = [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    if not path.startswith("borders["):
        return [(key, path) for key in every]
    side, rest = path[len("borders["):].split("]", 1)
    edge = "borders[edge_{}]" + rest
    if side == "inside_vertical":
        return ([((r, c), edge.format("left")) for r, c in every if c > c1]
                + [((r, c), edge.format("right")) for r, c in every if c < c2])
    if side == "inside_horizontal":
        return ([((r, c), edge.format("top")) for r, c in every if r > r1]
                + [((r, c), edge.format("bottom")) for r, c in every if r < r2])
    outline = {"edge_left": lambda r, c: c == c1, "edge_right": lambda r, c: c == c2,
               "edge_top": lambda r, c: r == r1, "edge_bottom": lambda r, c: r == r2}[side]
    return [(key, path) for key in every if outline(*key)]


def count(calls: list[tuple], sheet: str | None = None) -> int:
    """The number of recorded calls (of one sheet, or all)."""
    return sum(1 for call in calls if sheet is None or call[1] == sheet)
