"""The evaluation workbook (人事評価, DOMAIN.md §7) as a sheet model: never part of a build.

Sheets, in order:

- 評価 (active): one row per rep with live formulas over the reps' target/process
  sheets: each figure sums the monthly cells of the rep's eligible months (never the
  合計 column, which mixes a year of targets with actuals to date, and never a new scan
  of the log); ratios guarded by their denominator and capped with ``MIN(cap, x)``;
  weights looked up by grade on 評価設定; rank by ``COUNTIFS`` within the チーム.  Below
  the table, the team's funnel for the period (訪問 → 話題化 → 商談化 → 受注) and two
  charts for a review: result vs. process achievement per rep, and the funnel.
- 評価設定: the weights by grade and the cap as input cells the formulas read, so a
  manager can try other weights in the workbook (the master is not changed).
- each rep's target/process sheet over the period (``layout.process``), and the
  ActivityLog table their flows count.

Every formula carries the value ``compute.evaluation`` computes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from xlsales.compute.engine import ScopeMetrics, compute_scope, event_facts
from xlsales.compute.evaluation import EVALUATION_KPIS, RepEvaluation, RepTargets, eligible_months, evaluate
from xlsales.layout import sheetmodel as sm
from xlsales.layout.names import quote_sheet, safe_sheet_name
from xlsales.layout.process import (
    criterion_equals,
    layout_log,
    layout_process,
    log_names,
    month_columns,
    process_row_index,
)
from xlsales.layout.values import LIVE_ROWS, freeze_log_figures
from xlsales.layout.workbook import grouped_rows, log_blocks, process_inputs, rows_by_rep
from xlsales.model import Master
from xlsales.texts import label

# 評価 sheet: fixed rows (0-based) and columns.
ROW_TITLE, ROW_PARAMS, ROW_RULE, ROW_SOURCE, ROW_HEAD = 0, 1, 2, 3, 4
FIRST_REP_ROW = ROW_HEAD + 1
COLUMNS: tuple[str, ...] = (
    "rep", "team", "grade", "months", "sales_target", "sales", "result",
    *(f"{k}_achievement" for k in EVALUATION_KPIS), "process", "w_result", "w_process", "score", "rank", "note",
)
COL = {key: j for j, key in enumerate(COLUMNS)}
# The funnel's steps: rows of the target/process sheet.
FUNNEL: tuple[str, ...] = ("visits", "new_topics", "new_deals", "orders")
# 評価設定 sheet: the weights table's header row and the cap's row (0-based).
W_HEAD = 3
SUM_CHUNK = 200  # ranges per SUM: Excel takes at most 255 arguments


@dataclass(frozen=True)
class EvaluationBook:
    """An evaluation workbook's model and the evaluations it shows."""

    workbook: sm.Workbook
    evaluations: list[RepEvaluation]


def month_range_text(months: Sequence[dt.date], lang: str) -> str:
    """``4月〜10月`` / ``Apr – Oct`` (with the year when the months span more than a year)."""
    long = len({m.year for m in months}) > 1 and len(months) > 12

    def name(m: dt.date) -> str:
        if lang == "ja":
            return f"{m.year}年{m.month}月" if long else f"{m.month}月"
        return m.strftime("%b %Y") if long else m.strftime("%b")

    return label("evaluation", "month_range", lang).format(first=name(months[0]), last=name(months[-1]))


def period_text(first: dt.date, last: dt.date, lang: str) -> str:
    """``2026年4月〜2026年10月`` / ``Apr 2026 – Oct 2026``."""
    def name(m: dt.date) -> str:
        return f"{m.year}年{m.month}月" if lang == "ja" else m.strftime("%b %Y")

    return label("evaluation", "period_text", lang).format(first=name(first), last=name(last))


def layout_evaluation(master: Master, months: Sequence[dt.date], *, as_of: dt.date, lang: str,
                      reps: Sequence[str] | None = None, ranks: Mapping[str, int | None] | None = None,
                      groups: Mapping[str, list[int]] | None = None) -> EvaluationBook:
    """The evaluation workbook of ``reps`` (default: every member with a month in the period).

    Parameters
    ----------
    master : Master
        A validated master.
    months : sequence of date
        The period's months (first days), in order.
    as_of : date
        The target/process sheets' as-of date: the period's last day, or today if earlier.
    lang : {"ja", "en"}
    reps : sequence of str, optional
        The reps shown (a per-rep workbook: one); their log rows only.
    ranks : mapping of rep -> rank, optional
        Ranks computed over the whole team: written as values (a per-rep workbook, where
        the team is not there to rank against).
    groups : mapping of rep -> positions of the rep's events, optional
        ``rows_by_rep(master.events)``, to save finding them again for every workbook.
    """
    months = list(months)
    members = {m.rep: m for m in master.members}
    if reps is None:
        reps = [m.rep for m in master.members if eligible_months(m, months)]
    reps = [r for r in reps if r in members and eligible_months(members[r], months)]
    groups = groups if groups is not None else rows_by_rep(master.events)
    # The log's rows of these reps, rep by rep, each rep's in the master's order (an
    # opportunity is one rep's: "same date: the lower row wins" means the same).
    events = [master.events[i] for i in grouped_rows(reps, groups)]
    by_rep = rows_by_rep(events)
    taken: set[str] = set()
    eval_name = safe_sheet_name(label("sheet", "evaluation", lang), taken)
    weights_name = safe_sheet_name(label("sheet", "weights", lang), taken)
    log_name = safe_sheet_name(label("sheet", "log", lang), taken)
    live = len(reps) == 1 or len(events) <= LIVE_ROWS  # else the figures as values (layout.values)
    blocks = log_blocks(log_name, by_rep) if len(reps) > 1 and live else {}
    metrics: dict[str, ScopeMetrics] = {}
    sheets: dict[str, sm.Sheet] = {}
    targets: dict[str, RepTargets] = {}
    for rep in reps:
        rep_events = [events[i] for i in by_rep.get(rep, [])]
        metrics[rep] = compute_scope(rep_events, months, as_of, event_facts(rep_events))
        inputs = replace(process_inputs(master, [rep], title=rep, rep=rep, lang=lang, team=False),
                         log_block=blocks.get(rep))
        targets[rep] = RepTargets(inputs.sales_targets, inputs.process_targets)
        sheets[rep] = layout_process(safe_sheet_name(rep, taken, fallback="Rep"), metrics[rep], inputs)
    evaluations = evaluate(master, metrics, targets=targets)
    book = sm.Workbook(properties={"title": label("evaluation", "title", lang), "author": "xlsales",
                                   "comments": f"{months[0]:%Y-%m}..{months[-1]:%Y-%m}, as of {as_of.isoformat()}"})
    weights_sheet, refs = _weights_sheet(weights_name, master, lang)
    book.sheets.append(_evaluation_sheet(eval_name, evaluations, sheets, months, refs, master, as_of=as_of, lang=lang,
                                         ranks=ranks))
    book.sheets.append(weights_sheet)
    book.sheets += [sheets[r] for r in reps]
    lists = sm.Sheet(name=safe_sheet_name(label("sheet", "lists", lang), taken), visibility="hidden")
    book.sheets.append(layout_log(log_name, events, event_facts(events),
                                  lang=lang, reps=list(reps), lists_sheet=lists))
    book.defined_names.update(log_names(lang, len(events)))
    if lists.cells:
        book.sheets.append(lists)
    if not live:
        freeze_log_figures(book, log_name, drop=[lists.name], notes={
            label("text", "stocks_note", lang): label("text", "stocks_note_values", lang).format(rows=len(events))})
    return EvaluationBook(book, evaluations)


@dataclass(frozen=True)
class _WeightRefs:
    grades: str  # absolute ranges on 評価設定
    result: str
    process: str
    cap: str


def _weights_sheet(name: str, master: Master, lang: str) -> tuple[sm.Sheet, _WeightRefs]:
    sheet = sm.Sheet(name=name, tab_color="#C55A11")
    sheet.set(0, 0, label("evaluation", "weights_title", lang), style="title")
    sheet.set(1, 0, label("evaluation", "weights_note", lang), style="note")
    sheet.merges.append((1, 0, 1, 4))
    sheet.row_heights[1] = 45
    heads = [label("weights", "grade", lang), label("weights", "result", lang), label("weights", "process", lang),
             label("evaluation", "total", lang)]
    for j, text in enumerate(heads):
        sheet.set(W_HEAD, j, text, style="head")
    grades = list(master.weights.items()) or [(None, (None, None))]
    first = W_HEAD + 1
    for i, (grade, (result, process)) in enumerate(grades):
        row = first + i
        sheet.set(row, 0, label("grade", grade, lang) if grade else None, style="ev_text")
        sheet.set(row, 1, result, style="param_pct")
        sheet.set(row, 2, process, style="param_pct")
        b, c = xl_rowcol_to_cell(row, 1), xl_rowcol_to_cell(row, 2)
        sheet.set(row, 3, (result or 0) + (process or 0), formula=f"N({b})+N({c})", style="ev_weight_total")
    last = first + len(grades) - 1
    cap_row = last + 2
    sheet.set(cap_row, 0, label("evaluation", "cap", lang), style="ev_rep")
    sheet.set(cap_row, 1, master.settings.achievement_cap, style="param_pct")
    sheet.validations.append(sm.Validation(first, 1, last, 2, {
        "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1, "error_type": "stop",
        "input_title": label("weights", "result", lang)[:32], "input_message": label("master", "weight_input", lang),
        "error_title": label("weights", "result", lang)[:32], "error_message": label("master", "weight_error", lang)}))
    sheet.validations.append(sm.Validation(cap_row, 1, cap_row, 1, {
        "validate": "decimal", "criteria": ">=", "value": 1, "error_type": "stop",
        "error_title": label("evaluation", "cap", lang)[:32],
        "error_message": label("settings_help", "achievement_cap", lang)}))
    sheet.col_widths.update({0: 26 if lang == "ja" else 22, 1: 10, 2: 10, 3: 10, 4: 10})
    sheet.print_setup = sm.PrintSetup(landscape=False, area=(0, 0, cap_row, 4))
    q = quote_sheet(name)

    def rng(col: int) -> str:
        return f"{q}!${xl_col_to_name(col)}${first + 1}:${xl_col_to_name(col)}${last + 1}"

    return sheet, _WeightRefs(rng(0), rng(1), rng(2), f"{q}!$B${cap_row + 1}")


def _month_name(m: dt.date, lang: str) -> str:
    return f"{m.year}年{m.month}月" if lang == "ja" else m.strftime("%b %Y")


def _note(ev: RepEvaluation, hired: dt.date | None, left: dt.date | None, months: Sequence[dt.date],
          lang: str) -> str:
    """備考: why there is no score, which KPIs were left out, and a rep's months when shorter."""
    parts = []
    if ev.reason:
        parts.append(label("evaluation", f"reason_{ev.reason}", lang))
    if ev.process is None:
        parts.append(label("evaluation", "reason_no_process", lang))
    elif ev.missing_kpis:
        sep = "、" if lang == "ja" else ", "
        parts.append(label("evaluation", "reason_missing_kpis", lang).format(
            kpis=sep.join(label("row", k, lang) for k in ev.missing_kpis)))
    if hired and ev.months[0] > months[0]:
        parts.append(label("evaluation", "reason_hired", lang).format(
            date=hired.strftime("%Y/%m/%d"), first=_month_name(ev.months[0], lang)))
    if left and ev.months[-1] < months[-1]:
        parts.append(label("evaluation", "reason_left", lang).format(
            date=left.strftime("%Y/%m/%d"), last=_month_name(ev.months[-1], lang)))
    return ("／" if lang == "ja" else "; ").join(parts)


def _sum_of(ranges: Sequence[str]) -> str:
    chunks = [ranges[i:i + SUM_CHUNK] for i in range(0, len(ranges), SUM_CHUNK)] or [["0"]]
    return "+".join(f"SUM({','.join(c)})" for c in chunks)


def _evaluation_sheet(name: str, evaluations: list[RepEvaluation], rep_sheets: Mapping[str, sm.Sheet],
                      months: Sequence[dt.date], w: _WeightRefs, master: Master, *, as_of: dt.date, lang: str,
                      ranks: Mapping[str, int | None] | None) -> sm.Sheet:
    sheet = sm.Sheet(name=name, freeze=(FIRST_REP_ROW, COL["team"]), tab_color="#C00000")
    last_col = len(COLUMNS) - 1
    members = {m.rep: m for m in master.members}
    sheet.set(ROW_TITLE, 0, f"{label('evaluation', 'title', lang)} — {period_text(months[0], months[-1], lang)}",
              style="title")
    sheet.set(ROW_PARAMS, 0, label("evaluation", "period", lang), style="param_label")
    sheet.set(ROW_PARAMS, 1, period_text(months[0], months[-1], lang), style="param_text")
    sheet.merges.append((ROW_PARAMS, 1, ROW_PARAMS, 3))
    sheet.set(ROW_PARAMS, 4, label("header", "as_of", lang), style="param_label")
    sheet.set(ROW_PARAMS, 5, as_of, style="ck_param_date")
    sheet.set(ROW_PARAMS, 6, label("evaluation", "cap", lang), style="param_label")
    sheet.merges.append((ROW_PARAMS, 6, ROW_PARAMS, 7))
    sheet.set(ROW_PARAMS, 8, master.settings.achievement_cap, formula=w.cap, style="param_pct")
    cap_text = f"{master.settings.achievement_cap:.0%}"
    sheet.set(ROW_RULE, 0, label("evaluation", "rule_note", lang).format(cap=cap_text), style="note")
    sheet.merges.append((ROW_RULE, 0, ROW_RULE, last_col))
    sheet.row_heights[ROW_RULE] = 30
    source = label("evaluation", "source_note", lang)
    if ranks is not None:
        source += ("　" if lang == "ja" else " ") + label("evaluation", "rank_value_note", lang)
    sheet.set(ROW_SOURCE, 0, source + ("　" if lang == "ja" else " ") + label("text", "achievement_marks", lang),
              style="note")
    sheet.merges.append((ROW_SOURCE, 0, ROW_SOURCE, last_col))
    sheet.row_heights[ROW_SOURCE] = 30
    for key, col in COL.items():
        if key.endswith("_achievement"):
            text = label("evaluation", "kpi_head", lang).format(kpi=label("row", key[: -len("_achievement")], lang))
        else:
            text = label("evaluation", key, lang)
        sheet.set(ROW_HEAD, col, text, style="head")
    sheet.row_heights[ROW_HEAD] = 45

    row_of = process_row_index()
    n = len(evaluations)
    last_rep_row = FIRST_REP_ROW + max(n, 1) - 1
    team_range = f"${xl_col_to_name(COL['team'])}${FIRST_REP_ROW + 1}:${xl_col_to_name(COL['team'])}${last_rep_row + 1}"
    score_range = (f"${xl_col_to_name(COL['score'])}${FIRST_REP_ROW + 1}:"
                   f"${xl_col_to_name(COL['score'])}${last_rep_row + 1}")
    funnel_ranges: dict[str, list[str]] = {k: [] for k in FUNNEL}
    for i, ev in enumerate(evaluations):
        row = FIRST_REP_ROW + i
        member = members[ev.rep]
        rep_sheet = rep_sheets[ev.rep]
        cols = month_columns(months)
        first_col, last_col_m = cols[ev.months[0]], cols[ev.months[-1]]

        def span(key: str, name: str = rep_sheet.name, first: int = first_col, last: int = last_col_m) -> str:
            # the rep's row ``key`` over the eligible months' columns: never the 合計 column
            r = row_of[key]
            return f"{quote_sheet(name)}!{xl_rowcol_to_cell(r, first)}:{xl_rowcol_to_cell(r, last)}"

        for k in FUNNEL:
            funnel_ranges[k].append(span(k))

        def cell(key: str, row: int = row) -> str:
            return xl_rowcol_to_cell(row, COL[key])

        team_text = ev.team or label("evaluation", "no_team", lang)
        sheet.set(row, COL["rep"], ev.rep, style="ev_rep")
        sheet.set(row, COL["team"], team_text, style="ev_text")
        sheet.set(row, COL["grade"], label("grade", ev.grade, lang) if ev.grade else None, style="ev_text")
        sheet.set(row, COL["months"], month_range_text(ev.months, lang), style="ev_center")
        sheet.set(row, COL["sales_target"], ev.sales_target, formula=f"SUM({span('sales_target')})",
                  style="ev_amount")
        sheet.set(row, COL["sales"], ev.sales, formula=f"SUM({span('sales')})", style="ev_amount")
        den, num = cell("sales_target"), cell("sales")
        sheet.set(row, COL["result"], _blank(ev.result), formula=f'IF(N({den})=0,"",MIN({w.cap},N({num})/{den}))',
                  style="ev_achieve")
        for k in EVALUATION_KPIS:
            tgt, act = f"SUM({span(k + '_target')})", f"SUM({span(k)})"
            sheet.set(row, COL[f"{k}_achievement"], _blank(ev.kpis[k].achievement),
                      formula=f'IF(N({tgt})=0,"",MIN({w.cap},N({act})/{tgt}))', style="ev_achieve")
        kpi_cells = f"{cell(EVALUATION_KPIS[0] + '_achievement')}:{cell(EVALUATION_KPIS[-1] + '_achievement')}"
        sheet.set(row, COL["process"], _blank(ev.process), formula=f'IF(COUNT({kpi_cells})=0,"",AVERAGE({kpi_cells}))',
                  style="ev_achieve")
        grade = cell("grade")
        for key, rng, idx in (("w_result", w.result, 0), ("w_process", w.process, 1)):
            value = ev.weights[idx] if ev.weights else ""
            sheet.set(row, COL[key], value, style="ev_weight", formula=(
                f'IF({grade}="","",IF(COUNTIF({w.grades},{grade})=0,"",INDEX({rng},MATCH({grade},{w.grades},0))))'))
        g, p, wr, wp = cell("result"), cell("process"), cell("w_result"), cell("w_process")
        sheet.set(row, COL["score"], _blank(ev.score), style="ev_score",
                  formula=f'IF(OR({g}="",{wr}=""),"",IF({p}="",{g},{wr}*{g}+{wp}*{p}))')
        if ranks is not None:
            sheet.set(row, COL["rank"], _blank(ranks.get(ev.rep)), style="ev_rank")
        else:
            score = cell("score")
            sheet.set(row, COL["rank"], _blank(ev.rank), style="ev_rank", formula=(
                f'IF(ISNUMBER({score}),COUNTIFS({team_range},{criterion_equals(team_text)},'
                f'{score_range},">"&{score})+1,"")'))
        sheet.set(row, COL["note"], _note(ev, member.hire_date, member.left_on, months, lang), style="ev_note")
        sheet.row_heights[row] = 30
    _colours(sheet, FIRST_REP_ROW, last_rep_row)

    # The team's funnel over the period: the same monthly cells, summed over the reps.
    top = last_rep_row + 2
    sheet.set(top, 0, label("evaluation", "funnel_title", lang), style="ev_block")
    sheet.set(top + 1, 0, label("header", "label", lang), style="head")
    sheet.set(top + 1, 1, label("evaluation", "funnel_count", lang), style="head")
    sheet.set(top + 1, 2, label("evaluation", "funnel_rate", lang), style="head")
    totals = {"visits": sum(e.kpis["visits"].actual for e in evaluations),
              "new_topics": sum(e.kpis["new_topics"].actual for e in evaluations),
              "new_deals": sum(e.kpis["new_deals"].actual for e in evaluations),
              "orders": sum(e.orders for e in evaluations)}
    for i, k in enumerate(FUNNEL):
        row = top + 2 + i
        sheet.set(row, 0, label("row", k, lang), style="ev_rep")
        sheet.set(row, 1, totals[k], formula=_sum_of(funnel_ranges[k]), style="ev_count")
        if i:
            prev, here = xl_rowcol_to_cell(row - 1, 1), xl_rowcol_to_cell(row, 1)
            before = totals[FUNNEL[i - 1]]
            sheet.set(row, 2, "" if not before else totals[k] / before,
                      formula=f'IF(N({prev})=0,"",N({here})/{prev})', style="ev_rate")
        else:
            sheet.set(row, 2, None, style="ev_rate")
    funnel_last = top + 2 + len(FUNNEL) - 1

    chart_row = funnel_last + 2
    sheet.charts.append(sm.Chart(
        title=label("evaluation", "chart_achievement", lang), anchor=(chart_row, 0), size=(640, 300),
        y_num_format="0%",
        series=[sm.ChartSeries(name=(ROW_HEAD, COL[key]), categories=(FIRST_REP_ROW, 0, last_rep_row, 0),
                               values=(FIRST_REP_ROW, COL[key], last_rep_row, COL[key]), kind="column", color=color)
                for key, color in (("result", "#1F3864"), ("process", "#9DC3E6"))],
    ))
    widths = {"rep": 13, "team": 9, "grade": 19 if lang == "ja" else 17, "months": 11, "sales_target": 9,
              "sales": 9, "process": 11, "w_result": 8.5, "w_process": 8.5, "score": 10, "rank": 7, "note": 34}
    for key, col in COL.items():
        sheet.col_widths[col] = widths.get(key, 9.5)
    # The funnel chart starts at the first column right of the first chart, and ends with the table.
    pixels = [int(sheet.col_widths[c] * 7 + 5) for c in range(len(COLUMNS))]
    start = next(c for c in range(len(COLUMNS)) if sum(pixels[:c]) >= 640 + 16)
    sheet.charts.append(sm.Chart(
        title=label("evaluation", "chart_funnel", lang), anchor=(chart_row, start), size=(sum(pixels[start:]), 300),
        series=[sm.ChartSeries(name=(top + 1, 1), categories=(top + 2, 0, funnel_last, 0),
                               values=(top + 2, 1, funnel_last, 1), kind="column", color="#2F5597", labels=True)],
    ))
    # A4 landscape, one page wide: the table, the funnel and the charts below it.
    sheet.print_setup = sm.PrintSetup(repeat_rows=(ROW_HEAD, ROW_HEAD), fit_tall=0,
                                      area=(0, 0, chart_row + 15, last_col), margins=(0.3, 0.3, 0.5, 0.5),
                                      header="&L&\"-,Bold\"" + label("evaluation", "title", lang) + "&R&D")
    return sheet


def _blank(value: object) -> object:
    return "" if value is None else value


def _colours(sheet: sm.Sheet, first_row: int, last_row: int) -> None:
    """Green at 100% and over, amber from 80%, red below, beside the ◎ ◇ ▼ of the number format."""
    for col in [COL["result"], *(COL[f"{k}_achievement"] for k in EVALUATION_KPIS), COL["process"], COL["score"]]:
        top_left = xl_rowcol_to_cell(first_row, col, row_abs=False, col_abs=False)
        for style, test in (("good", f"{top_left}>=1"), ("warn", f"AND({top_left}>=0.8,{top_left}<1)"),
                            ("bad", f"{top_left}<0.8")):
            sheet.conditional_formats.append(sm.ConditionalFormat(first_row, col, last_row, col, {
                "type": "formula", "criteria": f"=AND(ISNUMBER({top_left}),{test})", "style": style}))
