"""Benchmark of ``xlsales collect``: 50 returned workbooks of 2,000 rows into a 100k-row master.

One command::

    python -m benchmarks.collect [--rows 100000] [--reps 50] [--work DIR]

The master (``benchmarks.generate.synthetic_master``, with a マスターID) is written and its
per-person workbooks built (as of the log's last day: each holds its rep's 2,000 rows and
the sent record); 20 new rows are typed into each (appended at the package level, as a
rep's Excel would save them).  Measured, each once, in this process:

- the floor: ``read_master`` of the master plus ``write_master`` of what was read;
- ``collect`` of the 50 returned files into a new master.

Target: collect < 3 × the floor.  Prints the times and the ratio.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import log_end, synthetic_master
from xlsales import build, read_master, write_master
from xlsales.collect.master import collect
from xlsales.collect.package import SheetEdit, edit_package
from xlsales.read.cells import read_workbook

NEW_ROWS = 20


def _typed(book: Path, out: Path, rep: str, day: dt.date) -> Path:
    sheet = read_workbook(book, sheets=["log"])["log"]
    pos, last = sheet.positions, max(row for row, _ in sheet.rows)
    cells = {last + 1 + i: {pos["date"]: day, pos["rep"]: rep, pos["activity"]: "フォロー",
                            pos["customer"]: f"新規{i:03d}社"} for i in range(NEW_ROWS)}
    edit_package(book, out, {sheet.name: SheetEdit(cells=cells, header_row=sheet.header_row)})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="xlsales-bench-collect-"))
    work.mkdir(parents=True, exist_ok=True)
    master = synthetic_master(args.rows, args.reps)
    master.settings = dataclasses.replace(master.settings, master_id="00000000-0000-4000-8000-00000000b0b0")
    path = write_master(work / "master.xlsx", master)
    end = log_end(master)
    people = build(read_master(path), work / "out", as_of=end).people
    returned = [_typed(p, work / f"ret{i:02d}.xlsx", rep, end) for i, (rep, p) in enumerate(people.items())]
    print(f"{args.rows:,} rows, {len(returned)} returned files, {work}", file=sys.stderr)

    start = time.perf_counter()
    read = read_master(path)
    write_master(work / "rewritten.xlsx", read)
    floor = time.perf_counter() - start

    start = time.perf_counter()
    result = collect(path, returned, out=work / "collected.xlsx")
    took = time.perf_counter() - start
    added = sum(f.added for f in result.files)
    unchanged = sum(f.unchanged for f in result.files)
    print(f"read + write the master: {floor:.1f} s; collect: {took:.1f} s (added {added:,}, "
          f"unchanged {unchanged:,}); ratio {took / floor:.2f} (target < 3)")
    return 0 if took < 3 * floor else 1


if __name__ == "__main__":
    sys.exit(main())
