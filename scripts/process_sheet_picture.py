"""Make docs/target-process-sheet.png: the demo's team target/process sheet as it prints.

The demo's log holds one fiscal year; for a picture with 前年同月売上 and 前年比 filled in,
its rows are copied one year earlier with amounts at 90% (a made-up last year).  The team
workbook is built with the demo's as-of date, every sheet but the team's is left out of
the print by a one-cell print area (a zip edit: the chart survives), LibreOffice prints
it to PDF and ``pdftoppm`` rasterises the first page (the whole A4 page, as printed).

    python scripts/process_sheet_picture.py [--out docs/target-process-sheet.png] [--gray]

Needs soffice and pdftoppm.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

from xlsales import build
from xlsales.demo import DEMO_AS_OF, demo_master

ROOT = Path(__file__).resolve().parents[1]


def _with_last_year(master):
    earlier = []
    for ev in master.events:
        date = ev.date.replace(year=ev.date.year - 1)
        close = ev.close_month.replace(year=ev.close_month.year - 1) if ev.close_month else None
        amount = round(ev.amount * 0.9) if ev.amount is not None else None
        earlier.append(dataclasses.replace(ev, id="LY" + ev.id, date=date, close_month=close, amount=amount))
    return dataclasses.replace(master, events=earlier + list(master.events))


def only_sheet_prints(src: Path, dst: Path, keep: int = 0) -> None:
    """Copy ``src`` to ``dst`` with every sheet but the ``keep``-th hidden and without a
    print area (LibreOffice prints no hidden sheet, unless it has a print area)."""
    def hide(m: re.Match) -> str:
        attrs = m.group(1)
        return m.group(0) if 'state="' in attrs else f'<sheet {attrs} state="hidden"/>'

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                text = re.sub(r'<definedName name="_xlnm.Print_Area" localSheetId="(\d+)"[^>]*>[^<]*</definedName>',
                              lambda m: m.group(0) if int(m.group(1)) == keep else "", text)
                parts = re.split(r"(<sheet [^>]*?/>)", text)  # odd positions: the sheets, in order
                for n, i in enumerate(range(1, len(parts), 2)):
                    if n != keep:
                        parts[i] = re.sub(r"<sheet ([^>]*?)\s*/>", hide, parts[i])
                text = "".join(parts)
                # the kept sheet opens first: LibreOffice exports from there
                text = re.sub(r'\s(?:activeTab|firstSheet)="\d+"', "", text)
                text = text.replace("<workbookView ", f'<workbookView activeTab="{keep}" firstSheet="{keep}" ', 1)
                data = text.encode("utf-8")
            zout.writestr(item, data)


def print_first_page(workbook: Path, png: Path, *, gray: bool = False, sheet: int = 0, crop: bool = False) -> None:
    """``png``: the first printed page of ``workbook``'s ``sheet`` (A4, 110 dpi), through
    LibreOffice's PDF export and ``pdftoppm``; the other sheets are left out of the print.
    ``crop`` trims the page's white margins (to the printed content, plus a border)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy = work / "book.xlsx"
        only_sheet_prints(workbook, copy, sheet)
        profile = work / "profile"
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(work), str(copy)], check=True, capture_output=True)
        # The whole A4 landscape page at 110 dpi: what the manager's printer gives
        command = ["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile"]
        if gray:
            command.append("-gray")
        subprocess.run([*command, str(work / "book.pdf"), str(png.with_suffix(""))], check=True)
    if crop:
        from PIL import Image, ImageChops, ImageOps

        with Image.open(png) as page:
            page = page.convert("RGB")
            box = ImageChops.difference(page, Image.new("RGB", page.size, "white")).getbbox()
            if box:
                page = ImageOps.expand(page.crop(box), border=12, fill="white")
            page.save(png)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "target-process-sheet.png"))
    parser.add_argument("--gray", action="store_true", help="render in grayscale (black-and-white check)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        team = build(_with_last_year(demo_master()), work / "out", as_of=DEMO_AS_OF, lang="ja").team
        print_first_page(team, Path(args.out), gray=args.gray)
    print(args.out)


if __name__ == "__main__":
    main()
