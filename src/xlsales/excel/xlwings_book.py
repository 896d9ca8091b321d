"""The workbook open in Excel, through xlwings: the ``Book`` of the ribbon's handlers.

Only ``XlwingsBook`` touches xlwings' object model; it is a few lines per method, and
it was not exercised in Excel on the Linux machines that test xlsales (see README).
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any

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
        names = [s.name for s in self._book.sheets]
        if sheet.name in names:
            target = self._book.sheets[sheet.name]
            target.clear()
        else:
            target = self._book.sheets.add(sheet.name, before=before if before in names else None)
        for (row, col), cell in sheet.cells.items():
            rng = target.range((row + 1, col + 1))
            if cell.formula is not None:
                rng.formula = "=" + cell.formula
            elif isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                rng.number_format = "@"  # text typed by a rep stays text
                rng.value = cell.value
            else:
                rng.value = cell.value
            _style_range(rng, cell.style)
        for col, width in sheet.col_widths.items():
            target.range((1, col + 1)).column_width = width
        for r1, c1, r2, c2 in sheet.merges:
            target.range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1)).merge()
        # The sheets put into an open workbook are visible ones; a hidden model is hidden
        # (very hidden and protection need Excel's object model directly: not done here).
        if sheet.visibility != "visible":
            target.visible = False

    def add_table_columns(self, table: str, columns: list[sm.TableColumn]) -> None:
        for sheet in self._book.sheets:
            for t in sheet.tables:
                if t.name.casefold() != table.casefold():
                    continue
                have = list(t.header_row_range.value)
                first_row = t.header_row_range.row + 1
                for col in columns:
                    if col.header in have:  # rewritten: an older refresh may have left other formulas
                        index = have.index(col.header)
                    else:
                        t.api.ListColumns.Add().Name = col.header  # Windows COM: a new table column
                        index = -1
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
    for path, value in settings:
        if path.startswith("api.") and not com:
            continue
        *steps, last = path.split(".")
        target = rng
        for step in steps:
            target = _step(target, step)
        setattr(target, last, value)


def _step(obj: Any, step: str) -> Any:
    # "font" is an attribute, "borders[edge_left]" an attribute and then an item.
    match = _PATH.fullmatch(step)
    if match is None:
        raise ValueError(f"not an attribute path step: {step!r}")
    obj = getattr(obj, match[1])
    return obj if match[2] is None else obj[match[2]]


@functools.lru_cache(maxsize=None)
def _settings(name: str) -> list[tuple[str, Any]]:
    # put_sheet styles cell by cell: convert each named style once.
    return range_settings(st.named_styles()[name])


def _style_range(rng: Any, style: str | None) -> None:
    if style is not None:
        apply_settings(rng, _settings(style))
