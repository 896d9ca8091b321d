"""Worksheet functions (``XS_``...) of the xlsales add-in, through xlwings.

Each function only converts what Excel hands it into core types and calls the core
(``xlsales.compute.formulas``, ``xlsales.compute.plan``), where every figure is computed
by the domain engine and tested: ``=XS_FUNNEL(...)`` in a cell and the generated
target/process sheet cannot disagree.  The wizard's descriptions of the arguments are in
``workbook_templates/labels.json`` (section ``udf_arg``, shown as "ja / en").

Using them
----------
Worksheet functions need the free xlwings add-in on Windows Excel (xlwings' UDFs are
Windows-only): set ``UDF Modules`` to ``xlsales.excel.udfs`` in the xlwings ribbon tab (or
in ``xlwings.conf``) and click *Import Functions*.  They then appear in the function
wizard under the category ``xlsales``, with a description of each argument.

Pass the activity log with its header row, e.g. ``ActivityLog[#All]`` or
``活動ログ!A1:I5000``.  Reading a log is remembered by content, so a sheet full of
functions over one log reads it once.  Row numbers in messages count from the first
row of that range (the header is row 1).

Results
-------
- A gap (a ratio whose denominator is 0 or empty, a deal that does not exist) is an
  empty string: the cell looks empty, as the sheet's ``IF(N(den)=0,"",...)`` does.
- Several values come back as a 2-D list: Excel 365 spills it; older Excel needs it
  entered as an array formula (select the cells, Ctrl+Shift+Enter).
- Bad input (an unreadable date, an unknown stage, a bad log row...) returns a short
  text starting with ``#XS:``, in the language of ``XLSALES_LANG`` (ja by default),
  e.g. ``#XS: month: 月として読み取れません…``.  A raised exception would show
  xlwings' full Python traceback in the cell; the text says what to fix, and a formula
  that uses the result still fails with ``#VALUE!``.  Anything else (a bug) is raised
  and shows the traceback, to be reported.

Arguments carry no type annotations on purpose: xlwings reads annotations as
converters.  Missing optional arguments arrive as their Python defaults, blank cells as
None.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import xlwings as xw

from xlsales.compute import formulas as core
from xlsales.compute.plan import PLAN_KEYS, plan_label, reverse_plan, spread
from xlsales.exceptions import XlsalesError
from xlsales.texts import check_lang, label, message_text

__all__ = [
    "ERROR_PREFIX", "XS_FORECAST", "XS_FUNNEL", "XS_FUNNEL_ROW", "XS_PIPELINE", "XS_RATIO", "XS_REVERSE_PLAN",
    "XS_SPREAD",
]

#: What every error result starts with.
ERROR_PREFIX = "#XS: "
#: The function wizard's category of every function.
CATEGORY = "xlsales"


def _doc(argument: str) -> str:
    # The function wizard's description of an argument, both languages at once: xlwings
    # reads it when the module is imported, before anyone chose a language.
    return f"{label('udf_arg', argument, 'ja')} / {label('udf_arg', argument, 'en')}"


@xw.func(category=CATEGORY)
@xw.arg("num", doc=_doc("num"))
@xw.arg("den", doc=_doc("den"))
def XS_RATIO(num, den):
    """分子÷分母。分母が 0・空欄なら空欄（#DIV/0! にも 0% にもしない）。
    num / den, blank (not #DIV/0!, not 0%) when the denominator is 0 or empty.

    The sheet's ratio guard ``IF(N(den)=0,"",N(num)/den)``: 受注単価, 達成率, アポ率...

    Parameters
    ----------
    num : number
        Numerator; blank or text counts as 0.
    den : number
        Denominator.

    Returns
    -------
    float or ""
    """
    return _safely(lambda: _blank(core.safe_ratio(num, den)))


@xw.func(category=CATEGORY)
@xw.arg("log", ndim=2, err_to_str=True, doc=_doc("log"))
@xw.arg("rep", doc=_doc("rep"))
@xw.arg("month", doc=_doc("month"))
@xw.arg("metric", doc=_doc("metric"))
def XS_FUNNEL(log, rep, month, metric):
    """担当者・月の件数や金額（訪問件数、話題化件数、受注件数、売上…）を活動ログから数えます。
    One flow of a rep and month from the activity log: visits, new topics, orders, sales...

    The same figure as the target/process sheet's row of that name (DOMAIN.md §5).

    Parameters
    ----------
    log : range
        The activity log with its header row.
    rep : text
        The rep; blank for the whole team.
    month : date or text
        Any date of the month, or 2026-07.
    metric : text
        A row label (リスト件数, フォロー件数, 外出前報告, 訪問件数, 外出後報告, 話題化件数,
        商談化件数, 受注件数, 売上, 当月ボツ件数, ボツ（今だめ）, ボツ（ずっとだめ）), its
        English label, its key (``visits``) or its activity (訪問).

    Returns
    -------
    number
    """
    def run():
        counts = core.funnel_counts(core.events_from_grid(log), _rep(rep), core.month_from_cell(month, "month"))
        return counts[core.funnel_key(metric)]

    return _safely(run)


@xw.func(category=CATEGORY)
@xw.arg("log", ndim=2, err_to_str=True, doc=_doc("log"))
@xw.arg("rep", doc=_doc("rep"))
@xw.arg("month", doc=_doc("month"))
@xw.arg("with_labels", doc=_doc("with_labels"))
@xw.arg("lang", doc=_doc("lang"))
def XS_FUNNEL_ROW(log, rep, month, with_labels=False, lang=None):
    """担当者・月のファネルの件数を横一列で返します（リスト→フォロー→訪問→話題化→商談化→受注、売上、ボツ）。
    The whole funnel of a rep and month as one row: lists, follow-ups, visits, topics, deals, orders, sales, lost.

    Columns: リスト件数, フォロー件数, 外出前報告, 訪問件数, 外出後報告, 話題化件数,
    商談化件数, 受注件数, 売上, 当月ボツ件数, ボツ（今だめ）, ボツ（ずっとだめ）.

    Parameters
    ----------
    log : range
        The activity log with its header row.
    rep : text
        The rep; blank for the whole team.
    month : date or text
        Any date of the month, or 2026-07.
    with_labels : bool, default FALSE
        Add a row of labels above the values.
    lang : {"ja", "en"}, optional
        Language of the labels.

    Returns
    -------
    2-D array
        One row of 12 values (two rows with labels); spills in Excel 365.
    """
    def run():
        counts = core.funnel_counts(core.events_from_grid(log), _rep(rep), core.month_from_cell(month, "month"))
        values = [counts[k] for k in core.FUNNEL_KEYS]
        if not _flag(with_labels, False):
            return [values]
        return [[label("row", k, _lang(lang)) for k in core.FUNNEL_KEYS], values]

    return _safely(run)


@xw.func(category=CATEGORY)
@xw.arg("log", ndim=2, err_to_str=True, doc=_doc("log"))
@xw.arg("stage", doc=_doc("stage"))
@xw.arg("close_month", doc=_doc("close_month"))
@xw.arg("as_of", doc=_doc("as_of"))
@xw.arg("rep", doc=_doc("rep"))
@xw.arg("what", doc=_doc("what"))
def XS_PIPELINE(log, stage, close_month, as_of, rep=None, what="count"):
    """受注予定月別の商談（ヨミ）: 段階と受注予定月の件数・金額・上位の顧客名を基準日時点で返します。
    The open pipeline of a stage and expected close month at the as-of date: count, amount or the n-th largest.

    As the target/process sheet computes it (DOMAIN.md §5): a month that ended before
    the as-of date is seen at its last day; 月初 is the pipeline at the start of the month.

    Parameters
    ----------
    log : range
        The activity log with its header row.
    stage : text
        商談◯, 商談△, 話題 (or Deal ◯, Deal △, Topic, deal_a, deal_b, topic), すべて / any
        for every open stage, 月初 / month_start for 月初の商談.
    close_month : date or text
        Any date of the expected close month, or 2026-07.
    as_of : date
        The report date.
    rep : text, optional
        The rep; blank for the whole team.
    what : text or number, default "count"
        件数 / count, 金額 / amount, or 1, 2, 3 for the customer of the n-th largest
        opportunity (blank when there is none; the customer only, where the team sheet
        adds the rep in brackets).

    Returns
    -------
    number or text
    """
    def run():
        stock = core.pipeline_stock(core.events_from_grid(log), core.stage_key(stage),
                                    core.month_from_cell(close_month, "close_month"),
                                    core.date_from_cell(as_of, "as_of"), _rep(rep))
        return _blank(core.stock_value(stock, what))

    return _safely(run)


@xw.func(category=CATEGORY)
@xw.arg("sales", doc=_doc("sales"))
@xw.arg("deal_a_amount", doc=_doc("deal_a_amount"))
@xw.arg("deal_b_amount", doc=_doc("deal_b_amount"))
@xw.arg("w_a", doc=_doc("w_a"))
@xw.arg("w_b", doc=_doc("w_b"))
def XS_FORECAST(sales, deal_a_amount, deal_b_amount, w_a=0.7, w_b=0.3):
    """売上予測 = 売上 + 商談◯金額×◯の確度 + 商談△金額×△の確度。
    Sales forecast: sales + Deal ◯ amount × its weight + Deal △ amount × its weight.

    Blank amounts count as 0; blank weights are the defaults (70%, 30%).

    Parameters
    ----------
    sales, deal_a_amount, deal_b_amount : number
        The month's figures (e.g. cells of the target/process sheet).
    w_a, w_b : number, optional
        Weights, as 0.7 or 70%.

    Returns
    -------
    number
    """
    def run():
        weights = [_or(core.number_from_cell(w, name, percent=True), default)
                   for w, name, default in ((w_a, "w_a", 0.7), (w_b, "w_b", 0.3))]
        return core.weighted_forecast(sales, deal_a_amount, deal_b_amount, *weights)

    return _safely(run)


@xw.func(category=CATEGORY)
@xw.arg("annual_target", doc=_doc("annual_target"))
@xw.arg("unit_price", doc=_doc("unit_price"))
@xw.arg("win_rate", doc=_doc("win_rate"))
@xw.arg("deal_rate", doc=_doc("deal_rate"))
@xw.arg("topic_rate", doc=_doc("topic_rate"))
@xw.arg("appointment_rate", doc=_doc("appointment_rate"))
@xw.arg("last_year_sales", doc=_doc("last_year_sales"))
@xw.arg("retention", doc=_doc("retention"))
@xw.arg("list_rate", doc=_doc("list_rate"))
@xw.arg("lang", doc=_doc("lang"))
def XS_REVERSE_PLAN(annual_target, unit_price, win_rate, deal_rate, topic_rate, appointment_rate,
                    last_year_sales=None, retention=None, list_rate=None, lang=None):
    """年間目標の逆算: 売上目標から必要な受注・商談・話題・訪問・フォロー（・リスト）件数を縦に返します（件数は切り上げ）。
    Reverse plan: the orders, deals, topics, visits and follow-ups an annual target needs (rounded up).

    DOMAIN.md §6: (target − last year's sales × retention) ÷ unit price = orders;
    ÷ 受注率 = deals; ÷ 商談化率 = topics; ÷ 話題化率 = visits; ÷ アポ率 = follow-ups;
    ÷ list rate = list entries.

    Parameters
    ----------
    annual_target, unit_price : number
        The annual sales target and the order unit price.
    win_rate, deal_rate, topic_rate, appointment_rate : number
        Rates as 0.25 or 25%.
    last_year_sales, retention, list_rate : number, optional
        Blank: 0, 100% and no list row.
    lang : {"ja", "en"}, optional
        Language of the labels.

    Returns
    -------
    2-D array
        Rows of (label, value): 売上目標, 前年実績×継続率, 新規で必要な売上, 受注件数,
        商談化件数, 話題化件数, 訪問件数, フォロー件数 and, with a list rate, リスト件数.
    """
    def run():
        number = core.number_from_cell
        plan = reverse_plan(
            number(annual_target, "annual_target"),
            last_year_sales=number(last_year_sales, "last_year_sales"),
            retention=number(retention, "retention", percent=True),
            unit_price=number(unit_price, "unit_price"),
            win_rate=number(win_rate, "win_rate", percent=True),
            deal_rate=number(deal_rate, "deal_rate", percent=True),
            topic_rate=number(topic_rate, "topic_rate", percent=True),
            appointment_rate=number(appointment_rate, "appointment_rate", percent=True),
            list_rate=number(list_rate, "list_rate", percent=True),
        )
        return [[plan_label(k, _lang(lang)), plan[k]] for k in PLAN_KEYS if k in plan]

    return _safely(run)


@xw.func(category=CATEGORY)
@xw.arg("total", doc=_doc("total"))
@xw.arg("pattern", ndim=2, doc=_doc("pattern"))
@xw.arg("integer", doc=_doc("integer"))
def XS_SPREAD(total, pattern, integer=True):
    """年間の数値を前年の月別パターンの比率で配分します（整数なら合計が必ず一致、パターンなしなら均等）。
    Spreads an annual figure over months by last year's pattern; whole shares add up exactly.

    Largest-remainder rounding: each month gets the floor of its exact share, the units
    left go to the largest remainders (ties: the earlier month).

    Parameters
    ----------
    total : number
        The annual figure (a whole number when ``integer``).
    pattern : range
        One row or one column of weights; blanks are 0, all blank means equal shares.
    integer : bool, default TRUE
        Whole shares; FALSE gives exact proportional shares.

    Returns
    -------
    2-D array
        The shares, in the shape of ``pattern``.
    """
    def run():
        weights = [core.number_from_cell(w, "pattern") for row in pattern for w in row]
        shares = iter(spread(core.number_from_cell(total, "total"), weights, integer=_flag(integer, True)))
        return [[next(shares) for _ in row] for row in pattern]

    return _safely(run)


# ----------------------------------------------------------------------------------
# Private API: conversions of results and errors.
# ----------------------------------------------------------------------------------


def _safely(compute: Callable[[], object]) -> object:
    """``compute()``, or ``#XS: reason`` for bad input (see the module's docstring)."""
    try:
        return compute()
    except (XlsalesError, ValueError) as err:
        return _error_text(err)


def _error_text(err: Exception) -> str:
    text = err.message(_lang(None)) if isinstance(err, XlsalesError) else str(err)
    lines = text.splitlines() or [type(err).__name__]
    more = len(lines) - 1
    if more:
        tail = message_text("udf_more", _lang(None), n=more)
        return ERROR_PREFIX + lines[0] + tail
    return ERROR_PREFIX + lines[0]


def _blank(value: object) -> object:
    # xlwings writes None as an empty cell too; "" is what the sheet's formulas give.
    return "" if value is None else value


def _or(value: object, default: object) -> object:
    return default if value is None else value


def _flag(value: object, default: bool) -> bool:
    # TRUE/FALSE, 1/0; a blank cell or a missing argument is the default.
    return default if value in (None, "") else bool(value)


def _rep(value: object) -> str | None:
    return core.text_from_cell(value) or None


def _lang(value: object) -> str:
    if value not in (None, ""):
        return check_lang(str(value))
    env = os.environ.get("XLSALES_LANG", "").strip().lower()
    return env if env in ("ja", "en") else "ja"
