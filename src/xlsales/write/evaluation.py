"""The evaluation workbook (``xlsales evaluate``, the 評価 button): its own file, never a build's.

HR data: the 人事評価 workbook holds every evaluated rep (``人事評価_2026-04_2026-10.xlsx``);
with ``per_rep`` each rep also gets one holding only that rep's row, log rows and sheet
(``人事評価_山田 太郎_2026-04_2026-10.xlsx``).  Each file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from xlsales import _collector
from xlsales.compute.engine import month_end, month_start
from xlsales.compute.evaluation import default_period, months_between
from xlsales.exceptions import InputError
from xlsales.layout.evaluation import layout_evaluation
from xlsales.layout.names import safe_filename
from xlsales.layout.workbook import rows_by_rep
from xlsales.model import Master
from xlsales.texts import check_lang, label
from xlsales.write.build import Progress
from xlsales.write.xlsxwriter_backend import write_workbook

MAX_PERIOD_MONTHS = 36  # as 設定 表示月数: three fiscal years of month columns


@dataclass
class EvaluationResult:
    """What ``write_evaluation`` wrote."""

    workbook: Path
    period: tuple[dt.date, dt.date]  # first and last months
    as_of: dt.date
    people: dict[str, Path] = field(default_factory=dict)  # rep -> their own workbook (per_rep)

    @property
    def paths(self) -> list[Path]:
        return [self.workbook, *self.people.values()]


def evaluation_period(period: tuple[dt.date, dt.date] | None, *, today: dt.date,
                      fiscal_year_start: int) -> tuple[dt.date, dt.date]:
    """The period's first and last months: ``period`` checked, or the default (the fiscal
    year up to the last month that ended before ``today``).

    Raises
    ------
    InputError
        The last month is before the first, or the period spans more than 36 months.
    """
    if period is None:
        return default_period(today, fiscal_year_start)
    first, last = month_start(period[0]), month_start(period[1])
    if last < first:
        raise InputError("period_reversed", first=f"{first:%Y-%m}", last=f"{last:%Y-%m}")
    n = len(months_between(first, last))
    if n > MAX_PERIOD_MONTHS:
        raise InputError("period_too_long", limit=MAX_PERIOD_MONTHS, months=n)
    return first, last


def evaluation_names(reps: list[str], first: dt.date, last: dt.date, lang: str) -> tuple[str, dict[str, str]]:
    """File names: the whole team's workbook and each rep's (unique case-insensitively)."""
    stem, span = label("file", "evaluation", lang), f"{first:%Y-%m}_{last:%Y-%m}"
    team = f"{stem}_{span}.xlsx"
    used = {team.casefold()}
    people = {}
    for rep in reps:
        base, candidate, n = f"{stem}_{safe_filename(rep, fallback='rep')}_{span}", "", 1
        candidate = base + ".xlsx"
        while candidate.casefold() in used:
            n += 1
            candidate = f"{base}({n}).xlsx"
        used.add(candidate.casefold())
        people[rep] = candidate
    return team, people


def write_evaluation(master: Master, out_dir: str | os.PathLike, *, period: tuple[dt.date, dt.date] | None = None,
                     per_rep: bool = False, lang: str | None = None, today: dt.date | None = None,
                     progress: Progress | None = None) -> EvaluationResult:
    """Write the evaluation workbook (人事評価, DOMAIN.md §7) of ``master`` into ``out_dir``.

    Parameters
    ----------
    master : Master
        A validated master (``read_master``): members with grade, チーム, 入社日, 退職日;
        targets; the 評価設定 weights and 設定 達成率上限.
    out_dir : path
        Created when missing; a file of the same name is replaced only by a complete new one.
    period : (date, date), optional
        The first and last months.  Default: the fiscal year up to the last month that
        ended before ``today``.
    per_rep : bool, default False
        Also write one workbook per rep holding only that rep's row, log rows and sheet.
    lang : {"ja", "en"}, optional
        Default: the master's 言語 setting.
    today : date, optional
        Default: today.  The as-of date of the sheets is the period's last day, or today
        when earlier.
    progress : callable, optional
        Called with the name of each file as it is written.

    Raises
    ------
    InputError
        A reversed period, or one longer than 36 months.

    Examples
    --------
    >>> write_evaluation(read_master("master.xlsx"), "hr", today=date(2026, 11, 29)).workbook  # doctest: +SKIP
    PosixPath('hr/人事評価_2026-04_2026-10.xlsx')
    """
    lang = check_lang(lang or master.settings.language)
    today = today or dt.date.today()
    first, last = evaluation_period(period, today=today, fiscal_year_start=master.settings.fiscal_year_start)
    months = months_between(first, last)
    as_of = min(month_end(last), today)
    out = Path(out_dir)
    with _collector.collector_paused():
        groups = rows_by_rep(master.events)
        whole = layout_evaluation(master, months, as_of=as_of, lang=lang, groups=groups)
        reps = [ev.rep for ev in whole.evaluations]
        team_name, people = evaluation_names(reps, first, last, lang)
        result = EvaluationResult(workbook=out / team_name, period=(first, last), as_of=as_of)
        if progress:
            progress(team_name)
        write_workbook(whole.workbook, out / team_name)
        if per_rep:
            ranks = {ev.rep: ev.rank for ev in whole.evaluations}
            for rep in reps:
                if progress:
                    progress(people[rep])
                one = layout_evaluation(master, months, as_of=as_of, lang=lang, reps=[rep], ranks=ranks,
                                        groups=groups)
                write_workbook(one.workbook, out / people[rep])
                result.people[rep] = out / people[rep]
    return result
