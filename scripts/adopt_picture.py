"""Make docs/plan-adopted-targets.png: the 目標 sheet of a master the plan was adopted into.

The demo master with 年間売上目標 60,000 typed on 設定 plans fiscal 2027 (last year's log
gives the rates, the monthly pattern and the shares), and ``adopt_plan`` writes a new
master whose 目標 sheet holds the plan's rows; the header and one rep's twelve new rows
are copied (values, look, widths) into a workbook of their own, converted to PDF by
``soffice --headless`` and rasterised by ``pdftoppm``, cropped to the printed cells.

    python scripts/adopt_picture.py [--work DIR] [--rep NAME] [--out docs/plan-adopted-targets.png]

Needs xlsales installed, soffice and pdftoppm.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

import openpyxl

import xlsales
from xlsales.collect.adopt import adopt_plan, adopted_name
from xlsales.compute.annual_plan import annual_plan

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from collect_log_picture import render  # noqa: E402  (the sibling script's LibreOffice rendering)

YEAR = dt.date(2027, 4, 1)


def adopted(work: Path) -> Path:
    """The demo master with an annual target, and the new master the plan is adopted into."""
    demo = xlsales.demo_master()
    master = dataclasses.replace(demo, settings=dataclasses.replace(demo.settings, annual_target=60000))
    path = xlsales.write_master(work / "マスター.xlsx", master)
    plan = annual_plan(xlsales.read_master(path), YEAR)
    return adopt_plan(path, work / adopted_name(path, plan), plan)


def rows_only(master: Path, sheet: str, rep: str, dst: Path) -> None:
    """A workbook holding ``sheet``'s header and ``rep``'s rows of the plan's year."""
    src = openpyxl.load_workbook(master)[sheet]
    keep = [1] + [r for r in range(2, src.max_row + 1)
                  if src.cell(r, 1).value == rep and str(src.cell(r, 2).value) >= YEAR.strftime("%Y-%m")]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for i, r in enumerate(keep, start=1):
        for c in src[r]:
            d = ws.cell(i, c.column, c.value)
            d.font, d.alignment, d.fill, d.border = (copy.copy(c.font), copy.copy(c.alignment),
                                                     copy.copy(c.fill), copy.copy(c.border))
            d.number_format = c.number_format
        ws.row_dimensions[i].height = src.row_dimensions[r].height
    for key, dim in src.column_dimensions.items():
        ws.column_dimensions[key].width = dim.width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.page_margins.left = ws.page_margins.right = 0.4
    wb.save(dst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="folder for the run (default: a temporary one)")
    parser.add_argument("--rep", default="鈴木 美咲")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "plan-adopted-targets.png")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="xlsales-adopt-"))
    work.mkdir(parents=True, exist_ok=True)
    new = adopted(work)
    picture = work / "目標.xlsx"
    rows_only(new, "目標", args.rep, picture)
    render(picture, args.out.resolve())
    print("wrote", args.out)
    if args.work is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
