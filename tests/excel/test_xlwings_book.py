"""The adapter as Excel will run it: few round trips, cross-platform members (issue 12, 6-7).

``XlwingsBook`` runs against the recording stand-in of ``support.xlwings_standin``, whose
members are checked against ``xlwings.main`` and, for macOS, against what ``_xlmac.py``
(xlwings' AppleScript engine) implements.  The recorded writes, replayed into a grid as
Excel keeps cells, must rebuild the sheet model exactly.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

xw_main = pytest.importorskip("xlwings.main")

from support.deck import AS_OF  # noqa: E402
from support.models import deck_master  # noqa: E402
from support.xlwings_standin import (  # noqa: E402
    MEMBERS,
    StandinApp,
    StandinBook,
    StandinRange,
    StandinSheet,
    StandinSheets,
    StandinTable,
    replay,
)

from xlsales.excel import blocks  # noqa: E402
from xlsales.excel.xlwings_book import XlwingsBook, range_settings, settings_groups  # noqa: E402
from xlsales.layout import sheetmodel as sm  # noqa: E402
from xlsales.layout import styles as st  # noqa: E402
from xlsales.layout.workbook import layout_workbook  # noqa: E402

STYLES = st.named_styles()
# A target/process sheet of the deck (6 months) has 508 cells.  Written per block it takes
# 2 bands of values, 2 merges, 3 runs of column widths and about 130 rectangles of shared
# settings (a rectangle: its range, then ~2 settings and their sub-objects): 429 calls.  Cell by cell it took about 20,000 (benchmarks/com_calls.py).
SHEET_CELLS = 508
SHEET_CALL_BOUND = 450


@pytest.fixture(scope="module")
def deck_team():
    master = deck_master()
    reps = [m.rep for m in master.members]
    model = layout_workbook(master, reps, as_of=AS_OF, lang="ja", team=True, blocks_on=False)
    return model.sheets[: 1 + len(reps)]  # チーム and one per rep: what 更新 writes (over the master's log)


@pytest.fixture
def on_windows(monkeypatch):
    monkeypatch.setattr("sys.platform", "win32")  # apply_settings: the COM indent too


def _expected_settings(cell: sm.Cell, *, com: bool) -> dict:
    want = dict(range_settings(STYLES[cell.style])) if cell.style else {}
    if not com:
        want = {k: v for k, v in want.items() if not k.startswith("api.")}
    if cell.formula is None and isinstance(cell.value, str) and cell.value[:1] in "=+-@" and cell.value:
        want.setdefault("number_format", "@")
    return want


def _assert_rebuilds(sheet: sm.Sheet, grid, *, com: bool = True) -> None:
    for (r, c), cell in sheet.cells.items():
        got = grid.cells.get((r + 1, c + 1))
        assert got is not None, (sheet.name, r, c)
        assert got.formula == cell.formula, (sheet.name, r, c)
        assert got.value == (None if cell.formula is not None else cell.value), (sheet.name, r, c)
        assert got.settings == _expected_settings(cell, com=com), (sheet.name, r, c, cell.style)
    others = {k: v for k, v in grid.cells.items() if (k[0] - 1, k[1] - 1) not in sheet.cells}
    assert all(v.value is None and v.formula is None and not v.settings for v in others.values())
    assert grid.widths == {c + 1: w for c, w in sheet.col_widths.items()}
    assert grid.merges == [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for r1, c1, r2, c2 in sheet.merges]


# ---------------------------------------------------------------------------------
# The stand-in is xlwings' own API, and what it uses runs on macOS.
# ---------------------------------------------------------------------------------

# Members of the stand-in classes that are its own bookkeeping, not xlwings'.
_OWN = {StandinBook: {"calls"}, StandinSheets: {"book"}}
_STANDS_FOR = {StandinApp: xw_main.App, StandinBook: xw_main.Book, StandinSheets: xw_main.Sheets,
               StandinSheet: xw_main.Sheet, StandinTable: xw_main.Table, StandinRange: xw_main.Range}


@pytest.mark.parametrize("cls", list(MEMBERS), ids=lambda c: c.__name__)
def test_the_stand_in_offers_only_members_xlwings_has(cls):
    assert not [name for name in MEMBERS[cls] if not hasattr(cls, name)]


@pytest.mark.parametrize("standin", list(_STANDS_FOR), ids=lambda c: c.__name__)
def test_each_stand_in_class_has_only_listed_members(standin):
    mine = {n for n in vars(standin) if not n.startswith("_")} - _OWN.get(standin, set())
    assert mine <= MEMBERS[_STANDS_FOR[standin]]


def test_the_stand_in_refuses_what_xlwings_lacks():
    sheet = StandinSheet([], "S")
    with pytest.raises(AssertionError):
        sheet.range((1, 1)).list_columns = 1  # not an xlwings Range member
    with pytest.raises(AssertionError):
        sheet.range((1, 1)).shape = (1, 1)  # read-only in xlwings
    with pytest.raises(AssertionError):
        sheet.range((1, 1)).horizontal_alignment = "middle"  # not one of the Literal's values
    with pytest.raises(AttributeError):
        sheet.range((1, 1)).font.underline_style = True


XLMAC = Path(xw_main.__file__).with_name("_xlmac.py")
# xlwings.main member -> the AppleScript engine's member that does the work.
_IMPL_NAME = {"value": "raw_value"}
# Members built in xlwings.main itself from other members (no engine member of their own).
_MAIN_ONLY = {(xw_main.Range, "rows"), (xw_main.Range, "columns"), (xw_main.Range, "api"),
              (xw_main.Range, "options")}


def _xlmac_members() -> dict[tuple[str, str], ast.FunctionDef]:
    tree = ast.parse(XLMAC.read_text("utf-8"))
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    out[(node.name, item.name)] = item
    return out


def _used_on_a_mac() -> list[tuple[str, str]]:
    used = [(cls.__name__, _IMPL_NAME.get(n, n)) for cls, names in MEMBERS.items() for n in names
            if (cls, n) not in _MAIN_ONLY]
    # The settings of every named style reach Font, Borders and Border members too.
    for style in STYLES.values():
        for group in settings_groups(style):
            for path, _ in group.for_rect((0, 0, 1, 1)):
                *steps, last = path.split(".")
                if not steps:
                    used.append(("Range", last))
                    continue
                if steps[0] == "api":
                    continue  # COM only: apply_settings skips it off Windows
                owner = {"font": "Font"}.get(steps[0], "Border")
                used.append((owner, last))
                if owner == "Border":
                    used.append(("Borders", "__getitem__"))
                    used.append(("Range", "borders"))
                else:
                    used.append(("Range", "font"))
    return sorted(set(used))


def test_every_member_used_is_implemented_by_xlwings_on_macos():
    members = _xlmac_members()
    missing, refused = [], []
    for cls, name in _used_on_a_mac():
        node = members.get((cls, name))
        if node is None:
            missing.append(f"{cls}.{name}")
        elif any(isinstance(n, ast.Raise) and "NotImplementedError" in ast.unparse(n) for n in ast.walk(node)):
            refused.append(f"{cls}.{name}")
    assert (missing, refused) == ([], [])


def test_the_mac_check_can_fail():
    # Range.comment raises NotImplementedError on macOS: the reader above sees it.
    node = _xlmac_members()[("Range", "comment")]
    assert any(isinstance(n, ast.Raise) and "NotImplementedError" in ast.unparse(n) for n in ast.walk(node))
    assert ("Table", "list_columns") not in _xlmac_members()


# ---------------------------------------------------------------------------------
# put_sheet: calls per block, and the writes rebuild the model.
# ---------------------------------------------------------------------------------


def test_a_deck_sheet_is_written_in_few_calls(deck_team, on_windows):
    book = StandinBook()
    adapter = XlwingsBook(book)
    for sheet in deck_team:
        assert len(sheet.cells) == SHEET_CELLS
        before = len(book.calls)
        adapter.put_sheet(sheet)
        assert len(book.calls) - before < SHEET_CALL_BOUND, sheet.name


def test_the_bound_would_catch_cell_by_cell_writing(deck_team):
    # Each cell takes at least its range and its value: already twice the cells.
    assert 2 * SHEET_CELLS > SHEET_CALL_BOUND


def test_the_recorded_writes_rebuild_the_deck_sheets(deck_team, on_windows):
    book = StandinBook()
    adapter = XlwingsBook(book)
    for sheet in deck_team:
        adapter.put_sheet(sheet)
    grids = replay(book.calls)
    assert list(grids) == [s.name for s in deck_team]
    for sheet in deck_team:
        _assert_rebuilds(sheet, grids[sheet.name])


def test_on_a_mac_the_com_indent_is_left_out(deck_team, monkeypatch):
    monkeypatch.setattr("sys.platform", "darwin")
    book = StandinBook()
    XlwingsBook(book).put_sheet(deck_team[0])
    _assert_rebuilds(deck_team[0], replay(book.calls)[deck_team[0].name], com=False)
    assert not [c for c in book.calls if "api" in c[3]]


def test_typed_text_stays_text_and_formulas_are_formulas(on_windows):
    sheet = sm.Sheet("S")
    sheet.set(0, 0, "=SUM(A1)")  # a rep typed this: text
    sheet.set(0, 1, "-3 days", style="log_amount")
    sheet.set(0, 2, "@home", style="label")
    sheet.set(1, 0, 7, formula="A2+1", style="count")
    sheet.set(1, 1, dt.date(2026, 7, 1), style="param_date")
    sheet.set(1, 3, "+81 3", style="note")  # column C of row 2 stays empty
    sheet.set(3, 0, None, style="head")  # a styled empty cell after an empty row
    sheet.merges.append((3, 0, 3, 2))
    sheet.col_widths.update({0: 12, 1: 12, 3: 8})
    book = StandinBook()
    XlwingsBook(book).put_sheet(sheet)
    grid = replay(book.calls)["S"]
    _assert_rebuilds(sheet, grid)
    assert grid.cells[(1, 1)].value == "=SUM(A1)" and grid.cells[(1, 1)].settings == {"number_format": "@"}
    assert grid.cells[(2, 1)].formula == "A2+1"


def test_the_replay_can_fail(on_windows):
    # Without the text format first, Excel would make a formula of the rep's text.
    sheet = sm.Sheet("S")
    sheet.set(0, 0, "=SUM(A1)")
    book = StandinBook()
    XlwingsBook(book).put_sheet(sheet)
    calls = [c for c in book.calls if c[3] != "number_format"]
    with pytest.raises(AssertionError):
        _assert_rebuilds(sheet, replay(calls)["S"])


def _calls_for_a_grid(rows: int, cols: int) -> tuple[int, sm.Sheet, StandinBook]:
    sheet = sm.Sheet("S")
    for r in range(rows):
        for c in range(cols):
            sheet.set(r, c, r * c, style="count")
    book = StandinBook()
    XlwingsBook(book).put_sheet(sheet)
    return len(book.calls), sheet, book


def test_calls_grow_with_blocks_not_cells(on_windows):
    # One style, one band: the same calls for 1,200 cells as for 2,400 (about 40: the
    # app's settings and sheet, one array of values, one rectangle of settings).
    small, _, _ = _calls_for_a_grid(40, 30)
    large, sheet, book = _calls_for_a_grid(80, 30)
    assert blocks.rectangles(sheet.cells) == [(0, 0, 79, 29)]
    assert small == large < 60
    _assert_rebuilds(sheet, replay(book.calls)["S"])


@pytest.mark.parametrize("updating, calculation", [(True, "automatic"), (False, "semiautomatic")])
def test_screen_updating_and_calculation_come_back_after_a_failed_write(monkeypatch, updating, calculation):
    book = StandinBook()
    book.app._state.update(screen_updating=updating, calculation=calculation)
    seen = {}

    def broken(self, *cells):
        seen.update(book.app._state)
        raise RuntimeError("Excel said no")

    monkeypatch.setattr(StandinSheet, "range", broken)
    sheet = sm.Sheet("S")
    sheet.set(0, 0, 1)
    with pytest.raises(RuntimeError, match="Excel said no"):
        XlwingsBook(book).put_sheet(sheet)
    assert seen == {"screen_updating": False, "calculation": "manual"}  # off while writing
    assert book.app._state == {"screen_updating": updating, "calculation": calculation}
    sets = [(c[3], c[4]) for c in book.calls if c[0] == "set"]
    assert sets[-2:] == [("app.calculation", calculation), ("app.screen_updating", updating)]


def test_an_existing_sheet_is_cleared_and_a_new_one_goes_before(on_windows):
    book = StandinBook()
    book.sheets.add("活動ログ")
    sheet = sm.Sheet("チーム")
    sheet.set(0, 0, "x")
    adapter = XlwingsBook(book)
    adapter.put_sheet(sheet, before="活動ログ")
    assert [s._name for s in book._sheets] == ["チーム", "活動ログ"]
    adapter.put_sheet(sheet, before="活動ログ")
    assert [c[3] for c in book.calls if c[1] == "チーム"].count("clear") == 1


# ---------------------------------------------------------------------------------
# add_table_columns: a new column without ListColumns.Add (Windows COM only).
# ---------------------------------------------------------------------------------


def _log_book() -> tuple[StandinBook, StandinTable]:
    book = StandinBook()
    sheet = StandinSheet(book.calls, "活動ログ")
    table = StandinTable(sheet, "ActivityLog", (1, 1, 4, 3), ["日付", "担当", "base"])
    sheet.tables = [table]
    book._sheets.append(sheet)
    return book, table


def test_a_new_table_column_is_made_with_cross_platform_members():
    book, table = _log_book()
    XlwingsBook(book).add_table_columns("activitylog", [
        sm.TableColumn("月", formula="TEXT([@日付],\"yyyy-mm\")"),
        sm.TableColumn("base", values={2: 1.5, 4: 3.0}),
    ])
    writes = [(c[0], c[2], c[3], c[4]) for c in book.calls if c[0] in ("set", "call") and c[3] != "range"]
    assert writes == [
        ("call", (1, 4, 4, 4), "insert", (("right",), {})),  # cells right of the table move right
        ("set", (1, 4, 1, 4), "value", "月"),
        ("call", (1, 1, 4, 4), "table.resize", "ActivityLog"),
        ("set", (2, 4, 4, 4), "formula", "=TEXT([@日付],\"yyyy-mm\")"),
        ("set", (2, 3, 4, 3), "value", [[1.5], [None], [3.0]]),  # rewritten in place
    ]
    assert table._rect == (1, 1, 4, 4)
    assert not [c for c in book.calls if "api" in c[3]]  # nothing Windows-only


def test_a_missing_table_is_a_clear_error():
    from xlsales.exceptions import InputError

    book, _ = _log_book()
    with pytest.raises(InputError):
        XlwingsBook(book).add_table_columns("Other", [sm.TableColumn("x", formula="1")])


# ---------------------------------------------------------------------------------
# append_table_rows (回収): one 2-D block below the last filled row, then Table.resize.
# ---------------------------------------------------------------------------------


def test_rows_are_appended_in_one_block_and_the_table_grows_over_them():
    book = StandinBook()
    sheet = StandinSheet(book.calls, "活動ログ")
    # header row 1, body rows 2-5: two filled rows and two blank spare rows
    table = StandinTable(sheet, "ActivityLog", (1, 1, 5, 3), ["日付", "顧客", "メモ"],
                         body=[[dt.date(2026, 7, 1), "A社", None], [dt.date(2026, 7, 2), "B社", "x"],
                               [None, None, None], [None, "", None]])
    sheet.tables = [table]
    book._sheets.append(sheet)
    rows = [{"日付": dt.date(2026, 7, 20), "顧客": "=HYPERLINK(\"http://x\")"},
            {"日付": dt.date(2026, 7, 21), "顧客": "C社", "メモ": "+1"},
            {"日付": dt.date(2026, 7, 22), "顧客": "D社"}]
    XlwingsBook(book).append_table_rows("activitylog", rows)
    grid = replay(book.calls)["活動ログ"]
    got = [[grid.at(r, c).value for c in (1, 2, 3)] for r in (4, 5, 6)]
    assert got == [[dt.date(2026, 7, 20), "=HYPERLINK(\"http://x\")", None],
                   [dt.date(2026, 7, 21), "C社", "+1"], [dt.date(2026, 7, 22), "D社", None]]
    assert all(grid.at(r, c).formula is None for r in (4, 5, 6) for c in (1, 2, 3))  # typed text stays text
    writes = [(c[2], c[3]) for c in book.calls if c[0] == "set" and c[3] == "value"]
    assert writes == [((4, 1, 6, 3), "value")]  # one block, from below the last filled row
    assert table._rect == (1, 1, 6, 3)  # grown over the row past its end
    assert not [c for c in book.calls if "api" in c[3]]  # nothing Windows-only


def test_rows_that_fit_in_the_table_leave_its_size_alone():
    book, table = _log_book()
    table._body = [[dt.date(2026, 6, 30), "田中", None], [None, None, None], [None, None, None]]  # rows 2-4
    XlwingsBook(book).append_table_rows("ActivityLog", [{"日付": dt.date(2026, 7, 1), "担当": "佐藤"}])
    assert table._rect == (1, 1, 4, 3) and not [c for c in book.calls if c[3] == "table.resize"]
    grid = replay(book.calls)["活動ログ"]
    assert [grid.at(3, c).value for c in (1, 2, 3)] == [dt.date(2026, 7, 1), "佐藤", None]
    assert (2, 1) not in grid.cells  # the filled row is not written over
