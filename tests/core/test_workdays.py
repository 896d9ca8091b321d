"""Working days (DOMAIN.md §9) and the rhythm's settings 休業日 / 放置日数 (issue 14).

The expected working days are counted here from the ``holidays`` package directly, not
through xlsales."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from xlsales.compute.workdays import WorkCalendar, calendar_of
from xlsales.model import Settings
from xlsales.validate.master import read_grids, validate_grids
from xlsales.validate.values import closed_days_text, parse_closed_days

LOG = [["日付", "担当者", "区分", "顧客"], [dt.date(2026, 7, 1), "佐藤 健太", "訪問", "A社"]]


def _grids(settings_rows):
    return {"活動ログ": LOG, "メンバー": [["担当者"], ["佐藤 健太"]], "設定": [["項目", "値"], *settings_rows]}


def _expected_days(first, last, closed=()):
    japan = holidays.country_holidays("JP", years=range(first.year, last.year + 1))
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5 and d not in japan and d not in closed]


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_every_month_counts_the_days_the_holiday_package_leaves(year):
    closed = {dt.date(year, 12, 29), dt.date(year, 12, 30), dt.date(year, 8, 13)}
    cal = calendar_of(closed)
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        assert cal.month_days(first) == _expected_days(first, last, closed)
        weekdays = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)
                    if (first + dt.timedelta(days=i)).weekday() < 5]
        assert cal.days_off(first, last) == sorted(set(weekdays) - set(_expected_days(first, last, closed)))


def test_next_previous_and_nth_working_day_skip_golden_week():
    cal = WorkCalendar()
    assert cal.next_day(dt.date(2026, 5, 1)) == dt.date(2026, 5, 7)  # 5/2-5/6: weekend and holidays
    assert cal.previous_day(dt.date(2026, 5, 7)) == dt.date(2026, 5, 1)
    assert cal.on_or_after(dt.date(2026, 5, 3)) == dt.date(2026, 5, 7)
    assert cal.on_or_before(dt.date(2026, 5, 3)) == dt.date(2026, 5, 1)
    assert cal.nth_day(dt.date(2027, 1, 1), 1) == dt.date(2027, 1, 4)
    assert cal.nth_day(dt.date(2027, 1, 1), 5) == dt.date(2027, 1, 8)  # 1/11 is 成人の日


def test_closed_days_are_read_as_dates_and_ranges():
    rows = [["休業日", "2026-12-29〜2027-01-03, 2026/8/13、2026年8月14日"], ["放置日数", 21]]
    s = read_grids(_grids(rows)).settings
    assert s.closed_days == (dt.date(2026, 8, 13), dt.date(2026, 8, 14), *[dt.date(2026, 12, d) for d in (29, 30, 31)],
                             dt.date(2027, 1, 1), dt.date(2027, 1, 2), dt.date(2027, 1, 3))
    assert s.stale_days == 21
    default = read_grids(_grids([])).settings
    assert (default.closed_days, default.stale_days) == (Settings().closed_days, 14) == ((), 14)
    one_day = read_grids(_grids([["closed_days", dt.datetime(2026, 8, 13)]])).settings.closed_days
    assert one_day == (dt.date(2026, 8, 13),)


def test_closed_days_text_reads_back():
    days = parse_closed_days("2026-12-29~2027-01-03, 2026-08-13")
    assert parse_closed_days(closed_days_text(days)) == days
    assert closed_days_text(days) == "2026-08-13, 2026-12-29〜2027-01-03"


@pytest.mark.parametrize("item, value, reason", [
    ("休業日", "年末年始", "closed_days_invalid"),
    ("休業日", "2026-12-29, 12/30", "closed_days_invalid"),
    ("休業日", "2027-01-03〜2026-12-29", "closed_days_range"),
    ("休業日", "2026-01-01〜2027-06-01", "closed_days_range"),
    ("休業日", 3, "closed_days_invalid"),
    ("放置日数", 0, "stale_days_invalid"),
    ("放置日数", 7.5, "stale_days_invalid"),
    ("放置日数", "二週間", "stale_days_invalid"),
    ("放置日数", -3, "stale_days_invalid"),
])
def test_bad_rhythm_settings_name_sheet_row_column_and_reason(item, value, reason):
    problems = validate_grids(_grids([["言語", "ja"], [item, value]]))
    assert [(p.sheet, p.row, p.column, p.reason) for p in problems] == [("設定", 3, "値", reason)]
    ja, en = problems[0].message("ja"), problems[0].message("en")
    assert "3" in ja and "値" in ja and ja != en
    if reason == "closed_days_invalid":  # the message shows the form it reads
        assert "2026-12-29〜2027-01-03" in ja and "2026-12-29~2027-01-03" in en
