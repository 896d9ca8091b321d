"""The activity-log table and the target/process sheet: figures as formulas with cached values.

This is the one place that decides what every generated cell holds.  Two sheets:

- the activity log: an Excel Table named ``ActivityLog`` with helper columns (order key,
  stage, previous stage, new-topic and new-deal flags) that are calculated columns, so
  rows a rep appends in plain Excel are counted too;
- the target/process sheet (DOMAIN.md §8): flows are COUNTIFS/SUMIFS over the table,
  each month by bounds on the date column (a value column: thousands of COUNTIFS reading
  a calculated month column made LibreOffice's recalculation about twice as slow); a
  rep's sheet in a team workbook counts over the rep's block of rows while it holds
  every row of the rep (``LogBlock``), since COUNTIFS reads its whole range; derived
  rows are formulas over the cells above, stocks are values at the as-of date.  The
  fiscal-year-to-date rows (累計, DOMAIN.md §9) add each month to the column before; the
  fiscal-year months before the view enter as one carried-in value.  前年同月売上 is one
  SUMIFS per month over the same month a year earlier.

Every formula gets the value it computes from the engine, so a workbook opened in
Protected View or a previewer shows the same numbers Excel computes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from xlsales.compute.engine import (
    EXCEL_EPOCH,
    FLOW_COUNTS,
    EventFacts,
    ScopeMetrics,
    Stock,
    add_months,
    fiscal_year_first,
)
from xlsales.layout import sheetmodel as sm
from xlsales.layout.names import quote_sheet
from xlsales.layout.styles import named_styles
from xlsales.model import Event, Settings
from xlsales.texts import label, labels
from xlsales.vocab import STAGES

TABLE = "ActivityLog"
SEQ_FACTOR = 2097152  # 2**21 > Excel's 1,048,576 rows: date*factor + row orders by date, then row

LOG_INPUT_KEYS = ("id", "date", "rep", "activity", "customer", "amount", "lost_reason", "close_month", "note")
HELPER_KEYS = ("seq", "stage", "key", "base", "prev_seq", "prev_stage", "new")
LOG_KEYS = LOG_INPUT_KEYS + HELPER_KEYS  # the table's columns from A, in order
# Workbook-level names of the helper formulas (see log_names).
BUILT_ROWS, TAIL_SEQ, TAIL_KEY = "ActivityLogBuiltRows", "ActivityLogTailSeq", "ActivityLogTailKey"
PROCESS_KPIS = ("orders", "new_deals", "new_topics", "visits", "follows", "lists")
# Validation drop-downs reach this many rows below the data, for rows a rep appends.
APPEND_ROOM = 2000

# Fixed positions on the target/process sheet (0-based).  ROW_NOTE2 holds the notes on
# the 累計 and 前年 rows and the achievement marks.
ROW_TITLE, ROW_PARAMS, ROW_NOTE, ROW_NOTE2, ROW_HEAD = 0, 1, 2, 3, 4
FIRST_ROW = ROW_HEAD + 1
COL_LABEL, COL_BENCH, COL_FIRST_MONTH = 0, 1, 2
# Parameter cells on row 2: label/value pairs.  COL_ROWS holds the check of a rep's rows
# (LogBlock) on a sheet of a team workbook.
COL_REP_VALUE, COL_ASOF, COL_UNIT, COL_WA, COL_WB, COL_ROWS = 1, 3, 5, 7, 9, 11


def serial(d: dt.date) -> int:
    """The Excel date serial of ``d``."""
    return (d - EXCEL_EPOCH).days


def text_literal(s: str) -> str:
    """``s`` as a formula string literal."""
    return '"' + s.replace('"', '""') + '"'


def criterion_equals(s: str) -> str:
    """A COUNTIFS criterion matching exactly ``s``: wildcards escaped, "=" prefixed."""
    escaped = s.replace("~", "~~").replace("*", "~*").replace("?", "~?")
    return text_literal("=" + escaped)


# ----------------------------------------------------------------------------------
# The activity log table
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogColumns:
    """Structured references to the ActivityLog columns, in one language."""

    names: dict[str, str]  # key -> header text

    def ref(self, key: str) -> str:
        return f"{TABLE}[{_escape_col(self.names[key])}]"

    def this(self, key: str) -> str:
        # The qualified form: XlsxWriter's [@col] shorthand gives #N/A in LibreOffice.
        return f"{TABLE}[[#This Row],[{_escape_col(self.names[key])}]]"


@dataclass(frozen=True)
class LogBlock:
    """Where one rep's rows stand in a workbook's log: sheet rows ``first``..``last``
    (1-based) of the sheet ``sheet``, which the build wrote together.

    A team workbook's log holds each rep's rows together (``layout_workbook``), so a rep's
    sheet counts over its block instead of the whole table: COUNTIFS reads every row of
    its ranges, and the whole table times every rep's sheet was most of LibreOffice's
    recalculation.  The sheet checks the block first (``LogColumns``'s COUNTIF of the
    rep over the table equals the one over the block, so every row of the rep is in
    it) and counts over the whole table when it is not: after a sort, or with a row of
    the rep added below.  Either way the figure is the same.
    """

    sheet: str
    first: int
    last: int


@dataclass(frozen=True)
class BlockColumns(LogColumns):
    """The ActivityLog columns restricted to one rep's block, as A1 ranges."""

    block: LogBlock

    def ref(self, key: str) -> str:
        col = xl_col_to_name(LOG_KEYS.index(key))
        b = self.block
        return f"{quote_sheet(b.sheet)}!${col}${b.first}:${col}${b.last}"


def _escape_col(name: str) -> str:
    # Structured-reference escapes: ' [ ] # need a leading apostrophe.
    return "".join("'" + ch if ch in "'[]#" else ch for ch in name)


def log_columns(lang: str) -> LogColumns:
    names = {**labels("log", lang), **labels("log_helper", lang)}
    return LogColumns(names)


def helper_formulas(c: LogColumns, lang: str) -> dict[str, str]:
    """The calculated columns' formulas (every helper column but ``base``, which holds values).

    ``prev_seq`` finds the latest earlier stage event of the row's opportunity (``key``).
    A scan of the whole table per row is quadratic (minutes at 100k rows), so a row the
    build wrote starts from ``base`` (its history at build time) and scans only the rows
    after the built ones (the names of ``log_names``), where appended rows are.  A row
    appended later, or pasted (its ``base`` copied from another row), scans the table.
    """
    date, stage, seq, base, key = (c.this(k) for k in ("date", "stage", "seq", "base", "key"))
    stage_labels = ",".join(text_literal(label("activity", s, lang)) for s in STAGES)
    match = f"MATCH({c.this('activity')},{{{stage_labels}}},0)"
    criterion = f'"="&SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({key},"~","~~"),"*","~*"),"?","~?")'

    def latest(seqs: str, keys: str) -> str:  # the latest earlier stage event of this opportunity
        return f'_xlfn.MAXIFS({seqs},{keys},{criterion},{seqs},"<"&{seq})'

    built = f"AND(ISNUMBER({base}),ROW()-ROW(INDEX({c.ref('seq')},1))<{BUILT_ROWS})"
    prev_seq, prev = c.this("prev_seq"), c.this("prev_stage")
    return {
        "seq": f'IF(ISNUMBER({date}),INT({date})*{SEQ_FACTOR}+ROW(),"")',
        "stage": f"IF(ISNUMBER({match}),{match},0)",
        # Rep and customer in one text (a tab between): one criterion instead of two.
        "key": f'IF({stage}=0,"",{c.this("rep")}&CHAR(9)&{c.this("customer")})',
        "prev_seq": (f"IF({stage}=0,0,IF({built},MAX(INT({base}/8),{latest(TAIL_SEQ, TAIL_KEY)}),"
                     f"{latest(c.ref('seq'), c.ref('key'))}))"),
        # The stage of that event: from base when it is base's event, else looked up.
        "prev_stage": (f"IF({prev_seq}=0,0,IF({prev_seq}=INT(N({base})/8),MOD({base},8),"
                       f"INDEX({c.ref('stage')},MATCH({prev_seq},{c.ref('seq')},0))))"),
        "new": (f"IF({stage}=1,IF(OR({prev}=0,{prev}>3),1,0),"
                f"IF(OR({stage}=2,{stage}=3),IF(OR({prev}<2,{prev}>3),2,0),0))"),
    }


def log_names(lang: str, built_rows: int) -> dict[str, str]:
    """The workbook-level names the helper formulas use: how many log rows the build
    wrote, and the ``seq`` and ``key`` columns of the rows after those."""
    c = log_columns(lang)

    def tail(key: str) -> str:  # at least the last row, so the range is never empty
        col = c.ref(key)
        return f"=INDEX({col},MIN({BUILT_ROWS}+1,ROWS({col}))):INDEX({col},ROWS({col}))"

    return {BUILT_ROWS: f"={built_rows}", TAIL_SEQ: tail("seq"), TAIL_KEY: tail("key")}


def base_values(events: Sequence[Event], facts: Sequence[EventFacts], rows: Sequence[int]) -> list[int]:
    """The ``base`` column: each event's previous stage event as seq*8 + stage (0: none).

    ``rows`` are the events' sheet rows (1-based), which ``seq`` holds with the date.
    """
    out = []
    for fx in facts:
        if fx.prev_index is None:
            out.append(0)
        else:
            prev = events[fx.prev_index]
            out.append((serial(prev.date) * SEQ_FACTOR + rows[fx.prev_index]) * 8 + fx.prev_stage)
    return out


class _LogRows(Sequence[list]):
    """The table's rows, made when asked for: a log of 700k rows is not held twice."""

    def __init__(self, events: Sequence[Event], facts: Sequence[EventFacts], lang: str) -> None:
        self._events, self._facts = events, facts
        self._bases = base_values(events, facts, [n + 2 for n in range(len(events))])  # header in row 1
        self._activity, self._lost = labels("activity", lang), labels("lost_reason", lang)

    def __len__(self) -> int:
        return len(self._events)

    def __getitem__(self, n):  # type: ignore[override]
        if isinstance(n, slice):
            return [self[i] for i in range(*n.indices(len(self)))]
        ev, fx, base = self._events[n], self._facts[n], self._bases[n]
        if n < 0:
            n += len(self)
        return [
            ev.id, ev.date, ev.rep, self._activity[ev.activity], ev.customer or None,
            ev.amount, self._lost[ev.lost_reason] if ev.lost_reason else None,
            ev.close_month.strftime("%Y-%m") if ev.close_month else None, ev.note or None,
            serial(ev.date) * SEQ_FACTOR + n + 2, fx.stage,
            f"{ev.rep}\t{ev.customer}" if fx.stage else "", base, base // 8 if fx.stage else 0,
            fx.prev_stage if fx.stage else 0, 1 if fx.new_topic else 2 if fx.new_deal else 0,
        ]


def layout_log(name: str, events: Sequence[Event], facts: Sequence[EventFacts], *, lang: str,
               reps: Sequence[str], lists_sheet: sm.Sheet | None = None, own_rep: str | None = None) -> sm.Sheet:
    """The activity-log sheet: the ``ActivityLog`` table of ``events`` in their order.

    Rows are written in the order given: the master's log order, or rep by rep in a
    team workbook (``layout.workbook.grouped_rows``; an opportunity is one rep's, so
    "same date: the lower row wins" means the same here as there).  Every log gets drop-downs,
    date, amount and month validation over ``APPEND_ROOM`` spare rows.

    ``own_rep`` makes it the log of a per-person workbook that goes out and comes back:
    担当者 is filled in with ``own_rep`` on the spare rows (``is_spare_row`` tells such a
    row from a typed one) and a short how-to note stands right of the table.
    """
    sheet = sm.Sheet(name=name, freeze=(1, 0), tab_color="#548235")
    c = log_columns(lang)
    formulas = helper_formulas(c, lang)
    styles = {"date": "log_date", "amount": "log_amount", "close_month": "log_text", "id": "log_text"}
    widths = {"id": 11, "date": 11, "rep": 14, "activity": 12, "customer": 22, "amount": 10,
              "lost_reason": 11, "close_month": 11, "note": 30}
    columns = [sm.TableColumn(c.names[k], style=styles.get(k), width=widths[k]) for k in LOG_INPUT_KEYS]
    columns += [sm.TableColumn(c.names[k], formula=formulas.get(k), style=styles.get(k, "log_helper"), width=9,
                               hidden=True) for k in HELPER_KEYS]
    table = sm.Table(name=TABLE, top=0, left=0, columns=columns, rows=_LogRows(events, facts, lang))
    sheet.tables.append(table)
    last = max(table.last_row, 1) + APPEND_ROOM
    col = {k: i for i, k in enumerate(LOG_INPUT_KEYS)}
    sheet.validations.append(_list_validation(1, col["activity"], last, list(labels("activity", lang).values()),
                                              lang, lists_sheet))
    sheet.validations.append(_list_validation(1, col["lost_reason"], last,
                                              list(labels("lost_reason", lang).values()), lang, lists_sheet))
    sheet.validations.append(_list_validation(1, col["rep"], last, list(reps), lang, lists_sheet))
    sheet.validations.append(sm.Validation(1, col["date"], last, col["date"], {
        "validate": "date", "criteria": ">=", "value": dt.date(1990, 1, 1),
        "input_title": label("log", "date", lang), "input_message": "yyyy/mm/dd",
    }))
    sheet.validations.append(sm.Validation(1, col["amount"], last, col["amount"], {
        "validate": "decimal", "criteria": ">=", "value": 0, "error_type": "stop",
        "input_title": label("log", "amount", lang), "input_message": label("log_input", "amount", lang),
        "error_title": label("log", "amount", lang), "error_message": label("log_input", "amount_error", lang),
    }))
    month_cell = xl_rowcol_to_cell(1, col["close_month"], row_abs=False, col_abs=False)
    sheet.validations.append(sm.Validation(1, col["close_month"], last, col["close_month"], {
        "validate": "custom", "value": month_formula(month_cell), "error_type": "stop",
        "input_title": label("log", "close_month", lang), "input_message": label("log_input", "close_month", lang),
        "error_title": label("log", "close_month", lang),
        "error_message": label("log_input", "close_month_error", lang),
    }))
    sheet.print_setup = sm.PrintSetup(repeat_rows=(0, 0))
    if own_rep is not None:
        _own_rep_rows(sheet, table, col["rep"], last, own_rep)
        _howto_note(sheet, len(columns) + 1, lang)
        # The spare rows hold the rep's name: printed, they would be pages of one name each.
        # The print area is the rows as built (a rep's new rows print after a refresh).
        sheet.print_setup.area = (0, 0, table.top + max(len(table.rows), 1), len(LOG_INPUT_KEYS) - 1)
    return sheet


def month_formula(cell: str) -> str:
    """A validation formula true when ``cell`` is text of the form yyyy-mm (month 01..12).

    Examples
    --------
    >>> month_formula("H2")[:40]
    'AND(ISTEXT(H2),LEN(H2)=7,MID(H2,5,1)="-"'
    """
    return (f'AND(ISTEXT({cell}),LEN({cell})=7,MID({cell},5,1)="-",ISNUMBER(--LEFT({cell},4)),'
            f"ISNUMBER(--RIGHT({cell},2)),--RIGHT({cell},2)>=1,--RIGHT({cell},2)<=12)")


def is_spare_row(values: dict[str, object], own_rep: str) -> bool:
    """Whether a per-person log row (input key -> cell value) is a spare row nobody typed in.

    The build fills 担当者 in with the workbook's rep on every spare row, so a row whose
    only value is that rep counts as blank; a row with anything else is a row.

    Examples
    --------
    >>> is_spare_row({"rep": "佐藤 健太", "date": None}, "佐藤 健太")
    True
    >>> is_spare_row({"rep": "佐藤 健太", "customer": "A社"}, "佐藤 健太")
    False
    """
    filled = {k: v for k, v in values.items() if v is not None and not (isinstance(v, str) and not v.strip())}
    return not filled or (set(filled) == {"rep"} and str(filled["rep"]).strip() == own_rep)


def _own_rep_rows(sheet: sm.Sheet, table: sm.Table, rep_col: int, last: int, rep: str) -> None:
    # Rows below the data (and the empty body row of an empty table) get the rep filled in.
    for row in range(table.top + 1 + len(table.rows), last + 1):
        sheet.set(row, rep_col, rep)


def _howto_note(sheet: sm.Sheet, col: int, lang: str) -> None:
    # Right of the (hidden) helper columns: beside the table, never in a column a reader reads.
    lines = labels("log_howto", lang)
    for row, (key, text) in enumerate(lines.items()):
        sheet.set(row, col, text, style="log_note_title" if key == "title" else "log_note")


def _list_validation(first_row: int, col: int, last_row: int, values: list[str], lang: str,
                     lists_sheet: sm.Sheet | None) -> sm.Validation:
    options: dict = {"validate": "list", "error_type": "stop"}
    if len(",".join(values)) <= 250 or lists_sheet is None:
        options["source"] = values
    else:  # Excel's inline list stops at 255 characters: refer to a list on a hidden sheet
        lcol = len({c for (_, c) in lists_sheet.cells})
        for r, v in enumerate(values):
            lists_sheet.set(r, lcol, v)
        ref = f"${xl_col_to_name(lcol)}$1:${xl_col_to_name(lcol)}${len(values)}"
        options["source"] = f"={quote_sheet(lists_sheet.name)}!{ref}"
    return sm.Validation(first_row, col, last_row, col, options)


# ----------------------------------------------------------------------------------
# The target/process sheet
# ----------------------------------------------------------------------------------


@dataclass
class ProcessInputs:
    """What one target/process sheet shows besides the engine's metrics."""

    title: str
    rep: str | None  # None: the team (no rep criterion)
    sales_targets: dict[dt.date, float]
    process_targets: dict[str, dict[dt.date, float]]  # kpi -> month -> target
    benchmarks: dict[str, float]  # row key -> value
    settings: Settings
    lang: str
    show_rep_in_names: bool = False  # team sheets name the rep beside the customer
    log_block: LogBlock | None = None  # the rep's rows in the workbook's log (team workbooks)


@dataclass(frozen=True)
class _Row:
    key: str
    kind: str  # target, flow, ratio, start, stock, name, forecast, ptarget, cum_target, cum_sales, last_year
    style: str
    label_style: str = "label"
    num: str | None = None  # ratio numerator row key
    den: str | None = None  # ratio denominator row key
    stage: str | None = None  # stock stage / kpi
    index: int = 0  # 1..3 for names
    level: int = 0


def process_rows() -> list[_Row]:
    """The rows of DOMAIN.md §8, in order, with xlsales's own rows: the fiscal-year-to-date
    and last-year rows after 売上達成率, the rest after フォロー件数."""
    rows = [
        _Row("sales_target", "target", "target", "label_key"),
        _Row("sales", "flow", "amount_key", "label_key"),
        _Row("achievement", "ratio", "pct_achieve", "label_derived", num="sales", den="sales_target"),
        # xlsales's own rows, in the sales block where a manager looks for them (DOMAIN.md §9)
        _Row("cum_sales_target", "cum_target", "amount", "label_derived"),
        _Row("cum_sales", "cum_sales", "amount", "label_derived"),
        _Row("cum_achievement", "ratio", "pct_achieve", "label_derived", num="cum_sales", den="cum_sales_target"),
        _Row("last_year_sales", "last_year", "amount", "label_derived"),
        _Row("yoy", "ratio", "pct", "label_derived", num="sales", den="last_year_sales"),
        _Row("orders", "flow", "count"),
        _Row("unit_price", "ratio", "price", "label_derived", num="sales", den="orders"),
        _Row("open_amount", "start", "stock", stage="amount"),
        _Row("open_count", "start", "stock", stage="count"),
    ]
    for stage in ("deal_a", "deal_b", "topic"):
        rows.append(_Row(f"{stage}_amount", "stock", "stock", stage=stage, index=0))
        rows.append(_Row(f"{stage}_count", "stock", "stock", stage=stage, index=-1))
        rows += [_Row(f"{stage}_{i}", "name", "name", "label_sub", stage=stage, index=i, level=1)
                 for i in (1, 2, 3)]
    rows += [_Row(k, "flow", "count") for k in ("lost", "visits", "follows", "lists", "pre_reports",
                                                 "post_reports", "new_topics", "new_deals")]
    rows += [
        _Row("appointment_rate", "ratio", "pct1", "label_derived", num="visits", den="follows"),
        _Row("topic_rate", "ratio", "pct1", "label_derived", num="new_topics", den="visits"),
        _Row("deal_rate", "ratio", "pct1", "label_derived", num="new_deals", den="new_topics"),
        _Row("win_rate", "ratio", "pct1", "label_derived", num="orders", den="new_deals"),
        _Row("forecast", "forecast", "amount", "label_derived"),
    ]
    for kpi in PROCESS_KPIS:
        rows.append(_Row(f"{kpi}_target", "ptarget", "target", stage=kpi))
        rows.append(_Row(f"{kpi}_achievement", "ratio", "pct_achieve", "label_derived", num=kpi,
                         den=f"{kpi}_target"))
    rows += [_Row("lost_now", "flow", "count", "label_sub", level=1),
             _Row("lost_forever", "flow", "count", "label_sub", level=1)]
    return rows


# The fiscal-year-to-date and last-year rows: their benchmark and total columns are their own.
YEAR_TO_DATE_ROWS = ("cum_sales_target", "cum_sales", "cum_achievement", "last_year_sales", "yoy")


def process_row_index() -> dict[str, int]:
    """Each row key of ``process_rows`` -> its row on the target/process sheet (0-based)."""
    return {r.key: FIRST_ROW + i for i, r in enumerate(process_rows())}


def figure_keys() -> list[str]:
    """The keys of the rows that hold numbers, in sheet order: every row but the names
    of the three largest opportunities of a stage (商談◯1…)."""
    return [r.key for r in process_rows() if r.kind != "name"]


def month_columns(months: Sequence[dt.date]) -> dict[dt.date, int]:
    """Each month shown -> its column on the target/process sheet (0-based)."""
    return {m: COL_FIRST_MONTH + j for j, m in enumerate(months)}


def row_label(key: str, lang: str) -> str:
    """The exact row label of DOMAIN.md §8 (process targets: KPI + 目標 / 達成率)."""
    for suffix in ("_target", "_achievement"):
        if key.endswith(suffix) and key[: -len(suffix)] in PROCESS_KPIS:
            kpi = key[: -len(suffix)]
            return label("row", kpi, lang) + label("row", suffix[1:] + "_suffix", lang)
    return label("row", key, lang)


def _flow_formula(key: str, month_cell: str, rep: str | None, c: LogColumns, lang: str) -> str:
    # The month by its bounds on the date column, which holds values (see the module's note).
    month = [c.ref("date"), f'">="&{month_cell}', c.ref("date"), f'"<"&EDATE({month_cell},1)']
    return flow_formula(key, rep, month, c, lang)


def flow_formula(key: str, rep: str | None, dates: Sequence[str], c: LogColumns, lang: str) -> str:
    """The COUNTIFS/SUMIFS of the flow ``key`` over the ActivityLog table.

    ``dates`` are the date criteria, range and criterion in turn (e.g. ``[c.ref("date"),
    '">="&B2', ...]``); ``rep`` None counts every rep.  話題化件数 and 商談化件数 count
    the helper column ``new`` (1: a new topic, 2: a new deal).
    """
    month = list(dates)
    crit: list[str] = []
    if rep is not None:
        crit += [c.ref("rep"), criterion_equals(rep)]

    def activity(a: str) -> list[str]:
        return [c.ref("activity"), text_literal(label("activity", a, lang))]

    if key == "sales":
        return f"SUMIFS({','.join([c.ref('amount'), *crit, *activity('order'), *month])})"
    if key in ("new_topics", "new_deals"):
        code = "1" if key == "new_topics" else "2"
        return f"COUNTIFS({','.join([c.ref('new'), code, *crit, *month])})"
    if key in ("lost_now", "lost_forever"):
        reason = [c.ref("lost_reason"), text_literal(label("lost_reason", key[5:], lang))]
        return f"COUNTIFS({','.join([*crit, *activity('lost'), *reason, *month])})"
    return f"COUNTIFS({','.join([*crit, *activity(FLOW_COUNTS[key]), *month])})"


def _last_year_formula(month_cell: str, rep: str | None, c: LogColumns, lang: str) -> str:
    # 売上 of the same month a year earlier: the same SUMIFS, bounds moved by EDATE.
    crit = [c.ref("rep"), criterion_equals(rep)] if rep is not None else []
    bounds = [c.ref("date"), f'">="&EDATE({month_cell},-12)', c.ref("date"), f'"<"&EDATE({month_cell},-11)']
    order = [c.ref("activity"), text_literal(label("activity", "order", lang))]
    return f"SUMIFS({','.join([c.ref('amount'), *crit, *order, *bounds])})"


@dataclass(frozen=True)
class YearToDate:
    """What the 累計 and 前年 rows of one sheet need besides the monthly rows.

    ``carried_months`` are the months of the first shown month's fiscal year before the
    view (none when the view starts at a fiscal year's start); ``carried_target`` and
    ``carried_sales`` their sums (sales only of months up to the as-of month).
    ``last_year`` tells, per shown month, whether the scope's log has any row in the
    fiscal year before that month's.
    """

    fiscal_year_start: int
    carried_months: tuple[dt.date, ...]
    carried_target: float
    carried_sales: float
    last_year: dict[dt.date, bool]


def year_to_date(metrics: ScopeMetrics, sales_targets: dict[dt.date, float], fiscal_year_start: int) -> YearToDate:
    """The carried-in values and last-year availability of one target/process sheet."""
    months = metrics.months
    first = fiscal_year_first(months[0], fiscal_year_start)
    carried = []
    while first < months[0]:
        carried.append(first)
        first = add_months(first, 1)
    sales = sum(metrics.flow("sales", m) for m in carried if not metrics.is_future(m))
    has_year: dict[dt.date, bool] = {}
    last_year: dict[dt.date, bool] = {}
    for m in months:
        previous = add_months(fiscal_year_first(m, fiscal_year_start), -12)
        if previous not in has_year:
            has_year[previous] = any(add_months(previous, k) in metrics.log_months for k in range(12))
        last_year[m] = has_year[previous]
    return YearToDate(fiscal_year_start, tuple(carried), sum(sales_targets.get(m) or 0 for m in carried),
                      sales, last_year)


def _month_name(m: dt.date, lang: str) -> str:
    return f"{m.month}月" if lang == "ja" else m.strftime("%b")


def _notes_line(ytd: YearToDate, lang: str) -> str:
    fy = dt.date(2000, ytd.fiscal_year_start, 1)
    parts = [label("text", "cumulative_note", lang).format(fy_month=fy.month, fy_month_name=fy.strftime("%B"))]
    if ytd.carried_months:
        parts.append(label("text", "carried_in_note", lang).format(
            first=_month_name(ytd.carried_months[0], lang), last=_month_name(ytd.carried_months[-1], lang)))
    if not all(ytd.last_year.values()):
        parts.append(label("text", "no_last_year_note", lang))
    parts.append(label("text", "achievement_marks", lang))
    return ("　" if lang == "ja" else " ").join(parts)


def _ratio(num: object, den: object) -> object:
    """The value of IF(N(den)=0,"",N(num)/den): blank for a zero or empty denominator."""
    n = num if isinstance(num, (int, float)) else 0
    d = den if isinstance(den, (int, float)) else 0
    return "" if d == 0 else n / d


def layout_process(name: str, metrics: ScopeMetrics, inputs: ProcessInputs) -> sm.Sheet:
    """One target/process sheet (DOMAIN.md §8) as a sheet model."""
    lang = inputs.lang
    months = metrics.months
    c = log_columns(lang)
    sheet = sm.Sheet(name=name, freeze=(FIRST_ROW, COL_FIRST_MONTH), tab_color="#1F3864")
    col_total = COL_FIRST_MONTH + len(months)
    last_col = col_total

    # Title and parameters
    sheet.set(ROW_TITLE, 0, f"{label('text', 'title', lang)} — {inputs.title}", style="title")
    params = [
        (COL_REP_VALUE, "rep", inputs.title, "param_text"),
        (COL_ASOF, "as_of", metrics.as_of, "param_date"),
        (COL_UNIT, "unit", inputs.settings.amount_unit, "param_text"),
        (COL_WA, "weight_a", inputs.settings.weight_deal_a, "param_pct"),
        (COL_WB, "weight_b", inputs.settings.weight_deal_b, "param_pct"),
    ]
    for col, key, value, style in params:
        sheet.set(ROW_PARAMS, col - 1, label("header", key, lang), style="param_label")
        sheet.set(ROW_PARAMS, col, value, style=style)
    asof = "$" + xl_col_to_name(COL_ASOF) + "$" + str(ROW_PARAMS + 1)
    w_a = "$" + xl_col_to_name(COL_WA) + "$" + str(ROW_PARAMS + 1)
    w_b = "$" + xl_col_to_name(COL_WB) + "$" + str(ROW_PARAMS + 1)
    blocks = BlockColumns(c.names, inputs.log_block) if inputs.log_block and inputs.rep is not None else None
    if blocks is not None:  # 1 when every row of the rep is in its block (see LogBlock)
        who = criterion_equals(inputs.rep)
        sheet.set(ROW_PARAMS, COL_ROWS - 1, label("header", "log_rows", lang), style="param_label")
        sheet.set(ROW_PARAMS, COL_ROWS, 1, style=f"param_rows_{lang}",
                  formula=f"--(COUNTIF({c.ref('rep')},{who})=COUNTIF({blocks.ref('rep')},{who}))")
    in_block = "$" + xl_col_to_name(COL_ROWS) + "$" + str(ROW_PARAMS + 1)

    def counted(make, *args: object) -> str:  # make(*args, columns, lang): a COUNTIFS/SUMIFS
        full = make(*args, c, lang)
        return full if blocks is None else f"IF({in_block},{make(*args, blocks, lang)},{full})"

    sheet.set(ROW_NOTE, 0, label("text", "stocks_note", lang), style="note")
    sheet.merges.append((ROW_NOTE, 0, ROW_NOTE, last_col))
    sheet.row_heights[ROW_NOTE] = 30
    ytd = year_to_date(metrics, inputs.sales_targets, inputs.settings.fiscal_year_start)
    sheet.set(ROW_NOTE2, 0, _notes_line(ytd, lang), style="note")
    sheet.merges.append((ROW_NOTE2, 0, ROW_NOTE2, last_col))
    sheet.row_heights[ROW_NOTE2] = 30

    # Header
    sheet.set(ROW_HEAD, COL_LABEL, label("header", "label", lang), style="head")
    sheet.set(ROW_HEAD, COL_BENCH, label("header", "benchmark", lang), style="head")
    month_col = month_columns(months)
    for m, col in month_col.items():
        sheet.set(ROW_HEAD, col, m, style=f"head_month_{lang}")
    sheet.set(ROW_HEAD, col_total, label("header", "total", lang), style="head")
    sheet.row_heights[ROW_HEAD] = 30

    rows = process_rows()
    row_of = process_row_index()
    values: dict[tuple[str, int], object] = {}  # (row key, col) -> computed value

    def ref(key: str, col: int) -> str:
        return xl_rowcol_to_cell(row_of[key], col)

    def month_head(col: int) -> str:
        return xl_col_to_name(col) + "$" + str(ROW_HEAD + 1)

    def put(r: _Row, col: int, value: object, formula: str | None = None, style: str | None = None) -> None:
        values[(r.key, col)] = value
        sheet.set(row_of[r.key], col, value, formula=formula, style=style or r.style)

    def future_guard(col: int, formula: str, value: object, month: dt.date | None) -> tuple[str, object]:
        if month is None:
            return formula, value
        guarded = f'IF({month_head(col)}>{asof},"",{formula})'
        return guarded, ("" if metrics.is_future(month) else value)

    for r in rows:
        sheet.set(row_of[r.key], COL_LABEL, row_label(r.key, lang), style=r.label_style)
        if r.level:
            sheet.row_levels[row_of[r.key]] = r.level
    # Columns: benchmark, each month, total.  Rows are filled in order, so derived rows
    # always find the values of the rows they refer to.
    columns: list[tuple[int, dt.date | None, str]] = [(COL_BENCH, None, "bench")]
    columns += [(col, m, "month") for m, col in month_col.items()]
    columns.append((col_total, None, "total"))
    first_m, last_m = xl_col_to_name(COL_FIRST_MONTH), xl_col_to_name(col_total - 1)

    def stock_of(r: _Row, month: dt.date | None) -> Stock:
        if r.kind == "start":
            return metrics.month_start[month] if month else Stock()
        return metrics.stocks[r.stage][month]

    def name_of(r: _Row, month: dt.date | None) -> str | None:
        top = metrics.stocks[r.stage][month].top
        if r.index > len(top):
            return None
        item = top[r.index - 1]
        return f"{item.customer}（{item.rep}）" if inputs.show_rep_in_names else item.customer

    def ratio_formula(r: _Row, col: int) -> tuple[str, object]:
        num, den = ref(r.num, col), ref(r.den, col)
        n, d = values.get((r.num, col)), values.get((r.den, col))
        if col == COL_BENCH:  # a benchmark may give the denominator but not the numerator
            return f'IF(OR(N({den})=0,{num}=""),"",N({num})/{den})', ("" if n is None else _ratio(n, d))
        return f'IF(N({den})=0,"",N({num})/{den})', _ratio(n, d)

    def forecast(col: int) -> tuple[str, object]:
        keys = ("sales", "deal_a_amount", "deal_b_amount")
        cells = [ref(k, col) for k in keys]
        n = [v if isinstance(v, (int, float)) else 0 for v in (values.get((k, col)) for k in keys)]
        formula = f"N({cells[0]})+N({cells[1]})*{w_a}+N({cells[2]})*{w_b}"
        return formula, n[0] + n[1] * inputs.settings.weight_deal_a + n[2] * inputs.settings.weight_deal_b

    def sum_formula(r: _Row) -> tuple[str, float]:
        row1 = row_of[r.key] + 1
        total = 0.0
        for j in range(len(months)):
            v = values.get((r.key, COL_FIRST_MONTH + j))
            if isinstance(v, (int, float)):
                total += v
        return f"SUM({first_m}{row1}:{last_m}{row1})", total

    def cumulative(r: _Row, col: int, month: dt.date, monthly: str) -> tuple[str, object]:
        # This month added to the column before; a fiscal year's first month starts again,
        # and the view's first month adds the carried-in value of the benchmark column.
        this = values.get((monthly, col))
        total = this if isinstance(this, (int, float)) else 0
        if month == fiscal_year_first(month, ytd.fiscal_year_start):
            return f"N({ref(monthly, col)})", total
        before = values.get((r.key, col - 1))
        total += before if isinstance(before, (int, float)) else 0
        return f"N({ref(r.key, col - 1)})+N({ref(monthly, col)})", total

    def last_year_total() -> bool:
        # Like for like: shown only when every month with actuals has last year's figure.
        return any(ytd.last_year.values()) and all(ytd.last_year[m] for m in months if not metrics.is_future(m))

    for r in rows:
        for col, month, kind in columns:
            if r.key in YEAR_TO_DATE_ROWS and kind != "month":
                carried = {"cum_sales_target": ytd.carried_target, "cum_sales": ytd.carried_sales}
                if kind == "bench" and ytd.carried_months and r.key in carried:
                    put(r, col, carried[r.key], style=f"carry_{lang}")
                elif kind == "total" and r.key in ("last_year_sales", "yoy") and last_year_total():
                    formula, value = sum_formula(r) if r.key == "last_year_sales" else ratio_formula(r, col)
                    put(r, col, value, formula)
                else:
                    put(r, col, None)
            elif kind == "bench":
                if r.kind == "ratio":
                    formula, value = ratio_formula(r, col)
                    put(r, col, value, formula)
                elif r.kind in ("target", "flow", "start", "stock") and r.key in inputs.benchmarks:
                    put(r, col, inputs.benchmarks[r.key])
                else:
                    put(r, col, None)
            elif kind == "month":
                if r.kind == "target":
                    put(r, col, inputs.sales_targets.get(month))
                elif r.kind == "ptarget":
                    put(r, col, inputs.process_targets.get(r.stage, {}).get(month))
                elif r.kind == "cum_target":  # targets are known: it runs on into future months
                    formula, value = cumulative(r, col, month, "sales_target")
                    put(r, col, value, formula)
                elif r.kind == "cum_sales":
                    formula, value = future_guard(col, *cumulative(r, col, month, "sales"), month)
                    put(r, col, value, formula)
                elif r.kind == "last_year":
                    if ytd.last_year[month]:
                        formula, value = future_guard(col, counted(_last_year_formula, month_head(col), inputs.rep),
                                                      metrics.flow("sales", add_months(month, -12)), month)
                        put(r, col, value, formula)
                    else:  # no row at all in that fiscal year: blank, and the notes line says why
                        put(r, col, None)
                elif r.kind == "flow":
                    formula, value = future_guard(col, counted(_flow_formula, r.key, month_head(col), inputs.rep),
                                                  metrics.flow(r.key, month), month)
                    put(r, col, value, formula)
                elif r.kind == "ratio":
                    formula, value = future_guard(col, *ratio_formula(r, col), month)
                    put(r, col, value, formula)
                elif r.kind in ("start", "stock"):
                    stock = stock_of(r, month)
                    put(r, col, stock.count if r.index == -1 or r.stage == "count" else stock.amount)
                elif r.kind == "name":
                    put(r, col, name_of(r, month))
                elif r.kind == "forecast":
                    formula, value = forecast(col)
                    past = month < dt.date(metrics.as_of.year, metrics.as_of.month, 1)
                    put(r, col, "" if past else value, f'IF({month_head(col)}<=EOMONTH({asof},-1),"",{formula})')
            else:  # the total column
                if r.kind in ("target", "ptarget", "flow", "start"):
                    formula, value = sum_formula(r)
                    put(r, col, value, formula)
                elif r.kind == "ratio":
                    formula, value = ratio_formula(r, col)
                    put(r, col, value, formula)
                elif r.kind == "stock":
                    stock = metrics.stocks[r.stage][None]
                    put(r, col, stock.count if r.index == -1 else stock.amount)
                elif r.kind == "name":
                    put(r, col, name_of(r, None))
                elif r.kind == "forecast":
                    formula, value = forecast(col)
                    put(r, col, value, formula)

    sheet.col_widths.update({COL_LABEL: 26 if lang == "ja" else 34, COL_BENCH: 13})
    for j in range(len(months)):
        sheet.col_widths[COL_FIRST_MONTH + j] = 9.5
    sheet.col_widths[col_total] = 11
    last_row = FIRST_ROW + len(rows) - 1
    _achievement_colours(sheet, rows, row_of, COL_FIRST_MONTH, col_total)
    sheet.charts.append(sm.Chart(
        title=label("text", "chart_title", lang),
        anchor=(last_row + 2, 0),
        y_title=inputs.settings.amount_unit,
        x_num_format=named_styles()[f"head_month_{lang}"].number_format,
        series=[
            sm.ChartSeries(name=(row_of["sales_target"], COL_LABEL),
                           categories=(ROW_HEAD, COL_FIRST_MONTH, ROW_HEAD, col_total - 1),
                           values=(row_of["sales_target"], COL_FIRST_MONTH, row_of["sales_target"], col_total - 1),
                           kind="column", color="#BDD7EE"),
            sm.ChartSeries(name=(row_of["sales"], COL_LABEL),
                           categories=(ROW_HEAD, COL_FIRST_MONTH, ROW_HEAD, col_total - 1),
                           values=(row_of["sales"], COL_FIRST_MONTH, row_of["sales"], col_total - 1),
                           kind="line", color="#C00000"),
        ],
    ))
    # One A4 landscape page: the table and the parameters above it, which reach further
    # right than a short view's table; the chart below it is for the screen.
    params_end = COL_WB if blocks is None else COL_ROWS
    sheet.print_setup = sm.PrintSetup(repeat_rows=(0, ROW_HEAD), repeat_cols=(0, 0), fit_tall=1,
                                      area=(0, 0, last_row, max(last_col, params_end)), margins=(0.3, 0.3, 0.5, 0.5),
                                      header="&L&\"-,Bold\"" + inputs.title + "&R&D")
    return sheet


def _achievement_colours(sheet: sm.Sheet, rows: list[_Row], row_of: dict[str, int], first_col: int,
                         last_col: int) -> None:
    """Green at 100% and over, amber from 80%, red below: on every achievement row."""
    for r in rows:
        if not (r.key == "achievement" or r.key.endswith("_achievement")):
            continue
        row = row_of[r.key]
        top_left = xl_rowcol_to_cell(row, first_col)
        for style, test in (("good", f"{top_left}>=1"), ("warn", f"AND({top_left}>=0.8,{top_left}<1)"),
                            ("bad", f"{top_left}<0.8")):
            sheet.conditional_formats.append(sm.ConditionalFormat(row, first_col, row, last_col, {
                "type": "formula", "criteria": f"=AND(ISNUMBER({top_left}),{test})", "style": style,
            }))
