"""A deterministic synthetic master of any size, shaped like the deck's monthly rhythm.

The log comes from :class:`xlsales.simulation.TeamSimulation`, the simulator of
``xlsales demo`` (DOMAIN.md §9): per rep and month about 250 follow-ups, 30 list entries
and 32 visits with their reports, and a pipeline topic → deal △ → deal ◯ → order or lost,
on working days only.  That is about :data:`ROWS_PER_REP_MONTH` log rows per rep and
month.  This module only sizes it.

A master of ``rows`` rows and ``reps`` reps simulates enough months from
:data:`LOG_START` (at most 12; beyond that each rep's volume is scaled up), sorts the
rows by date and keeps the first ``rows``: the log ends on the as-of date
(:func:`log_end`) with the pipeline open as it is on that day.

Everything comes from one ``random.Random(seed)``: equal arguments give equal masters.

Command line: ``python -m benchmarks.generate 100k --reps 50 --out master.xlsx``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time
from pathlib import Path

from xlsales.compute.engine import add_months
from xlsales.demo import DEMO_BENCHMARK
from xlsales.model import Master, Settings
from xlsales.simulation import TeamSimulation, monthly_targets, team_members
from xlsales.write.master import write_master

__all__ = ["LOG_START", "ROWS_PER_REP_MONTH", "SIZES", "log_end", "parse_size", "synthetic_master"]

# The benchmark sizes of the issue: name -> (log rows, reps).
SIZES: dict[str, tuple[int, int]] = {"10k": (10_000, 10), "100k": (100_000, 50), "700k": (700_000, 200)}
LOG_START = dt.date(2026, 4, 1)  # the first day of fiscal year 2026 (会計年度開始月 4)
# Log rows a rep writes in a month of the rhythm (measured on this generator over a year: ~400).
ROWS_PER_REP_MONTH = 400
_MAX_MONTHS = 12  # the sheets show 12 months; more volume comes from busier reps

# ----------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------


def synthetic_master(rows: int, reps: int, *, seed: int = 0) -> Master:
    """A valid master with exactly ``rows`` log rows (when ``rows`` > 0) and ``reps`` reps.

    Parameters
    ----------
    rows : int
        Activity-log rows.
    reps : int
        Members (all of whom have log rows, targets and the deck's benchmark).
    seed : int, default 0
        Seed of the only random source.

    Returns
    -------
    Master
        Events in log order (``Event.row`` from 2, ids ``B0000001``...), members in
        teams of eight, a sales target and process targets per rep for the 12 months
        from :data:`LOG_START`, settings with 表示開始月 = :data:`LOG_START`.

    Examples
    --------
    >>> m = synthetic_master(2_000, 3)
    >>> len(m.events), len(m.members), log_end(m) > LOG_START
    (2000, 3, True)
    """
    if rows < 0 or reps < 1:
        raise ValueError("rows must be >= 0 and reps >= 1")
    needed = rows / (reps * ROWS_PER_REP_MONTH)
    months = min(_MAX_MONTHS, math.ceil(needed) + 1)
    volume = max(1.0, needed * 1.1 / (_MAX_MONTHS - 1)) if needed > _MAX_MONTHS - 1 else 1.0
    last = add_months(LOG_START, months) - dt.timedelta(days=1)
    while True:
        rng = random.Random(seed)
        members = team_members(rng, reps)
        simulation = TeamSimulation(rng, as_of=last, volume=volume)
        simulation.run(members, LOG_START, last)
        if simulation.row_count() >= rows:
            break
        volume *= 1.2  # rare: the months ran short of rows; try again, busier
    return Master(
        events=simulation.events(id_prefix="B", digits=7, limit=rows),
        members=members,
        targets=monthly_targets(rng, members, [add_months(LOG_START, i) for i in range(_MAX_MONTHS)]),
        settings=Settings(period_start=LOG_START),
        benchmarks={("", key): float(value) for key, value in DEMO_BENCHMARK.items()},
        source=f"synthetic {rows} rows / {reps} reps / seed {seed}",
    )


def log_end(master: Master) -> dt.date:
    """The date of the log's last row (the natural as-of date of a synthetic master)."""
    return max((ev.date for ev in master.events), default=LOG_START)


def parse_size(text: str) -> int:
    """``"10k"`` -> 10000, ``"1.5M"`` -> 1500000, ``"2500"`` -> 2500."""
    t = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(round(float(t[:-1] if scale > 1 else t) * scale))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.splitlines()[0])
    parser.add_argument("size", help="log rows: 10k, 100k, 700k (default reps from the issue) or a number")
    parser.add_argument("--reps", type=int, help="reps (default: 10k->10, 100k->50, 700k->200, else 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="the master workbook to write")
    args = parser.parse_args(argv)
    rows = parse_size(args.size)
    reps = args.reps or SIZES.get(args.size, (rows, 10))[1]
    t0 = time.perf_counter()
    master = synthetic_master(rows, reps, seed=args.seed)
    t1 = time.perf_counter()
    write_master(args.out, master)
    t2 = time.perf_counter()
    print(f"{len(master.events)} rows, {reps} reps, log {LOG_START}..{log_end(master)}: "
          f"generated in {t1 - t0:.1f} s, written in {t2 - t1:.1f} s to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
