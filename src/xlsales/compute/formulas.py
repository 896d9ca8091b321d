"""The pure-Python core of the worksheet functions (``xlsales.excel.udfs``).

Each figure a worksheet function returns is computed here, from plain Python values,
by the domain engine (``compute.engine``), so a function in a cell and the generated
target/process sheet cannot disagree (DOMAIN.md §5):

- flows of a rep and month: :func:`funnel_counts` (``compute_scope``'s flows);
- the open pipeline of a stage and expected close month: :func:`pipeline_stock` and
  :func:`open_pipeline` (``compute_scope``'s stocks, with the sheet's snapshot day);
- derived cells: :func:`safe_ratio` (``IF(N(den)=0,"",N(num)/den)``) and
  :func:`weighted_forecast` (売上 + 商談◯金額 × w◯ + 商談△金額 × w△).

Reading what Excel hands a function is here too, so it is tested without Excel: a log
range becomes events through the master reader's own parsers (``read.cells.raw_sheet``
and ``validate.master``'s log rules: same labels, same leniency, same messages), and one cell
becomes a date, a month, a number or a key (:func:`date_from_cell`...).

Errors are ``ValueError`` subclasses that also are :class:`~xlsales.exceptions.XlsalesError`,
with a message in Japanese or English: :class:`~xlsales.exceptions.CellError` for one
argument, :class:`~xlsales.exceptions.LogTableError` for the rows of a log (every bad row
at once, by row number); both are defined in ``xlsales.exceptions`` and re-exported here.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence
from itertools import chain

from xlsales.compute.engine import (
    EXCEL_EPOCH,
    FLOW_COUNTS,
    STOCK_STAGES,
    Stock,
    compute_scope,
    month_end,
    month_start,
    stock_of,
)
from xlsales.exceptions import CellError, LogTableError
from xlsales.model import Event
from xlsales.read.cells import no_header_problem, raw_sheet
from xlsales.texts import label
from xlsales.validate.master import log_rows
from xlsales.validate.values import BadValue, parse_date, parse_month, parse_number, parse_text
from xlsales.vocab import OPEN_STAGES, normalize, parse_key

__all__ = [
    "FUNNEL_KEYS", "PIPELINE_STAGES", "CellError", "LogTableError", "date_from_cell", "events_from_grid",
    "events_from_table", "events_of_rep", "funnel_counts", "funnel_key", "month_from_cell", "number_from_cell",
    "open_pipeline", "pipeline_stock", "safe_ratio", "stage_key", "stock_value", "text_from_cell",
    "weighted_forecast",
]

# The flows of a rep and month, in funnel order (list → follow → visit → topic → deal →
# order), then sales and the lost ones.  Keys of ``engine.FLOW_KEYS`` and of labels.json
# section "row".
FUNNEL_KEYS: tuple[str, ...] = (
    "lists", "follows", "pre_reports", "visits", "post_reports", "new_topics", "new_deals", "orders", "sales",
    "lost", "lost_now", "lost_forever",
)
# What ``pipeline_stock`` reads: one open stage, every open stage, or 月初の商談.
PIPELINE_STAGES: tuple[str, ...] = (*OPEN_STAGES, "any", "month_start")
_STAGE_ALIASES = {
    "any": ("any", "all", "すべて", "全て", "全部"),
    "month_start": ("month_start", "start", "月初", "月初の商談"),
}
_STOCK_FIELDS = {"count": ("count", "件数"), "amount": ("amount", "金額")}
# Logs read by events_from_grid, by content (a dict keeps insertion order: oldest first).
_CACHE: dict[tuple, tuple[Event, ...]] = {}
_CACHE_SIZE = 8
# Excel's date serials (1900-01-01 .. 9999-12-31); the reader then keeps 1990..2100.
_SERIALS = (1.0, 2958466.0)


# ----------------------------------------------------------------------------------
# Public API: figures.
# ----------------------------------------------------------------------------------


def safe_ratio(num: object, den: object) -> float | None:
    """``num / den`` as the sheet's ratio guard ``IF(N(den)=0,"",N(num)/den)`` computes it.

    Parameters
    ----------
    num, den : object
        Cell values.  As Excel's ``N()``: a number is itself, anything else (blank,
        text, an error text) is 0.

    Returns
    -------
    float or None
        None (an empty cell) when the denominator is 0, blank, not a number or not
        finite; never a division error and never 0% for a gap (DOMAIN.md §5).

    Examples
    --------
    >>> safe_ratio(350, 8), safe_ratio(0, 5), safe_ratio(5, 0), safe_ratio(5, None), safe_ratio(5, "8")
    (43.75, 0.0, None, None, None)
    """
    d = _n(den)
    if d == 0 or not math.isfinite(d):
        return None
    return _n(num) / d


def funnel_counts(events: Sequence[Event], rep: str | None, month: dt.date) -> dict[str, float]:
    """The flows of DOMAIN.md §5 of ``rep`` (None: everyone) in ``month``.

    Parameters
    ----------
    events : sequence of Event
        A log in its row order (that order breaks same-day ties).
    rep : str or None
        The rep, compared as spreadsheet criteria compare text (case-insensitively);
        None or "" for the whole team.
    month : date
        Any day of the month.

    Returns
    -------
    dict
        :data:`FUNNEL_KEYS` -> value: ``sales`` (sum of order amounts) as a float, the
        counts as ints.  ``new_topics`` / ``new_deals`` follow each opportunity's history
        (``engine.event_facts``).  A month with no events gives zeros: blanking months
        after the as-of date is the sheet's business.

    Examples
    --------
    >>> funnel_counts([], "佐藤", dt.date(2026, 7, 1))["visits"]
    0
    """
    m = month_start(month)
    scope = compute_scope(events_of_rep(events, rep), [m], month_end(m))
    return {key: _count_or_amount(key, scope.flow(key, m)) for key in FUNNEL_KEYS}


def pipeline_stock(events: Sequence[Event], stage: str, close_month: dt.date, as_of: dt.date,
                   rep: str | None = None) -> Stock:
    """The open opportunities of ``stage`` expected to close in ``close_month``.

    The snapshot is the sheet's (DOMAIN.md §5): at the end of the last day of the month
    when the month ended before ``as_of``, at the end of ``as_of`` otherwise; for
    ``"month_start"`` (月初の商談), at the start of the month, or at ``as_of`` for a
    month after it.

    Parameters
    ----------
    events : sequence of Event
        A log in its row order.
    stage : {"topic", "deal_b", "deal_a", "any", "month_start"}
        One open stage, every open stage, or 月初の商談 (every open stage).
    close_month : date
        Any day of the expected close month.
    as_of : date
        The report date (the sheet's 基準日).
    rep : str, optional
        The rep (case-insensitive); None or "" for the whole team.

    Returns
    -------
    Stock
        ``count``, ``amount`` and ``top``: the three largest by amount (ties: the earlier
        stage event first), as the sheet names them.
    """
    if stage not in PIPELINE_STAGES:
        raise ValueError(f"unknown stage {stage!r}; use one of {', '.join(PIPELINE_STAGES)}")
    m = month_start(close_month)
    scope = compute_scope(events_of_rep(events, rep), [m], as_of)
    if stage == "month_start":
        return scope.month_start[m]
    if stage != "any":
        return scope.stocks[stage][m]
    stocks = [scope.stocks[s][m] for s in STOCK_STAGES]
    # The three largest of all stages are among the three largest of each.
    top = stock_of(chain.from_iterable(s.top for s in stocks)).top
    return Stock(count=sum(s.count for s in stocks), amount=sum(s.amount for s in stocks), top=top)


def open_pipeline(events: Sequence[Event], stage: str, close_month: dt.date, as_of: dt.date,
                  rep: str | None = None) -> tuple[int, float]:
    """``(count, amount)`` of :func:`pipeline_stock`: the 件数 and 金額 rows of the sheet.

    Examples
    --------
    >>> open_pipeline([], "deal_b", dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    (0, 0.0)
    """
    stock = pipeline_stock(events, stage, close_month, as_of, rep)
    return stock.count, stock.amount


def stock_value(stock: Stock, what: object = "count") -> float | str | None:
    """One figure of a stock: ``"count"`` (件数), ``"amount"`` (金額), or 1, 2, 3.

    A number n gives the customer of the n-th largest opportunity (商談◯1...), None
    when there are fewer than n.

    Raises
    ------
    CellError
        ``what`` is none of these.
    """
    if isinstance(what, (int, float)) and not isinstance(what, bool) and float(what) in (1.0, 2.0, 3.0):
        n = int(what)
        return stock.top[n - 1].customer if n <= len(stock.top) else None
    folded = normalize(what).casefold()
    if folded in _STOCK_FIELDS["count"] or not folded:
        return stock.count
    if folded in _STOCK_FIELDS["amount"]:
        return stock.amount
    if folded in ("1", "2", "3"):
        return stock_value(stock, int(folded))
    raise CellError("what", "unknown_choice", choices_ja="件数、金額、1、2、3", choices_en="count, amount, 1, 2, 3")


def weighted_forecast(sales: object, deal_a_amount: object, deal_b_amount: object, w_a: float = 0.7,
                      w_b: float = 0.3) -> float:
    """売上予測: 売上 + 商談◯金額 × w◯ + 商談△金額 × w△ (DOMAIN.md §5).

    Blank or non-numeric amounts count as 0, as ``N()`` does in the sheet's formula;
    the sum is taken in the sheet's order so the result is the same to the last bit.

    Examples
    --------
    >>> weighted_forecast(100, 60, 100)
    172.0
    """
    return _n(sales) + _n(deal_a_amount) * w_a + _n(deal_b_amount) * w_b


# ----------------------------------------------------------------------------------
# Public API: reading what Excel hands a function.
# ----------------------------------------------------------------------------------


def events_from_table(header_row: Sequence[object], rows: Sequence[Sequence[object]], *,
                      sheet: str | None = None) -> list[Event]:
    """Events from an activity-log range as Excel hands it to a function.

    Parameters
    ----------
    header_row : sequence
        The log's headers, ja or en (DOMAIN.md §3), in any order; unknown headers (the
        hidden helper columns of a generated log, for one) are ignored.
    rows : sequence of sequences
        The cells under it: dates as ``datetime`` or as Excel serial numbers, amounts
        as numbers or text ("1,200"), labels in either language, blanks as None or "".
        Rows with every known cell blank are skipped, and so are rows whose only value
        is a 担当者: the spare rows of a per-person workbook, where the build filled in
        the rep (``layout.process.is_spare_row``); a name alone is no activity.
    sheet : str, optional
        The sheet name used in messages (default 活動ログ).

    Returns
    -------
    list of Event
        In row order; ``Event.row`` is the row within the range (the header is row 1,
        which is the sheet's row when the range starts in row 1, as ActivityLog does).

    Raises
    ------
    LogTableError
        No header row, or some rows break the rules: every problem at once, each with
        its row number, column and reason (the master reader's messages).

    Examples
    --------
    >>> evs = events_from_table(["日付", "担当者", "区分", "顧客"],
    ...                         [[dt.datetime(2026, 7, 2), "佐藤", "訪問", "A社"], [None, "", None, None]])
    >>> [(e.row, e.date, e.activity) for e in evs]
    [(2, datetime.date(2026, 7, 2), 'visit')]
    >>> len(events_from_table(["日付", "担当者", "区分"], [[None, "佐藤", None]]))
    0
    """
    header = list(header_row)
    grid = [header, *(_dates_from_serials(header, row) for row in rows)]
    raw = raw_sheet(sheet or label("sheet", "log", "ja"), "log", grid)
    if raw.header_row != 1:
        raise LogTableError([no_header_problem(raw.name, "log")])
    raw.rows = [(row, values) for row, values in raw.rows
                if any(v is not None for k, v in values.items() if k != "rep")]
    parsed = log_rows(raw, None)  # reps None: a function's range has no Members sheet to check against
    if parsed.problems:
        raise LogTableError(parsed.problems)
    return parsed.items


def events_from_grid(grid: Sequence[Sequence[object]]) -> list[Event]:
    """:func:`events_from_table` of a 2-D range whose first row is the header.

    The last few ranges read are remembered: a sheet full of functions over one log
    reads it once, not once per cell.
    """
    if not grid:
        raise LogTableError([no_header_problem(label("sheet", "log", "ja"), "log")])
    try:
        key = _cache_key(grid)
        events = _CACHE.pop(key, None)
    except TypeError:  # an unhashable cell, which Excel never hands over: read it uncached
        return events_from_table(grid[0], grid[1:])
    if events is None:
        events = tuple(events_from_table(grid[0], grid[1:]))
    _CACHE[key] = events  # most recently used last
    while len(_CACHE) > _CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    return list(events)


def date_from_cell(value: object, argument: str = "date") -> dt.date:
    """A date argument: a date cell, an Excel serial number (``=TODAY()``) or text such as 2026/7/1.

    Raises
    ------
    CellError
        Blank, or not a date the master reader would accept.
    """
    return _parse(_serial_date(value), parse_date, argument)


def month_from_cell(value: object, argument: str = "month") -> dt.date:
    """A month argument as its first day: any date of it, a serial number, or text such as 2026-07."""
    return _parse(_serial_date(value), parse_month, argument)


def number_from_cell(value: object, argument: str, *, percent: bool = False) -> float | None:
    """A number argument (text such as "1,200" or, with ``percent``, "70%" too); None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _parse(value, functools.partial(parse_number, percent=percent), argument)


def text_from_cell(value: object) -> str:
    """A text argument, normalised as the log's cells are (NFKC, trimmed; 12.0 -> "12")."""
    return "" if value is None else parse_text(value)


def funnel_key(value: object) -> str:
    """The :data:`FUNNEL_KEYS` key of a metric: its key, its row label (訪問件数, Visits)
    or its activity (訪問, Visit).

    Raises
    ------
    CellError
        No such metric.
    """
    key = parse_key("row", value)
    if key not in FUNNEL_KEYS:
        activity = parse_key("activity", value)
        key = next((k for k, a in FLOW_COUNTS.items() if a == activity), None)
    if key is None:
        raise CellError("metric", "unknown_choice",
                        choices_ja="、".join(label("row", k, "ja") for k in FUNNEL_KEYS),
                        choices_en=", ".join(label("row", k, "en") for k in FUNNEL_KEYS))
    return key


def stage_key(value: object) -> str:
    """The :data:`PIPELINE_STAGES` key of a stage: an open stage's key or label (商談△,
    Deal ◯, 話題), any / すべて, or month_start / 月初.

    Raises
    ------
    CellError
        No such stage.
    """
    key = parse_key("activity", value)
    if key in OPEN_STAGES:
        return key
    folded = normalize(value).casefold()
    for stage, aliases in _STAGE_ALIASES.items():
        if folded in aliases:
            return stage
    stages = [label("activity", s, "ja") for s in OPEN_STAGES]
    raise CellError("stage", "unknown_choice", choices_ja="、".join([*stages, "すべて", "月初"]),
                    choices_en=", ".join([*(label("activity", s, "en") for s in OPEN_STAGES), "any", "month_start"]))


def events_of_rep(events: Sequence[Event], rep: str | None) -> list[Event]:
    """The events of ``rep`` in log order, matched as COUNTIFS matches text; all for None or ""."""
    wanted = normalize(rep).casefold()
    if not wanted:
        return list(events)
    return [ev for ev in events if normalize(ev.rep).casefold() == wanted]


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------


def _n(value: object) -> float:
    # Excel's N(): numbers (TRUE is 1) stay, anything else is 0.
    return float(value) if isinstance(value, (int, float)) else 0.0


def _count_or_amount(key: str, value: float) -> float:
    return float(value) if key == "sales" else int(value)


def _serial_date(value: object) -> object:
    # A date typed in a cell arrives as a datetime; a date computed in the argument
    # itself (=TODAY(), =DATE(2026,7,1)) or a cell formatted as a number, as its serial.
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _SERIALS[0] <= value <= _SERIALS[1]:
        return dt.datetime.combine(EXCEL_EPOCH, dt.time()) + dt.timedelta(days=math.floor(value))
    return value


def _dates_from_serials(header: list[object], row: Sequence[object]) -> list[object]:
    row = list(row)
    for j, head in enumerate(header[: len(row)]):
        if isinstance(head, str) and parse_key("log", head) in ("date", "close_month"):
            row[j] = _serial_date(row[j])
    return row


def _parse(value: object, parse, argument: str):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError(argument, "required")
    try:
        return parse(value)
    except BadValue as bad:
        raise CellError(argument, bad.reason, **bad.params) from None


def _cache_key(grid: Sequence[Sequence[object]]) -> tuple:
    # Built with C-level loops: a log of 10,000 rows is keyed in milliseconds.  True == 1
    # in Python, so a grid holding booleans keeps them apart from numbers explicitly.
    key = tuple(map(tuple, grid))
    if bool in set(map(type, chain.from_iterable(grid))):
        key = tuple(tuple(("bool", v) if isinstance(v, bool) else v for v in row) for row in key)
    return key
