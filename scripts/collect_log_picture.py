"""Make docs/collect-log.png: the 回収ログ sheet after one month's round trip on the demo.

Runs the README's monthly cycle on the demo (xlsales demo, mail, two reps editing the mailed
workbooks as a rep would, collect), then renders the merged master's 回収ログ sheet through
LibreOffice: its cells (values, column widths, fonts) are copied with openpyxl into a workbook
of their own (the merged master's other sheets would print too), converted to PDF by
``soffice --headless`` and rasterised by ``pdftoppm``, cropped to the printed cells.

    python scripts/collect_log_picture.py [--work DIR] [--out docs/collect-log.png]

Needs xlsales installed (the ``xlsales`` command beside this Python), soffice and pdftoppm.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import email
import email.policy
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.worksheet.table import Table

ROOT = Path(__file__).resolve().parents[1]
MONTH = "2026-12"


def xlsales(*args: str, cwd: Path, ok: tuple[int, ...] = (0,)) -> None:
    # The console script of the interpreter running this file: the worktree's own xlsales.
    exe = Path(sys.executable).with_name("xlsales")
    command = [str(exe) if exe.exists() else "xlsales", *args]
    print("$", " ".join(command[1:] if exe.exists() else command))
    # 回収ログ's 回収者 is the login name; a picture for the README says "manager", not "root".
    env = {**os.environ, "LOGNAME": "manager", "USER": "manager"}
    done = subprocess.run(command, cwd=cwd, env=env)
    if done.returncode not in ok:
        raise subprocess.CalledProcessError(done.returncode, command)


def attachment(eml: Path) -> openpyxl.Workbook:
    # What the rep double-clicks in the draft they received.
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    (part,) = list(msg.iter_attachments())
    return openpyxl.load_workbook(io.BytesIO(part.get_content()))


def first_spare_row(ws) -> int:
    # The rows below the ActivityLog table, 担当者 pre-filled: where a rep types.
    table: Table = ws.tables["ActivityLog"]
    return openpyxl.utils.cell.range_boundaries(table.ref)[3] + 1


def add_row(ws, row: int, day: dt.date, activity: str, customer: str) -> None:
    ws.cell(row, 2, day).number_format = "yyyy/mm/dd"
    ws.cell(row, 4, activity)
    ws.cell(row, 5, customer)


def round_trip(work: Path) -> Path:
    """demo -> mail -> two reps edit their workbooks -> collect; the merged master's path."""
    xlsales("demo", "--out", "demo", cwd=work)
    xlsales("mail", "demo/マスター.xlsx", "--out", f"demo/mail-{MONTH}", "--month", MONTH, cwd=work)
    returned = work / "returned"
    returned.mkdir()

    # 高橋 翔 adds two visits at the end of the month.
    name = f"目標プロセス_高橋 翔_{MONTH}"
    wb = attachment(work / "demo" / f"mail-{MONTH}" / f"{name}.eml")
    ws = wb["活動ログ"]
    row = first_spare_row(ws)
    add_row(ws, row, dt.date(2026, 12, 29), "訪問", "光栄食品")
    add_row(ws, row + 1, dt.date(2026, 12, 30), "訪問", "大成システム")
    wb.save(returned / f"{name}.xlsx")

    # 田中 花子 adds a visit, corrects the amount of a sent 受注 (a conflict) and adds a row of
    # October (outside the window: refused).
    name = f"目標プロセス_田中 花子_{MONTH}"
    wb = attachment(work / "demo" / f"mail-{MONTH}" / f"{name}.eml")
    ws = wb["活動ログ"]
    row = first_spare_row(ws)
    sent = next(r for r in range(row - 1, 1, -1) if ws.cell(r, 4).value == "受注")
    ws.cell(sent, 6, ws.cell(sent, 6).value + 10)
    add_row(ws, row, dt.date(2026, 12, 28), "訪問", "太伸ロジテック")
    add_row(ws, row + 1, dt.date(2026, 10, 5), "訪問", "金陽設計")
    wb.save(returned / f"{name}.xlsx")

    # Exit status 3: 田中 花子's conflict is left for the manager (the merged master is written).
    xlsales("collect", "demo/マスター.xlsx", "returned", "--out", "demo/マスター_回収.xlsx", cwd=work, ok=(0, 3))
    return work / "demo" / "マスター_回収.xlsx"


def sheet_only(master: Path, sheet: str, dst: Path) -> None:
    """A workbook holding only ``sheet``'s cells, their look, widths and heights, printed as the sheet prints."""
    src = openpyxl.load_workbook(master)[sheet]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in src.iter_rows():
        for c in row:
            d = ws.cell(c.row, c.column, c.value)
            d.font, d.alignment, d.fill, d.border = (copy.copy(c.font), copy.copy(c.alignment),
                                                     copy.copy(c.fill), copy.copy(c.border))
            d.number_format = c.number_format
    for key, dim in src.column_dimensions.items():
        ws.column_dimensions[key].width = dim.width
    for key, dim in src.row_dimensions.items():  # the heights that show each wrapped 備考
        ws.row_dimensions[key].height = dim.height
    # As the sheet prints: A4 landscape, one page wide (its own borders, no grid lines).
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.page_margins.left = ws.page_margins.right = 0.4
    wb.save(dst)


def crop_box(pgm: bytes, margin: int = 12) -> tuple[int, int, int, int]:
    """(x, y, w, h) around the non-white pixels of a binary PGM (P5, 8-bit)."""
    parts = pgm.split(maxsplit=4)
    width, height = int(parts[1]), int(parts[2])
    pixels = parts[4]
    rows = [y for y in range(height) if min(pixels[y * width:(y + 1) * width]) < 250]
    cols = [x for x in range(width) if min(pixels[x::width]) < 250]
    x0, x1 = max(cols[0] - margin, 0), min(cols[-1] + margin, width - 1)
    y0, y1 = max(rows[0] - margin, 0), min(rows[-1] + margin, height - 1)
    return x0, y0, x1 - x0 + 1, y1 - y0 + 1


def render(xlsx: Path, png: Path, dpi: int = 110) -> None:
    out = xlsx.parent
    subprocess.run(["soffice", f"-env:UserInstallation=file://{out / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(xlsx)], check=True, capture_output=True)
    pdf = xlsx.with_suffix(".pdf")
    base = ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile"]
    gray = subprocess.run([*base, "-gray", str(pdf)], check=True, capture_output=True).stdout
    x, y, w, h = crop_box(gray)
    subprocess.run([*base, "-png", "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h), str(pdf),
                    str(png.with_suffix(""))], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="folder for the demo run (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "collect-log.png")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="xlsales-cycle-"))
    work.mkdir(parents=True, exist_ok=True)
    merged = round_trip(work)
    picture = work / "回収ログ.xlsx"
    sheet_only(merged, "回収ログ", picture)
    render(picture, args.out.resolve())
    print("wrote", args.out)
    if args.work is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
