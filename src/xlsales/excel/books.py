"""The one small adapter between the ribbon's handlers and a workbook.

A handler never touches a workbook's object model; it asks a ``Book`` for the values
of its sheets, and hands it cell marks and sheet models (``layout.sheetmodel``) to render.

- ``FileBook``: a workbook file (tests and the command line).  openpyxl drops charts,
  images, pivot tables and form controls on a round trip, so a FileBook refuses a
  file that has any of them, and it never overwrites the file it read: it saves a
  new file, atomically.
- ``XlwingsBook`` (in ``addin``): the workbook open in Excel, through xlwings.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from xlsales.exceptions import InputError
from xlsales.layout import sheetmodel as sm
from xlsales.read.cells import check_package
from xlsales.write.files import atomic_path

MARK_FILL = "FFC7CE"  # the light red of Excel's "bad" style
MARK_AUTHOR = "xlsales"
# Parts of a package that openpyxl cannot carry through a round trip.
_LOSSY_PARTS = {
    "xl/charts/": "charts",
    "xl/media/": "images",
    "xl/pivotTables/": "pivot tables",
    "xl/slicers/": "slicers",
    "xl/ctrlProps/": "form controls",
    "customUI/": "a custom ribbon",
    "xl/timelines/": "timelines",
}


@dataclass(frozen=True)
class Mark:
    """A cell to flag: fill it and attach a note with ``text`` (1-based row and column)."""

    sheet: str
    row: int
    col: int
    text: str


class Book(Protocol):
    """What a ribbon handler needs of a workbook."""

    name: str
    folder: Path | None  # None: the workbook has no folder on this computer (OneDrive URL, unsaved)

    def grids(self) -> dict[str, list[list[Any]]]:
        """Sheet name -> values from A1 (row 1 of the list is the sheet's row 1)."""

    def mark(self, marks: list[Mark], *, clear: list[tuple[str, int, int]]) -> None:
        """Flag ``marks``; first unflag the cells ``clear`` (earlier marks of xlsales)."""

    def put_sheet(self, sheet: sm.Sheet, *, before: str | None = None) -> None:
        """Create or replace the sheet ``sheet.name`` with the model's cells."""

    def add_table_columns(self, table: str, columns: list[sm.TableColumn]) -> None:
        """Give an Excel Table these columns, calculated ones or ones of ``values``: appended,
        or rewritten where the table has a column of that name."""

    def define_name(self, name: str, refers_to: str) -> None:
        """Create or replace the workbook-level name ``name`` (``refers_to``: "=...")."""

    # -- 回収 (collect) ------------------------------------------------------------------

    def ask_files(self, lang: str) -> list[Path] | None:
        """The files the user picks in an Open dialog (several at once); None on Cancel."""

    def append_table_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Write ``rows`` (header text -> value) under the last filled row of the Excel Table
        ``table``, growing the table over them; text is written as text, never as a formula."""

    # -- end 回収 ------------------------------------------------------------------------

    def save(self) -> Path | None:
        """Keep the result: a new file (FileBook) or nothing (Excel: the user saves)."""


def lossy_parts(path: str | os.PathLike) -> list[str]:
    """What a round trip through openpyxl would lose from the workbook at ``path``."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    found = []
    for prefix, what in _LOSSY_PARTS.items():
        if any(n.startswith(prefix) for n in names) and what not in found:
            found.append(what)
    # VML drawings only carry cell notes, which openpyxl keeps; DrawingML parts hold shapes.
    if any(n.startswith("xl/drawings/") and n.endswith(".xml") for n in names) and not found:
        found.append("drawings")
    return found


class FileBook:
    """A workbook file, edited through openpyxl and saved as a new file."""

    def __init__(self, path: str | os.PathLike, out: str | os.PathLike | None = None) -> None:
        import openpyxl

        self.path = Path(path)
        if not self.path.exists():
            raise InputError("input_missing", path=self.path.name)
        if not zipfile.is_zipfile(self.path):
            raise InputError("input_not_xlsx", path=self.path.name)
        with zipfile.ZipFile(self.path) as zf:  # zip bombs and DTDs, before openpyxl parses anything
            check_package(self.path, zf)
        lost = lossy_parts(self.path)
        if lost:
            raise InputError("addin_lossy", path=self.path.name, parts=", ".join(lost))
        self.name = self.path.name
        self.folder = self.path.parent
        self.out = Path(out) if out else self.path.with_name(f"{self.path.stem}_xlsales{self.path.suffix}")
        if self.out.resolve() == self.path.resolve():
            raise InputError("addin_same_file", path=self.path.name)
        keep_vba = self.path.suffix.lower() == ".xlsm"
        self._wb = openpyxl.load_workbook(self.path, keep_vba=keep_vba)
        self._values = openpyxl.load_workbook(self.path, data_only=True)

    # Reading ---------------------------------------------------------------------

    def grids(self) -> dict[str, list[list[Any]]]:
        out = {}
        for ws in self._values.worksheets:
            out[ws.title] = [list(row) for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        return out

    # Writing ---------------------------------------------------------------------

    def mark(self, marks: list[Mark], *, clear: list[tuple[str, int, int]]) -> None:
        from openpyxl.comments import Comment
        from openpyxl.styles import PatternFill

        for sheet, row, col in clear:
            if sheet in self._wb.sheetnames:
                cell = self._wb[sheet].cell(row, col)
                if cell.comment is not None and cell.comment.author == MARK_AUTHOR:
                    cell.comment = None
                if cell.fill is not None and cell.fill.fgColor is not None and \
                        str(cell.fill.fgColor.rgb).endswith(MARK_FILL):
                    cell.fill = PatternFill(fill_type=None)
        for m in marks:
            cell = self._wb[m.sheet].cell(m.row, m.col)
            cell.fill = PatternFill("solid", fgColor=MARK_FILL)
            old = cell.comment.text + "\n" if cell.comment is not None and cell.comment.author == MARK_AUTHOR else ""
            cell.comment = Comment(old + m.text, MARK_AUTHOR, width=320, height=90)

    def put_sheet(self, sheet: sm.Sheet, *, before: str | None = None) -> None:
        from xlsales.write.openpyxl_backend import render_sheet

        wb = self._wb
        index = None
        if sheet.name in wb.sheetnames:
            index = wb.sheetnames.index(sheet.name)
            wb.remove(wb[sheet.name])
        elif before in wb.sheetnames:
            index = wb.sheetnames.index(before)
        ws = wb.create_sheet(sheet.name, index)
        render_sheet(ws, sheet)

    def add_table_columns(self, table: str, columns: list[sm.TableColumn]) -> None:
        from xlsales.write.openpyxl_backend import add_table_columns

        try:
            add_table_columns(self._wb, table, columns)
        except KeyError:
            raise InputError("addin_no_table", path=self.name) from None

    def define_name(self, name: str, refers_to: str) -> None:
        from openpyxl.workbook.defined_name import DefinedName

        self._wb.defined_names[name] = DefinedName(name, attr_text=refers_to.removeprefix("="))

    # -- 回収 (collect) ------------------------------------------------------------------

    def ask_files(self, lang: str) -> list[Path] | None:
        # A file has no Open dialog: the command line and the tests pass ``files=`` instead.
        return None

    def append_table_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        from xlsales.write.openpyxl_backend import append_table_rows

        try:
            append_table_rows(self._wb, table, rows)
        except KeyError:
            raise InputError("addin_no_table", path=self.name) from None

    # -- end 回収 ------------------------------------------------------------------------

    def save(self) -> Path:
        # Formulas written by openpyxl carry no computed value: let Excel compute on open.
        self._wb.calculation.fullCalcOnLoad = True
        with atomic_path(self.out) as tmp:
            self._wb.save(tmp)
        return self.out

