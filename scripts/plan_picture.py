"""Make docs/annual-plan.png: the first printed page of the demo's 年間計画 sheet.

The demo master plans fiscal 2027 (April 2027 – March 2028) from its 2026 log (rates,
monthly pattern, shares), with an annual sales target typed on 設定; ``xlsales.write_plan``
writes the plan workbook, LibreOffice prints it and ``pdftoppm`` rasterises page 1
(``process_sheet_picture.print_first_page``), cropped to the sheet.

    python scripts/plan_picture.py [--target 36000] [--lang ja] [--out docs/annual-plan.png] [--gray]

Needs soffice and pdftoppm.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from dataclasses import replace
from pathlib import Path

from process_sheet_picture import print_first_page

from xlsales.demo import demo_master
from xlsales.write.plan import write_plan

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", default=36000.0, type=float, help="設定 年間売上目標 (万円)")
    parser.add_argument("--lang", default="ja", choices=["ja", "en"])
    parser.add_argument("--out", default=str(ROOT / "docs" / "annual-plan.png"))
    parser.add_argument("--gray", action="store_true", help="render in grayscale (black-and-white check)")
    args = parser.parse_args()
    master = demo_master()
    master = replace(master, settings=replace(master.settings, annual_target=args.target))
    with tempfile.TemporaryDirectory() as tmp:
        path = write_plan(master, Path(tmp), year=dt.date(2027, 4, 1), lang=args.lang)
        print_first_page(path, Path(args.out), gray=args.gray, crop=True)
    print(args.out)


if __name__ == "__main__":
    main()
