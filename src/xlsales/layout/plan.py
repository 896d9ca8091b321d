"""The 年間計画 sheet (DOMAIN.md §6): the year's plan worked backwards, as live formulas.

One sheet, in blocks from top to bottom:

- 前提（入力）: the plan's inputs (年間売上目標 … リスト→フォロー比), each in a marked
  input cell (yellow, heavy border, headed 入力: it reads as an input in black and white
  too) with its source (設定, last year's log, the 目標 sheet, the ベンチマーク sheet or
  the default) and its reference period;
- 逆算: the chain from the sales target down to list entries, each count
  ``ROUNDUP(ROUND(x, 6), 0)`` of the step before ÷ its rate, blank when the rate or
  price is blank or 0, with a live text beside it ("96 件 × 70 万円 = 6,720 万円");
- 月の配分: last year's sales by month (input cells) and each month's weight;
- 担当者別: per rep the share (input cells), its portion of the shares' total, the
  annual sales target and counts, and the プロセスのベンチマーク (one average month),
  with per-team subtotals when the reps form more than one team;
- 担当者別の月別目標: per rep, the twelve months and the year of every target.

Every formula reads cells of this sheet only (never the activity log), and carries the
value :mod:`xlsales.compute.annual_plan` computes, which uses the same order of
operations: the cached values are what Excel and LibreOffice compute.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from xlsxwriter.utility import xl_rowcol_to_cell

from xlsales.compute.annual_plan import COUNT_KEYS, AnnualPlan
from xlsales.compute.engine import sum_left
from xlsales.compute.plan import CHAIN_STEPS
from xlsales.layout import sheetmodel as sm
from xlsales.layout.process import text_literal
from xlsales.texts import label, labels

__all__ = ["INPUT_KEYS", "PlanCells", "excel_text", "layout_plan", "plan_sheet_name", "text_formula"]

# The inputs, in the order of the block (and of the deck's 年間目標の作成).
INPUT_KEYS: tuple[str, ...] = ("annual_target", "last_year_sales", "retention", "unit_price", "win_rate",
                               "deal_rate", "topic_rate", "appointment_rate", "list_rate")
# The chain's rows: sales first, then the counts.
CHAIN_KEYS: tuple[str, ...] = ("sales_target", "retained_sales", "new_sales", *COUNT_KEYS)
# Number formats of the inputs (cell style, and the TEXT code of the explanations).
_INPUT_FORMAT = {"annual_target": "amount", "last_year_sales": "amount", "retention": "pct", "unit_price": "amount",
                 "win_rate": "pct", "deal_rate": "pct", "topic_rate": "pct", "appointment_rate": "pct",
                 "list_rate": "ratio"}
_TEXT_CODE = {"amount": "#,##0", "pct": "0.0%", "pct0": "0%", "ratio": "0.00"}
_INPUT_STYLE = {"amount": "plan_input_amount", "pct": "plan_input_pct", "ratio": "plan_input_ratio"}
NCOLS = 14  # A: labels, B..M: the twelve months, N: the year
COL_TOTAL = 13
ROW_HEIGHT = 18.0
# A4 landscape at the margins of PrintSetup: the printable height in points, less the
# repeated title rows, the header and the footer.
_PAGE_POINTS = 500.0


def plan_sheet_name(lang: str) -> str:
    """The sheet's name: 年間計画 / Annual plan."""
    return label("sheet", "annual_plan", lang)


def excel_text(value: float, code: str) -> str:
    """``TEXT(value, code)`` as Excel and LibreOffice compute it, for the codes of this
    sheet (``#,##0``, ``0%``, ``0.0%``, ``0.00``): halves away from zero.

    Examples
    --------
    >>> excel_text(6720, "#,##0"), excel_text(0.0625, "0.0%"), excel_text(1.25, "0.00"), excel_text(2.5, "#,##0")
    ('6,720', '6.3%', '1.25', '3')
    """
    d = Decimal(repr(float(value)))
    if code.endswith("%"):
        d *= 100
    places = len(code.rstrip("%").partition(".")[2])
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:,}" if code.startswith("#,##") else f"{q}"
    if text in ("-0", "-0.0", "-0.00"):
        text = text[1:]
    return text + ("%" if code.endswith("%") else "")


_FIELD = re.compile(r"\{(\w+)\}")


def text_formula(template: str, fields: Mapping[str, tuple[str, float, str]]) -> tuple[str, str]:
    """A live text: ``template`` with each ``{field}`` as ``TEXT(expression, code)``.

    ``fields`` maps a field to (formula expression, its value, TEXT code).  Returns the
    formula (without ``=``) and the text it computes.
    """
    parts, values, pos = [], [], 0
    for m in _FIELD.finditer(template):
        if m.start() > pos:
            parts.append(text_literal(template[pos:m.start()]))
            values.append(template[pos:m.start()])
        expr, value, code = fields[m.group(1)]
        parts.append(f'TEXT({expr},"{code}")')
        values.append(excel_text(value, code))
        pos = m.end()
    if pos < len(template):
        parts.append(text_literal(template[pos:]))
        values.append(template[pos:])
    return "&".join(parts), "".join(values)


def _abs(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)


def _cell(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col)


def _blank(value: float | None) -> object:
    return "" if value is None else value


class PlanCells:
    """Where the sheet's figures are (0-based rows and columns), for tests and readers.

    ``inputs``: input key -> (row, col); ``chain``: chain key -> (row, col);
    ``pattern`` and ``weights``: the row of each; ``rep_rows``: rep -> row of the
    annual block; ``bench_rows``: rep -> row of the benchmark block; ``month_rows``:
    rep -> {key -> row} of the rep's monthly block (months in columns 1..12, the year
    in column 13); ``totals``: the annual and benchmark blocks' total rows.
    """

    def __init__(self) -> None:
        self.inputs: dict[str, tuple[int, int]] = {}
        self.chain: dict[str, tuple[int, int]] = {}
        self.pattern = self.weights = 0
        self.rep_rows: dict[str, int] = {}
        self.bench_rows: dict[str, int] = {}
        self.month_rows: dict[str, dict[str, int]] = {}
        self.subtotals: dict[str, tuple[int, int]] = {}  # team -> (annual row, benchmark row)
        self.totals: tuple[int, int] = (0, 0)


# The annual block's columns: rep, team, last year, share, portion, sales target, counts, source.
COL_REP, COL_TEAM, COL_LAST, COL_SHARE, COL_PORTION, COL_SALES, COL_FIRST_COUNT = 0, 1, 2, 3, 4, 5, 6
COL_SHARE_SOURCE = COL_FIRST_COUNT + len(COUNT_KEYS)
# The benchmark block's columns: rep, team, sales, counts.
COL_BENCH_SALES, COL_BENCH_FIRST = 2, 3


def _groups(plan: AnnualPlan, lang: str) -> list[tuple[str | None, list[str]]]:
    # The reps by team (distinct non-blank teams in rep order, then the reps without one)
    # when they form more than one team; else one group without a subtotal.
    teams: dict[str, list[str]] = {}
    for rep in plan.reps:
        teams.setdefault(plan.teams.get(rep, "").strip(), []).append(rep)
    named = [t for t in teams if t]
    if len(named) < 2:
        return [(None, list(plan.reps))]
    out: list[tuple[str | None, list[str]]] = [(t, teams[t]) for t in named]
    if "" in teams:
        out.append((label("annual_plan", "no_team", lang), teams[""]))
    return out


def layout_plan(name: str, plan: AnnualPlan, *, lang: str, unit: str, cells: PlanCells | None = None) -> sm.Sheet:
    """The 年間計画 sheet of ``plan`` as a sheet model.

    Parameters
    ----------
    name : str
        The sheet's name (``plan_sheet_name`` unless taken).
    plan : AnnualPlan
        The plan (``annual_plan``): inputs, pattern and shares become the input cells,
        its derived figures the cached values of the formulas.
    lang : {"ja", "en"}
        The language of the texts.
    unit : str
        The amount unit (設定 金額単位), shown and used in the live explanations.
    cells : PlanCells, optional
        Filled with where the figures are.
    """
    t = labels("annual_plan", lang)
    at = cells if cells is not None else PlanCells()
    sheet = sm.Sheet(name=name, tab_color="#7F6000", zoom=90)
    months = plan.months
    chain = plan.chain()
    weights = plan.weights()

    def month_text(m: dt.date) -> str:
        return label("teams", "month_format", lang).format(year=m.year, month=m.month)

    def span(first: dt.date, last: dt.date) -> str:
        return f"{month_text(first)}〜{month_text(last)}" if lang == "ja" else \
            f"{month_text(first)} – {month_text(last)}"

    def merged(row: int, first: int, last: int, value: object, style: str, formula: str | None = None) -> None:
        sheet.set(row, first, value, formula=formula, style=style)
        for j in range(first + 1, last + 1):
            sheet.set(row, j, None, style=style)
        if last > first:
            sheet.merges.append((row, first, row, last))

    def heading(row: int, text: str) -> None:
        merged(row, 0, NCOLS - 1, text, "ck_block")
        sheet.row_heights[row] = 22

    def input_label(key: str) -> str:
        if lang == "ja":
            return label("settings", key, lang)
        text = label("plan_input", key, lang)
        return text[:1].upper() + text[1:]

    blocks: list[tuple[int, int]] = []  # (first row, last row) of each block, for page breaks

    # Title, unit, how-to
    first_m, last_m = months[0], months[-1]
    merged(0, 0, NCOLS - 1, t["title"].format(fy=plan.year.year, first=month_text(first_m),
                                              last=month_text(last_m)), "ck_title")
    sheet.row_heights[0] = 28
    sheet.set(1, 0, t["unit"], style="param_label")
    sheet.set(1, 1, unit, style="param_text")
    merged(2, 0, NCOLS - 1, t["howto"].format(unit=unit), "ck_legend")

    # 前提（入力）
    # A unit price measured in the log has decimals: shown with two, so that "orders ×
    # price" in the chain's text adds up as printed.
    price = plan.value("unit_price")
    price_code = _TEXT_CODE["amount"] if price is None or float(price).is_integer() else "#,##0.00"
    row = 4
    top = row
    heading(row, t["block_inputs"])
    row += 1
    sheet.set(row, 0, t["head_item"], style="ck_head")
    sheet.set(row, 1, t["head_input"], style="plan_head_input")
    merged(row, 2, 4, t["head_source"], "ck_head")
    merged(row, 5, 7, t["head_period"], "ck_head")
    merged(row, 8, NCOLS - 1, t["head_note"], "ck_head")
    row += 1
    ref_span = span(plan.reference[0], plan.reference[-1])
    periods = {"log": ref_span, "targets": span(first_m, last_m), "settings": t["period_settings"],
               "benchmark": t["period_benchmark"]}
    for key in INPUT_KEYS:
        inp = plan.inputs[key]
        kind = _INPUT_FORMAT[key]
        sheet.set(row, 0, input_label(key), style="label_key" if key == "annual_target" else "label")
        style = _INPUT_STYLE[kind]
        if key == "unit_price" and price_code != _TEXT_CODE["amount"]:
            style = "plan_input_price"
        sheet.set(row, 1, inp.value, style=style)
        at.inputs[key] = (row, 1)
        source = inp.source
        if source == "default" and key in ("retention", "last_year_sales"):
            source = "default_plain"
        merged(row, 2, 4, t["source_" + source], "plan_source")
        merged(row, 5, 7, periods.get(inp.source, t["period_default"]), "plan_source")
        if inp.value is None:
            merged(row, 8, NCOLS - 1, t["missing"].format(item=input_label(key), key=label("settings", key, lang)),
                   "plan_missing")
            sheet.row_heights[row] = 30
        else:
            merged(row, 8, NCOLS - 1, t["about_" + key], "plan_about")
        row += 1
    blocks.append((top, row - 1))
    inp_ref = {k: _abs(*at.inputs[k]) for k in INPUT_KEYS}

    # 逆算
    row += 1
    top = row
    heading(row, t["block_chain"])
    row += 1
    sheet.set(row, 0, t["head_item"], style="ck_head")
    sheet.set(row, 1, t["head_annual"], style="ck_head")
    merged(row, 2, NCOLS - 1, t["head_explain"], "ck_head")
    row += 1
    for i, key in enumerate(CHAIN_KEYS):
        at.chain[key] = (row + i, 1)
    ch = {k: _abs(*at.chain[k]) for k in CHAIN_KEYS}
    target, last, retention = (plan.value(k) for k in ("annual_target", "last_year_sales", "retention"))
    retention_used = 1.0 if retention is None else retention
    rate_of = {key: rate for key, _, rate in CHAIN_STEPS}
    before_of = {key: before for key, before, _ in CHAIN_STEPS}
    amount = count = _TEXT_CODE["amount"]  # amounts and counts print alike: #,##0
    retention_expr = f"IF(ISNUMBER({inp_ref['retention']}),{inp_ref['retention']},1)"
    for key in CHAIN_KEYS:
        r = at.chain[key][0]
        if key in ("sales_target", "retained_sales", "new_sales"):
            sheet.set(r, 0, label("row" if key == "sales_target" else "plan", key, lang),
                      style="label_key" if key != "retained_sales" else "label")
        else:
            sheet.set(r, 0, label("row", key, lang), style="label")
        if key == "sales_target":
            formula = f'IF(ISNUMBER({inp_ref["annual_target"]}),{inp_ref["annual_target"]},"")'
            style = "amount_key"
            explain_f = f'IF({ch[key]}="",{text_literal(_missing(t, "annual_target", lang))},' \
                        f'{text_literal(t["explain_sales_target"])})'
            explain_v = t["explain_sales_target"] if target is not None else _missing(t, "annual_target", lang)
        elif key == "retained_sales":
            formula = f"N({inp_ref['last_year_sales']})*{retention_expr}"
            style = "amount"
            explain_f, explain_v = text_formula(t["explain_retained_sales"].replace("{unit}", unit), {
                "last": (f"N({inp_ref['last_year_sales']})", last or 0.0, amount),
                "retention": (retention_expr, retention_used, _TEXT_CODE["pct0"]),
                "value": (ch[key], chain[key], amount)})
        elif key == "new_sales":
            formula = f'IF({ch["sales_target"]}="","",MAX({ch["sales_target"]}-{ch["retained_sales"]},0))'
            style = "amount_key"
            body_f, body_v = text_formula(t["explain_new_sales"].replace("{unit}", unit), {
                "target": (ch["sales_target"], target or 0.0, amount),
                "retained": (ch["retained_sales"], chain["retained_sales"], amount),
                "value": (ch[key], chain[key] or 0.0, amount)})
            missing = _missing(t, "annual_target", lang)
            explain_f = f'IF({ch[key]}="",{text_literal(missing)},{body_f})'
            explain_v = body_v if chain[key] is not None else missing
        else:
            rate_key, before = rate_of[key], before_of[key]
            rate = inp_ref[rate_key]
            formula = (f'IF(OR({ch[before]}="",N({rate})=0),"",'
                       f'ROUNDUP(ROUND({ch[before]}/{rate},6),0))')
            style = "count_key" if key == "orders" else "count"
            rate_code = price_code if rate_key == "unit_price" else _TEXT_CODE[_INPUT_FORMAT[rate_key]]
            fields = {"before": (ch[before], chain[before] or 0.0, amount if before == "new_sales" else count),
                      "rate": (rate, plan.value(rate_key) or 0.0, rate_code),
                      "value": (ch[key], chain[key] or 0.0, count)}
            if key == "orders":
                fields["product"] = (f"{ch[key]}*{rate}", (chain[key] or 0.0) * (price or 0.0), amount)
            body_f, body_v = text_formula(t["explain_" + key].replace("{unit}", unit), fields)
            # The first missing input up the chain says why the step is blank.
            guards = [(f'{ch["sales_target"]}=""', "annual_target")]
            for k2, _, r2 in CHAIN_STEPS:
                guards.append((f"N({inp_ref[r2]})=0", r2))
                if k2 == key:
                    break
            explain_f = body_f
            for cond, item in reversed(guards):
                explain_f = f"IF({cond},{text_literal(_missing(t, item, lang))},{explain_f})"
            explain_v = body_v
            if chain[key] is None:
                why = "annual_target" if target is None else next(
                    r2 for k2, _, r2 in CHAIN_STEPS if not plan.value(r2))
                explain_v = _missing(t, why, lang)
        sheet.set(r, 1, _blank(chain[key]), formula=formula, style=style)
        merged(r, 2, NCOLS - 1, explain_v, "plan_explain", formula=explain_f)
    row = at.chain[CHAIN_KEYS[-1]][0] + 1
    blocks.append((top, row - 1))

    # 月の配分
    row += 1
    top = row
    heading(row, t["block_pattern"])
    row += 1
    month_header(sheet, row, months, lang, t["head_item"], label("annual_plan", "total", lang))
    row += 1
    at.pattern = row
    sheet.set(row, 0, t["pattern_row"], style="label")
    for j, p in enumerate(plan.pattern):
        sheet.set(row, 1 + j, p, style="plan_input_amount")
    pattern_total = _abs(row, COL_TOTAL)
    sheet.set(row, COL_TOTAL, sum_left(plan.pattern), formula=f"SUM({_cell(row, 1)}:{_cell(row, 12)})",
              style="amount_key")
    row += 1
    sheet.set(row, 0, t["pattern_source_row"], style="label_sub")
    for j, source in enumerate(plan.pattern_sources):
        sheet.set(row, 1 + j, t["pattern_" + source], style="plan_source")
    sheet.set(row, COL_TOTAL, None, style="plan_source")
    row += 1
    at.weights = row
    sheet.set(row, 0, t["weight_row"], style="label_key")
    for j, w in enumerate(weights):
        p = _cell(at.pattern, 1 + j)
        sheet.set(row, 1 + j, w, formula=f"IF(N({pattern_total})=0,1/12,{p}/{pattern_total})", style="pct1")
    sheet.set(row, COL_TOTAL, sum_left(weights), formula=f"SUM({_cell(row, 1)}:{_cell(row, 12)})", style="pct1")
    row += 1
    note = t["even_note"] if plan.even else t["pattern_note"].format(first=month_text(plan.reference[0]),
                                                                      last=month_text(plan.reference[-1]))
    merged(row, 0, NCOLS - 1, note, "plan_missing" if plan.even else "note")
    sheet.row_heights[row] = 30
    row += 1
    blocks.append((top, row - 1))
    weight_ref = [_abs(at.weights, 1 + j) for j in range(12)]

    # 担当者別（年間）
    groups = _groups(plan, lang)
    row += 1
    top = row
    heading(row, t["block_reps"])
    row += 1
    heads = [t["head_rep"], t["head_team"], t["head_last_year"], t["head_share"], t["head_fraction"],
             t["head_sales_target"], *(label("row", k, lang) for k in COUNT_KEYS), t["head_share_source"]]
    for j, text in enumerate(heads):
        sheet.set(row, j, text, style="plan_head_input" if j == COL_SHARE else "ck_head")
    sheet.row_heights[row] = 30
    row += 1
    # Where each rep's row goes, and the subtotal rows.
    layout_rows: list[tuple[str, object]] = []  # ("rep", rep) / ("sub", (team, reps))
    for team, reps in groups:
        layout_rows += [("rep", rep) for rep in reps]
        if team is not None:
            layout_rows.append(("sub", (team, reps)))
    annual_row = {}
    r = row
    for kind, what in layout_rows:
        if kind == "rep":
            annual_row[what] = r
        else:
            at.subtotals[what[0]] = (r, 0)
        r += 1
    total_row = r
    at.rep_rows = dict(annual_row)
    share_total = _abs(total_row, COL_SHARE)
    annual = {rep: plan.rep_annual(rep) for rep in plan.reps}
    cols = {"sales_target": COL_SALES, **{k: COL_FIRST_COUNT + i for i, k in enumerate(COUNT_KEYS)}}
    for rep in plan.reps:
        rr = annual_row[rep]
        sheet.set(rr, COL_REP, rep, style="label")
        sheet.set(rr, COL_TEAM, plan.teams.get(rep, ""), style="plan_source")
        sheet.set(rr, COL_LAST, plan.last_year_by_rep[rep], style="amount")
        sheet.set(rr, COL_SHARE, plan.shares[rep], style="plan_input_pct")
        portion = _abs(rr, COL_PORTION)
        sheet.set(rr, COL_PORTION, plan.share_of(rep),
                  formula=f"IF(N({share_total})=0,0,{_cell(rr, COL_SHARE)}/{share_total})", style="pct1")
        sheet.set(rr, COL_SALES, _blank(annual[rep]["sales_target"]),
                  formula=f'IF({ch["sales_target"]}="","",{ch["sales_target"]}*{portion})', style="amount_key")
        for k in COUNT_KEYS:
            sheet.set(rr, cols[k], _blank(annual[rep][k]),
                      formula=f'IF({ch[k]}="","",ROUNDUP(ROUND({ch[k]}*{portion},6),0))', style="count")
        sheet.set(rr, COL_SHARE_SOURCE, t["share_" + plan.share_sources.get(rep, "average")], style="plan_source")

    def sums(rr: int, reps: Sequence[str], text: str, rows_of: Mapping[str, int], value_cols: Mapping[str, int],
             values_of: Mapping[str, Mapping[str, float | None]],
             plain: Sequence[tuple[int, float, str]] = ()) -> None:
        # A subtotal or total row: plain sums, and sums that are blank when the figures are.
        ranges = _ranges([rows_of[rep] for rep in reps])
        merged(rr, 0, 1, text, "label_key")
        for col, value, style in plain:
            sheet.set(rr, col, value, formula=f"SUM({_join(ranges, col)})", style=style)
        for k, col in value_cols.items():
            if k == "sales":  # the benchmark's sales: orders × unit price
                blank_if = f'OR({ch["orders"]}="",N({inp_ref["unit_price"]})=0)'
                blank = chain["orders"] is None or not price
            else:
                blank_if, blank = f'{ch[k]}=""', chain[k] is None
            cached = "" if blank else sum_left(values_of[rep].get(k) or 0 for rep in reps)
            sheet.set(rr, col, cached, formula=f'IF({blank_if},"",SUM({_join(ranges, col)}))',
                      style="amount_key" if k in ("sales_target", "sales") else "count_key")

    def plain_sums(reps: Sequence[str]) -> list[tuple[int, float, str]]:
        return [(COL_LAST, sum_left(plan.last_year_by_rep[x] for x in reps), "amount_key"),
                (COL_SHARE, sum_left(plan.shares[x] for x in reps), "pct1"),
                (COL_PORTION, sum_left(plan.share_of(x) for x in reps), "pct1")]

    for kind, what in layout_rows:
        if kind == "sub":
            team, reps = what
            sums(at.subtotals[team][0], reps, t["subtotal"].format(team=team), annual_row, cols, annual,
                 plain_sums(reps))
            sheet.set(at.subtotals[team][0], COL_SHARE_SOURCE, None, style="label_key")
    sums(total_row, plan.reps, t["total"], annual_row, cols, annual, plain_sums(plan.reps))
    sheet.set(total_row, COL_SHARE_SOURCE, None, style="label_key")
    row = total_row + 1
    merged(row, 0, NCOLS - 1, t["rep_note"], "note")
    sheet.row_heights[row] = 30
    row += 1
    blocks.append((top, row - 1))

    # プロセスのベンチマーク（平均月）
    row += 1
    top = row
    heading(row, t["block_bench"])
    row += 1
    bench_heads = [t["head_rep"], t["head_team"], t["head_bench_sales"], *(label("row", k, lang) for k in COUNT_KEYS)]
    for j, text in enumerate(bench_heads):
        sheet.set(row, j, text, style="ck_head")
    sheet.row_heights[row] = 30
    row += 1
    bench_row = {}
    sub_bench = {}
    r = row
    for kind, what in layout_rows:
        if kind == "rep":
            bench_row[what] = r
        else:
            sub_bench[what[0]] = r
        r += 1
    bench_total = r
    at.bench_rows = dict(bench_row)
    bench = {rep: plan.benchmark(rep) for rep in plan.reps}
    bcols = {"sales": COL_BENCH_SALES, **{k: COL_BENCH_FIRST + i for i, k in enumerate(COUNT_KEYS)}}
    for rep in plan.reps:
        rr = bench_row[rep]
        sheet.set(rr, 0, rep, style="label")
        sheet.set(rr, 1, plan.teams.get(rep, ""), style="plan_source")
        orders = _cell(rr, bcols["orders"])
        sheet.set(rr, COL_BENCH_SALES, _blank(bench[rep].get("sales")),
                  formula=f'IF(OR({orders}="",N({inp_ref["unit_price"]})=0),"",{orders}*{inp_ref["unit_price"]})',
                  style="amount_key")
        for k in COUNT_KEYS:
            a = _abs(annual_row[rep], cols[k])
            sheet.set(rr, bcols[k], _blank(bench[rep].get(k)),
                      formula=f'IF({a}="","",ROUNDUP(ROUND({a}/12,6),0))', style="count")
    for team, rr in sub_bench.items():
        reps = next(rs for tm, rs in groups if tm == team)
        sums(rr, reps, t["subtotal"].format(team=team), bench_row, bcols, bench)
        at.subtotals[team] = (at.subtotals[team][0], rr)
    sums(bench_total, plan.reps, t["total"], bench_row, bcols, bench)
    at.totals = (total_row, bench_total)
    row = bench_total + 1
    merged(row, 0, NCOLS - 1, t["bench_note"], "note")
    sheet.row_heights[row] = 30
    row += 1
    blocks.append((top, row - 1))

    # 担当者別の月別目標
    month_keys = ("sales_target", *COUNT_KEYS)
    for i, rep in enumerate(plan.reps):
        row += 1
        top = row
        heading(row, t["block_months"].format(rep=rep))
        row += 1
        if i == 0:
            merged(row, 0, NCOLS - 1, t["months_note"], "note")
            sheet.row_heights[row] = 30
            row += 1
        month_header(sheet, row, months, lang, t["head_item"], t["head_year_total"])
        row += 1
        rows = at.month_rows[rep] = {}
        figures = plan.rep_months(rep)
        for k in month_keys:
            rows[k] = row
            a = _abs(annual_row[rep], cols[k])
            amount_row = k == "sales_target"
            sheet.set(row, 0, label("row", k, lang), style="label_key" if amount_row else "label")
            for j, m in enumerate(months):
                inner = f"ROUND({a}*{weight_ref[j]},0)" if amount_row else \
                    f"ROUNDUP(ROUND({a}*{weight_ref[j]},6),0)"
                sheet.set(row, 1 + j, _blank(figures[m].get(k)), formula=f'IF({a}="","",{inner})',
                          style="amount_key" if amount_row else "count")
            year = "" if annual[rep][k] is None else sum_left(figures[m][k] for m in months)
            sheet.set(row, COL_TOTAL, year, formula=f'IF({a}="","",SUM({_cell(row, 1)}:{_cell(row, 12)}))',
                      style="total_count")
            row += 1
        blocks.append((top, row - 1))

    # Columns, print
    sheet.col_widths[0] = 20 if lang == "ja" else 26
    for j in range(1, NCOLS):
        sheet.col_widths[j] = 9
    for r in range(row):
        sheet.row_heights.setdefault(r, ROW_HEIGHT)
    scale = min(100, int(_PAGE_CHARS * 100 / sum(sheet.col_widths.values())))
    sheet.print_setup = sm.PrintSetup(fit_width=False, scale=scale, repeat_rows=(0, 0),
                                      area=(0, 0, row - 1, NCOLS - 1),
                                      row_breaks=tuple(_page_breaks(blocks, sheet.row_heights, scale=scale)),
                                      header="&L&\"-,Bold\"" + name + "&R&D")
    return sheet


# Column widths (in characters) an A4 landscape page holds at 100%, with a margin
# (measured by rendering through LibreOffice).  The sheet prints at the scale that fits
# its columns: a scale, not "fit to one page wide", because Excel ignores manual page
# breaks when fitting.
_PAGE_CHARS = 104


def month_header(sheet: sm.Sheet, row: int, months: Sequence[dt.date], lang: str, first: str, last: str) -> None:
    """A header row: ``first``, the twelve months (the month style of the other sheets), ``last``."""
    sheet.set(row, 0, first, style="ck_head")
    for j, m in enumerate(months):
        sheet.set(row, 1 + j, m, style=f"head_month_{lang}")
    sheet.set(row, COL_TOTAL, last, style="ck_head")


def _missing(t: Mapping[str, str], key: str, lang: str) -> str:
    item = label("settings", key, lang) if lang == "ja" else label("plan_input", key, lang)
    return t["explain_missing"].format(item=item)


def _ranges(rows: Sequence[int]) -> list[tuple[int, int]]:
    # Consecutive rows as (first, last) runs.
    out: list[tuple[int, int]] = []
    for r in sorted(rows):
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def _join(ranges: Sequence[tuple[int, int]], col: int) -> str:
    if not ranges:
        return "0"
    return ",".join(_cell(a, col) if a == b else f"{_cell(a, col)}:{_cell(b, col)}" for a, b in ranges)


def _page_breaks(blocks: Sequence[tuple[int, int]], heights: Mapping[int, float], *, scale: int) -> list[int]:
    # Break before a block that would not fit on the page; a block taller than a page
    # breaks where it must.
    page = _PAGE_POINTS * 100 / scale
    title = heights.get(0, ROW_HEIGHT)  # repeated on every page
    breaks, used = [], sum(heights.get(r, ROW_HEIGHT) for r in range(blocks[0][0])) if blocks else 0.0
    for first, last in blocks:
        need = sum(heights.get(r, ROW_HEIGHT) for r in range(first, last + 1))
        if used + need > page and used > title:
            breaks.append(first)
            used = title
        used += need + ROW_HEIGHT  # and the blank row after it
    return breaks
