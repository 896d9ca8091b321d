"""The worksheet functions: their core (``compute.formulas``) with figures worked by hand, and the
``XS_`` functions called as plain Python on real data, against the sheet ``build`` writes.

xlwings' decorators are no-ops off Windows, so ``XS_...`` are plain callables here; how
they register in Excel (names, descriptions of each argument) is checked by loading the
module under recording decorators.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import inspect
import re

import openpyxl
import pytest
import xlwings
from support import deck
from support.models import deck_master, events
from support.workbooks import process_table, same

from xlsales import Master, build
from xlsales.compute import formulas as core
from xlsales.demo import DECK_REP, demo_master
from xlsales.excel import udfs

D = dt.date
JUL, AUG, SEP, OCT, NOV, DEC = (D(2026, m, 1) for m in range(7, 13))
REP = deck.REP

# The activity log as Excel hands it to a function: written out here, not taken from labels.json.
HEADERS = {"ja": ["ID", "日付", "担当者", "区分", "顧客", "金額", "ボツ理由", "受注予定月", "メモ"],
           "en": ["ID", "Date", "Rep", "Activity", "Customer", "Amount", "Lost reason", "Expected close", "Note"]}
ACTIVITY = {"list": ("リスト", "List"), "follow": ("フォロー", "Follow-up"), "pre_report": ("外出前報告", "Pre-visit report"),
            "visit": ("訪問", "Visit"), "post_report": ("外出後報告", "Post-visit report"), "topic": ("話題", "Topic"),
            "deal_b": ("商談△", "Deal △"), "deal_a": ("商談◯", "Deal ◯"), "order": ("受注", "Order"),
            "lost": ("ボツ", "Lost")}
REASON = {"now": ("今だめ", "Not now"), "forever": ("ずっとだめ", "Never")}


def serial(d: dt.date) -> float:
    """Excel's serial number of a date, as a formula such as =TODAY() passes it."""
    return float((d - D(1899, 12, 30)).days)


def excel_log(rows: list[dict], lang: str = "ja", *, serials: bool = False) -> list[list]:
    """Header + rows: dates as datetime (or serial numbers), amounts as floats, blanks as None."""
    i = 0 if lang == "ja" else 1
    out = [list(HEADERS[lang])]
    for r in rows:
        date = serial(r["date"]) if serials else dt.datetime.combine(r["date"], dt.time())
        close = r.get("close_month")
        if close and serials:  # any day of the month will do
            close = serial(D(int(close[:4]), int(close[5:7]), 15))
        out.append([None, date, r["rep"], ACTIVITY[r["activity"]][i], r.get("customer") or None,
                    None if r.get("amount") is None else float(r["amount"]),
                    REASON[r["lost_reason"]][i] if r.get("lost_reason") else None, close, None])
    return out


@pytest.fixture(scope="module")
def deck_events():
    return events(deck.deck_log())


@pytest.fixture(scope="module")
def deck_grid():
    return excel_log(deck.deck_log())


# ----------------------------------------------------------------------------------
# Core: flows
# ----------------------------------------------------------------------------------

# The deck rep's flows, worked out from tests/deck.py by hand:
#  July: 150 follow-ups, 20 visits; orders I, K, L (50 + 40 + 30); lost M (now), N (forever);
#        new topics F, G, N, Q (E and I were topics already); new deals A◯, C, D, H, P△.
#  August: orders U, V (50 + 30); new topics T, W; new deals Q◯ (was a topic), R, S, X.
#  September: orders W, X (60 + 40); new topics J, O, Z; new deal Y.
#  October: order オ (50); new topics エ, カ, キ; new deals ア◯, イ, ウ.
DECK_FLOWS = {
    JUL: dict(lists=0, follows=150, pre_reports=0, visits=20, post_reports=0, new_topics=4, new_deals=5, orders=3,
              sales=120, lost=2, lost_now=1, lost_forever=1),
    AUG: dict(follows=0, visits=0, new_topics=2, new_deals=4, orders=2, sales=80, lost=0),
    SEP: dict(new_topics=3, new_deals=1, orders=2, sales=100),
    OCT: dict(new_topics=3, new_deals=3, orders=1, sales=50),
    DEC: dict(new_topics=0, new_deals=0, orders=0, sales=0, visits=0),
}


@pytest.mark.parametrize("month", list(DECK_FLOWS))
def test_funnel_of_the_deck_rep(deck_events, month):
    got = core.funnel_counts(deck_events, REP, month + dt.timedelta(days=14))  # any day of the month
    assert list(got) == list(core.FUNNEL_KEYS)
    assert {k: got[k] for k in DECK_FLOWS[month]} == DECK_FLOWS[month]
    assert isinstance(got["visits"], int) and isinstance(got["sales"], float)


def test_funnel_of_the_team_and_of_a_rep_without_rows(deck_events):
    assert core.funnel_counts(deck_events, None, JUL) == core.funnel_counts(deck_events, REP, JUL)
    assert core.funnel_counts(deck_events, "", JUL)["follows"] == 150
    assert set(core.funnel_counts(deck_events, "田中 花子", JUL).values()) == {0}


def test_reps_match_as_countifs_does():
    rows = [dict(date=D(2026, 7, 1), rep="Ken Sato", activity="visit", customer="A"),
            dict(date=D(2026, 7, 2), rep="ken sato", activity="visit", customer="B"),
            dict(date=D(2026, 7, 3), rep="Kenji", activity="visit", customer="C")]
    assert core.funnel_counts(events(rows), "KEN SATO", JUL)["visits"] == 2
    assert core.funnel_counts(events(rows), "  Ｋｅｎ Ｓａｔｏ ", JUL)["visits"] == 2  # full-width, spaces
    assert core.funnel_counts(events(rows), None, JUL)["visits"] == 3


def test_same_day_events_follow_row_order():
    # Row order breaks same-day ties (DOMAIN.md §3): lost then re-opened as △ is a new deal;
    # △ then lost the same day is a new deal that is no longer open.
    rows = [dict(date=D(2026, 7, 10), rep="R", activity="lost", customer="B", lost_reason="now"),
            dict(date=D(2026, 7, 10), rep="R", activity="deal_b", customer="B", amount=20),
            dict(date=D(2026, 7, 10), rep="R", activity="deal_a", customer="A", amount=50),
            dict(date=D(2026, 7, 10), rep="R", activity="lost", customer="A", lost_reason="forever")]
    evs = events(rows)
    assert core.funnel_counts(evs, "R", JUL)["new_deals"] == 2
    assert core.open_pipeline(evs, "deal_b", JUL, D(2026, 7, 31), "R") == (1, 20)
    assert core.open_pipeline(evs, "deal_a", JUL, D(2026, 7, 31), "R") == (0, 0)


# ----------------------------------------------------------------------------------
# Core: the open pipeline
# ----------------------------------------------------------------------------------


def test_open_pipeline_of_july_at_the_end_of_july(deck_events):
    as_of = D(2026, 7, 31)
    # △ expected in July: B 100 (June), C 80, D 70 (blank close month = July), H 50; M was lost.
    assert core.open_pipeline(deck_events, "deal_b", JUL, as_of) == (4, 300)
    assert core.open_pipeline(deck_events, "deal_a", JUL, as_of) == (1, 100)  # A
    assert core.open_pipeline(deck_events, "topic", JUL, as_of) == (3, 100)  # E 40, F 35, G 25
    assert core.open_pipeline(deck_events, "any", JUL, as_of) == (8, 500)
    # 月初: open at the end of June and expected in July: E 40, B 100, I 50, M 60.
    assert core.open_pipeline(deck_events, "month_start", JUL, as_of) == (4, 250)
    assert core.open_pipeline(deck_events, "deal_b", JUL, as_of, rep="田中 花子") == (0, 0)


def test_open_pipeline_names_the_three_largest(deck_events):
    as_of = D(2026, 7, 31)
    names = {s: [t.customer for t in core.pipeline_stock(deck_events, s, JUL, as_of).top]
             for s in ("deal_a", "deal_b", "topic", "any")}
    assert names == {"deal_a": ["A社"], "deal_b": ["B社", "C社", "D社"], "topic": ["E社", "F社", "G社"],
                     # B△ and A◯ are both 100: B's stage event (June 10) came first.
                     "any": ["B社", "A社", "C社"]}


def test_open_pipeline_uses_the_sheets_snapshot_day(deck_events):
    as_of = D(2026, 12, 31)
    # July has ended: it is seen at July 31, not at the as-of date.
    assert core.open_pipeline(deck_events, "deal_b", JUL, as_of) == (4, 300)
    # The deck's table at 2026-12-31.
    assert core.open_pipeline(deck_events, "deal_a", AUG, as_of) == (1, 70)  # Q
    assert core.open_pipeline(deck_events, "deal_b", AUG, as_of) == (3, 150)  # P 90, R 30, S 30
    assert core.open_pipeline(deck_events, "topic", SEP, as_of) == (3, 180)  # J 80, O 60, Z 40
    assert core.open_pipeline(deck_events, "topic", NOV, as_of) == (1, 70)  # カ
    assert core.open_pipeline(deck_events, "month_start", OCT, as_of) == (0, 0)
    assert core.open_pipeline(deck_events, "month_start", DEC, as_of) == (1, 30)  # キ
    # A month after the as-of date is seen at the as-of date: カ is not a topic yet on 2026-10-01.
    assert core.open_pipeline(deck_events, "topic", NOV, D(2026, 10, 1)) == (0, 0)
    assert core.open_pipeline(deck_events, "topic", NOV, D(2026, 10, 20)) == (1, 70)


def test_open_pipeline_refuses_an_unknown_stage(deck_events):
    with pytest.raises(ValueError, match="unknown stage"):
        core.open_pipeline(deck_events, "order", JUL, D(2026, 7, 31))


@pytest.mark.parametrize(("what", "expected"), [
    ("count", 4), (None, 4), ("", 4), ("件数", 4), ("amount", 300), ("金額", 300), ("Amount", 300),
    (1, "B社"), (2.0, "C社"), ("3", "D社"),
])
def test_stock_value(deck_events, what, expected):
    stock = core.pipeline_stock(deck_events, "deal_b", JUL, D(2026, 7, 31))
    assert core.stock_value(stock, what) == expected


def test_stock_value_of_a_missing_name_and_a_bad_choice(deck_events):
    stock = core.pipeline_stock(deck_events, "deal_a", JUL, D(2026, 7, 31))
    assert core.stock_value(stock, 2) is None
    with pytest.raises(core.CellError, match="what"):
        core.stock_value(stock, 4)


# ----------------------------------------------------------------------------------
# Core: derived cells
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("num", "den", "expected"), [
    (350, 8, 43.75),           # the deck's 受注単価 total
    (120, 500, 0.24),
    (0, 5, 0.0),               # a real 0%
    (5, 0, None),              # gaps: blank, never #DIV/0! and never 0%
    (5, 0.0, None),
    (5, None, None),
    (5, "", None),
    (5, "8", None),            # N("8") is 0
    (5, float("nan"), None),
    (None, 4, 0.0),            # N(blank) is 0
    ("abc", 4, 0.0),
])
def test_safe_ratio(num, den, expected):
    assert core.safe_ratio(num, den) == expected


def test_weighted_forecast():
    assert core.weighted_forecast(100, 60, 100) == pytest.approx(100 + 42 + 30)
    assert core.weighted_forecast(100, 60, 100, 0.5, 0.1) == pytest.approx(100 + 30 + 10)
    assert core.weighted_forecast(None, "", 100) == pytest.approx(30)  # blanks count as 0


# ----------------------------------------------------------------------------------
# Core: reading what Excel hands over
# ----------------------------------------------------------------------------------


def _facts(evs):
    return [(e.date, e.rep, e.activity, e.customer, e.amount, e.lost_reason, e.close_month) for e in evs]


def test_a_japanese_log_range_reads_as_the_deck(deck_grid, deck_events):
    got = core.events_from_table(deck_grid[0], deck_grid[1:])
    assert _facts(got) == _facts(deck_events)
    assert [e.row for e in got] == list(range(2, len(deck_grid) + 1))


def test_an_english_log_with_serial_dates_and_other_columns(deck_events):
    grid = excel_log(deck.deck_log(), "en", serials=True)
    # Columns in another order, an unknown column, blank rows as None and as "".
    order = [8, 3, 1, 0, 2, 4, 5, 7, 6]
    grid = [[row[j] for j in order] + ["x"] for row in grid]
    grid[0][-1] = "Helper"
    grid.insert(5, [None] * 10)
    grid.insert(9, [""] * 10)
    got = core.events_from_table(grid[0], grid[1:])
    assert _facts(got) == _facts(deck_events)


def test_bad_rows_are_all_reported_with_their_row_numbers():
    grid = excel_log([dict(date=D(2026, 7, 1), rep="R", activity="visit", customer="A")])
    grid += [
        [None, dt.datetime(2026, 7, 2), "R", "受注", "B", None, None, None, None],   # row 3: no amount
        [None, "7/3", "R", "訪問", "C", None, None, None, None],                     # row 4: a guessed date
        [None, dt.datetime(2026, 7, 4), "R", "電話", "D", None, None, None, None],   # row 5: unknown activity
        [None, dt.datetime(2026, 7, 5), "R", "訪問", "#N/A", None, None, None, None],  # row 6: an error cell
    ]
    with pytest.raises(core.LogTableError) as info:
        core.events_from_table(grid[0], grid[1:])
    err = info.value
    assert isinstance(err, ValueError)
    assert [(p.row, p.column, p.reason) for p in err.problems] == [
        (3, "金額", "required_for_activity"), (4, "日付", "date_guess"), (5, "区分", "unknown_choice"),
        (6, "顧客", "cell_error")]
    lines = err.message("ja").splitlines()
    assert len(lines) == 4 and "3行目" in lines[0] and "「金額」" in lines[0]
    assert "row 4" in err.message("en").splitlines()[1]


@pytest.mark.parametrize("grid", [[], [[None, None]], [["Date", "Customer"], [dt.datetime(2026, 7, 1), "A"]]])
def test_a_range_without_the_log_header_is_refused(grid):
    with pytest.raises(core.LogTableError) as info:
        core.events_from_grid(grid)
    assert [p.reason for p in info.value.problems] == ["header_missing"]


def test_a_log_range_is_read_once_per_content(deck_grid, monkeypatch):
    calls = []
    real = core.events_from_table
    monkeypatch.setattr(core, "events_from_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    grid = [list(r) for r in deck_grid]
    first = core.events_from_grid(grid)
    again = core.events_from_grid([list(r) for r in deck_grid])  # another list, same content
    assert again == first and len(calls) == 1
    grid[1][5] = 999.0  # an edited cell is read again
    assert core.events_from_grid(grid) != first and len(calls) == 2
    # TRUE is not 1: a grid differing only so is another log.
    bools = [list(r) for r in deck_grid]
    bools[2][8] = True
    ones = [list(r) for r in deck_grid]
    ones[2][8] = 1.0
    assert core.events_from_grid(bools)[1].note == "True" and core.events_from_grid(ones)[1].note == "1"


@pytest.mark.parametrize(("value", "expected"), [
    (dt.datetime(2026, 7, 15, 9, 30), D(2026, 7, 15)),
    (D(2026, 7, 15), D(2026, 7, 15)),
    (46204.0, D(2026, 7, 1)),          # =DATE(2026,7,1) passed as a number
    (46204.75, D(2026, 7, 1)),         # a time of day is dropped
    ("2026/7/15", D(2026, 7, 15)),
    ("令和8年7月15日", D(2026, 7, 15)),
])
def test_date_from_cell(value, expected):
    assert core.date_from_cell(value) == expected


@pytest.mark.parametrize(("value", "reason"), [
    (None, "required"), ("", "required"), ("7/15", "date_guess"), ("abc", "date_unreadable"),
    (5.0, "date_year_range"), (True, "date_unreadable"),
])
def test_date_from_cell_refuses(value, reason):
    with pytest.raises(core.CellError) as info:
        core.date_from_cell(value, "as_of")
    assert info.value.reason == reason and info.value.message("en").startswith("as_of: ")


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-07", JUL), ("2026年7月", JUL), ("R8.7", JUL), (dt.datetime(2026, 7, 31), JUL), (46204.0 + 30, JUL),
])
def test_month_from_cell(value, expected):
    assert core.month_from_cell(value) == expected


def test_number_and_text_from_cell():
    assert core.number_from_cell("70%", "w", percent=True) == pytest.approx(0.7)
    assert core.number_from_cell("1,200", "x") == 1200 and core.number_from_cell(3.5, "x") == 3.5
    assert core.number_from_cell(None, "x") is None and core.number_from_cell("  ", "x") is None
    with pytest.raises(core.CellError, match="^x: "):
        core.number_from_cell("100万円", "x")
    assert core.text_from_cell(" 佐藤 健太 ") == "佐藤 健太" and core.text_from_cell(101.0) == "101"
    assert core.text_from_cell(None) == ""


@pytest.mark.parametrize(("text", "key"), [
    ("訪問件数", "visits"), ("Visits", "visits"), ("visits", "visits"), ("訪問", "visits"), ("Follow-up", "follows"),
    ("売上", "sales"), ("当月ボツ件数", "lost"), ("ボツ", "lost"), ("ボツ（今だめ）", "lost_now"),
    ("話題化件数", "new_topics"), ("商談化件数", "new_deals"), ("リスト件数", "lists"), (" 受注件数 ", "orders"),
])
def test_funnel_key(text, key):
    assert core.funnel_key(text) == key


@pytest.mark.parametrize(("text", "key"), [
    ("商談△", "deal_b"), ("商談◯", "deal_a"), ("商談○", "deal_a"), ("Deal ◯", "deal_a"), ("deal_a", "deal_a"),
    ("話題", "topic"), ("すべて", "any"), ("ANY", "any"), ("月初", "month_start"), ("月初の商談", "month_start"),
])
def test_stage_key(text, key):
    assert core.stage_key(text) == key


@pytest.mark.parametrize(("parse", "text"), [
    (core.funnel_key, "受注単価"), (core.funnel_key, None), (core.stage_key, "受注"), (core.stage_key, "")])
def test_unknown_keys_name_the_choices(parse, text):
    with pytest.raises(core.CellError) as info:
        parse(text)
    assert info.value.reason == "unknown_choice"


# ----------------------------------------------------------------------------------
# The XS_ functions: registration in Excel
# ----------------------------------------------------------------------------------

UDF_NAMES = {"XS_RATIO", "XS_FUNNEL", "XS_FUNNEL_ROW", "XS_PIPELINE", "XS_FORECAST", "XS_REVERSE_PLAN",
             "XS_SPREAD"}


@pytest.fixture(scope="module")
def registered():
    """``xlsales.excel.udfs`` loaded under decorators that record what xlwings would register."""
    records: dict[str, dict] = {}

    def entry(f):
        return records.setdefault(f.__name__, {"func": None, "args": {}, "ret": None, "fn": f})

    def func(f=None, **options):
        def inner(f):
            entry(f)["func"] = options
            return f

        return inner if f is None else inner(f)

    def arg(name, convert=None, **options):
        def inner(f):
            # xlwings raises "Invalid argument name" on Windows too.
            assert name in inspect.signature(f).parameters, f"{f.__name__}: no argument {name!r}"
            entry(f)["args"][name] = options
            return f

        return inner

    def ret(convert=None, **options):
        def inner(f):
            entry(f)["ret"] = options
            return f

        return inner

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlwings, "func", func)
        mp.setattr(xlwings, "arg", arg)
        mp.setattr(xlwings, "ret", ret)
        spec = importlib.util.spec_from_file_location("xlsales._udfs_registered", udfs.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return records


def test_every_function_is_registered_with_the_xs_prefix(registered):
    assert set(registered) == UDF_NAMES
    assert {n for n in dir(udfs) if n.startswith("XS_")} == UDF_NAMES
    assert UDF_NAMES <= set(udfs.__all__)
    for name, info in registered.items():
        assert name.startswith("XS_") and info["func"] == {"category": "xlsales"}, name


@pytest.mark.parametrize("name", sorted(UDF_NAMES))
def test_every_function_is_described_for_the_function_wizard(registered, name):
    fn = registered[name]["fn"]
    params = list(inspect.signature(fn).parameters)
    # xlwings shows the first 255 characters of the docstring: the summary must fit, in both languages.
    summary = inspect.cleandoc(fn.__doc__).split("\n\n")[0]
    assert 0 < len(summary) <= 255, name
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", summary) and re.search(r"[A-Za-z]{4}", summary), name
    # numpydoc: every argument under Parameters.
    doc_params = inspect.cleandoc(fn.__doc__).split("Parameters\n----------\n")[1].split("\n\n")[0]
    documented = {n.strip() for line in doc_params.splitlines() if line and not line.startswith(" ")
                  for n in line.split(":")[0].split(",")}
    assert documented == set(params), name
    # Every argument described for the wizard (at most 255 characters each).
    docs = {arg: options.get("doc", "") for arg, options in registered[name]["args"].items()}
    assert set(docs) == set(params), name
    assert all(0 < len(d) <= 255 for d in docs.values()), name
    # No annotations: xlwings would take them for converters.
    assert fn.__annotations__ == {}, name


def test_log_ranges_arrive_as_two_dimensional_lists_with_error_texts(registered):
    for name, info in registered.items():
        if "log" in info["args"]:
            assert info["args"]["log"]["ndim"] == 2 and info["args"]["log"]["err_to_str"] is True, name
    assert registered["XS_SPREAD"]["args"]["pattern"]["ndim"] == 2


# ----------------------------------------------------------------------------------
# The XS_ functions as plain Python: results, gaps and errors
# ----------------------------------------------------------------------------------


def test_gaps_are_empty_cells():
    assert udfs.XS_RATIO(350, 8) == 43.75
    assert udfs.XS_RATIO(5, 0) == "" and udfs.XS_RATIO(5, None) == ""


def test_funnel_functions_on_the_deck_log(deck_grid):
    july = dt.datetime(2026, 7, 1)
    assert udfs.XS_FUNNEL(deck_grid, REP, july, "訪問件数") == 20
    assert udfs.XS_FUNNEL(deck_grid, REP, "2026-07", "Follow-ups") == 150
    assert udfs.XS_FUNNEL(deck_grid, None, serial(D(2026, 7, 20)), "売上") == 120
    assert udfs.XS_FUNNEL_ROW(deck_grid, REP, july) == [[0, 150, 0, 20, 0, 4, 5, 3, 120, 2, 1, 1]]
    labelled = udfs.XS_FUNNEL_ROW(deck_grid, REP, july, True, "en")
    assert labelled[0][:4] == ["List entries", "Follow-ups", "Pre-visit reports", "Visits"]
    assert labelled[1] == [0, 150, 0, 20, 0, 4, 5, 3, 120, 2, 1, 1]
    assert udfs.XS_FUNNEL_ROW(deck_grid, REP, july, True)[0][-3:] == ["当月ボツ件数", "ボツ（今だめ）", "ボツ（ずっとだめ）"]


def test_pipeline_function_on_the_deck_log(deck_grid):
    as_of = dt.datetime(2026, 7, 31)
    assert udfs.XS_PIPELINE(deck_grid, "商談△", "2026-07", as_of) == 4
    assert udfs.XS_PIPELINE(deck_grid, "商談△", "2026-07", as_of, REP, "金額") == 300
    assert udfs.XS_PIPELINE(deck_grid, "商談◯", "2026-07", as_of, None, "amount") == 100
    assert udfs.XS_PIPELINE(deck_grid, "話題", JUL, serial(D(2026, 7, 31)), REP, 1) == "E社"
    assert udfs.XS_PIPELINE(deck_grid, "商談◯", JUL, as_of, REP, 2) == ""  # no second ◯: an empty cell
    assert udfs.XS_PIPELINE(deck_grid, "月初", JUL, as_of, REP, "amount") == 250


def test_forecast_and_plan_functions():
    assert udfs.XS_FORECAST(100, 60, 100) == pytest.approx(172)
    assert udfs.XS_FORECAST(100, 60, 100, "50%", None) == pytest.approx(160)
    assert udfs.XS_REVERSE_PLAN(560, 70, 0.5, 0.8, 0.625, 0.128, None, None, "50%") == [
        ["売上目標", 560], ["前年実績×継続率", 0], ["新規で必要な売上", 560], ["受注件数", 8], ["商談化件数", 16],
        ["話題化件数", 20], ["訪問件数", 32], ["フォロー件数", 250], ["リスト件数", 500]]
    plan = udfs.XS_REVERSE_PLAN(6720, 70, "30%", 0.5, 0.4, 0.125, 6000, 0.9, None, "en")
    assert [row[0] for row in plan][:3] == ["Sales target", "Last year's sales kept", "New sales needed"]
    assert [row[1] for row in plan][3:] == [19, 64, 128, 320, 2560]


def test_spread_function_keeps_the_shape_of_the_pattern():
    assert udfs.XS_SPREAD(10, [[1, 1, 1]]) == [[4, 3, 3]]
    assert udfs.XS_SPREAD(10, [[1], [None], [3]]) == [[3], [0], [7]]
    assert udfs.XS_SPREAD(12, [[None, None], [None, None]]) == [[3, 3], [3, 3]]
    assert udfs.XS_SPREAD(10, [[1, 3]], False) == [[2.5, 7.5]]


def test_bad_input_is_a_short_readable_text(deck_grid, monkeypatch):
    monkeypatch.delenv("XLSALES_LANG", raising=False)
    assert udfs.XS_FUNNEL(deck_grid, REP, "7月", "訪問件数") == (
        "#XS: month: 月として読み取れません。年を含めて 2026-07 の形で入力してください")
    assert udfs.XS_FUNNEL(deck_grid, REP, JUL, "受注単価").startswith("#XS: metric: この値は使えません。")
    assert udfs.XS_PIPELINE(deck_grid, "受注", JUL, JUL).startswith("#XS: stage: ")
    assert udfs.XS_REVERSE_PLAN(560, 70, 0, 0.8, 0.625, 0.128) == (
        "#XS: 受注率が空欄か 0 以下です。0 より大きい数値を入力してください")
    assert udfs.XS_SPREAD(10.5, [[1, 1]]).startswith("#XS: ")
    bad = deck_grid[:3] + [[None, "x", REP, "受注", "Z社", None, None, None, None]]
    assert udfs.XS_FUNNEL(bad, REP, JUL, "訪問件数") == (
        "#XS: シート「活動ログ」 4行目 「日付」: 日付として読み取れません。日付を 2026/7/1 の形で入力してください"
        "（値: x）（ほか 1 件）")
    monkeypatch.setenv("XLSALES_LANG", "en")
    assert udfs.XS_FUNNEL(bad, REP, JUL, "訪問件数") == (
        "#XS: sheet '活動ログ', row 4, column '日付': cannot read this as a date; type a date like 2026-07-01"
        " (value: x) (and 1 more)")
    assert udfs.XS_REVERSE_PLAN(560, 70, 0.5, 0.8, 0.625, None).startswith("#XS: appointment rate is blank")


def test_a_bug_is_not_hidden_behind_a_message(monkeypatch):
    def broken(*args):
        raise KeyError("bug")

    monkeypatch.setattr(core, "safe_ratio", broken)
    with pytest.raises(KeyError):
        udfs.XS_RATIO(1, 2)


# ----------------------------------------------------------------------------------
# The XS_ functions give the figures of the sheet ``build`` writes
# ----------------------------------------------------------------------------------

FLOW_ROWS = ["リスト件数", "フォロー件数", "外出前報告", "訪問件数", "外出後報告", "話題化件数", "商談化件数", "受注件数", "売上",
             "当月ボツ件数", "ボツ（今だめ）", "ボツ（ずっとだめ）"]
STOCK_ROWS = {"商談◯": "商談◯", "商談△": "商談△", "話題": "話題"}  # row prefix -> stage argument
RATIO_ROWS = [("売上達成率", "売上", "売上目標"), ("受注単価", "売上", "受注件数"), ("アポ率", "訪問件数", "フォロー件数"),
              ("話題化率", "話題化件数", "訪問件数"), ("商談化率", "商談化件数", "話題化件数"), ("受注率", "受注件数", "商談化件数"),
              ("訪問件数達成率", "訪問件数", "訪問件数目標"), ("受注件数達成率", "受注件数", "受注件数目標")]


class SheetView:
    """A target/process sheet read back as Excel shows it, and its workbook's log as Excel hands it over."""

    def __init__(self, path, sheet: str) -> None:
        self.table = process_table(path, sheet)  # label -> [benchmark, months..., total]
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
        top = list(wb[sheet].iter_rows(min_row=1, max_row=30, values_only=True))
        heads = next(row for row in top if row[1] == "プロセスのベンチマーク")
        self.months = [v for v in heads[2:] if isinstance(v, dt.datetime)]
        params = list(top[1])
        self.as_of = params[params.index("基準日") + 1]
        self.w_a, self.w_b = params[params.index("◯の確度") + 1], params[params.index("△の確度") + 1]
        # Numbers come from Excel as floats, dates as datetimes.
        self.log = [[float(v) if type(v) is int else v for v in row] for row in wb["活動ログ"].iter_rows(values_only=True)]
        wb.close()

    def cell(self, label: str, month_index: int | None):
        row = self.table[label]
        return row[-1] if month_index is None else row[1 + month_index]

    def is_future(self, month: dt.datetime) -> bool:
        return month.date() > self.as_of.date()

    def is_past(self, month: dt.datetime) -> bool:
        return month.date() < D(self.as_of.year, self.as_of.month, 1)


def _assert_same(got, expected, where: str) -> None:
    assert same(expected, got), f"{where}: sheet {expected!r}, function {got!r}"


def assert_functions_match_sheet(view: SheetView, rep: str | None, month_indexes=None, *, team: bool = False):
    """Every flow, stock, name, ratio and forecast cell of the chosen months, and the totals."""
    log = view.log
    for j in month_indexes if month_indexes is not None else range(len(view.months)):
        month = view.months[j]
        where = f"{rep or 'team'} {month:%Y-%m}"
        # Flows: blank after the as-of month on the sheet; otherwise the function's count.
        row = udfs.XS_FUNNEL_ROW(log, rep, month)[0]
        for label, value in zip(FLOW_ROWS, row, strict=True):
            expected = view.cell(label, j)
            if view.is_future(month):
                assert expected is None, f"{where} {label}"
            else:
                _assert_same(value, expected, f"{where} {label}")
        if not view.is_future(month):
            _assert_same(udfs.XS_FUNNEL(log, rep, month, "訪問件数"), view.cell("訪問件数", j), f"{where} XS_FUNNEL")
        # Stocks at the sheet's as-of date, by expected close month, and the names of the largest.
        for prefix, stage in STOCK_ROWS.items():
            _assert_same(udfs.XS_PIPELINE(log, stage, month, view.as_of, rep, "count"), view.cell(f"{prefix}件数", j),
                         f"{where} {prefix}件数")
            _assert_same(udfs.XS_PIPELINE(log, stage, month, view.as_of, rep, "amount"), view.cell(f"{prefix}金額", j),
                         f"{where} {prefix}金額")
            for n in (1, 2, 3):
                name = udfs.XS_PIPELINE(log, stage, month, view.as_of, rep, n)
                shown = view.cell(f"{prefix}{n}", j)
                if team and name:  # the team sheet names the rep beside the customer
                    assert shown.startswith(f"{name}（"), f"{where} {prefix}{n}"
                else:
                    _assert_same(name, shown, f"{where} {prefix}{n}")
        _assert_same(udfs.XS_PIPELINE(log, "月初", month, view.as_of, rep, "count"), view.cell("月初の商談件数", j),
                     f"{where} 月初の商談件数")
        _assert_same(udfs.XS_PIPELINE(log, "月初", month, view.as_of, rep, "amount"), view.cell("月初の商談金額", j),
                     f"{where} 月初の商談金額")
        _assert_ratios_and_forecast(view, j, where)
    _assert_ratios_and_forecast(view, None, f"{rep or 'team'} total")


def _assert_ratios_and_forecast(view: SheetView, j: int | None, where: str) -> None:
    month = None if j is None else view.months[j]
    if month is None or not view.is_future(month):  # a later month shows no actuals
        for ratio, num, den in RATIO_ROWS:
            _assert_same(udfs.XS_RATIO(view.cell(num, j), view.cell(den, j)), view.cell(ratio, j), f"{where} {ratio}")
    forecast = udfs.XS_FORECAST(view.cell("売上", j), view.cell("商談◯金額", j), view.cell("商談△金額", j),
                                view.w_a, view.w_b)
    if month is not None and view.is_past(month):
        assert view.cell("売上予測", j) is None, f"{where} 売上予測"  # no forecast for an ended month
    else:
        _assert_same(forecast, view.cell("売上予測", j), f"{where} 売上予測")


@pytest.fixture(scope="module", params=[deck.AS_OF, D(2026, 8, 15)], ids=["as-of-2026-12-31", "as-of-2026-08-15"])
def deck_built(request, tmp_path_factory):
    return build(deck_master(), tmp_path_factory.mktemp("deck"), as_of=request.param, lang="ja")


def test_functions_give_the_deck_sheet(deck_built):
    view = SheetView(deck_built.people[REP], REP)
    assert len(view.months) == 6
    assert_functions_match_sheet(view, REP)


def test_functions_give_the_deck_team_sheet(deck_built):
    view = SheetView(deck_built.team, "チーム")
    assert_functions_match_sheet(view, None, team=True)


@pytest.fixture(scope="module")
def demo_built(tmp_path_factory):
    # Two reps of the demo: lists, reports and many deals, over twelve months, as of mid-September.
    full = demo_master()
    reps = [DECK_REP, next(m.rep for m in full.members if m.rep != DECK_REP)]
    master = Master(events=[e for e in full.events if e.rep in reps],
                    members=[m for m in full.members if m.rep in reps],
                    targets=[t for t in full.targets if t.rep in reps], settings=full.settings,
                    benchmarks=full.benchmarks)
    return reps, build(master, tmp_path_factory.mktemp("demo"), as_of=D(2026, 9, 15), lang="ja")


def test_functions_give_the_demo_sheets(demo_built):
    reps, built = demo_built
    # Months 2026-05 and 2026-07 (ended), 2026-09 (current) and 2026-10 (later).
    months = [1, 3, 5, 6]
    team = SheetView(built.team, "チーム")
    assert [team.months[j].date() for j in months] == [D(2026, 5, 1), D(2026, 7, 1), D(2026, 9, 1), D(2026, 10, 1)]
    assert all(team.cell("商談△件数", j) for j in months[1:])  # open deals to compare, not zeros
    assert_functions_match_sheet(team, None, months, team=True)
    other = reps[1]
    assert_functions_match_sheet(SheetView(built.people[other], other), other, months)
    # Real activity, not zeros: the other rep listed, called, reported and visited in May.
    may = udfs.XS_FUNNEL_ROW(team.log, other, team.months[1])[0]
    assert all(v > 0 for v in may[:5]), may
