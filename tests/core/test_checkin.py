"""The チェックイン sheet (DOMAIN.md §9): figures recalculated by LibreOffice equal an
independent computation written here (working days from the ``holidays`` package, actuals
counted from the log rows), and the cached values equal LibreOffice's."""

from __future__ import annotations

import datetime as dt

import holidays
import openpyxl
import pytest
from click.testing import CliRunner
from support.models import events
from support.oracle import open_at_end_of, state_just_before
from support.workbooks import error_cells, value_diffs

from xlsales import Master, Member, Settings, Target, build
from xlsales.compute.checkin import default_as_of, meeting_of
from xlsales.compute.workdays import WorkCalendar

D = dt.date
NOV, DEC = D(2026, 11, 1), D(2026, 12, 1)
REPS = ["山田 太郎", "佐藤 花子"]  # 佐藤 has no target at all
CLOSED = (D(2026, 11, 20),)  # a company closing day (Friday)
KPIS = ("orders", "new_deals", "new_topics", "visits", "follows", "lists")
ROW_LABELS = {"sales": "売上", "orders": "受注件数", "new_deals": "商談化件数", "new_topics": "話題化件数",
              "visits": "訪問件数", "follows": "フォロー件数", "lists": "リスト件数"}
YAMADA_TARGETS = {"orders": 4, "new_deals": 6, "new_topics": 8, "visits": 30, "follows": 200, "lists": 20}


def _rows() -> list[dict]:
    y, s = REPS
    rows = []
    for day in (2, 4, 5, 6, 9, 10, 12, 16, 24, 27):  # follow-ups and visits through the month
        rows.append(dict(date=D(2026, 11, day), rep=y, activity="follow", customer="X社"))
        rows.append(dict(date=D(2026, 11, day), rep=y, activity="visit", customer=f"V{day}社"))
    rows += [
        dict(date=D(2026, 11, 2), rep=y, activity="list", customer="L1社"),
        dict(date=D(2026, 11, 25), rep=y, activity="list", customer="L2社"),
        dict(date=D(2026, 10, 20), rep=y, activity="topic", customer="A社", amount=100, close_month="2026-11"),
        dict(date=D(2026, 11, 5), rep=y, activity="deal_b", customer="A社", amount=100, close_month="2026-11"),
        dict(date=D(2026, 11, 12), rep=y, activity="deal_a", customer="A社", amount=120, close_month="2026-11"),
        dict(date=D(2026, 11, 26), rep=y, activity="order", customer="A社", amount=120),
        dict(date=D(2026, 11, 4), rep=y, activity="topic", customer="B社", amount=50, close_month="2026-11"),
        dict(date=D(2026, 11, 10), rep=y, activity="deal_b", customer="B社", amount=60, close_month="2026-11"),
        dict(date=D(2026, 11, 6), rep=y, activity="topic", customer="C社", amount=80, close_month="2026-12"),
        dict(date=D(2026, 11, 18), rep=y, activity="deal_a", customer="C社", amount=90, close_month="2026-12"),
        dict(date=D(2026, 11, 9), rep=y, activity="order", customer="D社", amount=40),
        dict(date=D(2026, 11, 16), rep=s, activity="visit", customer="E社"),
        dict(date=D(2026, 11, 16), rep=s, activity="topic", customer="E社", amount=30, close_month="2026-12"),
        dict(date=D(2026, 11, 19), rep=s, activity="deal_a", customer="E社", amount=35, close_month="2026-11"),
        dict(date=D(2026, 11, 24), rep=s, activity="order", customer="F社", amount=25),
        dict(date=D(2026, 12, 2), rep=y, activity="order", customer="B社", amount=60),  # after every as-of
    ]
    return rows


def _master() -> Master:
    targets = [Target(REPS[0], NOV, 300.0, {k: float(v) for k, v in YAMADA_TARGETS.items()}),
               Target(REPS[0], DEC, 250.0, {})]
    return Master(events=events(_rows()), members=[Member(r, team="東京") for r in REPS], targets=targets,
                  settings=Settings(closed_days=CLOSED))


# -- the independent computation -------------------------------------------------------


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    jp = holidays.Japan(years=range(first.year, last.year + 1))
    days = [first + dt.timedelta(n) for n in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5 and d not in jp and d not in CLOSED]


def expected(rows: list[dict], reps: list[str], as_of: dt.date, targets: dict) -> dict:
    """Every figure of a scope's check-in, from the rows, straight from DOMAIN.md §9."""
    month_days = working_days(NOV, D(2026, 11, 30))
    elapsed = len([d for d in month_days if d <= as_of])
    act = dict.fromkeys(["sales", *KPIS], 0.0)
    for i, r in enumerate(rows):
        if r["rep"] not in reps or not NOV <= r["date"] <= min(as_of, D(2026, 11, 30)):
            continue
        a = r["activity"]
        act["sales"] += (r.get("amount") or 0) if a == "order" else 0
        act["orders"] += a == "order"
        act["visits"] += a == "visit"
        act["follows"] += a == "follow"
        act["lists"] += a == "list"
        before = state_just_before(rows, i)
        act["new_topics"] += a == "topic" and before not in ("topic", "deal_b", "deal_a")
        act["new_deals"] += a in ("deal_b", "deal_a") and before not in ("deal_b", "deal_a")
    out = {"elapsed": elapsed, "days": len(month_days), "left": len(month_days) - elapsed, "pace": {}}
    for key, actual in act.items():
        t = targets.get(key)
        pro = None if t is None or not month_days else t * elapsed / len(month_days)
        pace = None if not pro else actual / pro
        out["pace"][key] = (t, pro, actual, pace, None if pro is None else actual - pro)
    opened = [o for o in open_at_end_of([r for r in rows if r["rep"] in reps], as_of)]
    stack = {}
    for month, target, sold in ((NOV, targets.get("sales"), act["sales"]), (DEC, targets.get("next_sales"), 0.0)):
        a = sum(o["amount"] for o in opened if o["close"] == month and o["stage"] == "deal_a")
        b = sum(o["amount"] for o in opened if o["close"] == month and o["stage"] == "deal_b")
        levels = [sold, sold + a, sold + a + b]
        stack[month] = [(v, None if not target else v / target, None if target is None else target - v) for v in levels]
    out["stack"] = stack
    return out


# -- reading the sheet -----------------------------------------------------------------


def _sheet(path, name="チェックイン"):
    return openpyxl.load_workbook(path, data_only=True)[name]


def read_checkin(ws) -> dict:
    """The figures of a check-in sheet by its labels: params, pace rows, stacks, rep rows."""
    cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    blank = lambda v: None if v in ("", None) else v  # noqa: E731
    out = {"as_of": ws["B2"].value.date(), "elapsed": ws["B3"].value, "days": ws["D3"].value, "left": ws["F3"].value,
           "title": ws["A1"].value, "pace": {}, "stack": {}, "reps": {}, "marks": {}}
    label_rows = {}
    for (r, c), v in sorted(cells.items()):
        if c == 1 and isinstance(v, str):
            label_rows.setdefault(v, []).append(r)
    for key, text in ROW_LABELS.items():
        r = label_rows[text][0]
        out["pace"][key] = tuple(blank(ws.cell(r, c).value) for c in range(2, 8) if c != 6)
        out["marks"][key] = blank(ws.cell(r, 6).value)
    heads = sorted(r for (r, c), v in cells.items() if c == 1 and isinstance(v, str) and "ヨミ（" in v)
    for r, month in zip(heads, (NOV, DEC)):
        out["stack"][month] = [tuple(blank(ws.cell(r + 3 + i, c).value) for c in (4, 5, 7)) for i in range(3)]
    for rep in REPS:
        if rep in label_rows:
            r = label_rows[rep][0]
            out["reps"][rep] = tuple(blank(ws.cell(r, c).value) for c in (2, 3, 4, 5, 7, 9, 10, 11))
    return out


def _flat(levels: list[tuple]) -> list:
    return [v for level in levels for v in level]


def assert_figures(got: dict, want: dict, *, next_month: bool) -> None:
    assert (got["elapsed"], got["days"], got["left"]) == (want["elapsed"], want["days"], want["left"])
    for key, values in want["pace"].items():
        assert got["pace"][key] == pytest.approx(values), key
        pace = values[3]
        assert got["marks"][key] == (None if pace is None else "◎" if pace >= 1 else "◇" if pace >= 0.8 else "▼")
    months = (NOV, DEC) if next_month else (NOV,)
    assert sorted(got["stack"]) == sorted(months)
    for m in months:
        assert _flat(got["stack"][m]) == pytest.approx(_flat(want["stack"][m])), m


TEAM_TARGETS = {"sales": 300.0, "next_sales": 250.0, **{k: float(v) for k, v in YAMADA_TARGETS.items()}}


@pytest.mark.libreoffice
@pytest.mark.parametrize("as_of", [D(2026, 11, 23), D(2026, 11, 30)], ids=["holiday", "no-day-left"])
def test_checkin_figures_recalculated_equal_the_independent_computation(tmp_path, recalc, as_of):
    # 11/23 is 勤労感謝の日 (a Monday); 11/30 is the month's last working day: none left.
    result = build(_master(), tmp_path / "out", as_of=as_of, lang="ja")
    rows = _rows()
    team = recalc(result.team)
    assert value_diffs(result.team, team) == [] and error_cells(team) == []
    got = read_checkin(_sheet(team))
    assert got["as_of"] == as_of
    at_end = meeting_of(as_of, WorkCalendar()) == "end"
    assert_figures(got, expected(rows, REPS, as_of, TEAM_TARGETS), next_month=at_end)
    yamada = expected(rows, [REPS[0]], as_of, TEAM_TARGETS)
    sato = expected(rows, [REPS[1]], as_of, {})
    for rep, want in ((REPS[0], yamada), (REPS[1], sato)):
        t, pro, actual, pace, gap = want["pace"]["sales"]
        stack_top = want["stack"][NOV][2]
        assert got["reps"][rep] == pytest.approx((t, pro, actual, pace, gap, *stack_top)), rep
    # The rep with no target: blanks, never an error, in that rep's own workbook too.
    own = recalc(result.people[REPS[1]])
    assert value_diffs(result.people[REPS[1]], own) == [] and error_cells(own) == []
    got_sato = read_checkin(_sheet(own))
    assert_figures(got_sato, sato, next_month=meeting_of(as_of, WorkCalendar()) == "end")
    assert all(v[1] is None and v[3] is None and v[4] is None for v in got_sato["pace"].values())
    if as_of == D(2026, 11, 30):
        assert got["left"] == 0 and "月末" in got["title"]


@pytest.mark.libreoffice
def test_overwriting_the_as_of_cell_moves_every_figure(tmp_path, recalc):
    result = build(_master(), tmp_path / "out", as_of=D(2026, 11, 23), lang="ja")
    wb = openpyxl.load_workbook(result.team)
    wb["チェックイン"]["B2"] = dt.datetime(2026, 11, 10)
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    got = read_checkin(_sheet(recalc(edited)))
    want = expected(_rows(), REPS, D(2026, 11, 10), TEAM_TARGETS)
    for key, values in want["pace"].items():
        assert got["pace"][key] == pytest.approx(values), key
    # 受注 follows the date; the deals are values of the build's as-of date.
    assert list(got["stack"][NOV][0]) == pytest.approx(list(want["stack"][NOV][0]))
    assert (got["elapsed"], got["left"]) == (want["elapsed"], want["left"])


@pytest.mark.libreoffice
def test_a_month_without_working_days_shows_blanks_not_errors(tmp_path, recalc):
    # The whole of November closed (設定 休業日): no pro-rated target, no pace, no #DIV/0!.
    master = _master()
    master.settings = Settings(closed_days=tuple(NOV + dt.timedelta(n) for n in range(30)))
    result = build(master, tmp_path / "out", as_of=D(2026, 11, 16), lang="en")
    team = recalc(result.team)
    assert value_diffs(result.team, team) == [] and error_cells(team) == []
    ws = _sheet(team, "Check-in")
    assert (ws["B3"].value, ws["D3"].value, ws["F3"].value) == (0, 0, 0)
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value == "Sales":
            assert ws.cell(r, 2).value == 300 and ws.cell(r, 3).value is None and ws.cell(r, 5).value is None


def test_meeting_and_default_as_of_follow_the_working_days():
    cal = WorkCalendar(frozenset(CLOSED))
    # November 2026: 11/1 Sunday, 11/3 文化の日, 11/15 Sunday, 11/23 勤労感謝の日, 11/30 Monday.
    days = working_days(NOV, D(2026, 11, 30))
    assert [default_as_of(NOV, w, cal) for w in ("start", "mid", "end")] == [days[0], D(2026, 11, 16), days[-1]]
    assert [meeting_of(d, cal) for d in (D(2026, 11, 1), days[0], D(2026, 11, 17), days[-1])] == [
        "start", "start", "mid", "end"]


def test_checkin_command_writes_the_workbooks_at_each_when(tmp_path):
    from xlsales import write_master
    from xlsales.cli import cli

    path = tmp_path / "master.xlsx"
    write_master(path, _master(), lang="ja")
    days = working_days(NOV, D(2026, 11, 30))
    mid = next(d for d in days if d >= D(2026, 11, 15))
    for when, day, meeting in (("start", days[0], "月初"), ("mid", mid, "中間"), ("end", days[-1], "月末")):
        out = tmp_path / when
        run = CliRunner().invoke(cli, ["checkin", str(path), "--when", when, "--month", "2026-11", "--out", str(out)])
        assert run.exit_code == 0, run.output
        names = sorted(p.name for p in out.iterdir())
        assert names == sorted([f"目標プロセス_チーム_チェックイン_{day.isoformat()}.xlsx",
                                *(f"目標プロセス_{r}_チェックイン_{day.isoformat()}.xlsx" for r in REPS)])
        ws = _sheet(out / f"目標プロセス_チーム_チェックイン_{day.isoformat()}.xlsx")
        assert ws["B2"].value.date() == day and meeting in ws["A1"].value
    # --as-of overrides --when's date; --when then sets only the emphasis.
    out = tmp_path / "asof"
    run = CliRunner().invoke(cli, ["checkin", str(path), "--when", "end", "--as-of", "2026-11-10", "--out", str(out),
                                   "--lang", "en"])
    assert run.exit_code == 0, run.output
    ws = _sheet(out / "targets-process_Team_check-in_2026-11-10.xlsx", "Check-in")
    assert ws["B2"].value.date() == D(2026, 11, 10) and "End of month" in ws["A1"].value
