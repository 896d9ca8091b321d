"""Masters made directly from Python rows (no file), for engine and layout tests."""

from __future__ import annotations

import datetime as dt

from xlsales import Event, Master, Member, Settings, Target


def month(text: str | None) -> dt.date | None:
    return dt.date(int(text[:4]), int(text[5:7]), 1) if text else None


def events(rows: list[dict]) -> list[Event]:
    out = []
    for i, r in enumerate(rows):
        out.append(Event(row=i + 2, id=r.get("id", f"T{i:05d}"), date=r["date"], rep=r["rep"],
                         activity=r["activity"], customer=r.get("customer") or "", amount=r.get("amount"),
                         lost_reason=r.get("lost_reason"), close_month=month(r.get("close_month")),
                         note=r.get("note") or ""))
    return out


def master(rows: list[dict], reps: list[str], *, targets: dict | None = None, settings: Settings | None = None,
           benchmarks: dict | None = None) -> Master:
    m = Master(
        events=events(rows),
        members=[Member(rep=r, team="東京") for r in reps],
        targets=[Target(rep=rep, month=mo, sales_target=v) for (rep, mo), v in (targets or {}).items()],
        settings=settings or Settings(),
        benchmarks=dict(benchmarks or {}),
    )
    if not hasattr(m, "skipped"):
        m.skipped = []
    return m


def deck_master():
    from support import deck

    return master(
        deck.deck_log(), [deck.REP, "田中 花子"],
        targets={(deck.REP, dt.date(2026, k, 1)): v for k, v in deck.TARGETS.items()},
        settings=Settings(period_start=dt.date(2026, 7, 1), period_months=6),
        benchmarks={("", k): v for k, v in deck.BENCHMARK.items()},
    )
