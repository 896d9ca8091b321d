"""The log simulator (xlsales.simulation) behind ``xlsales demo`` and the benchmark masters."""

from __future__ import annotations

import collections
import datetime as dt
import random

import pytest

from xlsales import Master, Settings, validate_master, write_master
from xlsales.simulation import TeamSimulation, is_working_day, monthly_targets, team_members
from xlsales.vocab import ACTIVITIES, GRADES, NEEDS_AMOUNT, NEEDS_CUSTOMER, OPEN_STAGES

D = dt.date
FIRST, LAST = D(2026, 4, 1), D(2026, 9, 30)
MONTHS = [D(2026, m, 1) for m in range(4, 10)]
# Days off in April–September 2026, written out by hand from the Cabinet Office's list of
# national holidays (祝日, 振替休日, 国民の休日) plus the company's お盆 (8/13–8/15).
DAYS_OFF = {D(2026, 4, 29), D(2026, 5, 4), D(2026, 5, 5), D(2026, 5, 6), D(2026, 7, 20), D(2026, 8, 11),
            D(2026, 8, 13), D(2026, 8, 14), D(2026, 9, 21), D(2026, 9, 22), D(2026, 9, 23)}


def _simulate(seed: int, reps: int = 3, *, volume: float = 1.0, first: dt.date = FIRST, last: dt.date = LAST):
    rng = random.Random(seed)
    members = team_members(rng, reps)
    team = TeamSimulation(rng, as_of=last, volume=volume)
    team.run(members, first, last)
    return members, team.events(id_prefix="S", digits=6), rng


@pytest.fixture(scope="module")
def simulated():
    return _simulate(11)


def _per_rep_month(events, activity):
    return collections.Counter((e.rep, e.date.replace(day=1)) for e in events if e.activity == activity)


def test_same_seed_same_log_other_seed_other_log(simulated):
    members, events, _ = simulated
    again_members, again, _ = _simulate(11)
    assert (again_members, again) == (members, events)
    assert _simulate(12)[1] != events


def test_rows_ids_and_order(simulated):
    _, events, _ = simulated
    assert [e.row for e in events] == list(range(2, len(events) + 2))
    assert [e.id for e in events] == [f"S{i:06d}" for i in range(1, len(events) + 1)]
    assert [e.date for e in events] == sorted(e.date for e in events)


def test_reps_and_months_are_the_ones_asked_for(simulated):
    members, events, _ = simulated
    assert {e.rep for e in events} == {m.rep for m in members}
    assert FIRST <= min(e.date for e in events) and max(e.date for e in events) <= LAST
    follows, visits = _per_rep_month(events, "follow"), _per_rep_month(events, "visit")
    posts, lists = _per_rep_month(events, "post_report"), _per_rep_month(events, "list")
    for m in members:
        for month in MONTHS:
            key = (m.rep, month)
            assert 238 <= follows[key] <= 262, key
            assert 29 <= visits[key] <= 35, key
            assert posts[key] == visits[key], key
            assert 26 <= lists[key] <= 34, key


def test_a_shorter_period_and_fewer_reps():
    members, events, _ = _simulate(3, reps=2, first=D(2026, 10, 1), last=D(2026, 11, 30))
    assert len(members) == 2 and {e.rep for e in events} == {m.rep for m in members}
    assert {e.date.replace(day=1) for e in events} == {D(2026, 10, 1), D(2026, 11, 1)}


def test_volume_scales_the_rhythm(simulated):
    members, events, _ = simulated
    _, busy, _ = _simulate(11, volume=2.0)
    follows, visits = _per_rep_month(busy, "follow"), _per_rep_month(busy, "visit")
    for m in members:
        for month in MONTHS:
            assert 2 * 238 <= follows[(m.rep, month)] <= 2 * 262
            assert 2 * 29 <= visits[(m.rep, month)] <= 2 * 35
    assert 1.8 < len(busy) / len(events) < 2.2


def test_nobody_works_on_weekends_holidays_or_company_days_off(simulated):
    _, events, _ = simulated
    for e in events:
        assert e.date.weekday() < 5 and e.date not in DAYS_OFF, e


@pytest.mark.parametrize("day, working", [
    (D(2026, 5, 6), False),   # 振替休日 for Sunday 5/3
    (D(2026, 9, 22), False),  # 国民の休日 between two holidays
    (D(2027, 1, 11), False),  # 成人の日
    (D(2027, 3, 22), False),  # 振替休日 for Sunday 3/21 (春分の日)
    (D(2026, 8, 13), False),  # お盆 (company)
    (D(2026, 12, 30), False),  # 年末 (company)
    (D(2027, 1, 4), True),    # the first Monday of 2027
    (D(2026, 5, 7), True),
    (D(2026, 8, 12), True),
    (D(2026, 10, 3), False),  # a Saturday
])
def test_working_days(day, working):
    assert is_working_day(day) is working


def test_the_deck_rhythm(simulated):
    _, events, _ = simulated
    assert all(e.date.weekday() in (3, 4) for e in events if e.activity in ("visit", "post_report"))
    assert all(e.date.weekday() in (0, 1) for e in events if e.activity == "list")
    # Calls on Monday–Wednesday, and on the 2nd Thursday and the last Friday of a month.
    for e in events:
        if e.activity == "follow" and e.date.weekday() == 3:
            assert 8 <= e.date.day <= 14, e
        if e.activity == "follow" and e.date.weekday() == 4:
            assert (e.date + dt.timedelta(days=7)).month != e.date.month, e
    # ... those two are call days whenever the visits fit on the other Thursdays and Fridays.
    call_weekdays = collections.Counter(e.date.weekday() for e in events if e.activity == "follow")
    assert call_weekdays[3] > 0 and call_weekdays[4] > 0
    pre = collections.Counter(e.date.weekday() for e in events if e.activity == "pre_report")
    assert pre.most_common(1)[0][0] == 2  # mostly on Wednesday
    kinds = collections.Counter(e.activity for e in events)
    assert kinds["topic"] and kinds["deal_b"] and kinds["deal_a"] and kinds["order"] and kinds["lost"]
    assert {e.lost_reason for e in events if e.activity == "lost"} == {"now", "forever"}


def test_every_row_is_well_formed(simulated):
    members, events, _ = simulated
    for e in events:
        assert e.activity in ACTIVITIES
        if e.activity in NEEDS_CUSTOMER:
            assert e.customer, e
        if e.activity in NEEDS_AMOUNT:
            assert e.amount is not None and e.amount >= 10 and e.amount % 5 == 0, e
        if e.close_month is not None:
            assert e.activity in OPEN_STAGES and e.close_month.day == 1, e
            months_ahead = (e.close_month.year - e.date.year) * 12 + e.close_month.month - e.date.month
            assert 0 <= months_ahead <= 3, e
    # List entries are new prospects: distinct companies of many different stems.
    listed = [e.customer for e in events if e.activity == "list"]
    assert len(set(listed)) == len(listed)
    assert len({c[:2] for c in listed}) > 100


def test_a_deadline_closes_everything_by_it():
    rng = random.Random(5)
    member = team_members(rng, 1)[0]
    team = TeamSimulation(rng, as_of=D(2026, 12, 31))
    team.add_rep(member).run(D(2026, 4, 1), D(2026, 5, 31), deadline=D(2026, 5, 29))
    events = team.events(id_prefix="S", digits=6)
    stages = [e for e in events if e.activity in OPEN_STAGES or e.activity in ("order", "lost")]
    assert stages and max(e.date for e in stages) <= D(2026, 5, 29)
    assert all(e.close_month is None or e.close_month <= D(2026, 5, 1) for e in stages)
    assert max(e.date for e in events) <= D(2026, 5, 31)


def test_as_of_and_limit_cut_the_log():
    rng = random.Random(9)
    members = team_members(rng, 2)
    team = TeamSimulation(rng, as_of=D(2026, 5, 15))
    team.run(members, D(2026, 4, 1), D(2026, 6, 30))
    full = team.events(id_prefix="S", digits=6)
    assert max(e.date for e in full) <= D(2026, 5, 15) and len(full) == team.row_count()
    assert team.events(id_prefix="S", digits=6, limit=100) == full[:100]


def test_members_and_targets():
    rng = random.Random(2)
    members = team_members(rng, 20)
    assert len({m.rep for m in members}) == 20
    assert [m.team for m in members] == ["営業1課"] * 8 + ["営業2課"] * 8 + ["営業3課"] * 4
    assert {m.grade for m in members[:8]} == set(GRADES)
    targets = monthly_targets(rng, members[:2], [D(2026, 7, 1), D(2026, 3, 1)],
                              sales={(members[0].rep, D(2026, 7, 1)): 500})
    assert [(t.rep, t.month) for t in targets] == [(m.rep, month) for m in members[:2]
                                                   for month in (D(2026, 7, 1), D(2026, 3, 1))]
    fixed = targets[0]
    assert fixed.sales_target == 500.0
    # 500 / 70 -> 8 orders, / 0.55 -> 15 deals, / 0.7 -> 22 topics; the deck's 32 / 250 / 30.
    assert fixed.process == {"orders": 8.0, "new_deals": 15.0, "new_topics": 22.0, "visits": 32.0,
                             "follows": 250.0, "lists": 30.0}
    # The busy season: March (1.55) above July (0.95) for the same rep, both multiples of 10.
    july, march = targets[2].sales_target, targets[3].sales_target
    assert march > july and july % 10 == 0 and march % 10 == 0


def test_a_simulated_master_validates(simulated, tmp_path):
    members, events, rng = simulated
    master = Master(events=events, members=members, targets=monthly_targets(rng, members, MONTHS),
                    settings=Settings(period_start=FIRST), benchmarks={}, source="test")
    path = write_master(tmp_path / "simulated.xlsx", master)
    assert validate_master(path) == []


def test_a_busy_master_validates(tmp_path):
    members, events, rng = _simulate(4, reps=2, volume=3.0, first=D(2026, 4, 1), last=D(2026, 5, 31))
    master = Master(events=events, members=members, targets=monthly_targets(rng, members, MONTHS[:2]),
                    settings=Settings(period_start=FIRST), benchmarks={}, source="test")
    assert validate_master(write_master(tmp_path / "busy.xlsx", master)) == []
