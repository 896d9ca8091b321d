"""Smoke test of the benchmark generator (benchmarks/generate.py): deterministic and valid."""

from __future__ import annotations

import datetime as dt
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


def test_the_stage_heavy_shape_spans_the_fiscal_year_with_about_eight_percent_stage_events(tmp_path):
    from benchmarks.generate import STAGE_SHARE
    from xlsales.vocab import STAGES

    m = synthetic_master(20_000, 10, seed=3, shape="stages")
    assert len(m.events) == 20_000
    assert [ev.row for ev in m.events] == list(range(2, 20_002))
    assert len({ev.id for ev in m.events}) == 20_000
    assert [ev.date for ev in m.events] == sorted(ev.date for ev in m.events)
    # The whole fiscal year, every month: the as-of date (the last row) at its end.
    assert {(ev.date.year, ev.date.month) for ev in m.events} == {
        (2026, k) for k in range(4, 13)} | {(2027, k) for k in range(1, 4)}
    assert log_end(m) >= dt.date(2027, 3, 25)
    share = sum(ev.activity in STAGES for ev in m.events) / len(m.events)
    assert STAGE_SHARE - 0.015 <= share <= STAGE_SHARE + 0.02
    assert len({ev.customer for ev in m.events if ev.customer}) > 1_000  # many customers
    again = read_master(write_master(tmp_path / "stages.xlsx", m))  # valid: no bad row
    assert again.events == m.events


def test_teams_of_ten_to_twenty():
    m = synthetic_master(2_000, 200, seed=0, team_sizes=(10, 20))
    sizes = Counter(member.team for member in m.members)
    assert sum(sizes.values()) == 200
    assert all(10 <= n <= 20 for n in sizes.values()), sizes
    assert len(set(sizes.values())) > 3  # of different sizes
    # The log's draws do not depend on the teams.
    assert m.events == synthetic_master(2_000, 200, seed=0).events
