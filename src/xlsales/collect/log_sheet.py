"""The 回収ログ sheet: one row per collected file — who, when, which file, the counts.

Its look, for every writer (the package editor of ``xlsales collect``, the Book adapter
of the 回収 button): the header in the master's table-header style, frozen, with an
autofilter; 日時 a date-time cell shown ``yyyy-mm-dd hh:mm``; 備考 wrapped in a wide column.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Sequence

from xlsales.collect.merge import FileSummary, counts
from xlsales.model import Event
from xlsales.texts import label, labels, message_text
from xlsales.write.master import text_width

COLUMNS: tuple[str, ...] = ("when", "who", "file", "rep", "month", "added", "unchanged", "conflicts", "refused",
                            "note")
WIDTHS: tuple[float, ...] = (17, 12, 36, 14, 10, 8, 10, 8, 8, 70)
#: The named styles (workbook_templates/styles.json) of the header and of each column's cells.
HEADER_STYLE = "head"
STYLES: tuple[str, ...] = ("collect_log_when", "collect_log_text", "collect_log_text", "collect_log_text",
                           "collect_log_text", "collect_log_count", "collect_log_count", "collect_log_count",
                           "collect_log_count", "collect_log_note")
#: Points per line of a row (Meiryo UI 11 pt), and the header's height (two lines of "未変更" fit).
LINE_HEIGHT = 18.0
HEADER_HEIGHT = 24.0


def sheet_name(lang: str = "ja") -> str:
    """The sheet's name in ``lang`` (回収ログ / Collect log)."""
    return label("sheet", "collect_log", lang)


def header(lang: str = "ja") -> list[str]:
    """The header row."""
    texts = labels("collect_log", lang)
    return [texts[k] for k in COLUMNS]


def collector() -> str:
    """Who collects: the login name of this computer's user."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (a service account): the sheet still says when and what
        return ""


def log_rows(files: Sequence[FileSummary], *, when: dt.datetime, who: str, lang: str = "ja") -> list[list[object]]:
    """One row per file: when (a date-time, to the second), who, the file, its rep and month, the
    counts, and in the note the details (``details``: why a file was refused whole, each refused
    or bad row and each conflict with its reason), one per line."""
    stamp = when.replace(microsecond=0)
    rows = []
    for f in files:
        c = counts(f)
        rows.append([stamp, who, f.name, f.rep, f.month.strftime("%Y-%m") if f.month else "", c["added"],
                     c["unchanged"], c["conflicts"], c["refused"], "\n".join(details(f, lang))])
    return rows


def event_text(ev: Event, lang: str = "ja") -> str:
    """One activity-log row in a line: its filled fields, in ``lang``, joined by " / "."""
    parts = [ev.date.isoformat(), ev.rep, label("activity", ev.activity, lang), ev.customer,
             "" if ev.amount is None else f"{ev.amount:g}",
             label("lost_reason", ev.lost_reason, lang) if ev.lost_reason else "",
             ev.close_month.strftime("%Y-%m") if ev.close_month else "", ev.note]
    return " / ".join(p for p in parts if p)


def details(summary: FileSummary, lang: str = "ja") -> list[str]:
    """What a manager reads about one file beyond its counts: why it was refused whole, its
    bad and refused rows with their reasons, and each conflict (master value, returned value)."""
    if summary.error is not None:
        return [summary.error.message(lang)]
    lines = [p.message(lang) for p in [*summary.bad, *summary.refused]]
    for c in summary.conflicts:
        lines.append(message_text("collect_conflict", lang, path=summary.name, row=c.row, id=c.returned.id,
                                  master=event_text(c.master, lang) if c.master
                                  else message_text("collect_deleted", lang),
                                  returned=event_text(c.returned, lang)))
    return lines


def row_height(row: Sequence[object]) -> float:
    """The height (points) that shows all of a log row's note, wrapped in its column.

    Excel does not fit a row's height to wrapped text in a file it opens, so the writer sets it.

    Examples
    --------
    >>> row_height(["", "", "", "", "", 0, 0, 0, 0, "one line"])
    18.0
    >>> row_height(["", "", "", "", "", 0, 0, 0, 0, "a\\nb"])
    36.0
    """
    note = str(row[-1] or "")
    per_line = max(1, int(WIDTHS[-1]) - 2)
    lines = sum(max(1, -(-text_width(line) // per_line)) for line in note.split("\n"))
    return LINE_HEIGHT * lines
