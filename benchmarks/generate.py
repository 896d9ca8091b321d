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
from dataclasses import replace
from pathlib import Path

from xlsales.compute.engine import add_months
from xlsales.demo import DEMO_BENCHMARK
from xlsales.model import Master, Member, Settings
from xlsales.simulation import TeamSimulation, monthly_targets, team_members
from xlsales.vocab import STAGES
from xlsales.write.master import write_master

__all__ = ["LOG_START", "ROWS_PER_REP_MONTH", "SHAPES", "SIZES", "STAGE_SHARE", "TEAM_SIZES", "log_end", "parse_size",
           "synthetic_master"]

# The benchmark sizes of the issue: name -> (log rows, reps).
SIZES: dict[str, tuple[int, int]] = {"10k": (10_000, 10), "100k": (100_000, 50), "700k": (700_000, 200)}
# Team sizes of a size (default: teams of eight): issue 16's 700k company has teams of 10-20.
TEAM_SIZES: dict[str, tuple[int, int]] = {"700k": (10, 20)}
# Log shapes: the deck's rhythm cut at the size, and a stage-heavy whole fiscal year.
SHAPES = ("rhythm", "stages")
STAGE_SHARE = 0.08  # stage events per log row in the "stages" shape
_RHYTHM_STAGE_SHARE = 0.07  # calibrated: the thinned 100k log has 8% stage events
LOG_START = dt.date(2026, 4, 1)  # the first day of fiscal year 2026 (会計年度開始月 4)
# Log rows a rep writes in a month of the rhythm (measured on this generator over a year: ~400).
ROWS_PER_REP_MONTH = 400
_MAX_MONTHS = 12  # the sheets show 12 months; more volume comes from busier reps

# ----------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------


def synthetic_master(rows: int, reps: int, *, seed: int = 0, shape: str = "rhythm",
                     team_sizes: tuple[int, int] | None = None) -> Master:
    """A valid master with exactly ``rows`` log rows (when ``rows`` > 0) and ``reps`` reps.

    Parameters
    ----------
    rows : int
        Activity-log rows.
    reps : int
        Members (all of whom have log rows, targets and the deck's benchmark).
    seed : int, default 0
        Seed of the only random source.
    shape : {"rhythm", "stages"}, default "rhythm"
        ``rhythm``: the deck's monthly rhythm from :data:`LOG_START`, cut at ``rows``
        (the log ends within the fiscal year when it is short).  ``stages``: the whole
        fiscal year (April to March, the as-of date at its end), stage events about
        :data:`STAGE_SHARE` of the rows: the rhythm at a lower volume, every stage event
        kept and the other rows thinned at random (the shape of a team that logs its
        deals but not every call).
    team_sizes : (int, int), optional
        Teams of a random size in that range (``lo`` at most half ``hi``); default
        teams of eight.

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
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}")
    if shape == "stages":
        return _stage_heavy(rows, reps, seed, team_sizes)
    needed = rows / (reps * ROWS_PER_REP_MONTH)
    months = min(_MAX_MONTHS, math.ceil(needed) + 1)
    volume = max(1.0, needed * 1.1 / (_MAX_MONTHS - 1)) if needed > _MAX_MONTHS - 1 else 1.0
    last = add_months(LOG_START, months) - dt.timedelta(days=1)
    while True:
        rng = random.Random(seed)
        members = _teams(team_members(rng, reps), team_sizes, seed)
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


def _stage_heavy(rows: int, reps: int, seed: int, team_sizes: tuple[int, int] | None) -> Master:
    # The rhythm over the whole fiscal year at the volume that gives about STAGE_SHARE of
    # the rows as stage events, then the other rows thinned to exactly ``rows``.
    last = add_months(LOG_START, _MAX_MONTHS) - dt.timedelta(days=1)
    volume = max(0.05, rows / (reps * ROWS_PER_REP_MONTH * _MAX_MONTHS) * STAGE_SHARE / _RHYTHM_STAGE_SHARE)
    while True:
        rng = random.Random(seed)
        members = _teams(team_members(rng, reps), team_sizes, seed)
        simulation = TeamSimulation(rng, as_of=last, volume=volume)
        simulation.run(members, LOG_START, last)
        events = simulation.events(id_prefix="B", digits=7)
        stages = [i for i, ev in enumerate(events) if ev.activity in STAGES]
        others = [i for i, ev in enumerate(events) if ev.activity not in STAGES]
        if len(stages) <= rows <= len(events):
            break
        volume *= 1.2 if len(events) < rows else 0.85
    keep = sorted(stages + rng.sample(others, rows - len(stages)))
    events = [replace(events[i], row=n + 2, id=f"B{n + 1:07d}") for n, i in enumerate(keep)]
    return Master(
        events=events,
        members=members,
        targets=monthly_targets(rng, members, [add_months(LOG_START, i) for i in range(_MAX_MONTHS)]),
        settings=Settings(period_start=LOG_START),
        benchmarks={("", key): float(value) for key, value in DEMO_BENCHMARK.items()},
        source=f"synthetic {rows} rows / {reps} reps / seed {seed} / stage-heavy",
    )


def _teams(members: list[Member], sizes: tuple[int, int] | None, seed: int) -> list[Member]:
    # Teams of a random size within ``sizes`` (when there are enough members), from their
    # own random source (the log's draws stay as they are).
    if sizes is None:
        return members
    lo, hi = sizes
    rng, out, team = random.Random(seed + 1), [], 0
    while len(out) < len(members):
        team += 1
        size, left = rng.randint(lo, hi), len(members) - len(out)
        if left <= hi:
            size = left  # the rest: one team
        elif left - size < lo:
            size = left - lo  # leave a whole team for the end
        out += [replace(m, team=f"営業{team}課") for m in members[len(out): len(out) + size]]
    return out


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
    parser.add_argument("--shape", choices=SHAPES, default="rhythm",
                        help="rhythm: the deck's rhythm cut at the size; stages: a fiscal year, ~8%% stage events")
    parser.add_argument("--teams", metavar="MIN-MAX", help="team sizes, e.g. 10-20 (default: 8; 700k: 10-20)")
    parser.add_argument("--out", type=Path, required=True, help="the master workbook to write")
    args = parser.parse_args(argv)
    rows = parse_size(args.size)
    reps = args.reps or SIZES.get(args.size, (rows, 10))[1]
    t0 = time.perf_counter()
    sizes = tuple(int(x) for x in args.teams.split("-")) if args.teams else TEAM_SIZES.get(args.size)
    master = synthetic_master(rows, reps, seed=args.seed, shape=args.shape, team_sizes=sizes)
    t1 = time.perf_counter()
    write_master(args.out, master)
    t2 = time.perf_counter()
    print(f"{len(master.events)} rows, {reps} reps, log {LOG_START}..{log_end(master)}: "
          f"generated in {t1 - t0:.1f} s, written in {t2 - t1:.1f} s to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
