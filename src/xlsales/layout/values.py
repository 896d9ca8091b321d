"""Company-wide workbooks of a very big log, as values: what a spreadsheet can still open.

A workbook that holds the whole activity log recalculates over all of it, and past a size
(:data:`LIVE_ROWS` rows) LibreOffice needs more than 8 GB just to open it (700k rows: over
8.7 GB before it had finished loading, benchmarks/RESULTS.md).  Such a workbook (the team
workbook of all reps, the team's check-in, the evaluation of all reps) is then written
with every figure counted from the log as its value, without the log: the formulas that
only read other cells (achievements, totals, チーム別's sums, the plan) stay live, and each
sheet's note says so.  The per-team and per-person workbooks keep their live formulas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from xlsales.layout import sheetmodel as sm
from xlsales.layout.names import quote_sheet

# Above this many log rows, the company-wide workbooks are written as values (see above):
# LibreOffice peaks at 3.9 GB for the team workbook of 100k rows (0.6 GB at 10k) and grows with
# the rows: 8 GB at about 200k.  Below that, a margin for more reps and columns.
LIVE_ROWS = 150_000


def freeze_log_figures(book: sm.Workbook, log_sheet: str, *, drop: Iterable[str] = (),
                       notes: Mapping[str, str] | None = None) -> int:
    """Turn every formula of ``book`` that reads the activity log into its value and leave
    the log sheet ``log_sheet`` (and the sheets named in ``drop``) out; returns how many.

    A formula reads the log when it names the ``ActivityLog`` table or one of its names,
    or the log sheet.  On each sheet that had such a formula, a note cell whose text is a
    key of ``notes`` gets that value instead (the note that said the figures are live).
    """
    sheet_ref = quote_sheet(log_sheet) + "!"
    gone = {log_sheet, *drop}
    frozen = 0
    for sheet in book.sheets:
        if sheet.name in gone:
            continue
        changed = 0
        for cell in sheet.cells.values():
            f = cell.formula
            if f and ("ActivityLog" in f or sheet_ref in f):
                cell.formula = None
                changed += 1
        if changed:
            for cell in sheet.cells.values():
                if cell.formula is None and isinstance(cell.value, str) and cell.value in (notes or {}):
                    cell.value = (notes or {})[cell.value]
        frozen += changed
    book.sheets = [s for s in book.sheets if s.name not in gone]
    book.defined_names = {k: v for k, v in book.defined_names.items() if not k.startswith("ActivityLog")}
    return frozen
