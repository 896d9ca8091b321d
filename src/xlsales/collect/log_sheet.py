"""The 回収ログ sheet: one row per collected file — who, when, which file, the counts."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Sequence

from xlsales.collect.merge import FileSummary, counts
from xlsales.model import Event
from xlsales.texts import label, labels, message_text

COLUMNS: tuple[str, ...] = ("when", "who", "file", "rep", "month", "added", "unchanged", "conflicts", "refused",
                            "note")
WIDTHS: tuple[float, ...] = (18, 14, 40, 14, 9, 8, 10, 8, 8, 50)


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
    """One row per file: when (text, to the second), who, the file, its rep and month, the counts,
    and in the note the details (``details``: why a file was refused whole, each refused or bad
    row and each conflict with its reason), one per line."""
    stamp = when.strftime("%Y-%m-%d %H:%M:%S")
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
