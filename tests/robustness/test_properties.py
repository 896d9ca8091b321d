"""Property tests: random valid logs, the engine and the built workbooks against tests/oracle.py.

The oracle (``tests/oracle.py``) is a naive, separate reading of DOMAIN.md §3/§5 that
shares no code with xlsales.  Hypothesis generates logs of 1–3 reps and 1–5 customers
(case variants of one customer included), any mix of activities, same-day stage
changes, re-opened opportunities, blank/past/future expected close months, zero and
missing targets, empty months, dates over ~8 months, a random as-of date and period.

Cases per CI run (fixed by the settings below): 300 engine-only examples
(``test_engine_matches_oracle``) + 40 full builds (``test_workbooks_match_oracle``,
every figure of the team sheet, of every rep's sheet in the team workbook and of every
per-person workbook) = 340 generated cases, about 20–30 s in all.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import oracle
from support.models import events, master
from support.workbooks import process_table

from xlsales import Settings, build
from xlsales.compute.engine import compute_scope, period_months

D = dt.date
FIRST_DAY = D(2026, 3, 1)
LAST_DAY = D(2026, 10, 31)  # ~8 months of log
REP_POOL = ["山田", "Smith", "佐藤 花子"]
CUSTOMER_POOL = ["A社", "B社", "abc", "ABC", "C*社", "D社"]  # abc/ABC: one opportunity
ACTIVITIES = ["list", "follow", "pre_report", "visit", "post_report", "topic", "deal_b", "deal_a", "order", "lost"]
STAGE_WEIGHTED = ACTIVITIES + ["topic", "deal_b", "deal_a", "order", "lost"] * 2


# Days on month boundaries (the 1st and the last day): snapshots and 月初 turn on them.
EDGES = sorted({(d - FIRST_DAY).days for m in range(3, 11)
                for d in (D(2026, m, 1), D(2026, m + 1, 1) - dt.timedelta(days=1))})


def _month_text(d: dt.date, shift: int) -> str:
    y, m = divmod(d.year * 12 + d.month - 1 + shift, 12)
    return f"{y:04d}-{m + 1:02d}"


@st.composite
def logs(draw):
    reps = draw(st.lists(st.sampled_from(REP_POOL), min_size=1, max_size=3, unique=True))
    customers = draw(st.lists(st.sampled_from(CUSTOMER_POOL), min_size=1, max_size=5, unique=True))
    # A few "busy" days make same-day stage changes frequent.
    span = (LAST_DAY - FIRST_DAY).days
    busy = draw(st.lists(st.one_of(st.integers(0, span), st.sampled_from(EDGES)), min_size=1, max_size=4))
    n = draw(st.integers(0, 40))
    rows = []
    for _ in range(n):
        offset = draw(st.one_of(st.sampled_from(busy), st.integers(0, span)))
        day = FIRST_DAY + dt.timedelta(days=offset)
        activity = draw(st.sampled_from(STAGE_WEIGHTED))
        row = dict(date=day, rep=draw(st.sampled_from(reps)), activity=activity)
        if activity in ("visit", "topic", "deal_b", "deal_a", "order", "lost"):
            row["customer"] = draw(st.sampled_from(customers))
        elif draw(st.booleans()):
            row["customer"] = draw(st.sampled_from(customers))
        if activity in ("topic", "deal_b", "deal_a", "order"):
            row["amount"] = draw(st.one_of(st.sampled_from([0, 10, 10, 30]), st.integers(0, 500),
                                            st.sampled_from([0.5, 12.25, 33.3, 1e-3])))  # ties are common
        if activity == "lost":
            row["lost_reason"] = draw(st.sampled_from(["now", "forever"]))
        if activity in ("topic", "deal_b", "deal_a"):
            shift = draw(st.one_of(st.none(), st.integers(-2, 4)))
            row["close_month"] = None if shift is None else _month_text(day, shift)
        rows.append(row)
    return reps, rows


@st.composite
def scenarios(draw):
    reps, rows = draw(logs())
    # The as-of date: anywhere, or on/next to an event's date or a month boundary.
    near = [r["date"] for r in rows] + [FIRST_DAY + dt.timedelta(days=e) for e in EDGES]
    as_of = draw(st.one_of(
        st.builds(lambda k: D(2026, 2, 20) + dt.timedelta(days=k), st.integers(0, 300)),
        st.builds(lambda d, k: d + dt.timedelta(days=k), st.sampled_from(near), st.integers(-1, 1)),
    ))
    start = D(2026, draw(st.integers(1, 9)), 1)
    n_months = draw(st.integers(1, 8))
    targets = {}
    for rep in reps:
        for k in range(n_months):
            if draw(st.booleans()):
                m = D(start.year, start.month + k, 1) if start.month + k <= 12 else D(start.year + 1,
                                                                                       start.month + k - 12, 1)
                targets[(rep, m)] = draw(st.sampled_from([0, 0, 50, 120.5, 300]))
    return reps, rows, as_of, Settings(period_start=start, period_months=n_months), targets


def close(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def describe(rows, as_of, s) -> str:
    lines = [f"as_of={as_of} period_start={s.period_start} months={s.period_months}"]
    lines += [f"  row {i + 2}: {r}" for i, r in enumerate(rows)]
    return "\n".join(lines)


# -- engine ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_engine_matches_oracle(case):
    reps, rows, as_of, s, _ = case
    months = period_months(s, as_of)
    for scope in [[rep] for rep in reps] + [reps]:
        scoped_rows = [r for r in rows if r["rep"] in scope]
        got = compute_scope(events(scoped_rows), months, as_of)
        want = oracle.figures(rows, scope, months, as_of)
        ctx = describe(scoped_rows, as_of, s)
        all_months = {oracle.first_of(r["date"]) for r in scoped_rows} | set(months)
        for key in oracle.FLOW_LABELS:
            for m in all_months:
                assert close(got.flow(key, m), oracle.flow(want, key, m)), (key, m, ctx)
        for stage in oracle.OPEN:
            for m in [*months, None]:
                g, w = got.stocks[stage][m], want["stocks"][stage][m]
                assert (g.count, [t.customer for t in g.top]) == (w["count"], [t["customer"] for t in w["top"]]), \
                    (stage, m, ctx)
                assert close(g.amount, w["amount"]), (stage, m, ctx)
        for m in months:
            g, w = got.month_start[m], want["starts"][m]
            assert g.count == w["count"] and close(g.amount, w["amount"]), ("月初", m, ctx)


# -- workbooks ------------------------------------------------------------------------


def _compare(path: Path, sheet_name: str, want: dict, ctx: str) -> None:
    got = process_table(path, sheet_name)
    for label, expected in want.items():
        assert label in got, (label, sheet_name)
        row = got[label]
        assert len(row) == len(expected), (label, row, expected)
        for j, (g, w) in enumerate(zip(row, expected)):
            assert close(g, w), f"{sheet_name} {label}[{j}]: workbook {g!r}, oracle {w!r}\n{ctx}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_workbooks_match_oracle(case):
    reps, rows, as_of, s, targets = case
    months = period_months(s, as_of)
    m = master(rows, reps, targets=targets, settings=s)
    ctx = describe(rows, as_of, s)
    with tempfile.TemporaryDirectory() as tmp:
        result = build(m, tmp, as_of=as_of, lang="ja")

        def target_of(scope):
            out: dict = {}
            for (rep, mo), v in targets.items():
                if rep in scope:
                    out[mo] = out.get(mo, 0) + v
            return out

        # Process targets and the benchmark column come from the year's plan (DOMAIN.md §6).
        bench, kpis = oracle.plan(rows, reps, targets, as_of)

        def plan_of(scope):
            b: dict = {}
            for rep in scope:
                for k, v in bench.get(rep, {}).items():
                    b[k] = b.get(k, 0) + v
            p: dict = {}
            for rep in scope:
                for k, by_month in kpis.get(rep, {}).items():
                    for mo, v in by_month.items():
                        p.setdefault(k, {})[mo] = p.get(k, {}).get(mo, 0) + v
            return {"bench": b, "process_targets": p}

        _compare(result.team, "チーム", oracle.sheet(rows, reps, months, as_of, targets=target_of(reps),
                                                      team=True, **plan_of(reps)), ctx)
        for rep in reps:
            want = oracle.sheet(rows, [rep], months, as_of, targets=target_of([rep]), **plan_of([rep]))
            _compare(result.team, rep, want, ctx)
            _compare(result.people[rep], rep, want, ctx)
