"""Make the README's pictures of the demo's deal lists and チーム別 sheet, as they print.

The demo team workbook is built at the demo's as-of date; each sheet named below is
printed alone by LibreOffice (``process_sheet_picture.print_first_page``), its first page
cropped to what is printed.

    python scripts/demo_sheet_pictures.py [--out-dir docs] [--gray]

Needs soffice and pdftoppm.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import openpyxl
from process_sheet_picture import print_first_page

from xlsales import build
from xlsales.demo import DEMO_AS_OF, demo_master
from xlsales.texts import label

ROOT = Path(__file__).resolve().parents[1]
# sheet (labels.json "sheet" key) -> picture file
PICTURES = {"deals_stale": "deal-check.png", "deals_slipped": "deal-slipped.png", "deals_reports": "deal-reports.png",
            "deals_lost_now": "deal-reapproach.png", "by_team": "team-by-team.png", "comparison": "team-comparison.png"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out-dir", default=str(ROOT / "docs"))
    parser.add_argument("--gray", action="store_true", help="render in grayscale (black-and-white check)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        team = build(demo_master(), Path(tmp), as_of=DEMO_AS_OF, lang="ja").team
        names = openpyxl.load_workbook(team, read_only=True).sheetnames
        for key, file in PICTURES.items():
            png = Path(args.out_dir) / file
            print_first_page(team, png, gray=args.gray, sheet=names.index(label("sheet", key, "ja")), crop=True)
            print(png)


if __name__ == "__main__":
    main()
