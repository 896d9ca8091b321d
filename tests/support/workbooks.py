"""Reading generated workbooks back, the way the tests compare them."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path

import openpyxl

ERROR_VALUES = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!"}


def _norm(v):
    if v == "":
        return None  # an empty-string result reads back as None from LibreOffice's file
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date()
    return v


def same(a, b, tol=1e-9) -> bool:
    a, b = _norm(a), _norm(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
    return a == b


def value_diffs(written: Path, recalculated: Path) -> list[str]:
    """Every cell whose cached value (as written) differs from LibreOffice's recalculation."""
    a = openpyxl.load_workbook(written, data_only=True)
    b = openpyxl.load_workbook(recalculated, data_only=True)
    diffs = []
    for ws in a.worksheets:
        wb = b[ws.title]
        for row in ws.iter_rows():
            for c in row:
                v2 = wb[c.coordinate].value
                if not same(c.value, v2):
                    diffs.append(f"{ws.title}!{c.coordinate}: written {c.value!r}, recalculated {v2!r}")
        for row in wb.iter_rows():  # cells LibreOffice has and the writer did not
            for c in row:
                if c.value not in (None, "") and ws[c.coordinate].value in (None, ""):
                    diffs.append(f"{ws.title}!{c.coordinate}: written blank, recalculated {c.value!r}")
    return diffs


def error_cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return [f"{ws.title}!{c.coordinate}={c.value}" for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if isinstance(c.value, str) and c.value in ERROR_VALUES]


def formulas(path: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, formula) of every formula, table calculated columns included."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    out.append((ws.title, c.coordinate, str(c.value)))
    return out


def function_names(formula: str) -> set[str]:
    return set(re.findall(r"((?:_xlfn\.)?[A-Z][A-Z0-9.]*)\(", formula))


def process_table(path: Path, sheet: str) -> dict[str, list]:
    """Row label -> [benchmark, months..., total] of a target/process sheet."""
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    head = header_row(ws)
    last = max(c.column for c in ws[head] if c.value is not None)
    out = {}
    for r in range(head + 1, ws.max_row + 1):
        lab = ws.cell(r, 1).value
        if isinstance(lab, str) and lab:
            out[lab] = [_norm(ws.cell(r, c).value) for c in range(2, last + 1)]
    return out


def header_row(ws) -> int:
    for r in range(1, 30):
        if ws.cell(r, 2).value in ("プロセスのベンチマーク", "Process benchmark"):
            return r
    raise AssertionError(f"no header row on {ws.title}")


def all_xml_text(path: Path) -> str:
    """Every part of the package as text: cells, shared strings, names, properties, comments."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def add_manager_extras(wb, picture: Path, log_sheet: str) -> None:
    """What a manager adds to a master and no round trip may lose: a sheet of their own with
    a chart and an image, a workbook-level name and a sheet-level one (XlsxWriter ``wb``)."""
    own = wb.add_worksheet("分析")
    own.write_column(0, 0, [3, 5, 8])
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "='分析'!$A$1:$A$3"})
    own.insert_chart("C2", chart)
    own.insert_image("C20", str(picture))
    wb.define_name("訪問先", f"='{log_sheet}'!$E$2:$E$500")
    wb.define_name("分析!局所", "='分析'!$A$1")
