"""The fast row writer (write.rowxml) writes the very bytes XlsxWriter's per-cell calls write.

Each file is written twice, once with ``xlsxwriter_backend.FAST_ROWS`` off (every cell
through XlsxWriter's write calls) and once on; the packages must be equal byte for byte,
but for docProps/core.xml (its creation time).
"""

from __future__ import annotations

import datetime as dt
import decimal
import zipfile
from pathlib import Path

import pytest
from support.models import deck_master

from xlsales import build
from xlsales.demo import DEMO_AS_OF, demo_master
from xlsales.layout import sheetmodel as sm
from xlsales.write import xlsxwriter_backend as backend

HOSTILE_TEXTS = [
    '<&>"\'', "a\x01b\x1fc", "_x0041_", "_x005F_x0041_", '=HYPERLINK("x")', "+1", "-1", "@SUM(A1)",
    "長い" * 9000, "x" * 17000, " lead", "trail ", "\ttab", "line\nbreak", "cr\r", "\u3000全角空白",
    "<r><t>rich</t></r>", "<r>x</r>", "\ufffe\uffff", "plain 日本語", "#N/A", "=1+1", "a_b", "&amp;",
    "_X0041_", "_x004G_", "x_x00ff_y", "_x0041", "\u00a0nbsp", "end\u3000", "z" * 16383, "w" * 40000,
]
NUMBERS = [0, -1, -123.25, 0.1 + 0.2, 1e-7, 123456789012.5, 10 ** 17, 2 ** 53 + 1, 5e-324, 1e300, 45383]
FORMULA_VALUES = ["", 0, 1.5, -2, 0.1 + 0.2, "text", "<&>", "#DIV/0!", "#N/A", True, False, None,
                  dt.date(2024, 4, 1), "\x01ctl", " sp "]


def _rows() -> list[list[object]]:
    rows = []
    for i in range(120):
        text = HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)]
        number = NUMBERS[i % len(NUMBERS)]
        rows.append([
            f"ID{i:04d}",
            dt.date(2024, 4, 1) + dt.timedelta(days=i),
            text,
            None if i % 7 == 3 else number,  # a blank in the middle
            "" if i % 5 == 2 else f"顧客{i % 9}",
            FORMULA_VALUES[i % len(FORMULA_VALUES)],
            i * 3,
        ])
    # Values XlsxWriter's own calls must write: the fast path leaves them (whole row) to it.
    rows[40][3] = decimal.Decimal("1.50")  # written as its text
    rows[41][2] = dt.datetime(2024, 5, 1, 12, 30)
    rows[42][3] = True
    rows[43] = [None, None, None, None, "", None, None]  # a blank row but its formulas
    rows[44][5] = dt.datetime(2024, 5, 1, 6)
    return rows


def _model() -> sm.Workbook:
    columns = [
        sm.TableColumn("ID", style="log_text", width=10),
        sm.TableColumn("日付", style="log_date", width=12),
        sm.TableColumn("メモ", style="log_note", width=30),
        sm.TableColumn("金額", style="log_amount", width=12),
        sm.TableColumn("顧客", style=None, width=12),
        sm.TableColumn("計算", formula='IF([@金額]="","",[@金額]&"<&>")', style="log_helper"),
        sm.TableColumn("番号", style="log_helper", hidden=True),
    ]
    log = sm.Sheet("ログ")
    log.tables.append(sm.Table("Log", 2, 1, columns, _rows()))
    log.set(10, 9, "beside the table", style="log_note")  # a cell beside a row of the table
    log.set(11, 0, "left of the table")  # and one left of it, without a format
    log.set(130, 1, "below", formula='"be"&"low"')
    log.row_heights[50] = 30  # a row with settings
    for r in range(131, 141):  # one prefilled cell per row below the table, as a rep's log has
        log.set(r, 2, "佐藤 健太")
    log.set(141, 2, None, style="log_note")  # a blank with a format: XlsxWriter's call
    other = sm.Sheet("他")
    other.set(0, 0, 1.5, style="log_amount")
    return sm.Workbook(sheets=[log, other, _plain_list()])


def _plain_list() -> sm.Sheet:
    # A long list without a table (the sent record's shape): it streams, and its plain rows
    # go through the fast path; the odd ones (a gap, a formula, a date, a bool) do not.
    sheet = sm.Sheet("一覧", visibility="very_hidden", protect=True)
    sheet.set(0, 0, "title")
    for r in range(2, 2 + backend.STREAM_CELLS // 2 + 5):
        sheet.set(r, 0, HOSTILE_TEXTS[r % len(HOSTILE_TEXTS)])
        sheet.set(r, 1, NUMBERS[r % len(NUMBERS)] if r % 3 else f"fp{r:05d}", style="log_amount" if r % 3 else None)
    sheet.set(7, 3, "a gap")
    sheet.set(8, 1, None, formula="1+1")
    sheet.set(9, 1, dt.date(2024, 4, 1))
    sheet.set(10, 1, True)
    return sheet


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}


def _both_ways(monkeypatch, write) -> tuple[dict, dict]:
    out = {}
    for fast in (False, True):
        monkeypatch.setattr(backend, "FAST_ROWS", fast)
        out[fast] = write(fast)
    return out[False], out[True]


def _assert_same_packages(slow: dict[str, bytes], fast: dict[str, bytes]) -> None:
    assert slow.keys() == fast.keys()
    for name in slow:
        assert slow[name] == fast[name], name


def test_hostile_table_same_bytes(monkeypatch, tmp_path):
    def write(fast: bool) -> dict[str, bytes]:
        path = tmp_path / f"t{int(fast)}.xlsx"
        backend.write_workbook(_model(), path)
        return _members(path)

    slow, fast = _both_ways(monkeypatch, write)
    sheet = slow["xl/worksheets/sheet1.xml"]
    # The test can fail: the hostile values reached the file, escaped as XlsxWriter escapes them.
    assert b"&lt;&amp;&gt;\"'" in sheet and b"a_x0001_b_x001F_c" in sheet and b"_x005F_x0041_" in sheet
    assert b'<t xml:space="preserve"> lead</t>' in sheet and b"<v>0.30000000000000004</v>" in sheet
    assert b'<c r="E8" s="4"><v>1E-07</v></c>' in sheet and b"<v>123456789012.5</v>" in sheet
    assert b'<c r="G9" s="5" t="str"><f>IF([@' in sheet and b'<c r="J11" s="3" t="inlineStr">' in sheet
    assert sheet.count(b"<row ") == 1 + 120 + 1 + 11  # the header, the body, the cells below
    assert '<c r="C140" s="2" t="inlineStr"><is><t>佐藤 健太</t></is></c>'.encode() in sheet  # the column's format
    listed = slow["xl/worksheets/sheet3.xml"]  # the long list streamed: text in line
    assert listed.count(b't="inlineStr"') > backend.STREAM_CELLS // 2 and b"<f>1+1</f>" in listed
    assert slow["xl/worksheets/sheet1.xml"] == fast["xl/worksheets/sheet1.xml"]
    _assert_same_packages(slow, fast)


def test_the_switch_changes_the_path(monkeypatch, tmp_path):
    # FAST_ROWS really picks the writer: with it on, XlsxWriter's cell calls see only the
    # rows the fast path leaves to them.
    calls = []
    real = backend.write_plain

    def counting(ws, row, col, value, f=None):
        calls.append(row)
        real(ws, row, col, value, f)

    monkeypatch.setattr(backend, "write_plain", counting)
    counts = {}
    for fast in (False, True):
        monkeypatch.setattr(backend, "FAST_ROWS", fast)
        calls.clear()
        backend.write_workbook(_model(), tmp_path / f"c{int(fast)}.xlsx")
        counts[fast] = len(calls)
    assert counts[True] < counts[False] / 5  # the rest: long texts, odd types, the last row


@pytest.mark.parametrize("make, as_of", [(deck_master, dt.date(2026, 12, 31)), (demo_master, DEMO_AS_OF)],
                         ids=["deck", "demo"])
def test_built_workbooks_same_bytes(monkeypatch, tmp_path, make, as_of):
    master = make()

    def write(fast: bool) -> dict[str, dict[str, bytes]]:
        result = build(master, tmp_path / f"out{int(fast)}", as_of=as_of, lang="ja")
        return {p.name: _members(p) for p in result.paths}

    slow, fast = _both_ways(monkeypatch, write)
    assert slow.keys() == fast.keys() and len(slow) > 1
    for name in slow:
        _assert_same_packages(slow[name], fast[name])


def test_formulas_of_plain_functions_are_prepared_as_xlsxwriter_prepares_them():
    from xlsxwriter.worksheet import Worksheet

    from xlsales.layout.workbook import layout_workbook
    from xlsales.write.xlsxwriter_backend import PLAIN_FUNCTIONS, PlainFormulaWorksheet

    theirs, ours = Worksheet(), PlainFormulaWorksheet()
    for name in PLAIN_FUNCTIONS:  # XlsxWriter prefixes none of them, future functions included
        for future in (False, True):
            assert theirs._prepare_formula(f"={name}(A1)", future) == f"{name}(A1)", name
    # Every conditional-format and validation formula of a team workbook, and some that
    # are not plain: the same text either way.
    from support.models import deck_master

    m = deck_master()
    model = layout_workbook(m, [x.rep for x in m.members], as_of=dt.date(2026, 12, 31), lang="ja", team=True)
    found = [cf.options.get("criteria", "") for s in model.sheets for cf in s.conditional_formats]
    found += [str(v.options.get("value", "")) for s in model.sheets for v in s.validations]
    found = [f for f in found if f.startswith("=") or "(" in f]
    assert len(found) > 20
    others = ["=STDEV.P(A1)", "=FILTER(A1:A3,B1:B3)", "={SUM(A1:A3)}", "=_xlfn.MAXIFS(A:A,B:B,1)",
              '=IF(A1="FILTER(",1,0)', "=XLOOKUP(1,A:A,B:B)", "=CONCAT(A1,B1)", "=LET(x,1,x)"]
    for f in found + others:
        for future in (False, True):
            assert ours._prepare_formula(f, future) == theirs._prepare_formula(f, future), f
    assert ours._prepare_formula("=STDEV.P(A1)", True) == "_xlfn.STDEV.P(A1)"  # the check can fail


def test_the_package_is_compressed_at_the_fast_level_and_xlsxwriter_is_left_as_it_was(tmp_path):
    # Each member's compressed size is the one zlib gives at COMPRESS_LEVEL (raw deflate),
    # computed here independently; at zipfile's default level 6 the sizes differ.
    import zlib

    import xlsxwriter.workbook

    path = tmp_path / "fast.xlsx"
    backend.write_workbook(_model(), path)
    assert backend.COMPRESS_LEVEL == 3
    with zipfile.ZipFile(path) as z:
        infos = [i for i in z.infolist() if i.file_size > 2000]
        assert len(infos) >= 3
        differ = 0
        for info in infos:
            data = z.read(info)
            sizes = {}
            for level in (3, 6):
                c = zlib.compressobj(level, zlib.DEFLATED, -15)
                sizes[level] = len(c.compress(data) + c.flush())
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.compress_size == sizes[3], info.filename
            differ += sizes[3] != sizes[6]
        assert differ  # the check can fail: level 6 would give other sizes
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # swapped only while the file is stored
