"""Cells of a sheet model gathered into rectangles, so that Excel is written per block.

Each property set through xlwings is a round trip to Excel (COM on Windows, AppleScript
on macOS), about a millisecond: the adapter (``xlwings_book``) writes a sheet's values as
one 2-D array per band of rows and each style once per rectangle of cells that share it.
These functions only group coordinates; they know nothing of xlwings.

Rectangles are ``(first_row, first_col, last_row, last_col)``, inclusive and 0-based like
the sheet model's cells.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

Rect = tuple[int, int, int, int]


def rectangles(cells: Iterable[tuple[int, int]], *, wide: bool = True, tall: bool = True) -> list[Rect]:
    """Cover exactly ``cells`` with few rectangles that do not overlap.

    Parameters
    ----------
    cells : iterable of (int, int)
        (row, col) coordinates.
    wide, tall : bool
        Whether a rectangle may span several columns / several rows (a style whose left
        and right edges differ can only be drawn one column at a time).

    Returns
    -------
    list of (int, int, int, int)
        Sorted rectangles: runs of consecutive columns in a row, stacked while the rows
        below have the same run; of the row-first and the column-first cover, the one
        with fewer rectangles.

    Examples
    --------
    >>> rectangles([(0, 0), (0, 1), (1, 0), (1, 1), (2, 1)])
    [(0, 0, 1, 1), (2, 1, 2, 1)]
    >>> rectangles([(0, 0), (0, 1)], wide=False)
    [(0, 0, 0, 0), (0, 1, 0, 1)]
    """
    cells = set(cells)
    by_rows = _stacked_runs(cells, across=wide, stack=tall)
    flipped = _stacked_runs({(c, r) for r, c in cells}, across=tall, stack=wide)
    by_cols = sorted((r1, c1, r2, c2) for c1, r1, c2, r2 in flipped)
    return by_rows if len(by_rows) <= len(by_cols) else by_cols


def row_bands(cells: Iterable[tuple[int, int]]) -> list[Rect]:
    """The bands of consecutive rows holding ``cells``, each as wide as its cells reach.

    A band covers the gaps between its cells too: writing a blank into an empty cell of
    a cleared sheet changes nothing, and one 2-D array per band is one call.

    Examples
    --------
    >>> row_bands([(0, 0), (0, 9), (2, 1), (3, 4)])
    [(0, 0, 0, 9), (2, 1, 3, 4)]
    """
    out: list[Rect] = []
    for r, c in sorted(cells):
        if out and r <= out[-1][2] + 1:
            r1, c1, _, c2 = out[-1]
            out[-1] = (r1, min(c1, c), r, max(c2, c))
        else:
            out.append((r, c, r, c))
    return out


def runs(values: Mapping[int, Hashable]) -> list[tuple[int, int, Hashable]]:
    """Runs of consecutive keys with equal values: ``(first, last, value)``.

    Examples
    --------
    >>> runs({0: 26, 1: 9.5, 2: 9.5, 4: 9.5})
    [(0, 0, 26), (1, 2, 9.5), (4, 4, 9.5)]
    """
    out: list[tuple[int, int, Hashable]] = []
    for key in sorted(values):
        if out and key == out[-1][1] + 1 and values[key] == out[-1][2]:
            out[-1] = (out[-1][0], key, values[key])
        else:
            out.append((key, key, values[key]))
    return out


def _stacked_runs(cells: set[tuple[int, int]], *, across: bool, stack: bool) -> list[Rect]:
    # Runs of each row, extended downwards while the next row has the very same run.
    rows: dict[int, list[int]] = {}
    for r, c in cells:
        rows.setdefault(r, []).append(c)
    growing: dict[tuple[int, int], int] = {}  # run -> first row, for runs ending on the previous row
    out: list[Rect] = []
    previous = None
    for r in sorted(rows):
        still: dict[tuple[int, int], int] = {}
        for run in _runs_of(sorted(rows[r]), across=across):
            if stack and previous == r - 1 and run in growing:
                still[run] = growing.pop(run)
            else:
                still[run] = r
        out += [(first, c1, previous, c2) for (c1, c2), first in growing.items()]
        growing, previous = still, r
    out += [(first, c1, previous, c2) for (c1, c2), first in growing.items()]
    return sorted(out)


def _runs_of(cols: list[int], *, across: bool) -> list[tuple[int, int]]:
    # Consecutive columns as (first, last); one column each when runs may not span.
    out: list[tuple[int, int]] = []
    for c in cols:
        if across and out and c == out[-1][1] + 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return out
