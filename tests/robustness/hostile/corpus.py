"""The hostile corpus: one entry per file a user (or an attacker) may give ``xlsales``.

Every entry is data: a name, a kind, a builder that writes the file(s) into a folder and
returns ``(master, log or None)``, and for a refusal the fragments its message must hold
in each language (file, sheet, row, column where they apply).

* ``read`` — the same activity log as ``LOG``, written the way real exports and real
  people write it (Shift_JIS CSV, text dates, full-width and half-width forms, spaces,
  hidden rows, plain ranges...).  ``xlsales build`` must give exactly the figures of the
  clean reference master (``write_reference``).
* ``refuse`` — a file that must be refused: exit code != 0, nothing written, and a message
  that says where the problem is.  ``bomb=True`` entries are run in a child process whose
  time and peak memory are measured.
* ``returned`` — a per-person workbook mailed back, given to ``xlsales collect`` with the
  reference master (``Inputs(master, returned)``): formula-like text a rep typed is merged
  as text; a bomb (``expect`` set) is refused at once and the master left as it was.

Everything is generated from this module (deterministic: same content on every run),
except ``files/master.xls`` and ``files/master.ods``: the reference master converted by
LibreOffice once (``regenerate_office_files``), committed because a real .xls cannot be
written from Python.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import openpyxl
import xlsxwriter
from support.masterfactory import LOG_COLUMNS
from support.masterfactory import write_master as write_plain_master

from hostile.zips import Member as ZipMember
from hostile.zips import deflate_bomb, deflated, member_text, replace_members, sheet_part, write_zip
from xlsales import Event, Master, Member, Settings, Target
from xlsales.texts import label

FILES = Path(__file__).resolve().parent / "files"
AS_OF = "2026-09-30"
D = dt.date
YAMADA, SATO = "山田 太郎", "佐藤 花子"
GIB = 1 << 30


class Row(NamedTuple):
    id: str
    date: dt.date
    rep: str
    activity: str  # key
    customer: str = ""
    amount: float | None = None
    lost_reason: str | None = None  # key
    close_month: str | None = None  # YYYY-MM
    note: str = ""


# The activity log every "read" entry writes in its own way: two reps, July-September 2026,
# every activity, an opportunity re-opened after a loss, amounts with thousands.
LOG: tuple[Row, ...] = (
    Row("A-01", D(2026, 7, 1), YAMADA, "list", "アルファ商事"),
    Row("A-02", D(2026, 7, 1), YAMADA, "follow", "アルファ商事"),
    Row("A-03", D(2026, 7, 2), SATO, "follow", "(株)ベータ"),
    Row("A-04", D(2026, 7, 3), YAMADA, "pre_report", "アルファ商事"),
    Row("A-05", D(2026, 7, 3), YAMADA, "visit", "アルファ商事", note='初回訪問, "決裁者"同席\n次回は見積'),
    Row("A-06", D(2026, 7, 3), YAMADA, "post_report", "アルファ商事"),
    Row("A-07", D(2026, 7, 6), YAMADA, "topic", "アルファ商事", 120, close_month="2026-08"),
    Row("A-08", D(2026, 7, 8), SATO, "visit", "(株)ベータ"),
    Row("A-09", D(2026, 7, 9), SATO, "topic", "(株)ベータ", 80),
    Row("A-10", D(2026, 7, 15), YAMADA, "deal_b", "アルファ商事", 1200, close_month="2026-09"),
    Row("A-11", D(2026, 7, 20), SATO, "deal_a", "(株)ベータ", 90, close_month="2026-08"),
    Row("A-12", D(2026, 8, 3), SATO, "order", "(株)ベータ", 90),
    Row("A-13", D(2026, 8, 5), YAMADA, "visit", "Cテック"),
    Row("A-14", D(2026, 8, 6), YAMADA, "topic", "Cテック", 50),
    Row("A-15", D(2026, 8, 20), YAMADA, "lost", "Cテック", lost_reason="now"),
    Row("A-16", D(2026, 8, 27), YAMADA, "topic", "Cテック", 40, close_month="2026-10"),
    Row("A-17", D(2026, 9, 1), YAMADA, "deal_a", "アルファ商事", 1100, close_month="2026-09"),
    Row("A-18", D(2026, 9, 10), YAMADA, "order", "アルファ商事", 1100),
    Row("A-19", D(2026, 9, 14), SATO, "follow", "デルタ工業"),
    Row("A-20", D(2026, 9, 15), SATO, "topic", "デルタ工業", 30, close_month="2026-10"),
    Row("A-21", D(2026, 9, 18), SATO, "lost", "デルタ工業", lost_reason="forever", note="予算なし"),
)
MEMBERS = ((YAMADA, "東京"), (SATO, "大阪"))
TARGETS = {YAMADA: (500, 600, 1000), SATO: (100, 150, 200)}  # July, August, September
PERIOD = {"period_start": "2026-07", "period_months": 3}


def reference_master() -> Master:
    events = [Event(row=i, id=r.id, date=r.date, rep=r.rep, activity=r.activity, customer=r.customer,
                    amount=None if r.amount is None else float(r.amount), lost_reason=r.lost_reason,
                    close_month=dt.date.fromisoformat(r.close_month + "-01") if r.close_month else None,
                    note=r.note)
              for i, r in enumerate(LOG, start=2)]
    return Master(
        events=events, members=[Member(rep, team) for rep, team in MEMBERS],
        targets=[Target(rep, D(2026, 7 + m, 1), float(v)) for rep, vs in TARGETS.items() for m, v in enumerate(vs)],
        settings=Settings(period_start=D(2026, 7, 1), period_months=3),
    )


def write_reference(path: Path, lang: str = "ja") -> Path:
    """The clean master, as ``xlsales new``/``demo`` write it (XlsxWriter, Excel tables)."""
    from xlsales import write_master

    return write_master(path, reference_master(), lang=lang)


# ----------------------------------------------------------------------------------
# Writing the log in other ways.
# ----------------------------------------------------------------------------------


def _same(x):
    return x


@dataclass(frozen=True)
class Style:
    """How a log is typed: each function turns one clean value into the cell written."""

    lang: str = "ja"
    date: Callable[[dt.date], object] = _same
    text: Callable[[str], str] = _same  # rep, customer, activity and lost-reason labels
    amount: Callable[[float], object] = _same
    month: Callable[[str], object] = _same


def log_cells(row: Row, style: Style = Style()) -> dict[str, object]:
    """One log row as column key -> cell value."""
    t = style.text
    return {
        "id": row.id, "date": style.date(row.date), "rep": t(row.rep),
        "activity": t(label("activity", row.activity, style.lang)),
        "customer": t(row.customer) if row.customer else None,
        "amount": style.amount(row.amount) if row.amount is not None else None,
        "lost_reason": t(label("lost_reason", row.lost_reason, style.lang)) if row.lost_reason else None,
        "close_month": style.month(row.close_month) if row.close_month else None,
        "note": row.note or None,
    }


def write_openpyxl(path: Path, style: Style = Style(), *, rows=None, **kw) -> Path:
    """The reference data as an openpyxl master (tests/masterfactory.py), log cells in ``style``."""
    t = style.text
    return write_plain_master(
        path, log_rows=[log_cells(r, style) if isinstance(r, Row) else r for r in (rows or LOG)],
        members=[{"rep": t(rep), "team": team} for rep, team in MEMBERS],
        targets=[{"rep": t(rep), "month": f"2026-{7 + m:02d}", "sales_target": v}
                 for rep, vs in TARGETS.items() for m, v in enumerate(vs)],
        settings=dict(PERIOD), lang=style.lang, **kw)


def write_log_csv(path: Path, style: Style = Style(), *, encoding: str = "utf-8-sig", headers=None,
                  preamble: tuple[str, ...] = (), extra: dict[str, str] | None = None, newline: str = "\r\n",
                  rows=None) -> Path:
    """The log as a CRM's CSV export: ``headers`` (column key -> header text, in order)."""
    headers = headers or {k: label("log", k, style.lang) for k in LOG_COLUMNS}
    extra = extra or {}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    for line in preamble:
        writer.writerow([line])
    writer.writerow([*headers.values(), *extra])
    for i, r in enumerate(rows or LOG):
        cells = log_cells(r, style) if isinstance(r, Row) else r
        writer.writerow([_csv_text(cells.get(k)) for k in headers] + [f"{v}{i}" for v in extra.values()])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%Y/%m/%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _edit(path: Path, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)
    return path


def _log_sheet(book: openpyxl.Workbook, lang: str = "ja"):
    return book[label("sheet", "log", lang)]


# Typing styles -----------------------------------------------------------------------

_HALF_KANA = str.maketrans({"ア": "ｱ", "ル": "ﾙ", "フ": "ﾌ", "ァ": "ｧ", "テ": "ﾃ", "ッ": "ｯ", "ク": "ｸ",
                            "デ": "ﾃﾞ", "タ": "ﾀ", "ベ": "ﾍﾞ", "ー": "ｰ", "リ": "ﾘ", "ス": "ｽ", "ト": "ﾄ",
                            "ォ": "ｫ", "ロ": "ﾛ", "ボ": "ﾎﾞ", "ツ": "ﾂ", "メ": "ﾒ", "モ": "ﾓ", "ン": "ﾝ",
                            "バ": "ﾊﾞ", "ヘ": "ﾍ"})


def half_width_kana(text: str) -> str:
    return text.translate(_HALF_KANA)


def full_width(text: str) -> str:
    """ASCII letters, digits, space and punctuation as their full-width forms (U+FF01...)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def padded(text: str) -> str:
    return f"  {text}\u3000 "


STYLES = {
    "slash": Style(date=lambda d: f"{d.year}/{d.month}/{d.day}"),
    "iso": Style(date=lambda d: d.isoformat()),
    "kanji": Style(date=lambda d: f"{d.year}年{d.month}月{d.day}日"),
    "reiwa": Style(date=lambda d: f"令和{d.year - 2018}年{d.month}月{d.day}日"),
    "datetime": Style(date=lambda d: dt.datetime(d.year, d.month, d.day, 9 + d.day % 9, 30)),
    "mixed": Style(date=lambda d: [f"{d.year}/{d.month}/{d.day}", d.isoformat(), f"{d.year}年{d.month}月{d.day}日",
                                   f"令和{d.year - 2018}年{d.month}月{d.day}日", d][d.day % 5]),
    "full_width": Style(date=lambda d: full_width(f"{d.year}/{d.month}/{d.day}"), text=full_width,
                        amount=lambda a: full_width(f"{a:,.0f}"), month=full_width),
    "half_kana": Style(text=half_width_kana, amount=lambda a: f"{a:,.0f}"),
    "spaces": Style(date=lambda d: f" {d.year}/{d.month}/{d.day} ", text=padded,
                    amount=lambda a: f" {a:,.0f} ", month=padded),
    "white_circle": Style(text=lambda s: s.replace("\u25ef", "\u25cb")),
    "en": Style(lang="en"),
}


# ----------------------------------------------------------------------------------
# Builders: folder -> (master, log).  Each writes files named after its entry.
# ----------------------------------------------------------------------------------


class Inputs(NamedTuple):
    master: Path
    log: Path | None = None


def _reference_in(folder: Path, name: str = "master.xlsx") -> Path:
    return write_reference(folder / name)


def _csv_entry(name: str, style: Style = Style(), **kw) -> Callable[[Path], Inputs]:
    def build(folder: Path) -> Inputs:
        return Inputs(_reference_in(folder), write_log_csv(folder / f"{name}.csv", style, **kw))
    return build


def _xlsx_entry(name: str, style: Style = Style(), edit: Callable | None = None, **kw) -> Callable[[Path], Inputs]:
    def build(folder: Path) -> Inputs:
        path = write_openpyxl(folder / f"{name}.xlsx", style, **kw)
        return Inputs(_edit(path, edit) if edit else path)
    return build


def _hide_columns(book):
    ws = _log_sheet(book)
    for letter in ("A", "E", "I"):  # ID, customer, note
        ws.column_dimensions[letter].hidden = True
    # a hidden helper column xlsales does not know, with a formula never calculated
    ws["K1"], ws["K2"] = "集計用", "=1+1"
    ws.column_dimensions["K"].hidden = True


def _half_width_headers(book):
    ws = _log_sheet(book)
    for cell in ws[1]:
        if isinstance(cell.value, str):
            cell.value = half_width_kana(cell.value).replace("ID", "ＩＤ")
    book["メンバー"].title = "ﾒﾝﾊﾞｰ"
    book["設定"]["A2"].value = " 表示開始月 "


def _spaced_headers(book):
    for ws in book.worksheets:
        for cell in ws[1]:
            if isinstance(cell.value, str):
                cell.value = f" {cell.value}\u3000"


def _merged_title(book):
    ws = _log_sheet(book)
    ws.merge_cells("A1:I1")
    ws.merge_cells("A2:C2")
    ws["A2"] = "2026年度 上期"
    ws.merge_cells("H40:I41")  # empty, below the data: holds nothing to guess about


def _wide_sheet(book):
    # A CRM's export: 30 more columns (to AM) that xlsales does not know, one of them a
    # formula never calculated; a sheet beyond column Z has its cells counted one by one.
    ws = _log_sheet(book)
    for j in range(10, 40):
        ws.cell(row=1, column=j, value=f"項目{j}")
        for i in range(2, len(LOG) + 2):
            ws.cell(row=i, column=j, value=f"=ROW()*{j}" if j == 39 else f"{i}-{j}")


def _formulas_with_values(folder: Path) -> Inputs:
    """Formulas with their results saved (what Excel writes): read by those results."""
    path = folder / "formulas_with_values.xlsx"
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy/mm/dd"})
    ws = book.add_worksheet("活動ログ")
    ws.write_row(0, 0, [label("log", k) for k in LOG_COLUMNS])
    for i, r in enumerate(LOG, start=1):
        cells = log_cells(r)
        for j, key in enumerate(LOG_COLUMNS):
            value = cells[key]
            if key == "date":
                serial = (r.date - D(1899, 12, 30)).days
                ws.write_formula(i, j, f"=DATE({r.date.year},{r.date.month},{r.date.day})", date_format, serial)
            elif key == "customer" and value:
                ws.write_formula(i, j, f'=TRIM("{value} ")', None, value)
            elif key == "amount" and value is not None:
                ws.write_formula(i, j, f"={value:.0f}*1", None, value)
            elif key == "note" and value is None:
                ws.write_formula(i, j, '=IF(1,"","-")', None, "")  # a saved empty text: <v></v>
            elif value is not None:
                ws.write(i, j, value)
    members = book.add_worksheet("メンバー")
    members.write_row(0, 0, ["担当者", "チーム"])
    for i, (rep, team) in enumerate(MEMBERS, start=1):
        members.write_row(i, 0, [rep, team])
    targets = book.add_worksheet("目標")
    targets.write_row(0, 0, ["担当者", "月", "売上目標"])
    n = 1
    for rep, vs in TARGETS.items():
        for m, v in enumerate(vs):
            targets.write_row(n, 0, [rep, f"2026-{7 + m:02d}"])
            targets.write_formula(n, 2, f"={v}+0", None, v)
            n += 1
    settings = book.add_worksheet("設定")
    settings.write_row(0, 0, ["項目", "値"])
    settings.write_row(1, 0, ["表示開始月", "2026-07"])
    settings.write_row(2, 0, ["表示月数"])
    settings.write_formula(2, 1, "=1+2", None, 3)
    book.close()
    return Inputs(path)


def _cp932_csv(folder: Path) -> Inputs:
    # Excel for Japanese Windows: Shift_JIS with NEC specials (㈱ -> (株) by NFKC).
    style = Style(text=lambda s: s.replace("(株)", "㈱"), amount=lambda a: f"{a:,.0f}")
    return Inputs(_reference_in(folder), write_log_csv(folder / "crm_cp932.csv", style, encoding="cp932"))


def _crm_export_csv(folder: Path) -> Inputs:
    # Two title lines, columns in another order, columns xlsales does not know, LF line ends.
    order = ("date", "rep", "customer", "activity", "amount", "close_month", "lost_reason", "note", "id")
    headers = {k: label("log", k) for k in order}
    return Inputs(_reference_in(folder), write_log_csv(
        folder / "crm_export.csv", Style(date=lambda d: d.strftime("%Y/%m/%d %H:%M")), headers=headers,
        preamble=("商談活動エクスポート", "出力日時: 2026/10/01 09:00"), extra={"作成者": "crm-bot", "商談ID": "OPP-"},
        newline="\n"))


READ_BUILDERS: dict[str, tuple[Callable[[Path], Inputs], str]] = {
    # name: (builder, language of the build)
    "csv_cp932": (_cp932_csv, "ja"),
    "csv_utf8_bom": (_csv_entry("csv_utf8_bom", encoding="utf-8-sig"), "ja"),
    "csv_utf8_no_bom_en_headers": (_csv_entry("csv_utf8_en", STYLES["en"], encoding="utf-8"), "en"),
    "csv_crm_export_titles_extra_columns": (_crm_export_csv, "ja"),
    "csv_full_width": (_csv_entry("csv_full_width", STYLES["full_width"], encoding="cp932"), "ja"),
    # quoted fields: amounts "1,200", a note with a comma, quotes and a line break (row A-05)
    "csv_quoted_fields": (_csv_entry("csv_quoted", Style(amount=lambda a: f"{a:,.0f}")), "ja"),
    "text_dates_slash": (_xlsx_entry("text_dates_slash", STYLES["slash"]), "ja"),
    "text_dates_iso": (_xlsx_entry("text_dates_iso", STYLES["iso"]), "ja"),
    "text_dates_kanji": (_xlsx_entry("text_dates_kanji", STYLES["kanji"]), "ja"),
    "text_dates_reiwa": (_xlsx_entry("text_dates_reiwa", STYLES["reiwa"]), "ja"),
    "text_dates_mixed": (_xlsx_entry("text_dates_mixed", STYLES["mixed"]), "ja"),
    "excel_dates_with_times": (_xlsx_entry("excel_dates_with_times", STYLES["datetime"]), "ja"),
    "full_width_letters_digits": (_xlsx_entry("full_width", STYLES["full_width"]), "ja"),
    "half_width_katakana": (_xlsx_entry("half_width_katakana", STYLES["half_kana"], edit=_half_width_headers), "ja"),
    "leading_trailing_spaces": (_xlsx_entry("spaces", STYLES["spaces"], edit=_spaced_headers), "ja"),
    "white_circle_deal": (_xlsx_entry("white_circle", STYLES["white_circle"]), "ja"),
    "hidden_rows": (_xlsx_entry("hidden_rows", hidden_rows=(3, 8, 15)), "ja"),
    "hidden_columns": (_xlsx_entry("hidden_columns", edit=_hide_columns), "ja"),
    "plain_range_no_table": (_xlsx_entry("plain_range", as_table=False), "ja"),
    "wide_sheet_unknown_columns": (_xlsx_entry("wide_sheet", edit=_wide_sheet), "ja"),
    "header_on_row_3_merged_title": (_xlsx_entry("merged_title", header_row=3, as_table=False,
                                                 edit=_merged_title), "ja"),
    "empty_rows_between": (_xlsx_entry("empty_rows", rows=[LOG[0], None, *LOG[1:10], None, None, *LOG[10:]]),
                           "ja"),
    "log_sheet_renamed_with_table": (_xlsx_entry("renamed_log_sheet", log_sheet="2026年度 活動"), "ja"),
    "formulas_with_saved_values": (_formulas_with_values, "ja"),
    "english_master": (_xlsx_entry("english_master", STYLES["en"]), "en"),
}


# -- refusals --------------------------------------------------------------------------


def at(sheet: str, row: int, column: str) -> dict[str, tuple[str, ...]]:
    """The place of a cell as both languages write it (where_cell of messages.json)."""
    return {"ja": (f"シート「{sheet}」 {row}行目 「{column}」",),
            "en": (f"sheet '{sheet}', row {row}, column '{column}'",)}


def both(*fragments: str) -> dict[str, tuple[str, ...]]:
    return {"ja": fragments, "en": fragments}


def msgs(ja: str | tuple[str, ...], en: str | tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {"ja": (ja,) if isinstance(ja, str) else ja, "en": (en,) if isinstance(en, str) else en}


def merge(*parts: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {lang: tuple(f for p in parts for f in p[lang]) for lang in ("ja", "en")}


NOT_XLSX = msgs("Excel ブック (.xlsx) ではありません", "is not an Excel workbook (.xlsx)")
UNREADABLE = msgs("を読み込めません", "cannot read")
ZIP_BOMB = msgs("zip 爆弾", "zip bomb")
DTD = msgs("DTD（<!DOCTYPE ...>）があります", "declares a DTD")
SAVE_AS_XLSX = msgs("「Excel ブック (*.xlsx)」", "save it as an Excel Workbook (*.xlsx)")
LOG_SHEET = "活動ログ"


def _corrupt_zip(folder: Path) -> Inputs:
    path = folder / "corrupt_zip.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    return Inputs(path)


def _stable_bytes(path: Path) -> bytes:
    # The package rewritten with fixed entry times and docProps/core.xml's dates blanked: a
    # cut through the raw bytes must not depend on the second the reference was written.
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", data)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)), data,
                          compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _truncated_zip(folder: Path) -> Inputs:
    data = _stable_bytes(_reference_in(folder, "whole.xlsx"))
    path = folder / "truncated_zip.xlsx"
    path.write_bytes(data[: len(data) * 2 // 3])
    return Inputs(path)


def _damaged_member(folder: Path) -> Inputs:
    # The directory is intact, the log sheet's deflate stream is not.
    source = _reference_in(folder, "whole.xlsx")
    part = sheet_part(source, LOG_SHEET)
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 16, start + min(info.compress_size, 400) - 8):
        data[i] ^= 0xA5
    path = folder / "damaged_member.xlsx"
    path.write_bytes(bytes(data))
    return Inputs(path)


def _empty_file(folder: Path) -> Inputs:
    path = folder / "empty.xlsx"
    path.write_bytes(b"")
    return Inputs(path)


_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
               b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"


def _zip_bomb_sheet(folder: Path) -> Inputs:
    """The log sheet inflates to 2 GiB of rows (6 MB on disk): every row a new cell."""
    source = _reference_in(folder, "whole.xlsx")
    part = sheet_part(source, LOG_SHEET)
    unit = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    bomb = deflate_bomb(part, _SHEET_HEAD, unit, 2 * GIB // len(unit), _SHEET_TAIL)
    return Inputs(replace_members(folder / "zip_bomb_sheet.xlsx", source, {part: bomb}))


def _zip_bomb_lying_size(folder: Path) -> Inputs:
    """The same bomb, but the zip directory says the sheet is 4 KB: readers must not believe it."""
    source = _reference_in(folder, "whole.xlsx")
    part = sheet_part(source, LOG_SHEET)
    unit = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    bomb = deflate_bomb(part, _SHEET_HEAD, unit, 2 * GIB // len(unit), _SHEET_TAIL)._replace(size=4096)
    return Inputs(replace_members(folder / "zip_bomb_lying_size.xlsx", source, {part: bomb}))


def _zip_bomb_shared_strings(folder: Path) -> Inputs:
    source = _reference_in(folder, "whole.xlsx")
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
            b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    bomb = deflate_bomb("xl/sharedStrings.xml", head, b"<si><t>lol</t></si>", GIB // 19, b"</sst>")
    return Inputs(replace_members(folder / "zip_bomb_shared_strings.xlsx", source, {bomb.name: bomb}))


def _zip_bomb_unread_part(folder: Path) -> Inputs:
    """A 3 GiB "image" that nothing reads: still a zip bomb, and refused as one."""
    source = _reference_in(folder, "whole.xlsx")
    bomb = deflate_bomb("xl/media/image1.png", b"\x89PNG\r\n\x1a\n", b"\x00" * 1024, 3 * (GIB // 1024), b"")
    return Inputs(replace_members(folder / "zip_bomb_unread_part.xlsx", source, {bomb.name: bomb}))


def _encrypted_member(folder: Path) -> Inputs:
    """The log sheet encrypted with the zip's own password scheme (what no Office file uses)."""
    source = _reference_in(folder, "whole.xlsx")
    part = sheet_part(source, LOG_SHEET)
    sheet = deflated(part, member_text(source, part))._replace(flags=0x801)
    return Inputs(replace_members(folder / "zip_encrypted_member.xlsx", source, {part: sheet}))


def _unknown_compression(folder: Path) -> Inputs:
    source = _reference_in(folder, "whole.xlsx")
    part = sheet_part(source, LOG_SHEET)
    sheet = deflated(part, member_text(source, part))._replace(method=9)  # Deflate64: not in zipfile
    return Inputs(replace_members(folder / "zip_deflate64.xlsx", source, {part: sheet}))


def _decoy_ref(folder: Path) -> Inputs:
    """An error cell whose other attribute xr:r names row 999,999,999: the cell is E5, and read as E5."""
    source = write_openpyxl(folder / "whole.xlsx")
    part = sheet_part(source, LOG_SHEET)
    xml = member_text(source, part)
    cell = '<c r="E5" t="inlineStr"><is><t>アルファ商事</t></is></c>'
    assert cell in xml
    xml = xml.replace(cell, '<c xmlns:xr="urn:x" xr:r="A999999999" r="E5" t="e"><v>#N/A</v></c>')
    return Inputs(replace_members(folder / "error_with_decoy_ref.xlsx", source, {part: xml}))


def _laughs(root: str) -> str:
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return f"<!DOCTYPE {root} [{''.join(entities)}]>"


def _billion_laughs_shared_strings(folder: Path) -> Inputs:
    source = _reference_in(folder, "whole.xlsx")
    sst = member_text(source, "xl/sharedStrings.xml")
    sst = sst.replace("<sst ", _laughs("sst") + "<sst ", 1).replace("<t>アルファ商事</t>", "<t>&lol9;</t>")
    return Inputs(replace_members(folder / "billion_laughs_shared_strings.xlsx", source, {"xl/sharedStrings.xml": sst}))


def _billion_laughs_sheet(folder: Path) -> Inputs:
    source = _reference_in(folder, "whole.xlsx")
    part = sheet_part(source, LOG_SHEET)
    xml = member_text(source, part)
    xml = xml.replace("<worksheet ", _laughs("worksheet") + "<worksheet ", 1)
    xml = xml.replace("</sheetData>", '<row r="9000"><c r="J9000" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
                      "</sheetData>", 1)
    return Inputs(replace_members(folder / "billion_laughs_sheet.xlsx", source, {part: xml}))


def _billion_laughs_workbook(folder: Path) -> Inputs:
    source = _reference_in(folder, "whole.xlsx")
    xml = member_text(source, "xl/workbook.xml")
    xml = xml.replace("<workbook ", _laughs("workbook") + "<workbook ", 1).replace('name="使い方"', 'name="&lol9;"')
    return Inputs(replace_members(folder / "billion_laughs_workbook.xlsx", source, {"xl/workbook.xml": xml}))


def _hidden_laughs(part: str, root: str, old: str, new: str, name: str) -> Callable[[Path], Inputs]:
    """A DTD after 70 KB of comment, past the head searched for one: calamine (sheets, shared
    strings) expands no entity, and the parts ElementTree reads are searched whole."""
    def build(folder: Path) -> Inputs:
        source = _reference_in(folder, "whole.xlsx")
        xml = member_text(source, part)
        xml = xml.replace(f"<{root} ", f"<!--{'x' * 70_000}-->" + _laughs(root) + f"<{root} ", 1).replace(old, new)
        return Inputs(replace_members(folder / f"{name}.xlsx", source, {part: xml}))
    return build


def _external_entity(folder: Path) -> Inputs:
    source = _reference_in(folder, "whole.xlsx")
    sst = member_text(source, "xl/sharedStrings.xml")
    sst = sst.replace("<sst ", '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><sst ', 1)
    sst = sst.replace("<t>アルファ商事</t>", "<t>&xxe;</t>")
    return Inputs(replace_members(folder / "external_entity.xlsx", source, {"xl/sharedStrings.xml": sst}))


def _far_cell(folder: Path) -> Inputs:
    """7 KB on disk; calamine would build a grid of 1,048,576 x 16,384 cells from it."""
    path = write_openpyxl(folder / "far_cell.xlsx")
    return Inputs(_edit(path, lambda book: _log_sheet(book).__setitem__("XFD1048576", "x")))


def _merged_cells_bomb(folder: Path) -> Inputs:
    source = write_openpyxl(folder / "whole.xlsx", as_table=False)
    part = sheet_part(source, LOG_SHEET)
    xml = member_text(source, part)
    merges = "".join(f'<mergeCell ref="K{i}:L{i}"/>' for i in range(1, 150_001))
    xml = xml.replace("</sheetData>", f'</sheetData><mergeCells count="150000">{merges}</mergeCells>', 1)
    return Inputs(replace_members(folder / "merged_cells_bomb.xlsx", source, {part: xml}))


def _copy_of(fixture: str, name: str) -> Callable[[Path], Inputs]:
    """A committed file (files/), under the name ``name``."""
    def build(folder: Path) -> Inputs:
        path = folder / name
        shutil.copyfile(FILES / fixture, path)
        return Inputs(path)
    return build


def _xlsb(folder: Path) -> Inputs:
    # The package of an Excel Binary workbook: zip parts of BIFF12 records.
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
             '2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.'
             'macroEnabled.main"/><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.'
             'sheet.binary.macroEnabled.main"/></Types>')
    return Inputs(write_zip(folder / "master.xlsb", [deflated("[Content_Types].xml", types),
                                                      deflated("xl/workbook.bin", bytes([0x83, 0x01, 0x00]))]))


def _one_mb_cell(folder: Path) -> Inputs:
    # Written into the XML: openpyxl (like Excel) cuts a cell at 32,767 characters, other programs do not.
    source = write_openpyxl(folder / "whole.xlsx")
    part = sheet_part(source, LOG_SHEET)
    xml = member_text(source, part)
    cell = '<c r="E6" t="inlineStr"><is><t>アルファ商事</t></is></c>'
    assert cell in xml
    xml = xml.replace(cell, cell.replace("アルファ商事", "あ" * (1 << 20)))
    return Inputs(replace_members(folder / "one_mb_cell.xlsx", source, {part: xml}))


def _one_mb_csv_cell(folder: Path) -> Inputs:
    rows = [log_cells(r) for r in LOG]
    rows[6]["note"] = "x" * (1 << 20)
    return Inputs(_reference_in(folder), write_log_csv(folder / "one_mb_cell.csv", rows=rows))


def _merged_header(folder: Path) -> Inputs:
    path = write_openpyxl(folder / "merged_header.xlsx", as_table=False)
    return Inputs(_edit(path, lambda book: _log_sheet(book).merge_cells("E1:F1")))


def _merged_data(folder: Path) -> Inputs:
    # One expected close month typed for two deal rows: which rows it was meant for is a guess.
    rows = list(LOG)
    rows[10] = rows[10]._replace(close_month="2026-09")  # A-11, row 12, same value as row 11
    path = write_openpyxl(folder / "merged_data.xlsx", as_table=False, rows=rows)
    return Inputs(_edit(path, lambda book: _log_sheet(book).merge_cells("H11:H12")))


def _error_cell(folder: Path) -> Inputs:
    rows = [log_cells(r) for r in LOG]
    rows[7]["customer"] = "#N/A"  # masterfactory writes it as an error cell (t="e")
    return Inputs(write_openpyxl(folder / "error_na.xlsx", rows=rows))


def _ref_error_formula(folder: Path) -> Inputs:
    # What Excel saves for a formula whose reference was deleted: <c t="e"><f>..</f><v>#REF!</v></c>.
    path = folder / "error_ref_formula.xlsx"
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy/mm/dd"})
    ws = book.add_worksheet("活動ログ")
    ws.write_row(0, 0, [label("log", k) for k in LOG_COLUMNS])
    for i, r in enumerate(LOG, start=1):
        for j, (key, value) in enumerate(log_cells(r).items()):
            if i == 12 and key == "amount":
                ws.write_formula(i, j, "=#REF!*1", None, "#REF!")
            elif isinstance(value, dt.date):
                ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()), date_format)
            elif value is not None:
                ws.write(i, j, value)
    ws2 = book.add_worksheet("メンバー")
    ws2.write_column(0, 0, ["担当者", YAMADA, SATO])
    book.close()
    return Inputs(path)


def _error_in_csv(folder: Path) -> Inputs:
    rows = [log_cells(r, Style(amount=lambda a: f"{a:,.0f}")) for r in LOG]
    rows[16]["amount"] = "#N/A"
    return Inputs(_reference_in(folder), write_log_csv(folder / "error_in_csv.csv", rows=rows))


def _formula_no_value(column: str, formula: str, name: str) -> Callable[[Path], Inputs]:
    def build(folder: Path) -> Inputs:
        path = write_openpyxl(folder / f"{name}.xlsx")
        return Inputs(_edit(path, lambda book: _log_sheet(book).__setitem__(column, formula)))
    return build


def _date_guess(folder: Path) -> Inputs:
    rows = [log_cells(r) for r in LOG]
    rows[3]["date"] = "7月3日"
    return Inputs(write_openpyxl(folder / "date_without_year.xlsx", rows=rows))


def _date_guess_csv(text: str, name: str) -> Callable[[Path], Inputs]:
    def build(folder: Path) -> Inputs:
        rows = [log_cells(r) for r in LOG]
        rows[9]["date"] = text
        return Inputs(_reference_in(folder), write_log_csv(folder / f"{name}.csv", rows=rows, encoding="cp932"))
    return build


def _missing_sheet(folder: Path) -> Inputs:
    return Inputs(write_openpyxl(folder / "no_members_sheet.xlsx", omit=("members",)))


def _renamed_sheet(old: str, new: str, name: str, **kw) -> Callable[[Path], Inputs]:
    def build(folder: Path) -> Inputs:
        path = write_openpyxl(folder / f"{name}.xlsx", **kw)
        return Inputs(_edit(path, lambda book: setattr(book[old], "title", new)))
    return build


def _header_too_low(folder: Path) -> Inputs:
    return Inputs(write_openpyxl(folder / "header_on_row_12.xlsx", header_row=12, as_table=False))


def _duplicate_header(folder: Path) -> Inputs:
    path = write_openpyxl(folder / "duplicate_header.xlsx", as_table=False)
    return Inputs(_edit(path, lambda book: _log_sheet(book).__setitem__("K1", "金額")))


def _utf16_csv(folder: Path) -> Inputs:
    return Inputs(_reference_in(folder), write_log_csv(folder / "utf16.csv", encoding="utf-16"))


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "read", "refuse", or "returned" (a workbook mailed back, given to ``xlsales collect``)
    build: Callable[[Path], Inputs]
    expect: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lang -> fragments of the message
    lang: str = "ja"  # read: the language the build runs in (its reference is built in it too)
    bomb: bool = False  # refuse: run in a child process, time and peak memory measured


# ----------------------------------------------------------------------------------
# Returned per-person workbooks (``xlsales collect``): what a rep, or an attacker, mails back.
# ----------------------------------------------------------------------------------

#: Text a rep typed that a spreadsheet would take for a formula (a TAB or CR first, too).
INJECTIONS = ('=HYPERLINK("http://evil.example","click")', "+1", "-1", "@SUM(A1:A9)", "\t=1+1", "\r=1+1")


def _returned_in(folder: Path) -> tuple[Path, Path]:
    """The reference master, and YAMADA's workbook built from it (as mailed)."""
    from xlsales import build, read_master

    master = write_reference(folder / "master.xlsx")
    built = build(read_master(master), folder / "sent", as_of=dt.date.fromisoformat(AS_OF))
    return master, built.people[YAMADA]


def _typed_injection(folder: Path) -> Inputs:
    """Rows typed as text under the sent ones, each customer and note a formula-like text."""
    master, sent = _returned_in(folder)
    book = openpyxl.load_workbook(sent)
    ws = book[LOG_SHEET]
    last = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value is not None)
    for i, text in enumerate(INJECTIONS, start=1):
        for col, value in enumerate([dt.datetime(2026, 9, 10 + i), YAMADA, "訪問", text, None, None, None, text],
                                    start=2):
            if value is not None:
                cell = ws.cell(last + i, col, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # typed as text (a ' first, or a text-formatted cell)
    path = folder / "typed_injection.xlsx"
    book.save(path)
    return Inputs(master, path)


def _returned_bomb(name: str, bomb: Callable[[Path, str], ZipMember | str]) -> Callable[[Path], Inputs]:
    """The mailed workbook with its log sheet replaced by ``bomb(workbook, part)``."""
    def build(folder: Path) -> Inputs:
        master, sent = _returned_in(folder)
        part = sheet_part(sent, LOG_SHEET)
        return Inputs(master, replace_members(folder / f"{name}.xlsx", sent, {part: bomb(sent, part)}))
    return build


def _sheet_zip_bomb(sent: Path, part: str) -> ZipMember:
    unit = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    return deflate_bomb(part, _SHEET_HEAD, unit, 2 * GIB // len(unit), _SHEET_TAIL)


def _sheet_laughs(sent: Path, part: str) -> str:
    xml = member_text(sent, part).replace("<worksheet ", _laughs("worksheet") + "<worksheet ", 1)
    return xml.replace("</sheetData>", '<row r="9000"><c r="J9000" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
                       "</sheetData>", 1)


RETURNED_CASES: tuple[Case, ...] = (
    Case("returned_formula_injection", "returned", _typed_injection),
    Case("returned_zip_bomb", "returned", _returned_bomb("returned_zip_bomb", _sheet_zip_bomb),
         merge(both("returned_zip_bomb.xlsx", "2,048.0 MB"), ZIP_BOMB), bomb=True),
    Case("returned_entity_bomb", "returned", _returned_bomb("returned_entity_bomb", _sheet_laughs),
         merge(both("returned_entity_bomb.xlsx"), DTD), bomb=True),
)


CORPUS: tuple[Case, ...] = (
    *(Case(name, "read", builder, lang=lang) for name, (builder, lang) in READ_BUILDERS.items()),
    # -- damaged and disguised files ----------------------------------------------------
    Case("corrupt_zip", "refuse", _corrupt_zip, merge(both("corrupt_zip.xlsx"), NOT_XLSX)),
    Case("truncated_zip", "refuse", _truncated_zip, merge(both("truncated_zip.xlsx"), NOT_XLSX)),
    Case("damaged_member", "refuse", _damaged_member, merge(both("damaged_member.xlsx"), UNREADABLE)),
    Case("empty_file", "refuse", _empty_file, merge(both("empty.xlsx"), NOT_XLSX)),
    Case("xls", "refuse", _copy_of("master.xls", "excel97.xls"),
         merge(both("excel97.xls", "Excel 97-2003 (.xls)"), SAVE_AS_XLSX)),
    Case("xlsb", "refuse", _xlsb, merge(both("master.xlsb", "Excel Binary (.xlsb)"), SAVE_AS_XLSX)),
    Case("ods", "refuse", _copy_of("master.ods", "calc.ods"),
         merge(both("calc.ods", "OpenDocument (.ods)"), SAVE_AS_XLSX)),
    Case("xls_renamed_xlsx", "refuse", _copy_of("master.xls", "xls_renamed.xlsx"),
         merge(both("xls_renamed.xlsx"), NOT_XLSX)),
    Case("ods_renamed_xlsx", "refuse", _copy_of("master.ods", "ods_renamed.xlsx"),
         merge(both("ods_renamed.xlsx"), UNREADABLE)),
    Case("zip_encrypted_member", "refuse", _encrypted_member, merge(both("zip_encrypted_member.xlsx"), NOT_XLSX)),
    Case("zip_unknown_compression", "refuse", _unknown_compression,
         merge(both("zip_deflate64.xlsx", "compression method"), UNREADABLE)),
    Case("csv_utf16", "refuse", _utf16_csv,
         merge(both("utf16.csv"), msgs("文字コードを判別できません", "cannot tell the text encoding"))),
    # -- bombs: refused at once, in bounded memory ------------------------------------------
    Case("zip_bomb_sheet", "refuse", _zip_bomb_sheet,
         merge(both("zip_bomb_sheet.xlsx", "xl/worksheets/sheet2.xml", "2,048.0 MB"), ZIP_BOMB), bomb=True),
    Case("zip_bomb_lying_size", "refuse", _zip_bomb_lying_size,
         merge(both("zip_bomb_lying_size.xlsx", "xl/worksheets/sheet2.xml"), UNREADABLE), bomb=True),
    Case("zip_bomb_shared_strings", "refuse", _zip_bomb_shared_strings,
         merge(both("zip_bomb_shared_strings.xlsx", "xl/sharedStrings.xml"), ZIP_BOMB), bomb=True),
    Case("zip_bomb_unread_part", "refuse", _zip_bomb_unread_part,
         merge(both("zip_bomb_unread_part.xlsx", "xl/media/image1.png", "3,072.0 MB"), ZIP_BOMB), bomb=True),
    Case("billion_laughs_shared_strings", "refuse", _billion_laughs_shared_strings,
         merge(both("billion_laughs_shared_strings.xlsx", "xl/sharedStrings.xml"), DTD), bomb=True),
    Case("billion_laughs_sheet", "refuse", _billion_laughs_sheet,
         merge(both("billion_laughs_sheet.xlsx", "xl/worksheets/sheet2.xml"), DTD), bomb=True),
    Case("billion_laughs_workbook", "refuse", _billion_laughs_workbook,
         merge(both("billion_laughs_workbook.xlsx", "xl/workbook.xml"), DTD), bomb=True),
    Case("billion_laughs_hidden_in_strings", "refuse",
         _hidden_laughs("xl/sharedStrings.xml", "sst", "<t>アルファ商事</t>", "<t>&lol9;</t>", "hidden_laughs_sst"),
         merge(both("hidden_laughs_sst.xlsx"), UNREADABLE), bomb=True),
    Case("billion_laughs_hidden_in_workbook", "refuse",
         _hidden_laughs("xl/workbook.xml", "workbook", 'name="使い方"', 'name="&lol9;"', "hidden_laughs_workbook"),
         merge(both("hidden_laughs_workbook.xlsx", "xl/workbook.xml"), DTD), bomb=True),
    Case("external_entity", "refuse", _external_entity,
         merge(both("external_entity.xlsx", "xl/sharedStrings.xml"), DTD), bomb=True),
    Case("value_in_xfd1048576", "refuse", _far_cell,
         merge(both("far_cell.xlsx", "XFD1048576", "17,179,869,184"), msgs("シート「活動ログ」", "sheet '活動ログ'")),
         bomb=True),
    Case("error_cell_with_decoy_ref", "refuse", _decoy_ref,
         merge(at(LOG_SHEET, 5, "顧客"), both("#N/A"), msgs("エラー値が入っています", "holds an Excel error")),
         bomb=True),
    Case("merged_cells_bomb", "refuse", _merged_cells_bomb,
         merge(both("merged_cells_bomb.xlsx", "100,000"), msgs("シート「活動ログ」", "sheet '活動ログ'")), bomb=True),
    # -- cells that cannot be read without a guess ----------------------------------------------
    Case("one_mb_text_cell", "refuse", _one_mb_cell,
         merge(at(LOG_SHEET, 6, "顧客"), msgs("1048576 文字あります", "1048576 characters long"))),
    Case("one_mb_text_csv_field", "refuse", _one_mb_csv_cell,
         merge(at("one_mb_cell.csv", 8, "メモ"), msgs("1048576 文字あります", "1048576 characters long"))),
    Case("merged_header_cells", "refuse", _merged_header,
         merge(at(LOG_SHEET, 1, "顧客"), both("E1:F1"), msgs("セルが結合されています", "merged cells"))),
    Case("merged_data_cells", "refuse", _merged_data,
         merge(at(LOG_SHEET, 11, "受注予定月"), both("H11:H12"), msgs("セルが結合されています", "merged cells"))),
    Case("error_value_na", "refuse", _error_cell,
         merge(at(LOG_SHEET, 9, "顧客"), both("#N/A"), msgs("エラー値が入っています", "holds an Excel error"))),
    Case("error_value_ref_formula", "refuse", _ref_error_formula,
         merge(at(LOG_SHEET, 13, "金額"), both("#REF!"), msgs("エラー値が入っています", "holds an Excel error"))),
    Case("error_value_in_csv", "refuse", _error_in_csv,
         merge(at("error_in_csv.csv", 18, "金額"), both("#N/A"),
               msgs("エラー値が入っています", "holds an Excel error"))),
    Case("formula_without_value_date", "refuse", _formula_no_value("B5", "=DATE(2026,7,3)", "formula_no_value_date"),
         merge(at(LOG_SHEET, 5, "日付"), both("=DATE(2026,7,3)"),
               msgs("数式の計算結果が保存されていません", "a formula whose result was never saved"))),
    Case("formula_without_value_customer", "refuse",
         _formula_no_value("E9", '=UPPER("(株)ベータ")', "formula_no_value_customer"),
         merge(at(LOG_SHEET, 9, "顧客"), both('=UPPER("(株)ベータ")'),
               msgs("数式の計算結果が保存されていません", "a formula whose result was never saved"))),
    Case("date_without_year", "refuse", _date_guess,
         merge(at(LOG_SHEET, 5, "日付"), both("7月3日"), msgs("年がないか", "no year"))),
    Case("date_without_year_csv", "refuse", _date_guess_csv("7/15", "date_7_15"),
         merge(at("date_7_15.csv", 11, "日付"), both("7/15"), msgs("年がないか", "no year"))),
    Case("date_day_first_csv", "refuse", _date_guess_csv("15/07/2026", "date_day_first"),
         merge(at("date_day_first.csv", 11, "日付"), both("15/07/2026"), msgs("月と日の順番", "could be swapped"))),
    # -- sheets -----------------------------------------------------------------------------
    Case("members_sheet_missing", "refuse", _missing_sheet,
         merge(both("no_members_sheet.xlsx"), msgs("シート「メンバー」", "no sheet 'Members'"))),
    Case("members_sheet_renamed", "refuse", _renamed_sheet("メンバー", "メンバー一覧", "members_renamed"),
         merge(both("members_renamed.xlsx"), msgs("シート「メンバー」", "no sheet 'Members'"))),
    Case("log_sheet_renamed_no_table", "refuse",
         _renamed_sheet("活動ログ", "活動ログ (2)", "log_renamed", as_table=False),
         merge(both("log_renamed.xlsx"), msgs("シート「活動ログ」", "no sheet 'ActivityLog'"))),
    Case("header_below_row_10", "refuse", _header_too_low,
         merge(msgs("シート「活動ログ」", "sheet '活動ログ'"),
               msgs("見出しの行が見つかりません", "no header row found"))),
    Case("duplicate_header", "refuse", _duplicate_header,
         merge(at(LOG_SHEET, 1, "金額"), msgs("（F 列と K 列）", "(columns F and K)"),
               msgs("同じ見出しの列が 2 つあります", "two columns have this header"))),
    # -- returned workbooks, given to xlsales collect ----------------------------------------------
    *RETURNED_CASES,
)


# ----------------------------------------------------------------------------------
# The committed office files.
# ----------------------------------------------------------------------------------


def regenerate_office_files() -> None:
    """Write files/master.xls and files/master.ods with LibreOffice (run by hand; not in tests)."""
    FILES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = write_reference(Path(tmp) / "master.xlsx")
        for kind in ("xls", "ods"):
            subprocess.run(["soffice", "--headless", "--convert-to", kind, "--outdir", str(FILES), str(source)],
                           check=True, capture_output=True, timeout=120)


__all__ = ["AS_OF", "CORPUS", "INJECTIONS", "Case", "Inputs", "LOG", "write_reference", "regenerate_office_files"]
