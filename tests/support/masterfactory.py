"""Write small master workbooks from Python rows (openpyxl), for reader and validation tests.

Values are written exactly as given: a ``str`` stays text (so "2026/7/1" is a text date),
a ``date``/``datetime`` becomes a date cell, a number a number cell, and an Excel error
text such as "#N/A" an error cell.  A ``None`` log row is an empty row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table

from xlsales.texts import label, labels

MEMBERS = ["山田 太郎", "佐藤 花子"]
LOG_COLUMNS = ("id", "date", "rep", "activity", "customer", "amount", "lost_reason", "close_month", "note")
TABLE_NAMES = {"log": "ActivityLog", "members": "Members", "targets": "Targets", "settings": "Settings",
               "benchmark": "Benchmark", "weights": "Weights"}


def row(date=dt.date(2026, 7, 1), rep="山田 太郎", activity="訪問", customer="A社", **rest) -> dict:
    """One log row as a dict of column key -> cell value (ja labels by default)."""
    return {"date": date, "rep": rep, "activity": activity, "customer": customer, **rest}


def write_master(path, *, log_rows=(), members=MEMBERS, targets=None, settings=None, benchmark=None,
                 weights=None, lang="ja", as_table=True, header_row=1, log_sheet=None, hidden_rows=(), omit=()) -> Path:
    """Write a master workbook and return its path.

    ``log_rows``, ``targets``, ``benchmark`` and ``weights`` (評価設定: grade, result,
    process) are lists of dicts keyed by column key
    (``None`` = an empty row); ``members`` is a list of rep names or dicts; ``settings``
    maps a setting key to its value.  ``header_row`` puts every header in that row (a
    title line above it); ``hidden_rows`` hides those Excel rows of the log sheet;
    ``omit`` leaves sheets out by key; ``log_sheet`` renames the log sheet.
    """
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = {
        "log": (list(LOG_COLUMNS), log_rows),
        "members": (list(labels("members")), [m if isinstance(m, dict) else {"rep": m} for m in members]),
        "targets": (list(labels("targets")), targets),
        "settings": (["item", "value"], [{"item": _setting_label(k, lang), "value": v}
                                         for k, v in (settings or {}).items()] if settings is not None else None),
        "benchmark": (["rep", "item", "value"], benchmark),
        "weights": (["grade", "result", "process"], weights),
    }
    for key, (columns, rows) in sheets.items():
        if key in omit or rows is None:
            continue
        name = log_sheet if key == "log" and log_sheet else label("sheet", key, lang)
        ws = book.create_sheet(name)
        _write_table(ws, key, [label(key, c, lang) for c in columns], columns, rows, header_row, as_table)
        if key == "log":
            for r in hidden_rows:
                ws.row_dimensions[r].hidden = True
    path = Path(path)
    book.save(path)
    return path


def _setting_label(key: str, lang: str) -> str:
    # A key of labels.json section "settings", or any text as the user typed it.
    return label("settings", key, lang) if key in labels("settings") else key


def _write_table(ws, key, headers, columns, rows, header_row, as_table) -> None:
    if header_row > 1:
        ws.cell(row=1, column=1, value="xlsales test master")
    for j, text in enumerate(headers, start=1):
        ws.cell(row=header_row, column=j, value=text)
    for i, values in enumerate(rows, start=header_row + 1):
        for j, col in enumerate(columns, start=1):
            value = (values or {}).get(col)
            if value is not None:
                ws.cell(row=i, column=j, value=value)
    if as_table:
        last = header_row + max(len(rows), 1)
        ref = f"A{header_row}:{get_column_letter(len(headers))}{last}"
        ws.add_table(Table(displayName=TABLE_NAMES[key], ref=ref))


def write_csv(path, rows, *, encoding="utf-8-sig", lang="ja") -> Path:
    """A CSV activity log with a header in ``lang``; every value written as text."""
    lines = [",".join(label("log", c, lang) for c in LOG_COLUMNS)]
    for values in rows:
        lines.append(",".join(_csv_cell((values or {}).get(c)) for c in LOG_COLUMNS))
    path = Path(path)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _csv_cell(value) -> str:
    if value is None:
        return ""
    text = value.strftime("%Y/%m/%d") if isinstance(value, dt.date) else str(value)
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n') else text
