"""Deal hygiene lists (issue 14 §2, DOMAIN.md §9) on real generated workbooks.

A small hand-made master (written as a file, read by ``read_master``, built by
``xlsales.build``) holds every case the issue names; the lists on the built workbooks
are compared with (a) the rows worked out by hand below and (b) ``Oracle``, an
independent computation written here (working days straight from the ``holidays``
package, opportunities grouped by brute force), which also checks the demo.  LibreOffice
opens the workbooks: no error values, and the cached values equal its recalculation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import holidays
import openpyxl
import pytest
from support.libreoffice import recalculate
from support.masterfactory import write_master
from support.models import events as make_events
from support.workbooks import error_cells, value_diffs

from xlsales import build, read_master
from xlsales.compute.deals import deal_lists
from xlsales.compute.workdays import WorkCalendar
from xlsales.demo import DEMO_AS_OF, demo_master
from xlsales.layout import sheetmodel as sm
from xlsales.layout.deals import layout_deal_sheets
from xlsales.texts import label
from xlsales.write.xlsxwriter_backend import write_workbook

D = dt.date
A, B = "山田 太郎", "佐藤 花子"
AS_OF = D(2026, 11, 25)  # a Wednesday; Monday 11/23 is 勤労感謝の日
STALE_DAYS = 10  # 設定 放置日数 (not the default 14)
CLOSED = "2026-10-30"  # 設定 休業日: a Friday


def _r(date, rep, activity, customer="", amount=None, close=None, reason=None, note=None):
    return {"date": date, "rep": rep, "activity": label("activity", activity), "customer": customer or None,
            "amount": amount, "close_month": close, "note": note,
            "lost_reason": label("lost_reason", reason) if reason else None}


LOG = [
    # A社: pushed twice (09 -> 10, then 10 -> 12); the blank 受注予定月 between is not a move
    _r(D(2026, 6, 10), A, "topic", "A社", 100, "2026-09"),
    _r(D(2026, 7, 15), A, "deal_b", "A社", 100, "2026-10"),
    _r(D(2026, 8, 20), A, "deal_b", "A社", 120),
    _r(D(2026, 9, 10), A, "deal_a", "A社", 150, "2026-10"),
    _r(D(2026, 10, 5), A, "deal_a", "A社", 150, "2026-12"),
    # B社: last activity exactly 10 days before the as-of date (a follow-up): not stale
    _r(D(2026, 11, 1), A, "topic", "B社", 80, "2027-01"),
    _r(D(2026, 11, 15), A, "follow", "B社"),
    # C社: 11 days (a follow-up on a Saturday): stale, and past its expected month
    _r(D(2026, 9, 1), A, "deal_b", "C社", 200, "2026-10"),
    _r(D(2026, 11, 14), A, "follow", "C社"),
    # D社: lost 今だめ, re-opened later: stale (55 days), not on the re-approach list
    _r(D(2026, 5, 10), A, "deal_b", "D社", 50),
    _r(D(2026, 6, 1), A, "lost", "D社", reason="now"),
    _r(D(2026, 10, 1), A, "topic", "D社", 60, "2027-03"),
    # E社: lost 今だめ after 商談◯ 40; F社: lost ずっとだめ
    _r(D(2026, 4, 15), A, "topic", "E社", 30, "2026-06"),
    _r(D(2026, 5, 20), A, "deal_a", "E社", 40, "2026-07"),
    _r(D(2026, 7, 10), A, "lost", "E社", reason="now", note="予算凍結"),
    _r(D(2026, 5, 1), A, "topic", "F社", 25),
    _r(D(2026, 6, 1), A, "lost", "F社", reason="forever"),
    # G社: 116 days, expected month 2026-08 (blank: the stage row's month)
    _r(D(2026, 8, 1), A, "topic", "G社", 300),
    # A's outings.  10/1 (Thu): pre on Wed 9/30 (same ISO week), post next day
    _r(D(2026, 9, 30), A, "pre_report", "訪問先1"),
    _r(D(2026, 10, 1), A, "visit", "訪問先1"),
    _r(D(2026, 10, 2), A, "post_report", "訪問先1"),
    # 10/19 (Mon): the pre-report of Fri 10/16 is last week's: missing
    _r(D(2026, 10, 16), A, "pre_report", "訪問先2"),
    _r(D(2026, 10, 19), A, "visit", "訪問先2"),
    _r(D(2026, 10, 19), A, "post_report", "訪問先2"),
    # 11/5-11/6 (Thu, Fri): the deck's Wednesday pre-report; posts that day and Monday
    _r(D(2026, 11, 4), A, "pre_report", "訪問先3"),
    _r(D(2026, 11, 5), A, "visit", "訪問先3"),
    _r(D(2026, 11, 5), A, "post_report", "訪問先3"),
    _r(D(2026, 11, 6), A, "visit", "訪問先4"),
    _r(D(2026, 11, 9), A, "post_report", "訪問先4"),
    # 11/12 (Thu): no report at all (B's pre-report of 11/11 is not A's)
    _r(D(2026, 11, 12), A, "visit", "訪問先5"),
    # 11/20 (Fri): post-report on Tue 11/24, the next working day after the holiday Monday
    _r(D(2026, 11, 18), A, "pre_report", "A社"),
    _r(D(2026, 11, 20), A, "visit", "A社"),
    _r(D(2026, 11, 24), A, "post_report", "A社"),
    # 11/25 (the as-of date): its post-report is not due yet
    _r(D(2026, 11, 24), A, "pre_report", "訪問先6"),
    _r(D(2026, 11, 25), A, "visit", "訪問先6"),
    # rows after the as-of date count for nothing (this follow-up would make C社 fresh)
    _r(D(2026, 11, 30), A, "follow", "C社"),
    _r(D(2026, 11, 30), A, "visit", "訪問先7"),
    # B: H社 lost 今だめ in April (the oldest loss); I社 fresh
    _r(D(2026, 3, 10), B, "deal_a", "H社", 90, "2026-04"),
    _r(D(2026, 4, 20), B, "lost", "H社", reason="now"),
    _r(D(2026, 11, 24), B, "deal_a", "I社", 500, "2026-11"),
    # B's outings.  10/29 (Thu): post on Mon 11/2, since Fri 10/30 is a company closing day
    _r(D(2026, 10, 28), B, "pre_report", "訪問先8"),
    _r(D(2026, 10, 29), B, "visit", "訪問先8"),
    _r(D(2026, 11, 2), B, "post_report", "訪問先8"),
    _r(D(2026, 11, 11), B, "pre_report", "訪問先9"),
    _r(D(2026, 11, 12), B, "visit", "訪問先9"),
    _r(D(2026, 11, 13), B, "post_report", "訪問先9"),
    # 11/24 (Tue): no reports; its post was due on the as-of date: missing
    _r(D(2026, 11, 24), B, "visit", "訪問先10"),
]

# The lists worked out by hand (ja labels).  Stale: rep, customer, stage, amount, expected
# month, last activity date, its 区分, days since, band.
STALE = [
    (A, "G社", "話題", 300, D(2026, 8, 1), D(2026, 8, 1), "話題", 116, "!!! 61日以上"),
    (A, "C社", "商談△", 200, D(2026, 10, 1), D(2026, 11, 14), "フォロー", 11, "! 30日以内"),
    (A, "D社", "話題", 60, D(2027, 3, 1), D(2026, 10, 1), "話題", 55, "!! 31〜60日"),
]
# Slipped: rep, customer, stage, amount, expected month, months past due, pushes, months pushed.
SLIPPED = [
    (A, "G社", "話題", 300, D(2026, 8, 1), 3, None, None),
    (A, "C社", "商談△", 200, D(2026, 10, 1), 1, None, None),
    (A, "A社", "商談◯", 150, D(2026, 12, 1), None, 2, 3),
]
# Reports: rep, month, outing days, no pre, pre rate, no post, not yet due, post rate, days.
REPORTS = [
    (A, D(2026, 10, 1), 2, 1, 0.5, 0, 0, 1.0, "10/19", None),
    (A, D(2026, 11, 1), 5, 1, 0.8, 1, 1, 0.75, "11/12", "11/12"),
    (B, D(2026, 10, 1), 1, 0, 1.0, 0, 0, 1.0, None, None),
    (B, D(2026, 11, 1), 2, 1, 0.5, 1, 0, 0.5, "11/24", "11/24"),
]
# 今だめ: rep, customer, stage before the loss, amount, lost date, days since, note.
LOST_NOW = [
    (B, "H社", "商談◯", 90, D(2026, 4, 20), 219, None),
    (A, "E社", "商談◯", 40, D(2026, 7, 10), 138, "予算凍結"),
]
KEYS = {
    "deals_stale": ["customer", "stage", "amount", "close_month", "last_date", "last_activity", "days", "band"],
    "deals_slipped": ["customer", "stage", "amount", "close_month", "overdue", "pushes", "months_pushed"],
    "deals_reports": ["month", "outing_days", "pre_missing", "pre_rate", "post_missing", "post_pending",
                      "post_rate", "pre_missing_days", "post_missing_days"],
    "deals_lost_now": ["customer", "lost_stage", "amount", "lost_date", "days_lost", "note"],
}
EXPECTED = {"deals_stale": STALE, "deals_slipped": SLIPPED, "deals_reports": REPORTS, "deals_lost_now": LOST_NOW}
HEAD_ROW = 6  # the lists' header row (1-based), data below it


def _value(v):
    return v.date() if isinstance(v, dt.datetime) else v


def read_list(ws, *, team: bool, lang: str = "ja", layout: bool = True) -> list[tuple]:
    """The rows of one list sheet as tuples, checking its header is the one expected."""
    key = next(k for k in KEYS if ws.title.startswith(label("sheet", k, lang)))
    keys = (["rep"] if team else []) + KEYS[key]
    heads = [label("deals", k, lang).format(unit="万円") for k in keys]
    assert [ws.cell(HEAD_ROW, j + 1).value for j in range(len(keys))] == heads, ws.title
    assert not layout or ws.auto_filter.ref == f"A{HEAD_ROW}:{openpyxl.utils.get_column_letter(len(keys))}" \
                                 f"{max(ws.max_row, HEAD_ROW + 1)}", ws.title
    assert not layout or ws.freeze_panes == f"A{HEAD_ROW + 1}"
    out = []
    for r in range(HEAD_ROW + 1, ws.max_row + 1):
        row = tuple(_value(ws.cell(r, j + 1).value) for j in range(len(keys)))
        if row[0] == label("deals", "none", lang) and not any(row[1:]):
            continue  # 該当なし
        if any(v is not None for v in row):
            out.append(row)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("deals")
    path = write_master(folder / "master.xlsx", log_rows=LOG, members=[A, B],
                        settings={"stale_days": STALE_DAYS, "closed_days": CLOSED})
    master = read_master(path)
    assert master.settings.stale_days == STALE_DAYS
    return build(master, folder / "out", as_of=AS_OF, lang="ja"), master


def _sheets(path: Path, *, data_only: bool = True) -> dict[str, object]:
    # The cached values (what a viewer shows before any recalculation)
    wb = openpyxl.load_workbook(path, data_only=data_only)
    return {k: wb[label("sheet", k)] for k in KEYS}


@pytest.mark.parametrize("key", list(KEYS))
def test_the_team_lists_are_the_ones_worked_out_by_hand(built, key):
    result, _ = built
    ws = _sheets(result.team)[key]
    got = read_list(ws, team=True)
    assert got == [tuple(row) for row in EXPECTED[key]]


@pytest.mark.parametrize("rep", [A, B])
def test_each_rep_workbook_lists_only_its_own_rows(built, rep):
    result, _ = built
    sheets = _sheets(result.people[rep])
    for key, ws in sheets.items():
        expected = [tuple(row[1:]) for row in EXPECTED[key] if row[0] == rep]
        assert read_list(ws, team=False) == expected, (rep, key)
        assert ws.cell(1, 1).value.endswith(rep)  # the title names the rep
    # B has no stale deal: the sheet says so instead of showing an empty table
    if rep == B:
        assert sheets["deals_stale"].cell(HEAD_ROW + 1, 1).value == label("deals", "none")


def test_stale_bands_carry_a_symbol_and_a_colour_and_the_legend_shows_them(built):
    result, _ = built
    ws = _sheets(result.team)["deals_stale"]
    fills = {}
    for r in range(HEAD_ROW + 1, HEAD_ROW + 1 + len(STALE)):
        cell = ws.cell(r, 9)
        fills[cell.value.split()[0]] = cell.fill.fgColor.rgb
    assert set(fills) == {"!", "!!", "!!!"} and len(set(fills.values())) == 3  # three symbols, three colours
    legend = [ws.cell(5, c).value for c in range(1, 10) if ws.cell(5, c).value]
    assert legend == [label("deals", k) for k in ("legend", "band_1", "band_2", "band_3")]
    # A4 landscape, one page wide (fit to width; as many pages tall as it takes)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == f"${HEAD_ROW}:${HEAD_ROW}"  # the header row printed on every page
    note = ws.cell(4, 1).value
    rates = _sheets(result.team, data_only=False)["deals_reports"]
    assert rates["E7"].value.startswith("=IF(N(C7)=0,") and rates["H7"].value.startswith("=IF((N(C7)-N(G7))=0,")
    assert "2026-11-25" in note and "変わりません" in note  # values at the as-of date, and it says so


# ----------------------------------------------------------------------------------
# An independent computation of the four lists
# ----------------------------------------------------------------------------------


class Oracle:
    """DOMAIN.md §9 computed by brute force from events (no xlsales code)."""

    def __init__(self, events, as_of, stale_days, closed=()):
        self.as_of, self.n, self.closed = as_of, stale_days, set(closed)
        self.rows = [(ev.date, pos, ev) for pos, ev in enumerate(events) if ev.date <= as_of]
        self.rows.sort(key=lambda t: (t[0], t[1]))
        self.japan = holidays.country_holidays("JP", years=range(as_of.year - 2, as_of.year + 2))

    def working(self, d):
        return d.weekday() < 5 and d not in self.japan and d not in self.closed

    def opportunities(self):
        opps = defaultdict(list)
        for _, _, ev in self.rows:
            if ev.customer:
                opps[(ev.rep.casefold(), ev.customer.casefold())].append(ev)
        return opps

    def open_ones(self):
        for key, evs in self.opportunities().items():
            stage_rows = [e for e in evs if e.activity in ("topic", "deal_b", "deal_a", "order", "lost")]
            if stage_rows and stage_rows[-1].activity in ("topic", "deal_b", "deal_a"):
                yield key, evs, stage_rows

    def stale(self):
        out = []
        for _, evs, stages in self.open_ones():
            last, state = evs[-1], stages[-1]
            days = (self.as_of - last.date).days
            if days > self.n:
                out.append((state.rep, state.customer, days, float(state.amount or 0), last.date))
        return sorted(out, key=lambda t: (-t[3], t[4]))

    def slipped(self):
        out = []
        for _, _, stages in self.open_ones():
            state = stages[-1]
            close = state.close_month or D(state.date.year, state.date.month, 1)
            overdue = (self.as_of.year - close.year) * 12 + self.as_of.month - close.month
            moves = [(b.close_month.year - a.close_month.year) * 12 + b.close_month.month - a.close_month.month
                     for a, b in zip(stages, stages[1:]) if a.close_month and b.close_month
                     and b.close_month > a.close_month]
            if overdue > 0 or moves:
                out.append((state.rep, state.customer, max(overdue, 0) or None, len(moves) or None,
                            sum(moves) or None))
        return sorted(out)

    def lost_now(self):
        out = []
        for evs in self.opportunities().values():
            stages = [e for e in evs if e.activity in ("topic", "deal_b", "deal_a", "order", "lost")]
            if stages and stages[-1].activity == "lost" and stages[-1].lost_reason == "now":
                out.append((stages[-1].date, stages[-1].rep, stages[-1].customer))
        return sorted(out)

    def reports(self, rep, month):
        def same_rep(activity):
            return {ev.date for _, _, ev in self.rows if ev.rep == rep and ev.activity == activity}

        visits = sorted(d for d in same_rep("visit") if (d.year, d.month) == (month.year, month.month))
        pre, post = same_rep("pre_report"), same_rep("post_report")
        no_pre, no_post, pending = [], [], []
        for d in visits:
            monday = d - dt.timedelta(days=d.weekday())
            earlier = [monday + dt.timedelta(days=i) for i in range(d.weekday())]
            if d not in pre and not any(p in pre and self.working(p) for p in earlier):
                no_pre.append(d)
            nxt = d + dt.timedelta(days=1)
            while not self.working(nxt):
                nxt += dt.timedelta(days=1)
            if d not in post and nxt not in post:
                (pending if nxt > self.as_of else no_post).append(d)
        return len(visits), len(no_pre), len(no_post), len(pending)


def _check_against_oracle(sheets, oracle, reps, months, *, lang="ja"):
    stale = read_list(sheets["deals_stale"], team=True, lang=lang)
    assert sorted((r[0], r[1], r[7], r[3]) for r in stale) == sorted(t[:4] for t in oracle.stale())
    # by amount, largest first; ties: the older last activity first
    order = [(-r[3], r[5]) for r in stale]
    assert order == sorted(order)
    slipped = read_list(sheets["deals_slipped"], team=True, lang=lang)
    assert sorted((r[0], r[1], r[5], r[6], r[7]) for r in slipped) == oracle.slipped()
    amounts = [r[3] for r in slipped]
    assert amounts == sorted(amounts, reverse=True)
    lost = read_list(sheets["deals_lost_now"], team=True, lang=lang)
    assert sorted((r[4], r[0], r[1]) for r in lost) == oracle.lost_now()
    assert [r[4] for r in lost] == sorted(r[4] for r in lost)  # oldest loss first
    reports = read_list(sheets["deals_reports"], team=True, lang=lang)
    expected = []
    for rep in reps:
        for m in months:
            n, no_pre, no_post, pending = oracle.reports(rep, m)
            expected.append((rep, m, n, no_pre, no_post, pending))
    assert [(r[0], r[1], r[2], r[3], r[5], r[6]) for r in reports] == expected
    return stale


def test_the_hand_master_agrees_with_the_independent_computation(built):
    result, master = built
    oracle = Oracle(master.events, AS_OF, STALE_DAYS, closed=[D(2026, 10, 30)])
    _check_against_oracle(_sheets(result.team), oracle, [A, B], [D(2026, 10, 1), D(2026, 11, 1)])


@pytest.fixture(scope="module")
def demo_lists(tmp_path_factory):
    """The demo's team lists at DEMO_AS_OF, written as the build writes them."""
    master = demo_master()
    reps = [m.rep for m in master.members]
    sheets = layout_deal_sheets(master.events, as_of=DEMO_AS_OF, settings=master.settings, lang="ja", reps=reps,
                                taken=set(), team=True)
    path = tmp_path_factory.mktemp("demo-deals") / "deals.xlsx"
    write_workbook(sm.Workbook(sheets=sheets), path)
    return master, reps, path


def test_on_the_demo_every_listed_deal_is_stale_and_every_stale_deal_is_listed(demo_lists):
    master, reps, path = demo_lists
    n = master.settings.stale_days
    oracle = Oracle(master.events, DEMO_AS_OF, n, closed=master.settings.closed_days)
    assert oracle.stale(), "the demo has stale deals to show"
    months = [D(2026, 11, 1), D(2026, 12, 1)]
    stale = _check_against_oracle(_sheets(path), oracle, reps, months)
    assert all(r[7] > n for r in stale)
    listed = {(r[0], r[1]) for r in stale}
    for _, evs, _stages in oracle.open_ones():
        if (DEMO_AS_OF - evs[-1].date).days > n:
            assert (evs[-1].rep, evs[-1].customer) in listed


# ----------------------------------------------------------------------------------
# LibreOffice opens them: no error values, the cached values are what it computes
# ----------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_lists_to_the_values_written(built, tmp_path):
    result, _ = built
    for path in (result.team, result.people[A]):
        again = recalculate(path, tmp_path / path.stem)
        assert error_cells(again) == []
        assert value_diffs(path, again) == []
        team = path == result.team
        rates = [(r[4], r[7]) if team else (r[3], r[6])
                 for r in read_list(_sheets(again)["deals_reports"], team=team, layout=False)]
        assert rates == [(row[4], row[7]) for row in REPORTS if team or row[0] == A]


# ----------------------------------------------------------------------------------
# The rules at their edges, on the compute level
# ----------------------------------------------------------------------------------


def _lists(rows, as_of=AS_OF, stale_days=14):
    return deal_lists(make_events(rows), as_of=as_of, calendar=WorkCalendar(), stale_days=stale_days, reps=[A])


def test_a_blank_expected_month_is_neither_a_move_nor_the_base_of_one():
    # DOMAIN.md §9: a move compares a row with the previous stage row, both stated.
    rows = [dict(date=D(2026, 9, 1), rep=A, activity="topic", customer="X", amount=10, close_month="2026-10"),
            dict(date=D(2026, 10, 1), rep=A, activity="deal_b", customer="X", amount=10),
            dict(date=D(2026, 11, 20), rep=A, activity="deal_a", customer="X", amount=10, close_month="2027-01")]
    assert _lists(rows).slipped == []  # 2026-10 -> blank -> 2027-01: no move, and not past due
    rows.append(dict(date=D(2026, 11, 21), rep=A, activity="deal_a", customer="X", amount=10, close_month="2027-03"))
    (only,) = _lists(rows).slipped
    assert (only.pushes, only.months_pushed, only.months_overdue) == (1, 2, 0)


def test_an_earlier_date_pushes_nothing_and_a_closed_deal_is_not_slipped():
    rows = [dict(date=D(2026, 9, 1), rep=A, activity="topic", customer="X", amount=10, close_month="2026-12"),
            dict(date=D(2026, 10, 1), rep=A, activity="deal_b", customer="X", amount=10, close_month="2026-11"),
            dict(date=D(2026, 9, 1), rep=A, activity="topic", customer="Y", amount=10, close_month="2026-09"),
            dict(date=D(2026, 9, 2), rep=A, activity="deal_a", customer="Y", amount=10, close_month="2026-10"),
            dict(date=D(2026, 9, 3), rep=A, activity="order", customer="Y", amount=10)]
    assert _lists(rows).slipped == []


def test_same_day_rows_the_lower_row_wins_and_case_does_not_split_an_opportunity():
    rows = [dict(date=D(2026, 9, 1), rep=A, activity="deal_a", customer="Acme", amount=10),
            dict(date=D(2026, 9, 1), rep=A, activity="lost", customer="ACME", lost_reason="now"),
            dict(date=D(2026, 9, 1), rep=A, activity="topic", customer="Beta", amount=5),
            dict(date=D(2026, 9, 1), rep=A, activity="lost", customer="Beta", lost_reason="forever"),
            dict(date=D(2026, 9, 1), rep=A, activity="topic", customer="Beta", amount=7)]
    lists = _lists(rows)
    assert [(d.customer, d.stage, d.amount) for d in lists.lost_now] == [("ACME", "deal_a", 10.0)]
    assert [(d.customer, d.days) for d in lists.stale] == [("Beta", (AS_OF - D(2026, 9, 1)).days)]


def test_stale_ties_show_the_older_activity_first():
    rows = [dict(date=D(2026, 9, 1), rep=A, activity="topic", customer="New", amount=10),
            dict(date=D(2026, 8, 1), rep=A, activity="topic", customer="Old", amount=10),
            dict(date=D(2026, 7, 1), rep=A, activity="topic", customer="Small", amount=5)]
    assert [d.customer for d in _lists(rows).stale] == ["Old", "New", "Small"]
