"""``xlsales plan --apply``: the annual plan adopted as the monthly targets of a new master.

The master is read once (raw cells, then validated), and the new master is its package
copied part by part (``package.edit_package``) with only the 目標 sheet changed: for each
rep of the plan and month of its year, the row that exists gets its 売上目標 and process
target cells set, a missing row is appended under the table (its month as ``YYYY-MM``
text, as ``xlsales new`` writes it), and a process target column the sheet lacks is added
at the right of its header (and of its Excel table).  A master without a 目標 sheet gets
one with the header of ``xlsales new``.  Every other row, column, sheet, chart, image and
defined name is kept byte for byte; the original master is never written to, and the new
one appears complete or not at all (``write.files.atomic_path``).
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path

from xlsales.collect.package import (
    NewSheet,
    PackageError,
    SheetEdit,
    TableColumnsError,
    edit_package,
    last_value_column,
)
from xlsales.compute.annual_plan import COUNT_KEYS, AnnualPlan
from xlsales.exceptions import CollectError
from xlsales.layout.styles import named_styles
from xlsales.read.cells import RawSheet, read_workbook
from xlsales.texts import check_lang, label, labels
from xlsales.validate.master import read_sheets
from xlsales.validate.values import BadValue, parse_month, parse_text
from xlsales.write.files import atomic_path
from xlsales.write.master import text_width

__all__ = ["TARGET_KEYS", "adopt_plan", "adopted_name"]

#: The 目標 columns the plan sets: the monthly sales target and the process targets.
TARGET_KEYS: tuple[str, ...] = ("sales_target", *COUNT_KEYS)
# The look of a 目標 sheet added to a master that has none: xlsales new's table styles.
_HEADER_STYLE = "head"
_COLUMN_STYLES = {"rep": "master_text", "month": "master_month"}


def adopt_plan(master_path: str | os.PathLike, dst: str | os.PathLike, plan: AnnualPlan, *,
               shares: Mapping[str, float] | None = None, lang: str = "ja") -> Path:
    """Write a new master at ``dst``: the master at ``master_path`` with the plan's monthly
    sales and process targets on its 目標 sheet.

    Parameters
    ----------
    master_path : str or os.PathLike
        The master the plan was made from; never modified.
    dst : str or os.PathLike
        The new master (``adopted_name`` names it); replaced when it exists.
    plan : AnnualPlan
        ``compute.annual_plan.annual_plan(master, year)``: each of its reps gets a row per
        month of its year.  A figure the plan cannot compute (the counts without a unit
        price) is left as the master has it.
    shares : mapping, optional
        Rep -> share of the plan (typed shares, as ``AnnualPlan.rep_months`` takes them);
        default the plan's own.
    lang : {"ja", "en"}
        The language of a 目標 sheet added to a master whose headers name none.

    Returns
    -------
    Path
        ``dst``.

    Raises
    ------
    InputError, ValidationError
        The master cannot be read, or has bad rows (``xlsales validate`` lists them).
    CollectError
        ``dst`` is the master itself, the plan has no target to adopt, or the new master
        cannot be written; nothing is written at ``dst`` then.
    """
    lang = check_lang(lang)
    master_path, dst = Path(master_path), Path(dst)
    # the same file by another name too: a link, or another case on Windows and macOS
    if dst.resolve() == master_path.resolve() or (dst.exists() and master_path.exists()
                                                  and os.path.samefile(dst, master_path)):
        raise CollectError("adopt_same_file", path=dst.name)
    wanted = {rep: plan.rep_months(rep, shares) for rep in plan.reps}
    if not any(figures for months in wanted.values() for figures in months.values()):
        raise CollectError("adopt_nothing", year=plan.year.year)
    sheets = read_workbook(master_path, lang=lang)
    read_sheets(sheets, source=str(master_path))  # a master with bad rows is refused, as by collect
    targets = sheets["targets"]
    edits: dict[str, SheetEdit] = {}
    new_sheet = None
    if targets is None:
        own = sheets["members"].lang if sheets["members"] is not None else lang
        new_sheet = _new_targets_sheet(wanted, own)
    else:
        edits[targets.name] = _targets_edit(master_path, targets, wanted)
    try:
        with atomic_path(dst) as tmp:
            edit_package(master_path, tmp, edits, new_sheet=new_sheet)
    except TableColumnsError as err:
        added = [text for edit in edits.values() for _, text in sorted(edit.table_columns.items())]
        raise CollectError("adopt_columns_not_added", path=master_path.name, sheet=targets.name,
                           columns_ja="」「".join(added), columns_en=", ".join(added), detail=str(err)) from None
    except PackageError as err:
        raise CollectError("collect_master_layout", path=master_path.name, detail=str(err)) from None
    except (OSError, zipfile.BadZipFile) as err:
        raise CollectError("collect_write_failed", path=dst.name,
                           detail=f"{type(err).__name__}: {err.strerror or err}" if isinstance(err, OSError)
                           else str(err)) from None
    return dst


def adopted_name(master_path: str | os.PathLike, plan: AnnualPlan, lang: str = "ja") -> str:
    """The file name (no folder) of the master ``adopt_plan`` writes: the master's, with the
    plan's fiscal year (the master's extension kept: a ``.xlsm`` keeps its macros).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> plan = SimpleNamespace(year=dt.date(2026, 4, 1))
    >>> adopted_name("売上マスター.xlsx", plan), adopted_name("sales.xlsx", plan, "en")
    ('売上マスター_年間計画反映_2026年度.xlsx', 'sales_plan_FY2026.xlsx')
    """
    path = Path(master_path)
    return label("adopt", "file", check_lang(lang)).format(stem=path.stem, year=plan.year.year) + \
        (path.suffix or ".xlsx")


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------


def _figures(figures: Mapping[str, float], positions: Mapping[str, int]) -> dict[int, object]:
    return {positions[k]: figures[k] for k in TARGET_KEYS if k in figures}


def _existing_rows(sheet: RawSheet) -> dict[tuple[str, dt.date], int]:
    """(rep, month) -> the row that holds it, matched as the validator reads them."""
    out: dict[tuple[str, dt.date], int] = {}
    for row, values in sheet.rows:
        try:
            key = (parse_text(values.get("rep")), parse_month(values.get("month")))
        except BadValue:  # cannot happen in a validated master; a row without a month is no match
            continue
        out.setdefault(key, row)
    return out


def _targets_edit(master_path: Path, sheet: RawSheet, wanted: Mapping[str, Mapping[dt.date, Mapping[str, float]]]
                  ) -> SheetEdit:
    header = sheet.header_row or 1
    positions = dict(sheet.positions)
    edit = SheetEdit(header_row=header)
    missing = [k for k in TARGET_KEYS if k not in positions and any(k in f for months in wanted.values()
                                                                     for f in months.values())]
    if missing:
        # Added at the right of the header (and of the table), each looking like the
        # nearest target column the sheet has (its number format, border and width).
        last = max(last_value_column(master_path, sheet.name, header), *positions.values())
        have = [positions[k] for k in TARGET_KEYS if k in positions]
        for i, key in enumerate(missing, start=last + 1):
            positions[key] = i
            text = label("targets", key, sheet.lang)
            edit.cells.setdefault(header, {})[i] = text
            edit.table_columns[i] = text
            if have or "month" in positions:
                edit.like[i] = max(have) if have else positions["month"]
    rows = _existing_rows(sheet)
    last_row = max([header, *(row for row, _ in sheet.rows)])
    for rep, months in wanted.items():
        for month, figures in months.items():
            cells = _figures(figures, positions)
            row = rows.get((rep, month))
            if row is None:
                last_row += 1
                row = last_row
                cells.update({positions["rep"]: rep, positions["month"]: month.strftime("%Y-%m")})
            edit.cells.setdefault(row, {}).update(cells)
    return edit


def _new_targets_sheet(wanted: Mapping[str, Mapping[dt.date, Mapping[str, float]]], lang: str) -> NewSheet:
    heads = labels("targets", lang)
    keys = list(heads)
    rows: list[list[object]] = [[heads[k] for k in keys]]
    for rep, months in wanted.items():
        for month, figures in months.items():
            values = {"rep": rep, "month": month.strftime("%Y-%m"), **figures}
            rows.append([values.get(k) for k in keys])
    styles = named_styles()
    # xlsales new's widths: the longest value or the header with its filter button
    widths = [max(text_width(heads[k]) + 4, max((text_width(r[j]) + 1 for r in rows[1:] if r[j] is not None),
                                                default=0), 11) for j, k in enumerate(keys)]
    return NewSheet(label("sheet", "targets", lang), rows, widths, header_style=styles[_HEADER_STYLE],
                    styles=[styles[_COLUMN_STYLES.get(k, "master_amount")] for k in keys], heights=[22.0])
