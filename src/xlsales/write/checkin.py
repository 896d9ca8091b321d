"""Check-in workbooks (``xlsales checkin``): the team's and one per rep, each written atomically.

Each holds the チェックイン sheet of its scope and the ActivityLog table its formulas
count (``layout.workbook.layout_checkin_workbook``), named like the build's workbooks
with チェックイン and the as-of date (``checkin_names``).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from xlsales import _collector
from xlsales.compute.engine import event_facts
from xlsales.layout.workbook import checkin_names, layout_checkin_workbook, rows_by_rep
from xlsales.model import Master
from xlsales.texts import check_lang
from xlsales.write.build import BuildResult, Progress
from xlsales.write.xlsxwriter_backend import write_workbook


def write_checkins(master: Master, out_dir: str | os.PathLike, *, as_of: dt.date, meeting: str | None = None,
                   month: dt.date | None = None, lang: str | None = None,
                   progress: Progress | None = None) -> BuildResult:
    """Write the team's check-in workbook and one per rep of ``master`` into ``out_dir``.

    Parameters
    ----------
    master : Master
        A validated master (``read_master``).
    out_dir : path
        Created when missing; a file of the same name is replaced only by a complete new one.
    as_of : date
        The check-in date (基準日).
    meeting : {"start", "mid", "end"}, optional
        The emphasis; default ``meeting_of(as_of, ...)``.
    month : date, optional
        The month checked (default: the as-of date's).
    lang : {"ja", "en"}, optional
        Default: the master's 言語 setting.
    progress : callable, optional
        Called with the name of each file as it is written.

    Examples
    --------
    >>> write_checkins(read_master("master.xlsx"), "out", as_of=date(2026, 11, 16)).team  # doctest: +SKIP
    PosixPath('out/目標プロセス_チーム_チェックイン_2026-11-16.xlsx')
    """
    lang = check_lang(lang or master.settings.language)
    out = Path(out_dir)
    reps = [m.rep for m in master.members]
    team_name, people = checkin_names(reps, as_of, lang)
    result = BuildResult(team=out / team_name, as_of=as_of)
    shared = {"facts": event_facts(master.events), "groups": rows_by_rep(master.events), "meeting": meeting,
              "month": month}
    with _collector.collector_paused():
        for rep, name in [(None, team_name), *people.items()]:
            if progress:
                progress(name)
            scope = reps if rep is None else [rep]
            write_workbook(layout_checkin_workbook(master, scope, as_of=as_of, lang=lang, team=rep is None, **shared),
                           out / name)
            if rep is not None:
                result.people[rep] = out / name
    return result
