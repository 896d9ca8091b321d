"""Round trips to Excel of the ribbon's 更新 (refresh), counted without Excel.

Each property set or method call through xlwings is a round trip to Excel (COM on
Windows, AppleScript on macOS), about a millisecond.  This counts the calls that
``XlwingsBook.put_sheet`` makes for the target/process sheets of a team workbook, through
the recording stand-in of the tests (``tests/support/xlwings_standin.py``), before issue 12
(cell by cell: the loop kept below as the baseline) and now (per block)::

    python -m benchmarks.com_calls [--rows 100000] [--reps 50]

It prints a Markdown table: the deck's team workbook (2 reps) and a synthetic team
workbook (``benchmarks.generate.synthetic_master``).  The Windows count is shown (the
indent goes through COM there; macOS makes one call fewer per indented rectangle).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from xlsales.excel.xlwings_book import XlwingsBook, range_settings
from xlsales.layout import sheetmodel as sm
from xlsales.layout import styles as st
from xlsales.layout.workbook import layout_workbook

from .generate import log_end, synthetic_master

ROOT = Path(__file__).resolve().parent.parent


def standin() -> Any:
    """The tests' recording stand-in module (``support.xlwings_standin``)."""
    if str(ROOT / "tests") not in sys.path:  # the test helpers live beside src/, not in the package
        sys.path.insert(0, str(ROOT / "tests"))
    from support import xlwings_standin

    return xlwings_standin


def cell_by_cell(book: Any, sheet: sm.Sheet) -> None:
    """The baseline: ``put_sheet`` as it was before issue 12, one cell at a time."""
    target = book.sheets.add(sheet.name)
    styles = st.named_styles()
    for (row, col), cell in sheet.cells.items():
        rng = target.range((row + 1, col + 1))
        if cell.formula is not None:
            rng.formula = "=" + cell.formula
        elif isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
            rng.number_format = "@"
            rng.value = cell.value
        else:
            rng.value = cell.value
        if cell.style is not None:
            for path, value in range_settings(styles[cell.style]):
                set_by_path(rng, path, value)
    for col, width in sheet.col_widths.items():
        target.range((1, col + 1)).column_width = width
    for r1, c1, r2, c2 in sheet.merges:
        target.range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1)).merge()


def set_by_path(rng: Any, path: str, value: Any) -> None:
    """``apply_settings`` of one setting as it was before issue 12: every step fetched anew."""
    *steps, last = path.split(".")
    target = rng
    for step in steps:
        name, _, item = step.partition("[")
        target = getattr(target, name)
        if item:
            target = target[item.rstrip("]")]
    setattr(target, last, value)


def count_calls(workbook: sm.Workbook, sheets: int) -> dict[str, int]:
    """Calls for the first ``sheets`` sheets of ``workbook``: cells, before, after."""
    xs = standin()
    process = workbook.sheets[:sheets]
    before = xs.StandinBook()
    for sheet in process:
        cell_by_cell(before, sheet)
    after = xs.StandinBook()
    platform, sys.platform = sys.platform, "win32"  # apply_settings: the COM indent too
    try:
        book = XlwingsBook(after)
        for sheet in process:
            book.put_sheet(sheet)
    finally:
        sys.platform = platform
    return {"sheets": len(process), "cells": sum(len(s.cells) for s in process),
            "before": len(before.calls), "after": len(after.calls)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=50)
    args = parser.parse_args(argv)
    xs = standin()  # noqa: F841 - puts tests/ on the path for support.models
    from support.deck import AS_OF
    from support.models import deck_master

    deck = deck_master()
    deck_reps = [m.rep for m in deck.members]
    synthetic = synthetic_master(args.rows, args.reps, seed=0)
    reps = [m.rep for m in synthetic.members]
    cases = [
        (f"deck team workbook ({len(deck_reps)} reps)", deck_reps,
         layout_workbook(deck, deck_reps, as_of=AS_OF, lang="ja", team=True)),
        (f"synthetic team workbook ({args.rows:,} rows / {args.reps} reps)", reps,
         layout_workbook(synthetic, reps, as_of=log_end(synthetic), lang="ja", team=True)),
    ]
    print("| workbook | sheets | cells | calls before (cell by cell) | calls now (per block) | ratio | "
          "at 1 ms a call: before / now |")
    print("|---|---|---|---|---|---|---|")
    for name, members, workbook in cases:
        n = count_calls(workbook, 1 + len(members))
        print(f"| {name} | {n['sheets']} | {n['cells']:,} | {n['before']:,} | {n['after']:,} | "
              f"{n['before'] / n['after']:.0f}× | {n['before'] / 1000:,.0f} s / {n['after'] / 1000:,.1f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
