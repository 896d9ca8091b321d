"""The チェックイン sheet (DOMAIN.md §9): the month's pace and ヨミ for a meeting, live.

One sheet per scope: the team's (with a table of its reps under it) or one rep's.  Its
top rows hold the as-of date (基準日, the one cell a manager overwrites), the month, its
last day and the working days, counted by ``NETWORKDAYS`` with the month's weekday days
off listed right of the print area (``WorkCalendar.days_off``).  Below come blocks:

- 進捗: for 売上 and each process KPI the target, the target pro-rated by working days,
  the actual to date (COUNTIFS/SUMIFS over the ActivityLog table up to the as-of date,
  the same formulas as the target/process sheet), pace, mark and gap;
- ヨミ: 受注 + 商談◯ + 商談△ of the month stacked against the sales target (the deal
  amounts are values at the build's as-of date: the sheet says so), and at 月末 the
  next month's;
- 計画: the sales target and the pipeline the month started with (月初の商談);
- 担当者別 (team sheets): each rep's sales pace and stack.

月初, 中間 and 月末 show the same blocks in another order, the first one highlighted.
Every formula carries the value ``compute.checkin`` computes, so a preview shows what
Excel computes.  Colours always have a symbol beside them (◎ ◇ ▼, as on the
target/process sheet; ▲ marks a shortfall): the sheet reads in black and white too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from xlsxwriter.utility import xl_rowcol_to_cell

from xlsales.compute.checkin import CHECKIN_KEYS, CheckinFigures, YomiStack
from xlsales.compute.engine import month_end
from xlsales.compute.workdays import WorkCalendar
from xlsales.layout import sheetmodel as sm
from xlsales.layout.process import flow_formula, log_columns, text_literal
from xlsales.texts import label, labels

# Fixed cells (0-based): the title, two rows of parameters, the legend and the note.
ROW_TITLE, ROW_PARAMS, ROW_DAYS, ROW_LEGEND, ROW_NOTE, FIRST_BLOCK_ROW = 0, 1, 2, 3, 4, 6
COL_ASOF, COL_MONTH, COL_MONTH_END, COL_UNIT = 1, 3, 5, 7  # on ROW_PARAMS, labels one column left
COL_ELAPSED, COL_DAYS, COL_LEFT = 1, 3, 5  # on ROW_DAYS
MAIN_COLS = 7  # A..G: the pace, stack and plan blocks
REP_COLS = 11  # A..K: the per-rep table
COL_HOLIDAYS = 12  # M: the month's weekday days off (outside the print area)
# Which blocks a meeting shows, in its order: the first one is highlighted.
BLOCK_ORDER = {
    "start": ("plan", "stack", "pace", "reps"),
    "mid": ("pace", "reps", "stack", "plan"),
    "end": ("stack", "next", "reps", "pace", "plan"),
}
PACE_GOOD, PACE_WARN = 1.0, 0.8  # ◎ from 100%, ◇ from 80%, ▼ below


def _abs(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)


ASOF, MONTH, MONTH_END = _abs(ROW_PARAMS, COL_ASOF), _abs(ROW_PARAMS, COL_MONTH), _abs(ROW_PARAMS, COL_MONTH_END)
ELAPSED, DAYS = _abs(ROW_DAYS, COL_ELAPSED), _abs(ROW_DAYS, COL_DAYS)


@dataclass(frozen=True)
class RepCheckin:
    """One rep's row of the team's per-rep table."""

    rep: str
    figures: CheckinFigures


def blank(value: float | None) -> object:
    """A figure as a cached value: blank ("") for DOMAIN.md's gap."""
    return "" if value is None else value


def mark_of(value: float | None, lang: str) -> str:
    """The symbol beside a pace's colour: ◎ from 100%, ◇ from 80%, ▼ below ("" for blank)."""
    if value is None:
        return ""
    key = "good" if value >= PACE_GOOD else "warn" if value >= PACE_WARN else "bad"
    return label("checkin_mark", key, lang)


def mark_formula(cell: str, lang: str) -> str:
    """The formula of ``mark_of`` over the pace in ``cell``."""
    good, warn, bad = (text_literal(label("checkin_mark", k, lang)) for k in ("good", "warn", "bad"))
    return f'IF({cell}="","",IF({cell}>={PACE_GOOD},{good},IF({cell}>={PACE_WARN},{warn},{bad})))'


def month_text(month: dt.date, lang: str) -> str:
    """A month as a heading shows it: 2026年11月 / 2026-11."""
    return label("checkin", "month_format", lang).format(year=month.year, month=month.month)


def _colours(sheet: sm.Sheet, row: int, value_col: int, mark_col: int) -> None:
    # The colour of a pace or ratio, on the value and on its symbol's cell.
    cell = xl_rowcol_to_cell(row, value_col)
    for style, test in (("good", f"{cell}>={PACE_GOOD}"), ("warn", f"AND({cell}>={PACE_WARN},{cell}<{PACE_GOOD})"),
                        ("bad", f"{cell}<{PACE_WARN}")):
        for col in (value_col, mark_col):
            sheet.conditional_formats.append(sm.ConditionalFormat(row, col, row, col, {
                "type": "formula", "criteria": f"=AND(ISNUMBER({cell}),{test})", "style": style}))


def _block_height(block: str, n_reps: int) -> int:
    return {"pace": 2 + len(CHECKIN_KEYS), "stack": 6, "next": 6, "plan": 4, "reps": 2 + n_reps}[block]


def layout_checkin(name: str, figures: CheckinFigures, *, title: str, rep: str | None, lang: str,
                   calendar: WorkCalendar, unit: str, reps: Sequence[RepCheckin] = ()) -> sm.Sheet:
    """The チェックイン sheet of one scope as a sheet model.

    Parameters
    ----------
    name : str
        The sheet's name.
    figures : CheckinFigures
        The scope's figures (``compute_checkin``): the cached values, and the stocks.
    title : str
        Who the sheet is about (チーム合計, or the rep's name).
    rep : str or None
        The rep the formulas count (None: every rep of the log, the team).
    lang : {"ja", "en"}
        The language of the texts and of the log's labels the formulas compare with.
    calendar : WorkCalendar
        Gives the month's weekday days off, which ``NETWORKDAYS`` leaves out.
    unit : str
        The amount unit (設定 金額単位).
    reps : sequence of RepCheckin
        The rows of the per-rep table (team sheets); empty: no table.
    """
    c = log_columns(lang)
    sheet = sm.Sheet(name=name, tab_color="#C55A11", zoom=90)
    ck = labels("checkin", lang)
    order = [b for b in BLOCK_ORDER[figures.meeting] if b != "reps" or reps]
    width = REP_COLS if reps else MAIN_COLS
    first, last = figures.month, month_end(figures.month)

    # Title, parameters, working days
    meeting = label("meeting", figures.meeting, lang)
    sheet.set(ROW_TITLE, 0, f"{ck['title']}　{month_text(first, lang)}　{meeting} — {title}", style="ck_title")
    sheet.merges.append((ROW_TITLE, 0, ROW_TITLE, width - 1))
    sheet.row_heights[ROW_TITLE] = 28
    params = [
        (ROW_PARAMS, COL_ASOF, label("header", "as_of", lang), figures.as_of, None, "param_date"),
        (ROW_PARAMS, COL_MONTH, ck["month"], first, None, f"ck_param_month_{lang}"),
        (ROW_PARAMS, COL_MONTH_END, ck["month_end"], last, f"EOMONTH({MONTH},0)", "ck_param_date"),
        (ROW_PARAMS, COL_UNIT, ck["unit"], unit, None, "param_text"),
    ]
    days_off = calendar.days_off(first, last)
    holidays = (f"{_abs(ROW_DAYS, COL_HOLIDAYS)}:{_abs(ROW_DAYS + max(len(days_off), 1) - 1, COL_HOLIDAYS)}")
    params += [
        (ROW_DAYS, COL_ELAPSED, ck["days_elapsed"], figures.days_elapsed,
         f"IF({ASOF}<{MONTH},0,NETWORKDAYS({MONTH},MIN({ASOF},{MONTH_END}),{holidays}))", "ck_param_days"),
        (ROW_DAYS, COL_DAYS, ck["days_month"], figures.days_in_month, f"NETWORKDAYS({MONTH},{MONTH_END},{holidays})",
         "ck_param_days"),
        (ROW_DAYS, COL_LEFT, ck["days_left"], figures.days_left, f"{DAYS}-{ELAPSED}", "ck_param_days"),
    ]
    for row, col, text, value, formula, style in params:
        sheet.set(row, col - 1, text, style="param_label")
        sheet.set(row, col, value, formula=formula, style=style)
    sheet.set(ROW_PARAMS, COL_HOLIDAYS, ck["holidays"], style="param_label")
    for i, day in enumerate(days_off):
        sheet.set(ROW_DAYS + i, COL_HOLIDAYS, day, style="ck_holiday")
    sheet.set(ROW_LEGEND, 0, ck["legend"], style="ck_legend")
    sheet.merges.append((ROW_LEGEND, 0, ROW_LEGEND, width - 1))
    sheet.set(ROW_NOTE, 0, ck["note"].format(date=figures.as_of.strftime("%Y/%m/%d")), style="note")
    sheet.merges.append((ROW_NOTE, 0, ROW_NOTE, width - 1))
    sheet.row_heights[ROW_NOTE] = 44 if reps else 58

    # Where each block starts: blocks refer to each other's cells, whatever their order.
    starts, row = {}, FIRST_BLOCK_ROW
    for block in order:
        starts[block] = row
        row += _block_height(block, len(reps)) + 1
    pace_row = {k: starts["pace"] + 2 + i for i, k in enumerate(CHECKIN_KEYS)}
    actual = {k: _abs(r, 3) for k, r in pace_row.items()}
    target_cell = _abs(pace_row["sales"], 1)
    this_month = [c.ref("date"), f'">="&{MONTH}', c.ref("date"), f'"<="&MIN({ASOF},{MONTH_END})']

    def heading(block: str, text: str, cols: int) -> int:
        top = starts[block]
        sheet.set(top, 0, text, style="ck_block_focus" if block == order[0] else "ck_block")
        sheet.merges.append((top, 0, top, cols - 1))
        sheet.row_heights[top] = 22
        return top + 1

    def header(row: int, keys: Sequence[str]) -> None:
        for j, key in enumerate(keys):
            sheet.set(row, j, ck[key], style="ck_head")
        sheet.row_heights[row] = 30

    def pace_cells(row: int, target: float | None, pf, act_formula: str, value_style: str,
                   prorated_style: str, gap_style: str) -> None:
        # Target, pro-rated target, actual, pace, mark, gap in columns B..G of ``row``.
        r = row + 1
        sheet.set(row, 1, target, style="target")
        sheet.set(row, 2, blank(pf.prorated), formula=f'IF(OR(B{r}="",{DAYS}=0),"",B{r}*{ELAPSED}/{DAYS})',
                  style=prorated_style)
        sheet.set(row, 3, pf.actual, formula=act_formula, style=value_style)
        sheet.set(row, 4, blank(pf.pace), formula=f'IF(N(C{r})=0,"",D{r}/C{r})', style="ck_pct")
        sheet.set(row, 5, mark_of(pf.pace, lang), formula=mark_formula(f"E{r}", lang), style="ck_mark")
        sheet.set(row, 6, blank(pf.gap), formula=f'IF(C{r}="","",D{r}-C{r})', style=gap_style)
        _colours(sheet, row, 4, 5)

    def pace_block() -> None:
        row = heading("pace", ck["block_pace"], MAIN_COLS)
        header(row, ("head_item", "head_target", "head_prorated", "head_actual", "head_pace", "head_mark",
                     "head_gap"))
        for key in CHECKIN_KEYS:
            row = pace_row[key]
            amount = key == "sales"
            sheet.set(row, 0, label("row", key, lang), style="label_key" if amount else "label")
            pace_cells(row, figures.lines[key].target, figures.lines[key],
                       flow_formula(key, rep, this_month, c, lang), "ck_actual",
                       "ck_prorated_amount" if amount else "ck_prorated", "ck_gap_amount" if amount else "ck_gap")

    def stack_block(block: str, stack: YomiStack) -> None:
        text = ck["block_stack" if block == "stack" else "block_next"].format(month=month_text(stack.month, lang))
        row = heading(block, text, MAIN_COLS)
        header(row, ("head_kind", "head_count", "head_amount", "head_stack", "head_ratio", "head_mark",
                     "head_remaining"))
        t = row + 1
        sheet.set(t, 0, ck["sales_target"], style="label_key")
        if block == "stack":
            sheet.set(t, 2, blank(stack.target), formula=f'IF({target_cell}="","",{target_cell})', style="target")
        else:
            sheet.set(t, 2, stack.target, style="target")
        for j in (1, 3, 4, 5, 6):
            sheet.set(t, j, None, style="amount")
        tc = f"$C${t + 1}"
        if block == "stack":
            count_f, amount_f = actual["orders"], actual["sales"]
        else:  # next month's orders dated up to the as-of date (usually none yet)
            bounds = [c.ref("date"), f'">="&EDATE({MONTH},1)', c.ref("date"), f'"<="&MIN({ASOF},EOMONTH({MONTH},1))']
            count_f, amount_f = (flow_formula(k, rep, bounds, c, lang) for k in ("orders", "sales"))
        for i, level in enumerate(stack.levels):
            row = t + 1 + i
            r = row + 1
            sheet.set(row, 0, ck["stack_" + level.key], style="label")
            if level.key == "orders":
                sheet.set(row, 1, level.count, formula=count_f, style="count")
                sheet.set(row, 2, level.amount, formula=amount_f, style="amount")
                sheet.set(row, 3, level.stack, formula=f"C{r}", style="ck_actual")
            else:
                sheet.set(row, 1, level.count, style="stock")
                sheet.set(row, 2, level.amount, style="stock")
                sheet.set(row, 3, level.stack, formula=f"D{r - 1}+C{r}", style="ck_actual")
            sheet.set(row, 4, blank(level.ratio), formula=f'IF(N({tc})=0,"",D{r}/{tc})', style="ck_pct")
            sheet.set(row, 5, mark_of(level.ratio, lang), formula=mark_formula(f"E{r}", lang), style="ck_mark")
            sheet.set(row, 6, blank(level.remaining), formula=f'IF({tc}="","",{tc}-D{r})', style="ck_remaining")
            _colours(sheet, row, 4, 5)

    def plan_block() -> None:
        row = heading("plan", ck["block_plan"], MAIN_COLS)
        header(row, ("head_item", "head_count", "head_amount", "head_ratio"))
        t, s = row + 1, row + 2
        sheet.set(t, 0, ck["sales_target"], style="label_key")
        sheet.set(t, 1, None, style="amount")
        sheet.set(t, 2, blank(figures.stack.target), formula=f'IF({target_cell}="","",{target_cell})',
                  style="target")
        sheet.set(t, 3, None, style="amount")
        sheet.set(s, 0, ck["start_pipeline"], style="label")
        sheet.set(s, 1, figures.start_count, style="stock")
        sheet.set(s, 2, figures.start_amount, style="stock")
        target = figures.stack.target
        coverage = None if not target else figures.start_amount / target
        sheet.set(s, 3, blank(coverage), formula=f'IF(N(C{t + 1})=0,"",C{s + 1}/C{t + 1})', style="ck_pct")

    def reps_block() -> None:
        row = heading("reps", ck["block_reps"], REP_COLS)
        header(row, ("head_rep", "head_target", "head_prorated", "head_actual", "head_pace", "head_mark", "head_gap",
                     "head_open", "head_stack", "head_ratio", "head_remaining"))
        for i, rc in enumerate(reps):
            row = starts["reps"] + 2 + i
            r = row + 1
            f = rc.figures
            sheet.set(row, 0, rc.rep, style="label")
            pace_cells(row, f.lines["sales"].target, f.lines["sales"],
                       flow_formula("sales", rc.rep, this_month, c, lang), "ck_actual", "ck_prorated_amount",
                       "ck_gap_amount")
            top = f.stack.levels[-1]
            sheet.set(row, 7, f.stack.levels[1].amount + f.stack.levels[2].amount, style="stock")
            sheet.set(row, 8, top.stack, formula=f"D{r}+H{r}", style="ck_actual")
            sheet.set(row, 9, blank(top.ratio), formula=f'IF(N(B{r})=0,"",I{r}/B{r})', style="ck_pct")
            sheet.set(row, 10, blank(top.remaining), formula=f'IF(B{r}="","",B{r}-I{r})', style="ck_remaining")

    for block in order:
        if block == "pace":
            pace_block()
        elif block == "stack":
            stack_block("stack", figures.stack)
        elif block == "next":
            stack_block("next", figures.next_stack)
        elif block == "plan":
            plan_block()
        else:
            reps_block()

    last_row = starts[order[-1]] + _block_height(order[-1], len(reps)) - 1
    sheet.col_widths.update({0: 24 if lang == "ja" else 30, COL_HOLIDAYS - 1: 3, COL_HOLIDAYS: 11})
    for j in range(1, width):
        sheet.col_widths[j] = 11.5
    # The print area holds the amount unit's cell (column H) on a rep's narrower sheet too.
    last_col = max(width, COL_UNIT + 1) - 1
    sheet.col_widths[COL_UNIT] = 11.5
    sheet.print_setup = sm.PrintSetup(repeat_rows=(0, 0), fit_tall=1, area=(0, 0, last_row, last_col),
                                      header="&L&\"-,Bold\"" + title + "&R&D")
    return sheet

