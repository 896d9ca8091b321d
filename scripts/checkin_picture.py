"""Make docs/checkin.png: the demo team's チェックイン sheet at a meeting, as it prints.

``xlsales.write_checkins`` writes the demo's check-in workbooks for the meeting's date;
the team's is printed to PDF by LibreOffice with every sheet but the check-in left out
(``process_sheet_picture.print_first_page``) and ``pdftoppm`` rasterises page 1.

    python scripts/checkin_picture.py [--as-of 2026-12-15] [--when mid] [--out docs/checkin.png] [--gray]

Needs soffice and pdftoppm.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

from process_sheet_picture import print_first_page

from xlsales import write_checkins
from xlsales.demo import demo_master

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default="2026-12-15", type=dt.date.fromisoformat)
    parser.add_argument("--when", default="mid", choices=["start", "mid", "end"])
    parser.add_argument("--lang", default="ja", choices=["ja", "en"])
    parser.add_argument("--out", default=str(ROOT / "docs" / "checkin.png"))
    parser.add_argument("--gray", action="store_true", help="render in grayscale (black-and-white check)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        team = write_checkins(demo_master(), work / "out", as_of=args.as_of, meeting=args.when, lang=args.lang).team
        print_first_page(team, Path(args.out), gray=args.gray)
    print(args.out)


if __name__ == "__main__":
    main()
