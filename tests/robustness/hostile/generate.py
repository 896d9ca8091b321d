"""Write the hostile corpus into a folder, to look at the files: ``python tests/robustness/hostile/generate.py OUT``.

Each entry goes to ``OUT/<kind>/<name>/`` (a ``read`` entry with a CSV log also gets the
clean master it is used with).  ``--no-bombs`` leaves out the zip bombs (a few MB each on
disk, gigabytes inflated: do not unzip them).  ``--office`` rewrites the committed
``files/master.xls`` and ``files/master.ods`` with LibreOffice first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve()
for folder in (HERE.parents[1], HERE.parents[2]):  # hostile in tests/robustness/, support in tests/
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from hostile.corpus import CORPUS, regenerate_office_files  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-bombs", action="store_true", help="leave out the bomb entries")
    parser.add_argument("--office", action="store_true", help="regenerate files/master.xls and .ods (LibreOffice)")
    args = parser.parse_args(argv)
    if args.office:
        regenerate_office_files()
    for case in CORPUS:
        if case.bomb and args.no_bombs:
            continue
        folder = args.out / case.kind / case.name
        folder.mkdir(parents=True, exist_ok=True)
        master, log = case.build(folder)
        print(f"{case.kind:6} {case.name:40} {master.name}" + (f" --log {log.name}" if log else ""))
    kinds = {kind: sum(c.kind == kind for c in CORPUS) for kind in ("read", "refuse")}
    print(f"{len(CORPUS)} entries: {kinds['read']} read, {kinds['refuse']} refused "
          f"({sum(c.bomb for c in CORPUS)} of them bombs)")


if __name__ == "__main__":
    main()
