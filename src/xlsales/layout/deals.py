"""The deal-hygiene sheets (DOMAIN.md §9): 放置案件, 延期・期限切れ, 訪問報告, 今だめ再アプローチ.

One sheet per list, so each has its own autofilter, frozen header and printed titles,
and prints one A4 landscape page wide.  The lists need a scan of each opportunity's
history, which formulas would repeat over the whole log for every cell: they are values
computed at the build's as-of date (``compute.deals``), and each sheet says so.  Only the
report rates are formulas, over the counts beside them.

A team sheet has a 担当者 column; a rep's sheet holds only that rep's rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xlsxwriter.utility import xl_rowcol_to_cell

from xlsales.compute.deals import DealLists, deal_lists
from xlsales.compute.workdays import calendar_of
from xlsales.layout import sheetmodel as sm
from xlsales.layout.names import safe_sheet_name
from xlsales.model import Event, Settings
from xlsales.texts import label

ROW_TITLE, ROW_PARAMS, ROW_NOTE, ROW_VALUES_NOTE, ROW_LEGEND, ROW_HEAD = 0, 1, 2, 3, 4, 5
FIRST_ROW = ROW_HEAD + 1
TAB_COLOR = "#C65911"
SHEET_KEYS = ("deals_stale", "deals_slipped", "deals_reports", "deals_lost_now")
# Column key -> (width, style); "month" and the band take their style from the value.
_COLUMNS: dict[str, tuple[float, str]] = {
    "rep": (14, "list_text"), "customer": (24, "list_text"), "stage": (9, "list_center"),
    "amount": (12.5, "list_amount"), "close_month": (12, "list_month"), "last_date": (11.5, "list_date"),
    "last_activity": (13, "list_center"), "days": (9, "list_count"), "band": (15, "band_1"),
    "overdue": (11.5, "list_count"), "pushes": (9, "list_count"), "months_pushed": (9, "list_count"),
    "month": (12, "list_month"), "outing_days": (9, "list_count"), "pre_missing": (9.5, "list_count"),
    "pre_rate": (9.5, "list_pct"), "post_missing": (9.5, "list_count"), "post_pending": (9.5, "list_count"),
    "post_rate": (9.5, "list_pct"), "pre_missing_days": (24, "list_wrap"), "post_missing_days": (24, "list_wrap"),
    "lost_stage": (11, "list_center"), "lost_date": (11.5, "list_date"), "days_lost": (10, "list_count"),
    "note": (40, "list_wrap"),
}
BAND_STYLES = ("band_1", "band_2", "band_3")


@dataclass
class _Context:
    lists: DealLists
    settings: Settings
    lang: str
    team: bool
    title: str

    def text(self, key: str, **params: object) -> str:
        return label("deals", key, self.lang).format(**params)


def layout_deal_sheets(events: Sequence[Event], *, as_of: dt.date, settings: Settings, lang: str,
                       reps: Sequence[str], taken: set[str], team: bool) -> list[sm.Sheet]:
    """The four deal-hygiene sheets of ``events`` (one scope's, in log order) at ``as_of``.

    Parameters
    ----------
    events : sequence of Event
        The scope's events: the team's (``team=True``) or one rep's, in the log's order.
    as_of : date
        The build's as-of date: the lists are its values.
    settings : Settings
        設定: 放置日数, 休業日 (working days) and 金額単位 are used.
    lang : {"ja", "en"}
    reps : sequence of str
        The scope's reps, in the order the report list shows them.
    taken : set of str
        Sheet names already used in the workbook; the new names are added.
    team : bool
        A team's sheets (with a 担当者 column) rather than one rep's.

    Returns
    -------
    list of Sheet
        放置案件, 延期・期限切れ, 訪問報告, 今だめ再アプローチ, in that order.

    Examples
    --------
    >>> sheets = layout_deal_sheets(master.events, as_of=date(2026, 11, 16), settings=master.settings,
    ...                             lang="ja", reps=reps, taken=set(), team=True)  # doctest: +SKIP
    """
    lists = deal_lists(events, as_of=as_of, calendar=calendar_of(settings.closed_days),
                       stale_days=settings.stale_days, reps=reps)
    ctx = _Context(lists, settings, lang, team, label("text", "team_title", lang) if team else reps[0])
    makers: tuple[Callable[[_Context], tuple[list[str], list[list[sm.Cell]]]], ...] = (
        _stale_rows, _slipped_rows, _report_rows, _lost_now_rows)
    sheets = []
    for key, make in zip(SHEET_KEYS, makers):
        columns, rows = make(ctx)
        sheets.append(_list_sheet(safe_sheet_name(label("sheet", key, lang), taken), key, ctx, columns, rows))
    return sheets


# ----------------------------------------------------------------------------------
# The rows of each list: columns, then one list of cells per row (style None: the column's)
# ----------------------------------------------------------------------------------


def _with_rep(ctx: _Context, columns: list[str]) -> list[str]:
    return (["rep"] if ctx.team else []) + columns


def _cells(ctx: _Context, rep: str, values: list[object], styles: dict[int, str] | None = None) -> list[sm.Cell]:
    row = ([rep] if ctx.team else []) + values
    offset = 1 if ctx.team else 0
    return [sm.Cell(v, style=(styles or {}).get(j - offset)) for j, v in enumerate(row)]


def _stage(ctx: _Context, stage: str | None) -> str | None:
    return label("activity", stage, ctx.lang) if stage else None


def _stale_rows(ctx: _Context) -> tuple[list[str], list[list[sm.Cell]]]:
    columns = _with_rep(ctx, ["customer", "stage", "amount", "close_month", "last_date", "last_activity", "days",
                              "band"])
    rows = [_cells(ctx, d.rep, [d.customer, _stage(ctx, d.stage), d.amount, d.close_month, d.last_date,
                                label("activity", d.last_activity, ctx.lang), d.days,
                                ctx.text(f"band_{d.band}")], {7: BAND_STYLES[d.band - 1]})
            for d in ctx.lists.stale]
    return columns, rows


def _slipped_rows(ctx: _Context) -> tuple[list[str], list[list[sm.Cell]]]:
    columns = _with_rep(ctx, ["customer", "stage", "amount", "close_month", "overdue", "pushes", "months_pushed"])
    rows = [_cells(ctx, d.rep, [d.customer, _stage(ctx, d.stage), d.amount, d.close_month,
                                d.months_overdue or None, d.pushes or None, d.months_pushed or None],
                   {4: "flag_months"} if d.past_due else None)
            for d in ctx.lists.slipped]
    return columns, rows


def _day_list(days: Sequence[dt.date]) -> str | None:
    return ", ".join(f"{d.month}/{d.day}" for d in days) or None


def _report_rows(ctx: _Context) -> tuple[list[str], list[list[sm.Cell]]]:
    columns = _with_rep(ctx, ["month", "outing_days", "pre_missing", "pre_rate", "post_missing", "post_pending",
                              "post_rate", "pre_missing_days", "post_missing_days"])
    rows = []
    for r in ctx.lists.reports:
        flags = {j: "flag_count" for j, n in ((2, len(r.pre_missing)), (4, len(r.post_missing))) if n}
        # The rates are filled in as formulas by _report_rates once the cells have rows.
        rows.append(_cells(ctx, r.rep, [r.month, len(r.outing_days), len(r.pre_missing), None,
                                        len(r.post_missing), len(r.post_pending), None,
                                        _day_list(r.pre_missing), _day_list(r.post_missing)], flags))
    return columns, rows


def _lost_now_rows(ctx: _Context) -> tuple[list[str], list[list[sm.Cell]]]:
    columns = _with_rep(ctx, ["customer", "lost_stage", "amount", "lost_date", "days_lost", "note"])
    rows = [_cells(ctx, d.rep, [d.customer, _stage(ctx, d.stage), d.amount, d.lost_date,
                                (ctx.lists.as_of - d.lost_date).days, d.note or None])
            for d in ctx.lists.lost_now]
    return columns, rows


# ----------------------------------------------------------------------------------
# One list sheet
# ----------------------------------------------------------------------------------


def _list_sheet(name: str, key: str, ctx: _Context, columns: list[str], rows: list[list[sm.Cell]]) -> sm.Sheet:
    lang, lists = ctx.lang, ctx.lists
    sheet = sm.Sheet(name=name, freeze=(FIRST_ROW, 0), tab_color=TAB_COLOR)
    last_col = len(columns) - 1
    short = key.removeprefix("deals_")
    sheet.set(ROW_TITLE, 0, f"{ctx.text('title_' + short)} — {ctx.title}", style="title")

    # One line of what the list was computed with (values, not inputs: nothing refers to them).
    params = [f"{ctx.text('as_of')}: {lists.as_of:%Y/%m/%d}"]
    if "amount" in columns:
        params.append(f"{ctx.text('unit')}: {ctx.settings.amount_unit}")
    if short == "stale":
        params.append(f"{ctx.text('stale_days')}: {lists.stale_days}")
    sheet.set(ROW_PARAMS, 0, "\u3000\u3000".join(params), style="param_line")
    widths = [_COLUMNS[c][0] for c in columns]
    note = ctx.text("note_" + short, days=lists.stale_days)
    values_note = ctx.text("values_note", as_of=lists.as_of.strftime("%Y-%m-%d"))
    for row, text in ((ROW_NOTE, note), (ROW_VALUES_NOTE, values_note)):
        sheet.set(row, 0, text, style="note")
        sheet.merges.append((row, 0, row, last_col))
        sheet.row_heights[row] = _note_height(text, sum(widths))
    if short == "stale":
        _legend(sheet, ctx, widths)
    else:
        sheet.row_heights[ROW_LEGEND] = 6  # the legend's row, kept so every list starts on the same row

    for j, c in enumerate(columns):
        head = ctx.text(c, unit=ctx.settings.amount_unit)
        sheet.set(ROW_HEAD, j, head, style="head")
        sheet.col_widths[j] = _COLUMNS[c][0]
    sheet.row_heights[ROW_HEAD] = 32

    for i, cells in enumerate(rows):
        row = FIRST_ROW + i
        for j, cell in enumerate(cells):
            style = cell.style or _COLUMNS[columns[j]][1]
            if style == "list_month":
                style += "_" + lang
            sheet.set(row, j, cell.value, style=style)
    if short == "reports":
        _report_rates(sheet, columns, len(rows))
    if not rows:
        sheet.set(FIRST_ROW, 0, ctx.text("none"), style="list_none")
    last_row = FIRST_ROW + max(len(rows), 1) - 1
    sheet.autofilter = (ROW_HEAD, 0, last_row, last_col)
    date = lists.as_of.strftime("%Y/%m/%d")
    sheet.print_setup = sm.PrintSetup(
        repeat_rows=(ROW_HEAD, ROW_HEAD),
        header=f"&L&\"-,Bold\"{_header_text(ctx.text('title_' + short))} — {_header_text(ctx.title)}"
               f"&R{_header_text(ctx.text('as_of'))} {date}")
    return sheet


def _header_text(s: str) -> str:
    return s.replace("&", "&&")  # "&" starts a code in a page header


def _note_height(text: str, width: float) -> float:
    # A full-width character takes about two units of a column's width, at the note's small
    # font a little less; one line is 13 points.
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return 13.0 * max(1, math.ceil(units * 0.85 / max(width, 1))) + 3


def _legend(sheet: sm.Sheet, ctx: _Context, widths: list[float]) -> None:
    """凡例 and the three bands, each in its colour with its symbol (it prints in black and white)."""
    sheet.set(ROW_LEGEND, 0, ctx.text("legend"), style="param_label")
    col = 1
    for band, style in enumerate(BAND_STYLES, start=1):
        first, span = col, 0.0
        while span < 14 and col < len(widths):  # merge columns until the text fits
            span += widths[col]
            col += 1
        sheet.set(ROW_LEGEND, first, ctx.text(f"band_{band}"), style=style)
        for extra in range(first + 1, col):
            sheet.set(ROW_LEGEND, extra, None, style=style)
        if col - 1 > first:
            sheet.merges.append((ROW_LEGEND, first, ROW_LEGEND, col - 1))


def _report_rates(sheet: sm.Sheet, columns: list[str], n: int) -> None:
    """The two rates as formulas over the counts of their row, with the values they compute.

    前報告率 = (外出日数 - 前報告なし) / 外出日数; 後報告率 = (外出日数 - 期限前 - 後報告なし)
    / (外出日数 - 期限前).  Blank when the denominator is 0 (DOMAIN.md §5 "Gaps").
    """
    j = {c: columns.index(c) for c in ("outing_days", "pre_missing", "pre_rate", "post_missing", "post_pending",
                                       "post_rate")}
    for row in range(FIRST_ROW, FIRST_ROW + n):
        def ref(c: str, row: int = row) -> str:
            return xl_rowcol_to_cell(row, j[c])

        def val(c: str, row: int = row) -> int:
            return sheet.cells[(row, j[c])].value or 0

        days, pre, post, pending = (val(c) for c in ("outing_days", "pre_missing", "post_missing", "post_pending"))
        sheet.set(row, j["pre_rate"], "" if days == 0 else (days - pre) / days, style="list_pct",
                  formula=f'IF(N({ref("outing_days")})=0,"",(N({ref("outing_days")})-N({ref("pre_missing")}))'
                          f'/N({ref("outing_days")}))')
        due = f'(N({ref("outing_days")})-N({ref("post_pending")}))'
        sheet.set(row, j["post_rate"], "" if days - pending == 0 else (days - pending - post) / (days - pending),
                  style="list_pct", formula=f'IF({due}=0,"",({due}-N({ref("post_missing")}))/{due})')
