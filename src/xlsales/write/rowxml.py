"""Write a streamed table's rows as worksheet XML directly, byte for byte as XlsxWriter would.

The ActivityLog tables hold millions of cells; XlsxWriter writes each through a chain of
Python calls (write, store, flush, ``_write_cell``, escaping) that took most of a build.
In XlsxWriter's constant_memory mode a finished row is plain text in the worksheet's row
file, so a row is written here in one loop with the pieces that are the same in every row
(column letter, ``s="<xf index>"``, formula text) made once.  The text is what
``Worksheet._write_single_row`` writes for the same cells; anything out of the ordinary
(a boolean, a datetime, NaN, a very long text, a row with other cells or row settings) is
left to XlsxWriter's own calls, and ``tests/core/test_rowxml.py`` compares the files of
both paths byte for byte.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from xlsxwriter.utility import RE_LEADING_WHITESPACE, RE_TRAILING_WHITESPACE, xl_col_to_name

# What XlsxWriter writes as is: no XML escape, no _xHHHH_ escape, no xml:space="preserve".
_NEEDS_CARE = re.compile("[&<>\x00-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\\s|\\s$")
# Cached formula results XlsxWriter marks t="e" (worksheet._write_cell).
_ERROR_CODES = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))
# The XlsxWriter internals this module relies on: without any of them, no fast rows.
_WORKSHEET_NEEDS = ("fh", "table", "previous_row", "row_info", "comments", "col_info", "xls_rowmax", "xls_strmax",
                    "constant_memory", "_write_row", "_write_single_row", "_check_dimensions", "_escape_data",
                    "_escape_control_characters")


@functools.lru_cache(maxsize=4096)  # a log has few distinct dates and a million date cells
def date_serial(value: dt.date | dt.datetime) -> float:
    """The Excel serial number of ``value`` (1900 date system).

    Parameters
    ----------
    value : datetime.date or datetime.datetime
        A day, or a moment.

    Returns
    -------
    float
        Days since 1899-12-30, the time of day as a fraction.

    Examples
    --------
    >>> date_serial(dt.date(2024, 4, 1))
    45383.0
    """
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value - dt.datetime(1899, 12, 30)
    return delta.days + delta.seconds / 86400


def cached_value(value: Any) -> Any:
    """A formula's cached value as the file stores it: a number for a date, "" for none.

    Parameters
    ----------
    value : object
        The value the build computed for the formula's cell.

    Returns
    -------
    object
        ``value``, a date's serial number, or "" for None.
    """
    if isinstance(value, (dt.date, dt.datetime)):
        return date_serial(value)
    return "" if value is None else value


class RowWriter:
    """Writes the body rows of one table into a streaming XlsxWriter worksheet.

    Parameters
    ----------
    ws : xlsxwriter.worksheet.Worksheet
        A worksheet in constant_memory mode (see ``xlsxwriter_backend._stream``).
    left : int
        The table's first column (zero-based).
    columns : sequence of (str or None, Format or None)
        Each column's formula (None: values) and its cell format.
    """

    def __init__(self, ws: Any, left: int, columns: Sequence[tuple[str | None, Any]]) -> None:
        self._ws = ws
        self._left = left
        self._columns = list(columns)
        self._letters = [xl_col_to_name(left + j) for j in range(len(self._columns))]
        # The s="…" of each column, made when its first cell is written: XlsxWriter numbers
        # formats in the order cells are first written, and styles.xml follows that order.
        self._styles: list[str | None] = [None] * len(self._columns)
        self._formulas = [None if formula is None else ws._escape_data(formula) for formula, _ in self._columns]
        self._row_tail = self._row_attributes()

    @classmethod
    def usable(cls, ws: Any) -> bool:
        """Whether ``ws`` streams and has the XlsxWriter internals the writer relies on.

        Parameters
        ----------
        ws : xlsxwriter.worksheet.Worksheet
            The worksheet to write into.

        Returns
        -------
        bool
            False for an in-memory worksheet or a future XlsxWriter that changed them.
        """
        return all(hasattr(ws, a) for a in _WORKSHEET_NEEDS) and bool(ws.constant_memory)

    def _row_attributes(self) -> str:
        # The <row> tag of a row without settings after r="…", ">" included: made by XlsxWriter.
        ws, buffer = self._ws, io.StringIO()
        saved, ws.fh = ws.fh, buffer
        try:
            ws._write_row(0, None)
        finally:
            ws.fh = saved
        text = buffer.getvalue()
        return text[len('<row r="1"'):] if text.startswith('<row r="1"') else ""

    def _style(self, j: int) -> str:
        # worksheet._write_cell: the cell's format, else (no row format here) the column's.
        f = self._columns[j][1]
        if f is None:
            info = self._ws.col_info.get(self._left + j)
            f = None if info is None else info.column_format
        text = "" if f is None else f' s="{f._get_xf_index()}"'
        self._styles[j] = text
        return text

    def _text_cell(self, ref: str, style: str, text: str) -> str:
        # worksheet._write_cell for an in-line string, with xmlwriter's escapes.
        ws = self._ws
        text = ws._escape_control_characters(text)
        if text.startswith("<r>") and text.endswith("</r>"):
            return f'<c r="{ref}"{style} t="inlineStr"><is>{text}</is></c>'
        space = ' xml:space="preserve"' if RE_LEADING_WHITESPACE.search(text) or \
            RE_TRAILING_WHITESPACE.search(text) else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{ws._escape_data(text)}</t></is></c>'

    def _formula_cell(self, ref: str, style: str, formula: str, value: Any) -> str | None:
        # worksheet._write_cell for a formula with its cached value (xmlwriter._xml_formula_element).
        kind = type(value)
        if kind is str:
            if value == "":
                kind_attr = ""
            else:
                kind_attr = ' t="e"' if value in _ERROR_CODES else ' t="str"'
                value = self._ws._escape_data(value)
        elif kind is int or kind is float:
            kind_attr = ""
        elif kind is bool:
            kind_attr, value = ' t="b"', 1 if value else 0
        else:
            return None
        return f'<c r="{ref}"{style}{kind_attr}><f>{formula}</f><v>{value}</v></c>'

    def write(self, row: int, values: Sequence[Any]) -> bool:
        """Write one body row; False (nothing written) when XlsxWriter's calls must do it.

        Parameters
        ----------
        row : int
            The worksheet row (zero-based); rows come in increasing order.
        values : sequence
            The row's values, one per column (a formula column: its cached value).

        Returns
        -------
        bool
            True when the row is written (or had nothing to write).
        """
        ws = self._ws
        if row <= ws.previous_row or row >= ws.xls_rowmax or row in ws.row_info or row in ws.comments \
                or len(values) != len(self._columns):
            return False  # cells already stored in the row, or row settings: XlsxWriter's path
        # Flush the previous row first, as XlsxWriter's write calls do, so formats are
        # numbered in the same order even when this row falls back to them.
        ws._write_single_row(row)
        number = str(row + 1)
        styles, formulas, letters = self._styles, self._formulas, self._letters
        strmax = ws.xls_strmax // 2
        parts: list[str] = []
        append = parts.append
        first = last = -1
        for j, value in enumerate(values):
            kind = type(value)
            formula = formulas[j]
            if formula is None and (value is None or (kind is str and value == "")):
                continue  # a blank is left out: the column's format covers it
            style = styles[j]
            if style is None:
                style = self._style(j)
            if formula is not None:
                # The usual cached values inline (a million cells); others by _formula_cell.
                if value is None or (kind is str and value == ""):
                    append(f'<c r="{letters[j]}{number}"{style}><f>{formula}</f><v></v></c>')
                elif kind is int or kind is float:
                    append(f'<c r="{letters[j]}{number}"{style}><f>{formula}</f><v>{value}</v></c>')
                else:
                    cell = self._formula_cell(letters[j] + number, style, formula, cached_value(value))
                    if cell is None:
                        return False
                    append(cell)
            elif kind is str:
                if len(value) > strmax:
                    return False  # XlsxWriter may cut it to Excel's limit
                if _NEEDS_CARE.search(value) is None:
                    append(f'<c r="{letters[j]}{number}"{style} t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    append(self._text_cell(letters[j] + number, style, value))
            elif kind is int or kind is float:
                if not math.isfinite(value):
                    return False  # XlsxWriter's option decides what NaN becomes
                append(f'<c r="{letters[j]}{number}"{style}><v>{value:.16G}</v></c>')
            elif kind is dt.date:
                append(f'<c r="{letters[j]}{number}"{style}><v>{date_serial(value):.16G}</v></c>')
            else:
                return False
            if first < 0:
                first = j
            last = j
        if parts:
            ws.fh.write(f'<row r="{number}"{self._row_tail}{"".join(parts)}</row>')
            ws._check_dimensions(row, self._left + first)
            ws._check_dimensions(row, self._left + last)
        return True


def row_writer(ws: Any, left: int, columns: Sequence[tuple[str | None, Any]]) -> Callable[[int, Sequence[Any]], bool]:
    """The fast row writer of a table on ``ws``, or one that always declines.

    Parameters
    ----------
    ws : xlsxwriter.worksheet.Worksheet
        The table's worksheet.
    left : int
        The table's first column (zero-based).
    columns : sequence of (str or None, Format or None)
        Each column's formula (None: values) and its cell format.

    Returns
    -------
    callable
        ``write(row, values) -> bool``; False: write the row with XlsxWriter's calls.
    """
    if not RowWriter.usable(ws):
        return lambda row, values: False
    return RowWriter(ws, left, columns).write
