"""Working days as DOMAIN.md §9 counts them.

A working day is a Monday to Friday that is neither a Japanese public holiday (the
``holidays`` package's Japan calendar, substitute and citizens' holidays included) nor
a company closing day of 設定 休業日 (``Settings.closed_days``).  The check-in's
pro-rated targets, the report-discipline list and the reply-by date of the mails all
count days with one :class:`WorkCalendar`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

import holidays

from xlsales.compute.engine import month_end, month_start

_ONE_DAY = dt.timedelta(days=1)


@functools.lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[dt.date]:
    """Japan's public holidays of ``year`` (from the ``holidays`` package).

    Examples
    --------
    >>> dt.date(2026, 5, 6) in public_holidays(2026)  # 振替休日
    True
    """
    return frozenset(holidays.Japan(years=year))


@dataclass(frozen=True)
class WorkCalendar:
    """Which days the team works: weekdays minus public holidays minus ``closed``.

    Parameters
    ----------
    closed : frozenset of datetime.date
        The company's closing days (設定 休業日), already expanded from ranges.

    Examples
    --------
    >>> cal = WorkCalendar(frozenset({dt.date(2026, 12, 29)}))
    >>> cal.is_working_day(dt.date(2026, 12, 29)), cal.is_working_day(dt.date(2026, 12, 28))
    (False, True)
    >>> len(cal.month_days(dt.date(2026, 5, 1)))  # May 2026: 3, 4, 5 and 6 are holidays
    18
    """

    closed: frozenset[dt.date] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day."""
        return day.weekday() < 5 and day not in public_holidays(day.year) and day not in self.closed

    def days(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The working days from ``first`` to ``last``, both included (empty when last < first)."""
        out, day = [], first
        while day <= last:
            if self.is_working_day(day):
                out.append(day)
            day += _ONE_DAY
        return out

    def month_days(self, month: dt.date) -> list[dt.date]:
        """The working days of the month holding ``month``."""
        return self.days(month_start(month), month_end(month))

    def days_off(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The weekdays from ``first`` to ``last`` that are not working days.

        They are the holiday list that ``NETWORKDAYS(first, last, list)`` needs to count
        exactly :meth:`days`.
        """
        out, day = [], first
        while day <= last:
            if day.weekday() < 5 and not self.is_working_day(day):
                out.append(day)
            day += _ONE_DAY
        return out

    def next_day(self, day: dt.date) -> dt.date:
        """The first working day after ``day``."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def previous_day(self, day: dt.date) -> dt.date:
        """The last working day before ``day``."""
        day -= _ONE_DAY
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def on_or_after(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the next one."""
        return day if self.is_working_day(day) else self.next_day(day)

    def on_or_before(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the previous one."""
        return day if self.is_working_day(day) else self.previous_day(day)

    def nth_day(self, month: dt.date, n: int) -> dt.date:
        """The ``n``-th working day (1-based) of the month holding ``month``; it may run into
        the next month when the month has fewer."""
        day = self.on_or_after(month_start(month))
        for _ in range(n - 1):
            day = self.next_day(day)
        return day


def calendar_of(closed_days: Iterable[dt.date]) -> WorkCalendar:
    """The :class:`WorkCalendar` of 設定 休業日 (``Settings.closed_days``)."""
    return WorkCalendar(frozenset(closed_days))
