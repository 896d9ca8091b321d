"""``collect``: the returned workbooks merged into a new master file, nothing of the master lost.

The master is read once (raw cells and validated rows), each returned file is read and
merged (``merge``), and the result is written by editing the master's package
(``package``): the activity-log rows appended or changed, IDs made explicit, 設定
マスターID added when missing, and a row per file on the 回収ログ sheet.  The new file
appears complete or not at all (``write.files.atomic_path``); with ``in_place`` the
original is first copied to a timestamped backup.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlsales.collect import log_sheet
from xlsales.collect.merge import FileSummary, MergePlan, merge
from xlsales.collect.package import NewSheet, PackageError, SheetEdit, edit_package
from xlsales.collect.returned import Returned, read_returned
from xlsales.exceptions import CollectError, InputError
from xlsales.layout.styles import named_styles
from xlsales.model import Event, Master
from xlsales.read.cells import RawSheet, read_workbook
from xlsales.texts import check_lang, label
from xlsales.validate.master import read_sheets
from xlsales.vocab import parse_key
from xlsales.write.files import atomic_path

#: The log columns a returned row fills, in the master's own words (labels of its language).
EVENT_KEYS = ("id", "date", "rep", "activity", "customer", "amount", "lost_reason", "close_month", "note")


@dataclass
class CollectResult:
    """What ``collect`` did: the plan, and the files written (None: nothing was written)."""

    plan: MergePlan
    out: Path | None = None
    backup: Path | None = None
    files: list[FileSummary] = field(default_factory=list)


def collect(master_path: str | os.PathLike, returned: Sequence[str | os.PathLike | tuple[str, str | os.PathLike]], *,
            out: str | os.PathLike | None = None, in_place: bool = False, resolve: str | None = None,
            any_date: bool = False, skip_bad_rows: bool = False, lang: str = "ja",
            now: dt.datetime | None = None, who: str | None = None) -> CollectResult:
    """Merge the ``returned`` workbooks into the master at ``master_path``; write a new master.

    Parameters
    ----------
    master_path : str or os.PathLike
        The master workbook; never modified unless ``in_place``.
    returned : sequence of paths, or of (name, path)
        The returned ``.xlsx`` files (``collect.sources`` finds them in mails and folders);
        a name is what the file is reported by.
    out : str or os.PathLike, optional
        The new master; default ``MASTER_collected_YYYYmmdd-HHMMSS.xlsx`` beside the master.
    in_place : bool, default False
        Replace the master (kept first as ``MASTER_backup_YYYYmmdd-HHMMSS.xlsx``).
    resolve : {None, "take_returned", "keep_master"}
        How conflicts (sent rows the rep changed) are settled; None: reported, not merged.
    any_date, skip_bad_rows : bool
        See ``merge.merge``.
    lang : {"ja", "en"}
        The language of the 回収ログ sheet's header when it is added, and of its notes.
    now, who : optional
        When and by whom, for the 回収ログ (default: now, the login name).

    Returns
    -------
    CollectResult
        ``out`` is None when nothing new was found: the master is not rewritten then, so
        collecting the same files again changes nothing.

    Raises
    ------
    InputError, ValidationError
        The master cannot be read, or has bad rows (``xlsales validate`` lists them).
    CollectError
        The merged master cannot be written; the master is unchanged.
    """
    lang = check_lang(lang)
    master_path = Path(master_path)
    now = now or dt.datetime.now()
    sheets = read_workbook(master_path, lang=lang)
    master = read_sheets(sheets, source=str(master_path))
    log = sheets["log"]
    blank_ids = [row for row, values in log.rows if values.get("id") is None] if "id" in log.positions else []
    reps = {m.rep for m in master.members}
    files: list[Returned | FileSummary] = []
    for item in returned:
        name, path = item if isinstance(item, tuple) else (Path(item).name, item)
        try:
            files.append(read_returned(path, reps, name=name))
        except InputError as err:
            files.append(FileSummary(name=name, error=err))
    plan = merge(master, files, blank_id_rows=blank_ids, resolve=resolve, any_date=any_date,
                 skip_bad_rows=skip_bad_rows)
    result = CollectResult(plan=plan, files=plan.files)
    if not plan.changes_rows:
        return result
    edits = _edits(master, sheets, plan, master_path.name)
    rows = [log_sheet.header(lang), *log_sheet.log_rows(plan.files, when=now, who=who if who is not None
                                                         else log_sheet.collector(), lang=lang)]
    styles = named_styles()
    new_sheet = NewSheet(log_sheet.sheet_name(lang), rows, log_sheet.WIDTHS,
                         header_style=styles[log_sheet.HEADER_STYLE],
                         styles=[styles[name] for name in log_sheet.STYLES],
                         heights=[log_sheet.HEADER_HEIGHT, *(log_sheet.row_height(r) for r in rows[1:])])
    stamp = now.strftime("%Y%m%d-%H%M%S")
    if in_place:
        target = master_path
    else:
        target = Path(out) if out else master_path.with_name(f"{master_path.stem}_collected_{stamp}.xlsx")
        if target.resolve() == master_path.resolve():
            raise CollectError("collect_same_file", path=target.name)
    try:
        if in_place:
            backup = master_path.with_name(f"{master_path.stem}_backup_{stamp}{master_path.suffix}")
            with atomic_path(backup) as tmp:
                shutil.copy2(master_path, tmp)
            result.backup = backup
        with atomic_path(target) as tmp:
            edit_package(master_path, tmp, edits, new_sheet=new_sheet)
    except PackageError as err:
        raise CollectError("collect_master_layout", path=master_path.name, detail=str(err)) from None
    except (OSError, zipfile.BadZipFile) as err:
        raise CollectError("collect_write_failed", path=target.name,
                           detail=f"{type(err).__name__}: {err.strerror or err}" if isinstance(err, OSError)
                           else str(err)) from None
    result.out = target
    return result


def _edits(master: Master, sheets: dict[str, RawSheet | None], plan: MergePlan, source: str) -> dict[str, SheetEdit]:
    log = sheets["log"]
    pos = log.positions
    for ev in [*plan.appended, *plan.replaced.values()]:
        for key in EVENT_KEYS:
            if key != "id" and key not in pos and log_value(ev, key, log.lang) is not None:
                raise CollectError("collect_column_missing", path=source, column=label("log", key, log.lang))
    edit = SheetEdit(header_row=log.header_row or 1)
    if "id" in pos:
        for row, row_id in plan.explicit_ids.items():
            edit.cells.setdefault(row, {})[pos["id"]] = row_id
    for row, ev in plan.replaced.items():
        edit.cells.setdefault(row, {}).update(_cells(ev, pos, log.lang, blank=True))
    last = max([log.header_row or 1, *(row for row, _ in log.rows)])
    for i, ev in enumerate(plan.appended, start=last + 1):
        edit.cells[i] = _cells(ev, pos, log.lang, blank=False)
    edits = {log.name: edit}
    settings = sheets["settings"]
    if plan.new_master_id and settings is not None and settings.header_row is not None \
            and {"item", "value"} <= settings.positions.keys():
        sp = settings.positions
        found = next((row for row, values in settings.rows
                      if isinstance(values.get("item"), str) and parse_key("settings", values["item"]) == "master_id"),
                     None)
        cells = {sp["value"]: plan.master_id}
        if found is None:
            found = max([settings.header_row, *(row for row, _ in settings.rows)]) + 1
            cells[sp["item"]] = label("settings", "master_id", settings.lang)
        edits[settings.name] = SheetEdit(cells={found: cells}, header_row=settings.header_row)
    return edits


def log_value(ev: Event, key: str, lang: str) -> object:
    """The value ``collect`` writes into the log column ``key`` for the row ``ev``, in the
    words of a log whose headers are in ``lang``; None for an empty cell.

    Examples
    --------
    >>> ev = Event(row=0, id="C1", date=dt.date(2026, 7, 20), rep="佐藤 健太", activity="visit", customer="A社")
    >>> [log_value(ev, k, "ja") for k in ("activity", "amount", "close_month", "note")]
    ['訪問', None, None, None]
    """
    value = getattr(ev, key)
    if key == "activity":
        return label("activity", value, lang)
    if key == "lost_reason":
        return label("lost_reason", value, lang) if value else None
    if key == "close_month":
        return value.strftime("%Y-%m") if value else None
    if value == "":
        return None
    return value


def log_values(ev: Event, lang: str) -> dict[str, object]:
    """Column key -> the value ``collect`` writes for the row ``ev`` (empty cells left out)."""
    values = {key: log_value(ev, key, lang) for key in EVENT_KEYS}
    return {key: value for key, value in values.items() if value is not None}


def _cells(ev: Event, pos: dict[str, int], lang: str, *, blank: bool) -> dict[int, object]:
    # ``blank``: a value the row no longer has is written as an empty text (the cell cleared).
    out: dict[int, object] = {}
    for key in EVENT_KEYS:
        if key in pos:
            value = log_value(ev, key, lang)
            if value is not None or blank:
                out[pos[key]] = "" if value is None else value
    return out
