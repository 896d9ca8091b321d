"""Make docs/evaluation.png: the demo's 評価 sheet (人事評価), as it prints.

``xlsales.write_evaluation`` writes the demo's evaluation workbook for the fiscal year
up to the month before ``--today``; its 評価 sheet is printed to PDF by LibreOffice with
every other sheet left out (``process_sheet_picture.print_first_page``), page 1 cropped.
For the picture one demo rep, 山本 拓也, joined on 2026-07-01 (his 備考 shows how a
mid-period hire is counted); the demo itself is left as it is.

    python scripts/evaluation_picture.py [--today 2026-12-31] [--lang ja] [--out docs/evaluation.png] [--gray]

Needs soffice and pdftoppm.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

from process_sheet_picture import print_first_page

from xlsales import write_evaluation
from xlsales.demo import DEMO_AS_OF, demo_master

ROOT = Path(__file__).resolve().parents[1]
JOINED = ("山本 拓也", dt.date(2026, 7, 1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--today", default=DEMO_AS_OF.isoformat(), type=dt.date.fromisoformat)
    parser.add_argument("--lang", default="ja", choices=["ja", "en"])
    parser.add_argument("--out", default=str(ROOT / "docs" / "evaluation.png"))
    parser.add_argument("--sheet", default=0, type=int, help="0: 評価, 1: 評価設定")
    parser.add_argument("--gray", action="store_true", help="render in grayscale (black-and-white check)")
    args = parser.parse_args()
    master = demo_master()
    master.members = [dataclasses.replace(m, hire_date=JOINED[1]) if m.rep == JOINED[0] else m for m in master.members]
    with tempfile.TemporaryDirectory() as tmp:
        book = write_evaluation(master, Path(tmp), today=args.today, lang=args.lang).workbook
        print_first_page(book, Path(args.out), gray=args.gray, sheet=args.sheet, crop=True)
    print(args.out)


if __name__ == "__main__":
    main()
