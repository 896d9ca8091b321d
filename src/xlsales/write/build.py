"""Build: a master's figures written as a team workbook, one per team (when the reps form
more than one チーム) and one per rep.

read -> validate (``xlsales.validate``) -> compute (``xlsales.compute``) -> lay out
(``xlsales.layout.workbook``) -> write (``xlsxwriter_backend``).  Each workbook is
written atomically.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from xlsales import _collector
from xlsales.compute.annual_plan import annual_plan, plan_master
from xlsales.compute.engine import event_facts
from xlsales.layout.teams import teams_of
from xlsales.layout.workbook import layout_workbook, output_names, rows_by_rep, team_output_names
from xlsales.model import Master
from xlsales.texts import check_lang
from xlsales.write.xlsxwriter_backend import write_workbook

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build wrote."""

    team: Path
    people: dict[str, Path] = field(default_factory=dict)
    as_of: dt.date | None = None
    teams: dict[str, Path] = field(default_factory=dict)  # team -> its workbook (more than one team only)

    @property
    def paths(self) -> list[Path]:
        return [self.team, *self.teams.values(), *self.people.values()]


def build(master: Master, out_dir: str | os.PathLike, *, as_of: dt.date | None = None, lang: str | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Write the team workbook, one per team and one per rep of ``master`` into ``out_dir``.

    With more than one team (distinct non-blank チーム of メンバー), each team gets a
    workbook of its reps and their rows only (``team_output_names``); a rep with a
    blank チーム is only in the team workbook of all reps.

    Parameters
    ----------
    master : Master
        A validated master (``read_master``).
    out_dir : path
        Created when missing.  Existing files of the same names are replaced, each only
        by a complete new file.
    as_of : date, optional
        The report date (DOMAIN.md §5); default today.
    lang : {"ja", "en"}, optional
        Default: the master's 言語 setting.
    progress : callable, optional
        Called with the name of each file as it is written.

    Examples
    --------
    >>> master = read_master("master.xlsx")  # doctest: +SKIP
    >>> build(master, "out", as_of=date(2026, 12, 31)).team  # doctest: +SKIP
    """
    as_of = as_of or dt.date.today()
    lang = check_lang(lang or master.settings.language)
    out = Path(out_dir)
    reps = [m.rep for m in master.members]
    team_name, people = output_names(reps, as_of, lang)
    teams = teams_of(master.members, reps)
    if len(teams) < 2:  # one team is the team workbook itself
        teams = {}
    team_files = team_output_names(reps, list(teams), as_of, lang)
    result = BuildResult(team=out / team_name, as_of=as_of)
    shared = {"facts": event_facts(master.events), "groups": rows_by_rep(master.events), "cache": {}}
    # Process targets and benchmarks left blank come from the year's plan (DOMAIN.md §4, §6),
    # computed once: the team workbook of all reps shows it as its 年間計画 sheet.
    plan = annual_plan(master, as_of, facts=shared["facts"])
    master = plan_master(master, plan)
    with _collector.collector_paused():
        if progress:
            progress(team_name)
        write_workbook(layout_workbook(master, reps, as_of=as_of, lang=lang, team=True, plan=plan, **shared),
                       result.team)
        for name, members in teams.items():
            gc.collect()
            if progress:
                progress(team_files[name])
            path = out / team_files[name]
            write_workbook(layout_workbook(master, members, as_of=as_of, lang=lang, team=True, team_name=name,
                                           **shared), path)
            result.teams[name] = path
        for rep in reps:
            gc.collect()  # the last workbook's garbage (the master is frozen: this is quick)
            if progress:
                progress(people[rep])
            path = out / people[rep]
            write_workbook(layout_workbook(master, [rep], as_of=as_of, lang=lang, team=False, **shared), path)
            result.people[rep] = path
    return result
