"""The plan workbook (``xlsales plan``): the 年間計画 sheet of a fiscal year, written atomically.

The workbook holds the sheet only: its formulas read its own input cells, never an
activity log, so it stays small and a manager can try targets and rates in it.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from xlsales.compute.annual_plan import AnnualPlan, annual_plan, plan_year
from xlsales.compute.engine import fiscal_year_first
from xlsales.layout import sheetmodel as sm
from xlsales.layout.plan import layout_plan, plan_sheet_name
from xlsales.model import Master
from xlsales.texts import check_lang, label
from xlsales.write.xlsxwriter_backend import write_workbook


def plan_file_name(year: dt.date, lang: str) -> str:
    """``年間計画_2026年度.xlsx`` / ``AnnualPlan_FY2026.xlsx`` for the fiscal year starting in ``year``."""
    return label("file", "annual_plan", lang).format(fy=year.year) + ".xlsx"


def plan_workbook(plan: AnnualPlan, *, lang: str, unit: str) -> sm.Workbook:
    """The model of the plan workbook: the 年間計画 sheet of ``plan``."""
    book = sm.Workbook(properties={"title": plan_sheet_name(lang), "author": "xlsales",
                                   "comments": f"fiscal year from {plan.year.isoformat()}"})
    book.sheets.append(layout_plan(plan_sheet_name(lang), plan, lang=lang, unit=unit))
    return book


def write_plan(master: Master, out_dir: str | os.PathLike, *, year: dt.date | None = None,
               lang: str | None = None, today: dt.date | None = None) -> Path:
    """Write the plan workbook of ``master`` into ``out_dir``; return its path.

    Parameters
    ----------
    master : Master
        A validated master (``read_master``): 設定 holds the inputs typed in, the log
        last fiscal year's figures.
    out_dir : path
        Created when missing; a file of the same name is replaced only by a complete one.
    year : date, optional
        Any day of the fiscal year planned; default ``plan_year(today)`` (the year
        holding today, or the next one from its last quarter on).
    lang : {"ja", "en"}, optional
        Default: the master's 言語 setting.
    today : date, optional
        Default: today.

    Examples
    --------
    >>> write_plan(read_master("master.xlsx"), "plans", year=date(2026, 4, 1))  # doctest: +SKIP
    PosixPath('plans/年間計画_2026年度.xlsx')
    """
    lang = check_lang(lang or master.settings.language)
    start = master.settings.fiscal_year_start
    first = fiscal_year_first(year, start) if year else plan_year(today or dt.date.today(), start)
    plan = annual_plan(master, first)
    path = Path(out_dir) / plan_file_name(plan.year, lang)
    write_workbook(plan_workbook(plan, lang=lang, unit=master.settings.amount_unit), path)
    return path
