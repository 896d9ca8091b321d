"""The team view of a build: which reps form which team, the チーム別 sheet and the rep comparison.

- :func:`teams_of`: members' チーム groups the reps of a build (blank: no team).
- :func:`layout_by_team`: one column block per team (months and 合計) whose cells are
  live sums of the same cells on the team's reps' target/process sheets
  (``=SUM('佐藤 健太'!E6,'鈴木 美咲'!E6)``: cheap, and live like those sheets), ratios
  as guarded formulas over the block's own sums.
- :func:`layout_comparison`: per rep, the as-of month and the fiscal year to date
  (売上目標, 売上, 売上達成率, 受注件数, 話題化件数, 商談化件数, 商談化率), sorted by
  year-to-date achievement.  A sort by a live figure needs array functions, so the
  figures are values computed at the build's as-of date (the sheet says so); the
  ratios are guarded formulas over them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from xlsxwriter.utility import xl_rowcol_to_cell

from xlsales.compute.engine import ScopeMetrics, add_months, month_start
from xlsales.layout import sheetmodel as sm
from xlsales.layout.names import quote_sheet, safe_sheet_name
from xlsales.layout.process import COL_FIRST_MONTH, month_columns, process_row_index, row_label
from xlsales.model import Master, Member, Settings
from xlsales.texts import label

# The rows of a team block: (process-sheet row key, kind, style).  Sums are additive rows
# of the reps' sheets; ratios are computed from the block's own sums.
BY_TEAM_ROWS = (
    ("sales_target", "sum", "target"),
    ("sales", "sum", "amount_key"),
    ("achievement", ("sales", "sales_target"), "pct_mark_key"),
    ("orders", "sum", "count"),
    ("unit_price", ("sales", "orders"), "price"),
    ("deal_a_amount", "sum", "stock"),
    ("deal_b_amount", "sum", "stock"),
    ("forecast", "sum", "amount"),
    ("visits", "sum", "count"),
    ("new_topics", "sum", "count"),
    ("new_deals", "sum", "count"),
    ("deal_rate", ("new_deals", "new_topics"), "pct1"),
    ("win_rate", ("orders", "new_deals"), "pct1"),
    ("lost", "sum", "count"),
)
# Excel takes at most 255 arguments per function: a bigger team is summed in parts.
_ARGS = 200
_MARK_RULES = (("good", "{c}>=1"), ("warn", "AND({c}>=0.8,{c}<1)"), ("bad", "{c}<0.8"))


def teams_of(members: Sequence[Member], reps: Sequence[str]) -> dict[str, list[str]]:
    """The teams among ``reps`` (distinct non-blank チーム, in member order) -> their reps.

    Examples
    --------
    >>> from xlsales.model import Member
    >>> teams_of([Member("a", "1課"), Member("b", ""), Member("c", "2課"), Member("d", "1課")], ["a", "b", "c", "d"])
    {'1課': ['a', 'd'], '2課': ['c']}
    """
    team = {m.rep: m.team.strip() for m in members}
    out: dict[str, list[str]] = {}
    for rep in reps:
        if team.get(rep):
            out.setdefault(team[rep], []).append(rep)
    return out


def fiscal_months(settings: Settings, as_of: dt.date) -> list[dt.date]:
    """The months of the fiscal year that holds ``as_of``, from its first up to the as-of month."""
    fy = settings.fiscal_year_start
    first = dt.date(as_of.year if as_of.month >= fy else as_of.year - 1, fy, 1)
    out, m = [], first
    while m <= month_start(as_of):
        out.append(m)
        m = add_months(m, 1)
    return out


# ----------------------------------------------------------------------------------
# チーム別
# ----------------------------------------------------------------------------------


def _sum_of(refs: list[str]) -> str:
    parts = [f"SUM({','.join(refs[i:i + _ARGS])})" for i in range(0, len(refs), _ARGS)]
    return parts[0] if len(parts) == 1 else f"SUM({','.join(parts)})"


def _count_of(refs: list[str]) -> str:
    parts = [f"COUNT({','.join(refs[i:i + _ARGS])})" for i in range(0, len(refs), _ARGS)]
    return parts[0] if len(parts) == 1 else f"SUM({','.join(parts)})"


def _ratio_value(num: object, den: object) -> object:
    """The value of IF(OR(N(den)=0,num=""),"",N(num)/den)."""
    if not isinstance(den, (int, float)) or den == 0 or num in (None, ""):
        return ""
    return (num if isinstance(num, (int, float)) else 0) / den


def _mark_colours(sheet: sm.Sheet, row: int, first_col: int, last_col: int) -> None:
    # Colour beside the number format's mark (◎ ◇ ▼): the sheet reads the same in black and white.
    top_left = xl_rowcol_to_cell(row, first_col)
    for style, test in _MARK_RULES:
        sheet.conditional_formats.append(sm.ConditionalFormat(row, first_col, row, last_col, {
            "type": "formula", "criteria": f"=AND(ISNUMBER({top_left}),{test.format(c=top_left)})", "style": style}))


def month_text(month: dt.date, lang: str) -> str:
    """``2026年12月`` / ``2026-12``."""
    return label("teams", "month_format", lang).format(year=month.year, month=month.month)


def layout_by_team(name: str, teams: Mapping[str, Sequence[str]], rep_sheets: Mapping[str, sm.Sheet],
                   months: Sequence[dt.date], *, as_of: dt.date, settings: Settings, lang: str) -> sm.Sheet:
    """The チーム別 sheet: one column block (months, 合計) per team of ``teams``.

    Parameters
    ----------
    teams : mapping
        Team -> its reps, each with a target/process sheet in ``rep_sheets``.
    rep_sheets : mapping
        Rep -> their target/process sheet (``layout_process``) in the same workbook: the
        block's cells sum the same cells there, and its cached values are their values.
    """
    sheet = sm.Sheet(name=name, freeze=(6, 1), tab_color="#2F5597")
    row_of = process_row_index()
    rep_cols = month_columns(months)
    rep_total = COL_FIRST_MONTH + len(months)
    width = len(months) + 1
    first_row, head_team, head_month = 6, 4, 5
    sheet.set(head_team, 0, label("header", "label", lang), style="head")
    sheet.set(head_month, 0, "", style="head")
    sheet.merges.append((head_team, 0, head_month, 0))
    sheet.col_widths[0] = 16 if lang == "ja" else 26
    breaks = []
    for t, (team, reps) in enumerate(teams.items()):
        left = 1 + t * width
        if t:
            breaks.append(left)
        _block_heading(sheet, left, width, as_of, settings, lang)
        sheet.set(head_team, left, team, style="head_block")
        for j in range(1, width):
            sheet.set(head_team, left + j, "", style="head_block")
        sheet.merges.append((head_team, left, head_team, left + width - 1))
        for j, m in enumerate(months):
            sheet.set(head_month, left + j, m, style=f"head_month_{lang}")
            sheet.col_widths[left + j] = 8.5
        sheet.set(head_month, left + width - 1, label("header", "total", lang), style="head")
        sheet.col_widths[left + width - 1] = 10
        values: dict[tuple[str, int], object] = {}
        for i, (key, kind, style) in enumerate(BY_TEAM_ROWS):
            row = first_row + i
            if t == 0:
                sheet.set(row, 0, row_label(key, lang), style="label_key" if key in ("sales", "achievement")
                          else "label_derived" if kind != "sum" else "label")
            for j in range(width):
                col = left + j
                rep_col = rep_cols[months[j]] if j < len(months) else rep_total
                if kind == "sum":
                    refs = [f"{quote_sheet(rep_sheets[r].name)}!{xl_rowcol_to_cell(row_of[key], rep_col)}"
                            for r in reps]
                    cached = [rep_sheets[r].cells.get((row_of[key], rep_col)) for r in reps]
                    nums = [c.value for c in cached if c is not None and isinstance(c.value, (int, float))]
                    total = 0.0
                    for v in nums:  # left to right, as the spreadsheet adds
                        total += v
                    value: object = total if nums else ""
                    formula = f'IF({_count_of(refs)}=0,"",{_sum_of(refs)})'
                else:
                    num_key, den_key = kind
                    num = xl_rowcol_to_cell(first_row + _index(num_key), col)
                    den = xl_rowcol_to_cell(first_row + _index(den_key), col)
                    formula = f'IF(OR(N({den})=0,{num}=""),"",N({num})/{den})'
                    value = _ratio_value(values[(num_key, col)], values[(den_key, col)])
                values[(key, col)] = value
                sheet.set(row, col, value, formula=formula, style=style)
            if key == "achievement":
                _mark_colours(sheet, row, left, left + width - 1)
    last_row = first_row + len(BY_TEAM_ROWS) - 1
    sheet.row_heights[2] = 30
    sheet.print_setup = sm.PrintSetup(fit_width=False, scale=_scale(len(months)), repeat_cols=(0, 0),
                                      repeat_rows=(head_team, head_month), col_breaks=tuple(breaks),
                                      area=(0, 0, last_row, len(teams) * width),
                                      header="&L&\"-,Bold\"" + label("teams", "by_team_title", lang) + "&R&D")
    return sheet


def _block_heading(sheet: sm.Sheet, left: int, width: int, as_of: dt.date, settings: Settings, lang: str) -> None:
    # Each block has its own title, date and notes above it: each block prints on a page
    # of its own, with only the label column repeated.
    sheet.set(0, left, label("teams", "by_team_title", lang), style="title")
    sheet.set(1, left, label("header", "as_of", lang), style="param_label")
    sheet.set(1, left + 1, as_of, style="param_date")
    sheet.set(1, left + 2, "", style="param_date")
    sheet.merges.append((1, left + 1, 1, left + 2))
    sheet.set(1, left + 3, label("header", "unit", lang), style="param_label")
    sheet.set(1, left + 4, settings.amount_unit, style="param_text")
    for row, key in ((2, "by_team_note"), (3, "marks")):
        sheet.set(row, left, label("teams", key, lang), style="note")
        sheet.merges.append((row, left, row, left + width - 1))


def _index(key: str) -> int:
    return next(i for i, r in enumerate(BY_TEAM_ROWS) if r[0] == key)


def _scale(n_months: int) -> int:
    # One team block (label column, months, 合計) on one A4 landscape page: about 95
    # characters of column width fit at 100% (measured through LibreOffice: 12 months at 74%).
    chars = 16 + 8.5 * n_months + 10
    return max(30, min(100, int(100 * 95 / chars)))


# ----------------------------------------------------------------------------------
# チーム内比較
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepFigures:
    """One rep's figures of a period (the as-of month, or the fiscal year to date)."""

    target: float | None  # None: no sales target in any month of the period
    sales: float
    orders: float
    new_topics: float
    new_deals: float

    @property
    def achievement(self) -> float | None:
        return None if not self.target else self.sales / self.target


def rep_figures(master: Master, rep: str, metrics: ScopeMetrics, months: Sequence[dt.date]) -> RepFigures:
    """``rep``'s figures summed over ``months`` (flows: every row dated in those months)."""
    wanted = set(months)
    targets = [t.sales_target for t in master.targets
               if t.rep == rep and t.month in wanted and t.sales_target is not None]

    def total(key: str) -> float:
        out = 0.0
        for m in months:
            out += metrics.flow(key, m)
        return out

    target = None
    if targets:
        target = 0.0
        for v in targets:
            target += v
    return RepFigures(target, total("sales"), total("orders"), total("new_topics"), total("new_deals"))


COMPARISON_COLUMNS = ("sales_target", "sales", "achievement", "orders", "new_topics", "new_deals", "deal_rate")


def comparison_order(figures: Mapping[str, tuple[RepFigures, RepFigures]]) -> list[str]:
    """Reps by year-to-date achievement, highest first; then by sales; reps without a
    target last (in their given order)."""
    reps = list(figures)

    def key(rep: str) -> tuple:
        ytd = figures[rep][1]
        a = ytd.achievement
        return (a is None, -(a or 0), -ytd.sales, reps.index(rep))

    return sorted(reps, key=key)


def layout_comparison(name: str, figures: Mapping[str, tuple[RepFigures, RepFigures]], *, title: str,
                      team_of: Mapping[str, str] | None, months: Sequence[dt.date], as_of: dt.date,
                      settings: Settings, lang: str) -> sm.Sheet:
    """The rep comparison sheet: per rep the as-of month and the fiscal year to date.

    Parameters
    ----------
    figures : mapping
        Rep -> (as-of month figures, fiscal-year-to-date figures) (``rep_figures``).
    team_of : mapping, optional
        Rep -> team: a チーム column (the all-reps workbook of a build with teams).
    months : sequence of date
        The fiscal year's months up to the as-of month (``fiscal_months``).
    """
    sheet = sm.Sheet(name=name, freeze=(6, 2 if team_of is None else 3), tab_color="#2F5597")
    order = comparison_order(figures)
    lead = ["rank", "rep"] + (["team"] if team_of is not None else [])
    n = len(COMPARISON_COLUMNS)
    first_data = len(lead)
    last_col = first_data + 2 * n - 1
    head_group, head, first_row = 4, 5, 6
    sheet.set(0, 0, f"{label('teams', 'comparison_title', lang)} — {title}", style="title")
    sheet.set(1, 0, label("header", "as_of", lang), style="param_label")
    sheet.set(1, 1, as_of, style="param_date")
    sheet.set(1, 2, label("header", "unit", lang), style="param_label")
    sheet.set(1, 3, settings.amount_unit, style="param_text")
    sheet.set(2, 0, label("teams", "comparison_note", lang).format(as_of=as_of.strftime("%Y/%m/%d")), style="note")
    sheet.merges.append((2, 0, 2, last_col))
    sheet.row_heights[2] = 30
    sheet.set(3, 0, label("teams", "marks", lang), style="note")
    sheet.merges.append((3, 0, 3, last_col))
    heads = {"rank": label("teams", "rank", lang), "rep": label("header", "rep", lang),
             "team": label("teams", "team", lang)}
    for j, key in enumerate(lead):
        sheet.set(head_group, j, heads[key], style="head")
        sheet.set(head, j, "", style="head")
        sheet.merges.append((head_group, j, head, j))
    groups = (label("teams", "month", lang).format(month=month_text(months[-1], lang)),
              label("teams", "ytd", lang).format(first=month_text(months[0], lang),
                                                 last=month_text(months[-1], lang)))
    for g, text in enumerate(groups):
        left = first_data + g * n
        sheet.set(head_group, left, text, style="head_block")
        for j in range(1, n):
            sheet.set(head_group, left + j, "", style="head_block")
        sheet.merges.append((head_group, left, head_group, left + n - 1))
        for j, key in enumerate(COMPARISON_COLUMNS):
            sheet.set(head, left + j, row_label(key, lang), style="head")
    sheet.row_heights[head] = 30
    styles = {"sales_target": "target", "sales": "amount_key", "achievement": "pct_mark", "orders": "count",
              "new_topics": "count", "new_deals": "count", "deal_rate": "pct1"}
    rank = 0
    for i, rep in enumerate(order):
        row = first_row + i
        month_fig, ytd_fig = figures[rep]
        if ytd_fig.achievement is not None:
            rank += 1
            sheet.set(row, 0, rank, style="rank")
        else:
            sheet.set(row, 0, "", style="rank")
        sheet.set(row, 1, rep, style="label_key")
        if team_of is not None:
            sheet.set(row, 2, team_of.get(rep, ""), style="label")
        for g, fig in enumerate((month_fig, ytd_fig)):
            _figure_cells(sheet, row, first_data + g * n, fig, styles)
    total_row = first_row + len(order)
    sheet.set(total_row, 0, "", style="label_key")
    sheet.set(total_row, 1, label("teams", "total", lang), style="label_key")
    if team_of is not None:
        sheet.set(total_row, 2, "", style="label_key")
    for g in range(2):
        left = first_data + g * n
        sums = {}
        for j, key in enumerate(COMPARISON_COLUMNS):
            col = left + j
            if key in ("achievement", "deal_rate"):
                continue
            vals = [sheet.cells[(first_row + i, col)].value for i in range(len(order))]
            total = 0.0
            for v in vals:
                if isinstance(v, (int, float)):
                    total += v
            sums[key] = total
            top, bottom = xl_rowcol_to_cell(first_row, col), xl_rowcol_to_cell(total_row - 1, col)
            sheet.set(total_row, col, total, formula=f"SUM({top}:{bottom})" if order else "0",
                      style="amount_key" if key != "sales_target" else "target")
        _ratio_cell(sheet, total_row, left, "achievement", "sales", "sales_target", sums, "pct_mark_key")
        _ratio_cell(sheet, total_row, left, "deal_rate", "new_deals", "new_topics", sums, "pct1")
    for g in range(2):
        col = first_data + g * n + COMPARISON_COLUMNS.index("achievement")
        top = xl_rowcol_to_cell(first_row, col)
        for style, test in _MARK_RULES:
            sheet.conditional_formats.append(sm.ConditionalFormat(first_row, col, total_row, col, {
                "type": "formula", "criteria": f"=AND(ISNUMBER({top}),{test.format(c=top)})", "style": style}))
    sheet.col_widths.update({0: 6, 1: 16})
    if team_of is not None:
        sheet.col_widths[2] = 12
    for j in range(2 * n):
        sheet.col_widths[first_data + j] = 10 if COMPARISON_COLUMNS[j % n] in ("sales_target", "sales") else 9
    sheet.print_setup = sm.PrintSetup(fit_width=True, fit_tall=1, area=(0, 0, total_row, last_col),
                                      header="&L&\"-,Bold\"" + label("teams", "comparison_title", lang) + "&R&D")
    return sheet


def _figure_cells(sheet: sm.Sheet, row: int, left: int, fig: RepFigures, styles: Mapping[str, str]) -> None:
    plain = {"sales_target": "" if fig.target is None else fig.target, "sales": fig.sales, "orders": fig.orders,
             "new_topics": fig.new_topics, "new_deals": fig.new_deals}
    for j, key in enumerate(COMPARISON_COLUMNS):
        if key in plain:
            sheet.set(row, left + j, plain[key], style=styles[key])
    _ratio_cell(sheet, row, left, "achievement", "sales", "sales_target", plain, styles["achievement"])
    _ratio_cell(sheet, row, left, "deal_rate", "new_deals", "new_topics", plain, styles["deal_rate"])


def _ratio_cell(sheet: sm.Sheet, row: int, left: int, key: str, num_key: str, den_key: str,
                values: Mapping[str, object], style: str) -> None:
    num = xl_rowcol_to_cell(row, left + COMPARISON_COLUMNS.index(num_key))
    den = xl_rowcol_to_cell(row, left + COMPARISON_COLUMNS.index(den_key))
    sheet.set(row, left + COMPARISON_COLUMNS.index(key), _ratio_value(values[num_key], values[den_key]),
              formula=f'IF(OR(N({den})=0,{num}=""),"",N({num})/{den})', style=style)



def team_sheets(master: Master, reps: Sequence[str], rep_sheets: Mapping[str, sm.Sheet],
                rep_metrics: Mapping[str, ScopeMetrics], *, months: Sequence[dt.date], as_of: dt.date,
                lang: str, taken: set[str], title: str, by_team: bool) -> list[sm.Sheet]:
    """The sheets a team workbook adds after its reps' sheets: チーム別 (``by_team`` and more
    than one team among ``reps``) and the rep comparison.

    ``rep_sheets`` and ``rep_metrics`` are each rep's target/process sheet and figures
    in this workbook; ``taken`` (the workbook's sheet names) is updated.
    """
    out = []
    teams = teams_of(master.members, reps)
    if by_team and len(teams) > 1:
        out.append(layout_by_team(safe_sheet_name(label("sheet", "by_team", lang), taken), teams, rep_sheets, months,
                                  as_of=as_of, settings=master.settings, lang=lang))
    fy = fiscal_months(master.settings, as_of)
    figures = {rep: (rep_figures(master, rep, rep_metrics[rep], fy[-1:]),
                     rep_figures(master, rep, rep_metrics[rep], fy)) for rep in reps}
    team_of = {rep: team for team, members in teams.items() for rep in members} if len(teams) > 1 else None
    out.append(layout_comparison(safe_sheet_name(label("sheet", "comparison", lang), taken), figures, title=title,
                                 team_of=team_of, months=fy, as_of=as_of, settings=master.settings, lang=lang))
    return out
