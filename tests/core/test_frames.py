"""The pandas face: ``figures`` is what the built workbooks hold, ``read_log`` the master's log."""

from __future__ import annotations

import datetime as dt
import math
import re
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from support.deck import DECK_TABLE
from support.workbooks import header_row

import xlsales
from xlsales import build, demo_master, figures, read_log, write_master
from xlsales.demo import DECK_REP, DEMO_AS_OF
from xlsales.layout.process import row_label
from xlsales.texts import label

D = dt.date
# The demo's period: the fiscal year holding the as-of date (April to March).
MONTHS = [D(2026, m, 1) for m in range(4, 13)] + [D(2027, m, 1) for m in range(1, 4)]
# The deck's row labels and the keys a frame names them by, written out by hand.
DECK_KEYS = {
    "売上目標": "sales_target", "売上": "sales", "売上達成率": "achievement", "受注件数": "orders",
    "受注単価": "unit_price", "月初の商談金額": "open_amount", "月初の商談件数": "open_count",
    "商談◯金額": "deal_a_amount", "商談◯件数": "deal_a_count", "商談△金額": "deal_b_amount",
    "商談△件数": "deal_b_count", "話題金額": "topic_amount", "話題件数": "topic_count", "当月ボツ件数": "lost",
    "訪問件数": "visits", "フォロー件数": "follows",
}


@pytest.fixture(scope="module")
def demo():
    return demo_master()


@pytest.fixture(scope="module")
def frame(demo):
    return figures(demo, as_of=DEMO_AS_OF)


@pytest.fixture(scope="module")
def built(demo, tmp_path_factory):
    return build(demo, tmp_path_factory.mktemp("frames"), as_of=DEMO_AS_OF)


def _sheet_cells(ws) -> tuple[dict[str, int], dict[dt.date, int]]:
    """Row label -> row and month -> column of a target/process sheet, found on the sheet."""
    head = header_row(ws)
    rows: dict[str, int] = {}
    for r in range(head + 1, ws.max_row + 1):
        text = ws.cell(r, 1).value
        if isinstance(text, str) and text:
            assert text not in rows, f"{ws.title}: two rows labelled {text}"
            rows[text] = r
    months = {}
    for c in range(3, ws.max_column + 1):
        v = ws.cell(head, c).value
        if isinstance(v, dt.datetime):
            months[v.date()] = c
    return rows, months


def _assert_sheet_is_frame(ws, part: pd.DataFrame) -> int:
    """Every figure of ``part`` (one rep's rows) equals its cell; NaN exactly where blank."""
    rows, months = _sheet_cells(ws)
    assert list(months) == MONTHS  # no total column, no benchmark column among the months
    # Every labelled row is a figure of the frame, but the names of the top three (商談◯1…).
    names = {t for t in rows if re.fullmatch(r"(商談◯|商談△|話題)[123]", t)}
    assert len(names) == 9
    assert {row_label(k, "ja") for k in part.key} == set(rows) - names
    checked = 0
    for month, key, value in zip(part.month, part.key, part.value):
        cell = ws.cell(rows[row_label(key, "ja")], months[month.date()]).value
        if cell is None or cell == "":
            assert math.isnan(value), f"{ws.title} {key} {month:%Y-%m}: blank on the sheet, {value} in the frame"
        else:
            assert isinstance(cell, (int, float)), f"{ws.title} {key} {month:%Y-%m}: {cell!r}"
            assert value == cell, f"{ws.title} {key} {month:%Y-%m}: {cell} on the sheet, {value} in the frame"
        checked += 1
    return checked


def test_shape_and_types(demo, frame):
    reps = [m.rep for m in demo.members]
    assert list(frame.columns) == ["rep", "month", "key", "value"]
    assert str(frame.rep.dtype) == "string" and str(frame.key.dtype) == "string"
    assert frame.month.dtype == "datetime64[ns]" and frame.value.dtype == "float64"
    assert list(dict.fromkeys(frame.rep)) == ["", *reps]  # the team's first, then the members in order
    assert [t.date() for t in dict.fromkeys(frame.month)] == MONTHS
    keys = list(dict.fromkeys(frame.key))
    assert keys[:10] == ["sales_target", "sales", "achievement", "cum_sales_target", "cum_sales", "cum_achievement",
                         "last_year_sales", "yoy", "orders", "unit_price"]
    for key in ("visits", "new_topics", "new_deals", "win_rate", "forecast", "visits_target", "lost_forever"):
        assert key in keys
    assert not any(re.fullmatch(r"(deal_a|deal_b|topic)_[123]", k) for k in keys)  # no name rows
    assert len(frame) == (1 + len(reps)) * len(MONTHS) * len(keys)
    assert not frame.duplicated(["rep", "month", "key"]).any()


@pytest.fixture(scope="module")
def team_book(built):
    return openpyxl.load_workbook(built.team, data_only=True)


def test_team_figures_are_the_team_workbooks_cached_values(frame, team_book):
    team = frame[frame.rep == ""]
    assert _assert_sheet_is_frame(team_book[label("sheet", "team")], team) == len(team)


def test_rep_figures_are_each_workbooks_cached_values(demo, frame, built, team_book):
    for member in demo.members:
        part = frame[frame.rep == member.rep]
        own = openpyxl.load_workbook(built.people[member.rep], data_only=True)
        assert _assert_sheet_is_frame(own[member.rep], part) == len(part)
        assert _assert_sheet_is_frame(team_book[member.rep], part) == len(part)


def test_blanks_are_nan(frame):
    def value(rep: str, month: dt.date, key: str) -> float:
        (v,) = frame[(frame.rep == rep) & (frame.month == pd.Timestamp(month)) & (frame.key == key)].value
        return v

    # After the as-of date: flows and ratios blank, targets and stocks shown.
    assert math.isnan(value("", D(2027, 1, 1), "sales"))
    assert math.isnan(value("", D(2027, 1, 1), "win_rate"))
    assert value("", D(2027, 1, 1), "sales_target") > 0
    # A ratio whose denominator is zero: the deck rep's unit price in a month without orders.
    assert value(DECK_REP, D(2026, 11, 1), "orders") == 0
    assert math.isnan(value(DECK_REP, D(2026, 11, 1), "unit_price"))
    # The forecast starts with the as-of month.
    assert math.isnan(value("", D(2026, 11, 1), "forecast"))
    assert value("", D(2026, 12, 1), "forecast") > 0


def test_the_deck_reps_july_is_the_decks(frame):
    # The demo's 佐藤 健太 has the deck's opportunities (DOMAIN.md's deck, tests/support/deck.py).
    july = frame[(frame.rep == DECK_REP) & (frame.month == pd.Timestamp(2026, 7, 1))].set_index("key").value
    for text, key in DECK_KEYS.items():
        expected = DECK_TABLE[text][1]
        assert july[key] == pytest.approx(expected), text


def test_english_lays_out_the_same_figures(demo, frame):
    pd.testing.assert_frame_equal(figures(demo, as_of=DEMO_AS_OF, lang="en"), frame)


def test_an_unknown_language_is_refused(demo):
    with pytest.raises(ValueError, match="unknown language"):
        figures(demo, as_of=DEMO_AS_OF, lang="fr")


def test_a_master_without_members_has_the_team_only():
    frame = figures(xlsales.Master(), as_of=D(2026, 5, 31))
    assert set(frame.rep) == {""}
    sales = frame[frame.key == "sales"].set_index("month").value
    assert sales[pd.Timestamp(2026, 4, 1)] == 0 and math.isnan(sales[pd.Timestamp(2026, 6, 1)])


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_read_log_round_trips_a_written_master(demo, tmp_path, lang):
    path = write_master(tmp_path / "master.xlsx", demo, lang=lang)
    log = read_log(path)
    assert list(log.columns) == ["id", "date", "rep", "activity", "customer", "amount", "lost_reason",
                                 "close_month", "note"]
    assert {c: str(t) for c, t in log.dtypes.items()} == {
        "id": "string", "date": "datetime64[ns]", "rep": "string", "activity": "string", "customer": "string",
        "amount": "float64", "lost_reason": "string", "close_month": "datetime64[ns]", "note": "string"}
    events = demo.events

    def got(column: str) -> list:  # a column as a list, a missing value as None
        return [None if pd.isna(v) else v for v in log[column].tolist()]

    assert got("id") == [e.id for e in events]
    assert got("date") == [pd.Timestamp(e.date) for e in events]
    assert got("rep") == [e.rep for e in events]
    assert got("activity") == [e.activity for e in events]
    assert got("customer") == [e.customer or None for e in events]
    assert got("amount") == [e.amount for e in events]
    assert got("lost_reason") == [e.lost_reason for e in events]
    assert got("close_month") == [pd.Timestamp(e.close_month) if e.close_month else None for e in events]
    assert got("note") == [e.note or None for e in events]
    # The demo's optional columns have values and blanks, so both sides were compared.
    assert log.amount.isna().any() and log.amount.notna().any()
    assert set(log.lost_reason.dropna()) == {"now", "forever"} and log.close_month.notna().any()
    assert log.note.notna().any() and log.note.isna().any()


def test_read_log_takes_a_csv_log(tmp_path):
    from support.masterfactory import row, write_csv
    from support.masterfactory import write_master as write_test_master

    master = write_test_master(tmp_path / "m.xlsx", log_rows=[row(activity="リスト")])
    csv = write_csv(tmp_path / "crm.csv", [
        row(date="2026/07/01", activity="商談◯", customer="A社", amount="1,200", close_month="2026-08"),
        row(date="2026-07-03", activity="ボツ", customer="A社", lost_reason="今だめ", note="予算"),
    ])
    log = read_log(master, log=csv)
    assert log.activity.tolist() == ["deal_a", "lost"]
    assert log.date.tolist() == [pd.Timestamp(2026, 7, 1), pd.Timestamp(2026, 7, 3)]
    assert log.amount.iloc[0] == 1200.0 and math.isnan(log.amount.iloc[1])
    assert log.close_month.iloc[0] == pd.Timestamp(2026, 8, 1) and pd.isna(log.close_month.iloc[1])
    assert pd.isna(log.lost_reason.iloc[0]) and log.lost_reason.iloc[1] == "now"
    assert pd.isna(log.note.iloc[0]) and log.note.iloc[1] == "予算"


def test_read_log_raises_validation_errors(tmp_path):
    from support.masterfactory import row
    from support.masterfactory import write_master as write_test_master

    master = write_test_master(tmp_path / "m.xlsx", log_rows=[row(activity="電話")])
    with pytest.raises(xlsales.ValidationError):
        read_log(master)


def test_importing_xlsales_does_not_import_pandas():
    # The CLI and the add-in start without pandas; only the frames' functions load it.
    code = "import sys, xlsales; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
