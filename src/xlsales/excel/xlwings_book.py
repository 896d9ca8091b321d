"""The workbook open in Excel, through xlwings: the ``Book`` of the ribbon's handlers.

Only ``XlwingsBook`` touches xlwings' object model; it is a few lines per method, and
it was not exercised in Excel on the Linux machines that test xlsales (see README).
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsales.excel import blocks
from xlsales.excel.books import MARK_AUTHOR, MARK_FILL, Mark
from xlsales.excel.handlers import local_folder
from xlsales.exceptions import InputError
from xlsales.layout import sheetmodel as sm
from xlsales.layout import styles as st
from xlsales.texts import message_text


class XlwingsBook:
    """The workbook open in Excel, through xlwings (Windows and macOS desktop Excel)."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self.name = book.name
        try:  # xlwings maps a OneDrive/SharePoint URL to the synced file, or raises
            fullname = book.fullname
        except Exception:
            fullname = ""
        self.folder = local_folder(fullname)

    def grids(self) -> dict[str, list[list[Any]]]:
        out = {}
        for sheet in self._book.sheets:
            last = sheet.used_range.last_cell
            rng = sheet.range((1, 1), (last.row, last.column))
            out[sheet.name] = rng.options(ndim=2, err_to_str=True).value
        return out

    def mark(self, marks: list[Mark], *, clear: list[tuple[str, int, int]]) -> None:
        names = {s.name for s in self._book.sheets}
        for sheet, row, col in clear:
            if sheet in names:
                cell = self._book.sheets[sheet].range((row, col))
                cell.color = None
                if cell.note is not None:
                    cell.note.delete()
        rgb = tuple(int(MARK_FILL[i:i + 2], 16) for i in (0, 2, 4))
        for m in marks:
            cell = self._book.sheets[m.sheet].range((m.row, m.col))
            cell.color = rgb
            if cell.note is not None:
                cell.note.delete()
            cell.add_note(f"{MARK_AUTHOR}: {m.text}")

    def put_sheet(self, sheet: sm.Sheet, *, before: str | None = None) -> None:
        """Create or replace the sheet ``sheet.name`` with the model's cells, block by block.

        Every property set is a round trip to Excel (about a millisecond), so the calls grow
        with the sheet's blocks, not its cells: one 2-D array of values and formulas per
        band of rows (Excel reads text starting with "=" as a formula; text a rep typed that
        looks like one is text-formatted first), each group of style settings (see
        :func:`settings_groups`) once per rectangle of the cells that share it, whatever
        their style (:mod:`xlsales.excel.blocks`), one width per run of equal columns, one
        call per merge.  A target/process sheet of the deck (508 cells) takes under 450 calls, about
        130 rectangles of ~3 calls each (cell by cell it took about 20,000; see
        ``tests/excel/test_xlwings_book.py`` and ``benchmarks/com_calls.py``).  Screen
        updating and automatic calculation are off meanwhile and restored afterwards, also
        when the write fails.
        """
        names = [s.name for s in self._book.sheets]
        with _quiet(self._book.app):
            if sheet.name in names:
                target = self._book.sheets[sheet.name]
                target.clear()
            else:
                target = self._book.sheets.add(sheet.name, before=before if before in names else None)
            _write_cells(target, sheet)
            # A hidden model is hidden (very hidden and protection need Excel's object model
            # directly through COM: not done here).
            if sheet.visibility != "visible":
                target.visible = False

    def add_table_columns(self, table: str, columns: list[sm.TableColumn]) -> None:
        """Give the Excel Table ``table`` these columns, through xlwings' cross-platform API.

        A new column is made as ``ListColumns.Add`` makes it, with what works on macOS too:
        the cells right of the table move one column right (``Range.insert``), the header
        goes into the freed cell and the table is resized over it (``Table.resize``).
        """
        for sheet in self._book.sheets:
            for t in sheet.tables:
                if t.name.casefold() != table.casefold():
                    continue
                header = t.header_row_range
                value = header.value
                have = value if isinstance(value, list) else [value]
                first_row = header.row + 1
                for col in columns:
                    if col.header in have:  # rewritten: an older refresh may have left other formulas
                        index = have.index(col.header)
                    else:
                        _append_column(sheet, t, col.header)
                        have.append(col.header)
                        index = len(have) - 1
                    body = t.data_body_range
                    if body is None:
                        continue
                    if col.formula:
                        body.columns[index].formula = "=" + col.formula
                    elif col.values is not None:
                        values = [[col.values.get(first_row + i)] for i in range(body.rows.count)]
                        body.columns[index].value = values
                return
        raise InputError("addin_no_table", path=self.name)

    def define_name(self, name: str, refers_to: str) -> None:
        if name in [n.name for n in self._book.names]:
            self._book.names[name].delete()
        self._book.names.add(name, refers_to)

    def save(self) -> None:
        return None  # the user decides when to save the workbook open in Excel

    def alert(self, text: str, lang: str) -> None:
        self._book.app.alert(text, title=message_text("addin_title", lang))

    def prompt(self, message: str, default: str, lang: str) -> str | None:
        """An input box with ``default`` filled in: the text typed, or None on Cancel."""
        title = message_text("addin_title", lang)
        if sys.platform == "darwin":  # Excel's InputBox is not in its AppleScript dictionary
            return _mac_prompt(self._book.app, message, title, default)
        answer = self._book.app.api.InputBox(message, title, default)  # Application.InputBox
        return None if answer is False else str(answer)

    # -- 回収 (collect) ------------------------------------------------------------------

    def ask_files(self, lang: str) -> list[Path] | None:
        """Excel's Open dialog, several files at once: the paths picked, or None on Cancel."""
        title = message_text("collect_ask_files", lang)
        if sys.platform == "darwin":
            return _mac_choose_files(self._book.app, title)
        # Application.GetOpenFilename(FileFilter, FilterIndex, Title, ButtonText, MultiSelect),
        # positionally: a tuple of full paths, or False on Cancel.
        answer = self._book.app.api.GetOpenFilename(FILE_FILTER, 1, title, None, True)
        return picked_paths(answer)

    def append_table_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Write ``rows`` under the last filled row of the Excel Table ``table`` in one 2-D block.

        As ``add_table_columns`` grows a table, through xlwings' cross-platform API: the
        table's body is read once to find its last filled row, the block goes below it
        (cells of text that Excel would read as a formula are text-formatted first), and
        ``Table.resize`` spans the table over it when it reaches past the table's end.
        Calculated columns not given a value get the formula of their first row.
        """
        if not rows:
            return
        for sheet in self._book.sheets:
            for t in sheet.tables:
                if t.name.casefold() != table.casefold():
                    continue
                whole = t.range
                top, left = whole.row, whole.column
                height, width = whole.shape
                value = t.header_row_range.value
                headers = [str(h).strip() if h is not None else "" for h in
                           (value if isinstance(value, list) else [value])]
                body = t.data_body_range
                grid = body.options(ndim=2).value if body is not None else []
                filled = [i for i, row in enumerate(grid) if any(v not in (None, "") for v in row)]
                first = top + 1 + (filled[-1] + 1 if filled else 0)
                formulas = _row_formulas(sheet.range((top + 1, left), (top + 1, left + width - 1)).formula, width) \
                    if body is not None else [""] * width
                block = [[values.get(h) for h in headers] for values in rows]
                for values in block:
                    for c, v in enumerate(values):
                        if v is None and str(formulas[c]).startswith("="):
                            values[c] = formulas[c]
                typed = [(r, c) for r, row in enumerate(block) for c, v in enumerate(row)
                         if _is_typed_text(v) and rows[r].get(headers[c]) is not None]
                with _quiet(self._book.app):
                    for r1, c1, r2, c2 in blocks.rectangles(typed):
                        sheet.range((first + r1, left + c1), (first + r2, left + c2)).number_format = "@"
                    sheet.range((first, left), (first + len(block) - 1, left + width - 1)).value = block
                    last = first + len(block) - 1
                    if last > top + height - 1:
                        t.resize(sheet.range((top, left), (last, left + width - 1)))
                return
        raise InputError("addin_no_table", path=self.name)

    # -- end 回収 ------------------------------------------------------------------------


# -- 回収 (collect) --------------------------------------------------------------------------

#: The Open dialog's filter on Windows: description, patterns (Application.GetOpenFilename).
FILE_FILTER = "Excel / mail (*.xlsx;*.eml;*.msg),*.xlsx;*.eml;*.msg"


def picked_paths(answer: Any) -> list[Path] | None:
    """The paths of what ``GetOpenFilename(..., MultiSelect=True)`` or a Mac's ``choose file``
    returned: a tuple or list of paths (or of objects with a ``path``), one path, or False
    on Cancel (None then)."""
    if answer is False or answer is None:
        return None
    items = answer if isinstance(answer, (list, tuple)) else [answer]
    paths = [Path(str(getattr(item, "path", item))) for item in items if item not in (None, False, "")]
    return paths or None


def _row_formulas(formula: Any, width: int) -> list[str]:
    # Range.formula of one row: a string for one cell, else a tuple holding one tuple.
    if isinstance(formula, (list, tuple)):
        row = formula[0] if formula and isinstance(formula[0], (list, tuple)) else formula
        return [str(f or "") for f in row]
    return [str(formula or "")] * width


def _mac_choose_files(app: Any, title: str) -> list[Path] | None:
    # StandardAdditions' "choose file ... with multiple selections allowed", as _mac_prompt
    # uses "display dialog"; it returns aliases (their .path is a POSIX path); Cancel raises -128.
    import osax

    sa = osax.OSAX(pid=app.pid)
    sa.activate()
    try:
        reply = sa.choose_file(with_prompt=title, multiple_selections_allowed=True)
    except Exception:
        return None
    return picked_paths(reply)


# -- end 回収 ----------------------------------------------------------------------------


def _mac_prompt(app: Any, message: str, title: str, default: str) -> str | None:
    # StandardAdditions' "display dialog", as xlwings' own App.alert uses "display alert"
    # on a Mac (xlwings/_xlmac.py); Cancel raises error -128.
    import osax
    from appscript import k as kw

    sa = osax.OSAX(pid=app.pid)
    sa.activate()
    try:
        reply = sa.display_dialog(message, default_answer=default, with_title=title,
                                  buttons=["Cancel", "OK"], default_button="OK", cancel_button="Cancel")
    except Exception:
        return None
    return reply[kw.text_returned]


# xlwings' name of each edge of the style model's borders.
_EDGES = {"left": "edge_left", "right": "edge_right", "top": "edge_top", "bottom": "edge_bottom"}
_PATH = re.compile(r"(\w+)(?:\[(\w+)\])?")


def range_settings(style: st.Style) -> list[tuple[str, Any]]:
    """The xlwings ``Range`` settings that draw ``style``, in the order to apply them.

    Parameters
    ----------
    style : Style
        A neutral style of :mod:`xlsales.layout.styles`.

    Returns
    -------
    list of (str, object)
        (attribute path from the range, value): ``("font.bold", True)``,
        ``("borders[edge_left].weight", "thin")``.  What the style leaves at its default
        is left out.  Everything is xlwings' own cross-platform API (xlwings >= 0.37.3)
        except the indent, which xlwings has only as a relative ``adjust_indent`` on
        xlwings Server: it is ``api.IndentLevel``, Excel's COM property on Windows.

    Examples
    --------
    >>> from xlsales.layout.styles import named_styles
    >>> range_settings(named_styles()["log_amount"])
    [('number_format', '#,##0'), ('font.name', 'Meiryo UI'), ('font.size', 11)]
    """
    f, a = style.font, style.align
    out: list[tuple[str, Any]] = []
    for path, value in (("number_format", style.number_format), ("color", style.fill), ("font.name", f.name),
                        ("font.size", f.size), ("font.bold", f.bold), ("font.italic", f.italic),
                        ("font.color", f.color), ("horizontal_alignment", a.horizontal),
                        ("vertical_alignment", a.vertical), ("wrap_text", a.wrap), ("api.IndentLevel", a.indent)):
        if value:
            out.append((path, value))
    for side in st.SIDES:
        edge = getattr(style.border, side)
        if edge is not None:
            out.append((f"borders[{_EDGES[side]}].line_style", "continuous"))
            out.append((f"borders[{_EDGES[side]}].weight", edge.style))
            if edge.color:
                out.append((f"borders[{_EDGES[side]}].color", edge.color))
    return out


def apply_settings(rng: Any, settings: list[tuple[str, Any]], *, com: bool | None = None) -> None:
    """Set each of ``settings`` (from :func:`range_settings`) on the xlwings range ``rng``.

    Parameters
    ----------
    rng : xlwings.Range
        The cells to style.
    settings : list of (str, object)
        Attribute paths such as ``"font.bold"`` or ``"borders[edge_top].color"``, and values.
    com : bool, optional
        Whether ``rng.api`` is Excel's COM object (default: on Windows).  Settings through
        ``api`` are skipped otherwise: macOS' AppleScript bridge names them differently.
    """
    com = sys.platform == "win32" if com is None else com
    reached: dict[str, Any] = {"": rng}  # each sub-object (font, a border) is fetched once: a round trip
    for path, value in settings:
        if path.startswith("api.") and not com:
            continue
        *steps, last = path.split(".")
        at = ""
        for step in steps:
            at = _reach(reached, at, step)
        setattr(reached[at], last, value)


def _reach(reached: dict[str, Any], at: str, step: str) -> str:
    # "font" is an attribute, "borders[edge_left]" an attribute and then an item; each
    # one fetched is kept in ``reached`` under its path, which is returned.
    match = _PATH.fullmatch(step)
    if match is None:
        raise ValueError(f"not an attribute path step: {step!r}")
    parent, at = reached[at], f"{at}.{match[1]}"
    if at not in reached:
        reached[at] = getattr(parent, match[1])
    if match[2] is not None:
        parent, at = reached[at], f"{at}[{match[2]}]"
        if at not in reached:
            reached[at] = parent[match[2]]
    return at


@dataclass(frozen=True)
class SettingsGroup:
    """Settings that one rectangle of cells takes in one :func:`apply_settings` call.

    ``settings`` are drawn into every rectangle; ``across`` too when the rectangle is
    more than one column wide (the borders between its columns: an edge of a range is the
    outline of the whole range), ``down`` when it is more than one row tall.  ``wide`` and
    ``tall`` say whether a rectangle may span columns and rows at all: a cell's left edge
    without the same right edge can only be drawn one column at a time.
    """

    settings: tuple[tuple[str, Any], ...]
    across: tuple[tuple[str, Any], ...] = ()
    down: tuple[tuple[str, Any], ...] = ()
    wide: bool = True
    tall: bool = True

    def for_rect(self, rect: blocks.Rect) -> list[tuple[str, Any]]:
        """The settings of a rectangle ``(first_row, first_col, last_row, last_col)``."""
        r1, c1, r2, c2 = rect
        return [*self.settings, *(self.across if c2 > c1 else ()), *(self.down if r2 > r1 else ())]


def settings_groups(style: st.Style) -> list[SettingsGroup]:
    """``range_settings(style)`` cut into the pieces that cells of other styles may share.

    Each setting that is not a border is a piece of its own, so that cells of different
    styles with the same font (say) get it in one call per rectangle.  Borders go by line:
    the left and right edges together when they are the same line (then it is drawn
    inside a wide rectangle too), else each alone in rectangles one column wide; likewise
    top and bottom.

    Examples
    --------
    >>> from xlsales.layout.styles import named_styles
    >>> [g.settings for g in settings_groups(named_styles()["log_amount"])]
    [(('number_format', '#,##0'),), (('font.name', 'Meiryo UI'),), (('font.size', 11),)]
    """
    settings = range_settings(style)
    out = [SettingsGroup(((path, value),)) for path, value in settings if not path.startswith("borders[")]
    edges = {side: tuple((path.split("]", 1)[1], value) for path, value in settings
                         if path.startswith(f"borders[{_EDGES[side]}]")) for side in st.SIDES}

    def drawn(edge: str, side: str) -> tuple[tuple[str, Any], ...]:
        return tuple((f"borders[{edge}]{rest}", value) for rest, value in edges[side])

    for first, second, inside, wide in (("left", "right", "inside_vertical", True),
                                        ("top", "bottom", "inside_horizontal", False)):
        if edges[first] and edges[first] == edges[second]:
            between = drawn(inside, first)
            out.append(SettingsGroup(drawn(_EDGES[first], first) + drawn(_EDGES[second], second),
                                     across=between if wide else (), down=() if wide else between))
            continue
        for side in (first, second):
            if edges[side]:
                out.append(SettingsGroup(drawn(_EDGES[side], side), wide=not wide, tall=wide))
    return out


def _is_typed_text(value: Any) -> bool:
    # Text that Excel would read as a formula when written into a General cell.
    return isinstance(value, str) and value[:1] in ("=", "+", "-", "@")


@contextlib.contextmanager
def _quiet(app: Any) -> Iterator[None]:
    # Excel repaints and recalculates after each write unless told not to; whatever
    # happens, the user's settings come back.
    updating, calculation = app.screen_updating, app.calculation
    try:
        app.screen_updating = False
        app.calculation = "manual"
        yield
    finally:
        app.calculation = calculation
        app.screen_updating = updating


@functools.lru_cache(maxsize=None)
def _groups(name: str) -> tuple[SettingsGroup, ...]:
    # Each named style is cut into its groups once per session.
    return tuple(settings_groups(st.named_styles()[name]))


def _cells(target: Any, rect: blocks.Rect) -> Any:
    r1, c1, r2, c2 = rect
    return target.range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1))


def _content(cell: sm.Cell | None) -> Any:
    # What one cell of a 2-D array holds: Excel reads text starting with "=" as a formula.
    if cell is None:
        return None
    return "=" + cell.formula if cell.formula is not None else cell.value


def _write_cells(target: Any, sheet: sm.Sheet) -> None:
    cells = sheet.cells
    # Text typed by a rep that looks like a formula stays text: the cells are text-formatted first.
    typed = [key for key, cell in cells.items() if cell.formula is None and _is_typed_text(cell.value)]
    for rect in blocks.rectangles(typed):
        _cells(target, rect).number_format = "@"
    for r1, c1, r2, c2 in blocks.row_bands(cells):
        rows = [[_content(cells.get((r, c))) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        _cells(target, (r1, c1, r2, c2)).value = rows
    # Cells that share a settings group, whatever their style, take it in one call per rectangle.
    sharing: dict[SettingsGroup, list[tuple[int, int]]] = {}
    for key, cell in cells.items():
        for group in _groups(cell.style) if cell.style is not None else ():
            sharing.setdefault(group, []).append(key)
    together: dict[frozenset[tuple[int, int]], list[SettingsGroup]] = {}
    for group, keys in sharing.items():
        together.setdefault(frozenset(keys), []).append(group)
    for keys, groups in together.items():
        wide, tall = all(g.wide for g in groups), all(g.tall for g in groups)
        for rect in blocks.rectangles(keys, wide=wide, tall=tall):
            apply_settings(_cells(target, rect), [s for g in groups for s in g.for_rect(rect)])
    for c1, c2, width in blocks.runs(sheet.col_widths):
        _cells(target, (0, c1, 0, c2)).column_width = width
    for merge in sheet.merges:
        _cells(target, merge).merge()


def _append_column(sheet: Any, table: Any, header: str) -> None:
    # ListColumns.Add is Windows COM; on both platforms: make room right of the table,
    # write the header there and resize the table over it.
    whole = table.range
    top, left = whole.row, whole.column
    height, width = whole.shape
    new = sheet.range((top, left + width), (top + height - 1, left + width))
    new.insert("right")
    sheet.range((top, left + width)).value = header
    table.resize(sheet.range((top, left), (top + height - 1, left + width)))
