"""Cell values as DOMAIN.md reads them: dates, months, numbers, texts and choices.

Each parser reads one cell and raises :class:`BadValue` with a messages.json key when the
value breaks a rule; the sheet validators (``master``) turn that into a Problem with its
sheet, row and column, and the worksheet functions into a cell error.  Nothing is
guessed: a value that could be read two ways (``7/1``, ``01/07/2026``) is refused with
the form that would be accepted.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable

from xlsales.model import ReplyBy
from xlsales.texts import label, labels
from xlsales.vocab import normalize, parse_key

YEARS = (1990, 2100)  # dates outside are typos (2062 for 2026, 26 for 2026...)
# Era -> (offset to the Western year, first day, last day); 元年 is year 1.
_ERAS: dict[str, tuple[int, dt.date, dt.date | None]] = {
    "令和": (2018, dt.date(2019, 5, 1), None),
    "平成": (1988, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
}
_ERA_LETTERS = {"R": "令和", "H": "平成"}


class BadValue(Exception):
    """A cell's value breaks a rule: ``reason`` is a messages.json key."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def parse_text(value: object) -> str:
    """A cell as normalised text (NFKC, trimmed, ○ -> ◯); ``12.0`` becomes ``"12"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return normalize(value)


def parse_date(value: object) -> dt.date:
    """A date cell, or text in a form that needs no guess (2026/7/1, 2026年7月1日, 令和8年7月1日, R8.7.1).

    A time of day is dropped.  ``7/1``, ``01/07/2026`` and numbers are refused.
    """
    if isinstance(value, dt.datetime):
        return _in_years(value.date())
    if isinstance(value, dt.date):
        return _in_years(value)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadValue("date_unreadable")
    if isinstance(value, (int, float)):
        raise BadValue("date_number")
    text = _compact(value)
    for form in _DATE_FORMS:
        m = form.fullmatch(text)
        if m:
            return _make_date(_year(m), int(m["m"]), int(m["d"]), m.groupdict().get("era"))
    if _NUMBER_TEXT.fullmatch(text):
        raise BadValue("date_number")
    if _GUESS.fullmatch(text):
        raise BadValue("date_guess")
    raise BadValue("date_unreadable")


def parse_month(value: object) -> dt.date:
    """A month as its first day: 2026-07, 2026/07, 2026年7月, 令和8年7月, R8.7, or any date of it."""
    if isinstance(value, str):
        text = _compact(value)
        for form in _MONTH_FORMS:
            m = form.fullmatch(text)
            if m:
                return _make_month(_year(m), int(m["m"]), m.groupdict().get("era"))
    try:
        return parse_date(value).replace(day=1)
    except BadValue as bad:
        if bad.reason in ("date_year_range", "date_era_range", "date_impossible"):
            raise
        raise BadValue("month_unreadable") from None


def parse_number(value: object, *, minimum: float | None = 0, maximum: float | None = None,
                 integer: bool = False, percent: bool = False) -> float:
    """A number cell, or text of digits with well-formed thousands separators ("1,200").

    Full-width digits are read (NFKC).  ``percent`` also reads "70%" as 0.7.  Units
    ("100万円"), misplaced commas ("1,2") and values outside ``minimum``..``maximum``
    are refused.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadValue("number_unreadable")
    number = _number_from_text(value, percent) if isinstance(value, str) else float(value)
    if not math.isfinite(number):
        raise BadValue("number_unreadable")
    if minimum == 0 and number < 0:
        raise BadValue("number_negative")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise BadValue("number_range", minimum=number_text(minimum), maximum=number_text(maximum))
    if integer:
        if not number.is_integer():
            raise BadValue("number_integer")
        return int(number)
    return number


_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ERA_YEAR = r"(?P<y>\d{1,2}|元)"
_DATE_FORMS = [re.compile(p + _TIME, re.IGNORECASE) for p in (
    r"(?P<y>\d{4})(?P<s>[/.\-])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})",
    r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日",
    r"(?P<era>令和|平成)" + _ERA_YEAR + r"年(?P<m>\d{1,2})月(?P<d>\d{1,2})日",
    r"(?P<era>[RH])" + _ERA_YEAR + r"(?P<s>[/.\-])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})",
)]
_MONTH_FORMS = [re.compile(p, re.IGNORECASE) for p in (
    r"(?P<y>\d{4})[/.\-](?P<m>\d{1,2})",
    r"(?P<y>\d{4})年(?P<m>\d{1,2})月",
    r"(?P<era>令和|平成)" + _ERA_YEAR + r"年(?P<m>\d{1,2})月",
    r"(?P<era>[RH])" + _ERA_YEAR + r"[/.\-](?P<m>\d{1,2})",
)]
# Dates whose year is missing or whose day/month order is a guess: 7/1, 7月1日, 01/07/2026, 26/7/1.
_GUESS = re.compile(r"(?:\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{1,4})?|\d{1,2}月\d{1,2}日?)" + _TIME)
_NUMBER_TEXT = re.compile(r"[+\-]?\d+(?:\.\d+)?")
_NUMBER = re.compile(r"(?P<sign>[+\-])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?")
_MISPLACED_COMMA = re.compile(r"[+\-]?[\d,]*\d,[\d,]*(?:\.\d+)?")


def _compact(text: str) -> str:
    # NFKC turns full-width digits and ／ into ASCII (and ㋿ into 令和); spaces around a
    # separator are typing noise: "2026 / 7 / 1".
    s = normalize(text).replace("\u2212", "-")
    s = re.sub(r"\s*([/.\-年月日])\s*", r"\1", s)
    return re.sub(r"\s+", " ", s)


def _year(m: re.Match) -> int:
    span = _era(m.groupdict().get("era"))
    if span is None:
        return int(m["y"])
    return span[0] + (1 if m["y"] == "元" else int(m["y"]))


def _era(name: str | None) -> tuple[int, dt.date, dt.date | None] | None:
    """(offset, first day, last day) of an era written 令和/平成 or R/H; None for none."""
    if not name:
        return None
    return _ERAS[_ERA_LETTERS.get(name.upper(), name)]


def _make_date(year: int, month: int, day: int, era: str | None) -> dt.date:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise BadValue("date_impossible") from None
    span = _era(era)
    if span and not (span[1] <= date <= (span[2] or dt.date.max)):
        raise BadValue("date_era_range")
    return _in_years(date)


def _make_month(year: int, month: int, era: str | None) -> dt.date:
    if not 1 <= month <= 12:
        raise BadValue("month_impossible")
    first = dt.date(year, month, 1)
    span = _era(era)
    if span and not (span[1].replace(day=1) <= first <= (span[2] or dt.date.max)):
        raise BadValue("date_era_range")
    return _in_years(first)


def _in_years(date: dt.date) -> dt.date:
    if not YEARS[0] <= date.year <= YEARS[1]:
        raise BadValue("date_year_range", first=YEARS[0], last=YEARS[1])
    return date


def _number_from_text(text: str, percent: bool) -> float:
    s = normalize(text).replace("\u2212", "-").replace(" ", "")
    scale = 1.0
    if percent and s.endswith("%"):
        s, scale = s[:-1], 0.01
    m = _NUMBER.fullmatch(s)
    if m is None:
        raise BadValue("number_thousands" if _MISPLACED_COMMA.fullmatch(s) else "number_unreadable")
    number = float(m["int"].replace(",", "") + (m["frac"] or "")) * scale
    return -number if m["sign"] == "-" else number


def number_text(number: float | None) -> str:
    """A number as messages and fingerprints write it: ``12`` for 12.0, ``""`` for None."""
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def parse_email(value: object) -> str:
    text = parse_text(value)
    if "@" not in text.strip("@"):
        raise BadValue("email_invalid")
    return text


def parse_leader(value: object) -> bool:
    """リーダー: ◯ (also ○, 〇, o, yes, y, true, 1, ✓) marks the leader; blank is handled by the caller."""
    if isinstance(value, bool):
        return value
    text = _compact(str(value)).casefold() if not isinstance(value, (int, float)) else str(int(value))
    if text in ("◯", "○", "〇", "o", "yes", "y", "true", "1", "✓", "✔", "はい"):
        return True
    if text in ("no", "n", "false", "0", "×", "x", "いいえ", "-"):
        return False
    raise BadValue("leader_invalid")


def parse_security(value: object) -> str:
    """SMTP暗号化: starttls, ssl or none (any case; なし is none)."""
    text = parse_text(value).strip().casefold()
    text = {"なし": "none", "tls": "starttls", "ssl/tls": "ssl"}.get(text, text)
    if text not in ("starttls", "ssl", "none"):
        raise BadValue("smtp_security_invalid")
    return text


def parse_port(value: object) -> int:
    """SMTPポート: a whole number 1..65535."""
    try:
        number = parse_number(value, minimum=1, maximum=65535, integer=True)
    except BadValue:
        raise BadValue("port_invalid") from None
    return int(number)


_REPLY_DAY = re.compile(r"(?:day)?(\d{1,2})(?:日)?")


def parse_reply_by(value: object) -> ReplyBy:
    """返送期限: a number N (the Nth working day of next month, 1..23) or "15日" / "day 15"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == int(value) and 1 <= value <= 23:
            return ReplyBy(int(value), working_days=True)
        raise BadValue("reply_by_invalid")
    text = _compact(str(value)).casefold().replace(" ", "")
    if text.isdigit() and 1 <= int(text) <= 23:
        return ReplyBy(int(text), working_days=True)
    m = _REPLY_DAY.fullmatch(text)
    if m and not text.isdigit() and 1 <= int(m[1]) <= 31:
        return ReplyBy(int(m[1]), working_days=False)
    raise BadValue("reply_by_invalid")


_CLOSED_SEPARATORS = re.compile(r"[,、，;；\n]+")
_RANGE_MARK = re.compile(r"\s*(?:〜|～|~|〜|から|to)\s*", re.IGNORECASE)


def parse_closed_days(value: object) -> tuple[dt.date, ...]:
    """休業日: dates or ranges ``YYYY-MM-DD〜YYYY-MM-DD``, comma-separated, as sorted days.

    One date cell is read as that day.  A range holds both ends and at most 366 days.

    Examples
    --------
    >>> parse_closed_days("2026-12-29〜2026-12-31, 2027/1/4")
    (datetime.date(2026, 12, 29), datetime.date(2026, 12, 30), datetime.date(2026, 12, 31), datetime.date(2027, 1, 4))
    """
    if isinstance(value, (dt.date, dt.datetime)):
        return (parse_date(value),)
    if not isinstance(value, str):
        raise BadValue("closed_days_invalid", part=str(value))
    days: set[dt.date] = set()
    for part in _CLOSED_SEPARATORS.split(value.strip()):
        part = part.strip()
        if not part:
            continue
        ends = _RANGE_MARK.split(part)
        if len(ends) > 2:
            raise BadValue("closed_days_invalid", part=part)
        try:
            first, last = parse_date(ends[0]), parse_date(ends[-1])
        except BadValue:
            raise BadValue("closed_days_invalid", part=part) from None
        if last < first or (last - first).days >= 366:
            raise BadValue("closed_days_range", part=part)
        days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return tuple(sorted(days))


def closed_days_text(days: tuple[dt.date, ...] | list[dt.date], *, separator: str = "〜") -> str:
    """休業日 written back in the form :func:`parse_closed_days` reads: runs of days as ranges.

    Examples
    --------
    >>> closed_days_text([dt.date(2026, 12, 29), dt.date(2026, 12, 30), dt.date(2027, 1, 4)])
    '2026-12-29〜2026-12-30, 2027-01-04'
    """
    runs: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(r[0].isoformat() if len(r) == 1 else f"{r[0].isoformat()}{separator}{r[-1].isoformat()}"
                     for r in runs)


def parse_stale_days(value: object) -> int:
    """放置日数: a whole number of days, 1 or more."""
    try:
        return int(parse_number(value, minimum=1, integer=True))
    except BadValue:
        raise BadValue("stale_days_invalid") from None


def parse_rate(value: object) -> float:
    """A conversion rate typed on 設定 (受注率, 商談化率, 話題化率, アポ率): above 0, at most 100%.

    Examples
    --------
    >>> parse_rate("25%"), parse_rate(0.7)
    (0.25, 0.7)
    """
    try:
        number = parse_number(value, percent=True)
    except BadValue:
        raise BadValue("rate_invalid") from None
    if not 0 < number <= 1:
        raise BadValue("rate_invalid")
    return number


def parse_ratio(value: object) -> float:
    """A ratio above 0 that may exceed 1 (リスト→フォロー比)."""
    try:
        number = parse_number(value)
    except BadValue:
        raise BadValue("ratio_invalid") from None
    if number <= 0:
        raise BadValue("ratio_invalid")
    return number


def parse_cap(value: object) -> float:
    """達成率上限: a percentage of 100% or more (1.5 = 150%)."""
    try:
        number = parse_number(value, percent=True)
    except BadValue:
        raise BadValue("cap_invalid") from None
    if number < 1:
        raise BadValue("cap_invalid")
    return number


def parse_weight(value: object) -> float:
    """A weight of 評価設定 (結果, プロセス): 0% to 100%, typed as 80% or 0.8.

    Examples
    --------
    >>> parse_weight("80%"), parse_weight(0.2)
    (0.8, 0.2)
    """
    try:
        number = parse_number(value, percent=True)
    except BadValue:
        raise BadValue("weight_invalid") from None
    if not 0 <= number <= 1:
        raise BadValue("weight_invalid")
    return round(number, 10)  # "70%" is 70 × 0.01 = 0.7000000000000001


def parse_period(text: object) -> tuple[dt.date, dt.date]:
    """An evaluation period ``YYYY-MM:YYYY-MM`` (each month in any form ``parse_month``
    reads): its first and last months, the last not before the first.

    Examples
    --------
    >>> parse_period("2026-04:2026-10")
    (datetime.date(2026, 4, 1), datetime.date(2026, 10, 1))
    """
    parts = normalize(text).split(":") if isinstance(text, str) else []
    if len(parts) != 2:
        raise BadValue("period_invalid")
    try:
        first, last = parse_month(parts[0].strip()), parse_month(parts[1].strip())
    except BadValue:
        raise BadValue("period_invalid") from None
    if last < first:
        raise BadValue("period_reversed", first=first.strftime("%Y-%m"), last=last.strftime("%Y-%m"))
    return first, last


def parse_language(value: object) -> str:
    text = parse_text(value).lower()
    if text not in ("ja", "en"):
        raise BadValue("unknown_choice", choices_ja="ja, en", choices_en="ja, en")
    return text


@functools.lru_cache(maxsize=None)
def choice_parser(section: str, allowed: tuple[str, ...] | None = None) -> Callable[[object], str]:
    """A parser reading the ja label, en label or key of ``section`` (e.g. 区分 -> activity key)."""
    keys = allowed or tuple(labels(section, "ja"))
    params = {"choices_ja": "、".join(label(section, k, "ja") for k in keys),
              "choices_en": ", ".join(label(section, k, "en") for k in keys)}

    def parse(value: object) -> str:
        key = parse_key(section, value)
        if key is None or key not in keys:
            raise BadValue("unknown_choice", **params)
        return key

    return parse


def parse_note(value: object) -> str:
    """Free text that nothing compares: kept as typed (only trimmed), so ① stays ①."""
    return parse_text(value) if not isinstance(value, str) else value.strip()
