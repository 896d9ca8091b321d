"""Smoke test of the benchmark generator (benchmarks/generate.py): deterministic and valid."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ sits beside src/, not inside the package
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import log_end, synthetic_master  # noqa: E402
from xlsales import build, read_master, write_master  # noqa: E402


def test_generator_is_deterministic_and_sized():
    a, b = synthetic_master(2_000, 3, seed=7), synthetic_master(2_000, 3, seed=7)
    assert a == b
    assert a != synthetic_master(2_000, 3, seed=8)
    assert len(a.events) == 2_000 and len(a.members) == 3
    assert [ev.row for ev in a.events] == list(range(2, 2_002))
    assert [ev.date for ev in a.events] == sorted(ev.date for ev in a.events)
    # The deck's rhythm: follow-ups dominate; visits come with both reports; the pipeline moves.
    kinds = Counter(ev.activity for ev in a.events)
    assert kinds["follow"] > kinds["visit"] > kinds["topic"] > 0
    # (the log is cut on its last day: reports of the cut-off visits may be in, or half in)
    assert kinds["visit"] <= kinds["pre_report"] <= kinds["visit"] + 3 * 10
    assert abs(kinds["post_report"] - kinds["visit"]) <= 1
    assert kinds["deal_b"] and kinds["deal_a"] and kinds["order"] and kinds["lost"]


def test_generated_master_builds_and_round_trips(tmp_path):
    master = synthetic_master(2_000, 3, seed=1)
    result = build(master, tmp_path / "out", as_of=log_end(master))
    assert result.team.exists() and len(result.people) == 3
    path = write_master(tmp_path / "master.xlsx", master)
    again = read_master(path)  # raises ValidationError on any bad row
    assert len(again.events) == len(master.events)
    assert again.events == master.events
