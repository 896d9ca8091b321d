"""``adopt_plan``: the annual plan written as the 目標 sheet of a new master, nothing else lost.

The expected targets are worked out here by hand from the inputs typed on 設定 (the deck's
rates, no log last year: an even spread over twelve months and two reps), not by the plan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import posixpath
import zipfile
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from support import masterfactory
from support.workbooks import add_manager_extras

import xlsales
from xlsales import Master, Member, Settings, Target
from xlsales.collect import adopt as adopt_module
from xlsales.collect.adopt import adopt_plan, adopted_name
from xlsales.compute.annual_plan import annual_plan
from xlsales.exceptions import CollectError
from xlsales.texts import label, labels
from xlsales.write.master import write_master

SATO, TANAKA = "佐藤 健太", "田中 花子"
YEAR = dt.date(2026, 4, 1)
MONTHS = [dt.date(2026 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(12)]
# The deck: 560 = 8 × 70 a month per rep, so 13,440 a year for two; its conversion rates.
INPUTS = dict(annual_target=13440, unit_price=70, win_rate=Fraction(1, 2), deal_rate=Fraction(4, 5),
              topic_rate=Fraction(5, 8), appointment_rate=Fraction(16, 125), list_rate=Fraction(5, 4))
KEYS = ("sales_target", "orders", "new_deals", "new_topics", "visits", "follows", "lists")


def _expected(reps: int = 2) -> dict[str, float]:
    """One month of one rep: the chain rounded up a year, split evenly over the reps (rounded
    up), then over twelve months (rounded up); the sales target split and rounded."""
    annual = {"sales_target": Fraction(INPUTS["annual_target"])}  # no sales last year: all of it is new
    annual["orders"] = math.ceil(annual["sales_target"] / INPUTS["unit_price"])
    for key, before, rate in (("new_deals", "orders", "win_rate"), ("new_topics", "new_deals", "deal_rate"),
                              ("visits", "new_topics", "topic_rate"), ("follows", "visits", "appointment_rate"),
                              ("lists", "follows", "list_rate")):
        annual[key] = math.ceil(annual[before] / INPUTS[rate])
    out = {"sales_target": math.floor(annual["sales_target"] / reps / 12 + Fraction(1, 2))}
    out.update({k: math.ceil(Fraction(math.ceil(Fraction(annual[k], reps)), 12)) for k in KEYS[1:]})
    return out


def test_the_hand_computation_is_the_decks_benchmark():
    assert _expected() == {"sales_target": 560, "orders": 8, "new_deals": 16, "new_topics": 20, "visits": 32,
                           "follows": 250, "lists": 200}


def _settings() -> dict[str, object]:
    return {k: float(v) for k, v in INPUTS.items()}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _targets(path: Path) -> dict[tuple[str, dt.date], tuple]:
    m = xlsales.read_master(path)
    return {(t.rep, t.month): (t.sales_target, *(t.process.get(k) for k in KEYS[1:])) for t in m.targets}


def _plan(path: Path):
    return annual_plan(xlsales.read_master(path), YEAR)


def _assert_plan_adopted(targets: dict, reps=(SATO, TANAKA)) -> None:
    want = _expected()
    for rep in reps:
        for month in MONTHS:
            assert targets[(rep, month)] == tuple(want[k] for k in KEYS), (rep, month)


# -- a master with typed targets -----------------------------------------------------------


def _typed_master(path: Path) -> Path:
    """Typed 目標 rows: inside the year (a month as text, one as a date of the month, a rep
    with a full-width space), outside it (March 2026, April 2027), and a manager's own
    column メモ at the right of the table."""
    typed = {"orders": 7, "new_deals": 13, "new_topics": 19, "visits": 30, "follows": 240, "lists": 30}
    targets = [
        {"rep": SATO, "month": "2026-03", "sales_target": 400, **typed},
        {"rep": SATO, "month": "2026-04", "sales_target": 450, **typed},
        {"rep": "佐藤\u3000健太", "month": dt.date(2026, 7, 15), "sales_target": 300, "visits": 10},
        {"rep": TANAKA, "month": "2026/05", "sales_target": 500},
        {"rep": TANAKA, "month": "2027-04", "sales_target": 900, **typed},
    ]
    log = [masterfactory.row(dt.date(2026, 5, 7), SATO, "訪問", "A社")]
    masterfactory.write_master(path, log_rows=log, members=[SATO, TANAKA], targets=targets, settings=_settings())
    wb = openpyxl.load_workbook(path)
    ws = wb[label("sheet", "targets")]
    ws.cell(1, 10, "メモ")
    for r in range(2, 7):
        ws.cell(r, 10, f"memo {r}")
    wb.save(path)
    return path


def test_existing_rows_get_the_plan_missing_ones_are_appended_and_nothing_else_changes(tmp_path):
    master = _typed_master(tmp_path / "master.xlsx")
    before, digest = _targets(master), _digest(master)
    out = adopt_plan(master, tmp_path / "new.xlsx", _plan(master))
    assert out == tmp_path / "new.xlsx" and _digest(master) == digest
    after = _targets(out)
    _assert_plan_adopted(after)
    # months outside the year keep what was typed; no row more than the year's missing ones
    for key in ((SATO, dt.date(2026, 3, 1)), (TANAKA, dt.date(2027, 4, 1))):
        assert after[key] == before[key]
    assert len(after) == 2 + 2 * 12
    # the typed rows stay where they were, their month cells and メモ as typed; new rows follow
    # the table's last row (row 6), rep by rep, month by month, their month as YYYY-MM text
    old_ws = openpyxl.load_workbook(master)[label("sheet", "targets")]
    ws = openpyxl.load_workbook(out)[label("sheet", "targets")]
    for r in range(1, 7):
        assert [ws.cell(r, c).value for c in (1, 2, 10)] == [old_ws.cell(r, c).value for c in (1, 2, 10)]
    months = [m.strftime("%Y-%m") for m in MONTHS]
    appended = [(SATO, m) for m in months if m not in ("2026-04", "2026-07")] + \
        [(TANAKA, m) for m in months if m != "2026-05"]
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(7, 7 + len(appended))] == appended
    assert ws.max_row == 6 + len(appended)
    # the table grown over the new rows; styled like the row above
    assert ws.tables["Targets"].ref == f"A1:I{6 + len(appended)}"
    for c in range(1, 10):
        assert ws.cell(7, c).style_id == ws.cell(6, c).style_id
    # every other part of the package byte for byte
    old, new = _parts(master), _parts(out)
    assert set(old) == set(new)
    sheet, table = _targets_parts(out)
    assert {n for n in old if old[n] != new[n]} == {sheet, table}


def _targets_parts(path: Path) -> tuple[str, str]:
    """The worksheet part of 目標 and the table part on it."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

    def targets(z: zipfile.ZipFile, rels: str, folder: str) -> dict[str, str]:
        return {el.get("Id"): el.get("Target").lstrip("/") if el.get("Target").startswith("/")
                else posixpath.normpath(posixpath.join(folder, el.get("Target")))
                for el in ElementTree.fromstring(z.read(rels))}

    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rid = next(el.get(rel_id) for el in book.iter(main + "sheet") if el.get("name") == label("sheet", "targets"))
        sheet = targets(z, "xl/_rels/workbook.xml.rels", "xl")[rid]
        folder, name = posixpath.split(sheet)
        tables = [t for t in targets(z, f"{folder}/_rels/{name}.rels", folder).values() if "/tables/" in t]
    assert len(tables) == 1
    return sheet, tables[0]


def test_typed_shares_split_the_plan(tmp_path):
    master = _typed_master(tmp_path / "master.xlsx")
    out = adopt_plan(master, tmp_path / "new.xlsx", _plan(master), shares={SATO: 3, TANAKA: 1})
    after = _targets(out)
    # 佐藤 takes 3/4 of 13,440 a year: 840 a month; 144 orders a year, 12 a month
    assert after[(SATO, dt.date(2026, 9, 1))][:2] == (840, 12)
    assert after[(TANAKA, dt.date(2026, 9, 1))][:2] == (280, 4)


def test_a_plan_without_unit_price_sets_the_sales_targets_and_leaves_the_counts(tmp_path):
    master = _typed_master(tmp_path / "master.xlsx")
    wb = openpyxl.load_workbook(master)
    ws = wb[label("sheet", "settings")]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == label("settings", "unit_price"):
            ws.cell(r, 2).value = None
    wb.save(master)
    before = _targets(master)
    after = _targets(adopt_plan(master, tmp_path / "new.xlsx", _plan(master)))
    april = (SATO, dt.date(2026, 4, 1))
    assert after[april] == (560, *before[april][1:])  # the typed counts kept
    assert after[(TANAKA, dt.date(2026, 6, 1))] == (560, *[None] * 6)


# -- a master with a chart, an image, names, and 目標 lacking process columns ------------------


def _rich_master(path: Path, *, memo: bool = False) -> Path:
    """xlsxwriter's master: a chart and an image on a sheet of the manager's own, defined
    names, and a 目標 table with only 担当者, 月, 売上目標 and 訪問件数 (and with ``memo`` a
    header メモ of the manager's own right of the table)."""
    import xlsxwriter

    picture = Path(__file__).resolve().parents[2] / "docs" / "target-process-sheet.png"
    wb = xlsxwriter.Workbook(str(path))
    date = wb.add_format({"num_format": "yyyy/mm/dd"})
    count = wb.add_format({"num_format": "#,##0", "border": 1})
    log = wb.add_worksheet(label("sheet", "log"))
    heads = list(labels("log").values())
    log.add_table(0, 0, 1, len(heads) - 1, {"name": "ActivityLog", "columns": [{"header": h} for h in heads]})
    log.write_datetime(1, 1, dt.datetime(2026, 5, 7), date)
    log.write_row(1, 2, [SATO, "訪問", "A社"])
    members = wb.add_worksheet(label("sheet", "members"))
    members.add_table(0, 0, 2, 1, {"name": "Members", "columns": [{"header": "担当者"}, {"header": "チーム"}],
                                   "data": [[SATO, "東京"], [TANAKA, "東京"]]})
    targets = wb.add_worksheet(label("sheet", "targets"))
    cols = [label("targets", k) for k in ("rep", "month", "sales_target", "visits")]
    targets.add_table(0, 0, 2, 3, {"name": "Targets", "columns": [{"header": h, "format": count} for h in cols],
                                   "data": [[SATO, "2026-04", 450, 30], [TANAKA, "2027-05", 100, 5]]})
    targets.set_column(0, 3, 14)
    if memo:
        targets.write(0, 4, "メモ")
    settings = wb.add_worksheet(label("sheet", "settings"))
    rows = [[label("settings", k), v] for k, v in _settings().items()]
    settings.add_table(0, 0, len(rows), 1, {"name": "Settings", "columns": [{"header": "項目"}, {"header": "値"}],
                                            "data": rows})
    add_manager_extras(wb, picture, label("sheet", "log"))
    wb.close()
    return path


def test_missing_process_columns_are_added_to_the_table_and_charts_and_images_survive(tmp_path):
    master = _rich_master(tmp_path / "master.xlsx")
    digest = _digest(master)
    out = adopt_plan(master, tmp_path / "new.xlsx", _plan(master))
    assert _digest(master) == digest
    after = _targets(out)
    _assert_plan_adopted(after)
    assert after[(TANAKA, dt.date(2027, 5, 1))] == (100, None, None, None, 5, None, None)
    old, new = _parts(master), _parts(out)
    assert set(old) == set(new)
    assert {"xl/charts/chart1.xml", "xl/media/image1.png", "xl/drawings/drawing1.xml"} <= set(new)
    sheet, table = _targets_parts(out)
    assert {n for n in old if old[n] != new[n]} == {sheet, table}
    # the header gains the five missing columns at its right, in the deck's order, inside the table
    ws = openpyxl.load_workbook(out)[label("sheet", "targets")]
    added = [label("targets", k) for k in ("orders", "new_deals", "new_topics", "follows", "lists")]
    assert [ws.cell(1, c).value for c in range(1, 10)] == \
        [label("targets", k) for k in ("rep", "month", "sales_target", "visits")] + added
    last = 3 + 2 * 12 - 1  # two typed rows, one inside the year: 23 appended
    assert ws.tables["Targets"].ref == f"A1:I{last}"
    assert [c.name for c in ws.tables["Targets"].tableColumns] == [ws.cell(1, c).value for c in range(1, 10)]
    # the new columns look like the 訪問件数 column: header, cells and width
    for r in (1, 2, last):
        assert ws.cell(r, 5).style_id == ws.cell(r, 4).style_id
    # (openpyxl shows xlsxwriter's <col min="1" max="4"> as column A's)
    assert ws.column_dimensions["E"].width == ws.column_dimensions["A"].width == 14.7109375
    names = openpyxl.load_workbook(out).defined_names
    assert "訪問先" in names


@pytest.mark.libreoffice
def test_libreoffice_opens_the_new_master_and_the_table_covers_the_new_rows(tmp_path):
    from support.libreoffice import convert

    master = _rich_master(tmp_path / "master.xlsx")
    out = adopt_plan(master, tmp_path / "new.xlsx", _plan(master))
    converted = convert(out, tmp_path / "lo")
    assert _targets(converted) == _targets(out)
    _assert_plan_adopted(_targets(converted))
    ws = openpyxl.load_workbook(converted)[label("sheet", "targets")]
    assert ws.tables["Targets"].ref == f"A1:I{2 + 2 * 12}"
    pdf = convert(out, tmp_path / "pdf", to="pdf", recalc=False)
    assert pdf.stat().st_size > 0


# -- a master without 目標 -----------------------------------------------------------------------


def test_a_master_without_a_targets_sheet_gets_one(tmp_path):
    master = tmp_path / "master.xlsx"
    masterfactory.write_master(master, log_rows=[masterfactory.row(dt.date(2026, 5, 7), SATO)],
                               members=[SATO, TANAKA], settings=_settings(), omit=("targets", "benchmark"))
    out = adopt_plan(master, tmp_path / "new.xlsx", _plan(master))
    after = _targets(out)
    _assert_plan_adopted(after)
    assert len(after) == 24
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [*openpyxl.load_workbook(master).sheetnames, label("sheet", "targets")]
    ws = wb[label("sheet", "targets")]
    assert [c.value for c in ws[1]] == list(labels("targets").values())
    assert (ws.cell(2, 1).value, ws.cell(2, 2).value, ws.cell(25, 2).value) == (SATO, "2026-04", "2027-03")
    old, new = _parts(master), _parts(out)
    assert {n for n in old if old[n] != new[n]} == {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                                    "[Content_Types].xml", "xl/styles.xml"}


def test_an_english_master_written_by_xlsales_new_keeps_its_language(tmp_path):
    master = write_master(tmp_path / "master.xlsx", Master(
        members=[Member(SATO, "東京"), Member(TANAKA, "東京")],
        targets=[Target(SATO, dt.date(2026, 4, 1), 450, {"orders": 7})],
        settings=Settings(**_settings())), lang="en")
    out = adopt_plan(master, tmp_path / adopted_name(master, _plan(master), "en"), _plan(master))
    assert out.name == "master_plan_FY2026.xlsx"
    _assert_plan_adopted(_targets(out))
    ws = openpyxl.load_workbook(out)[label("sheet", "targets", "en")]
    assert ws.cell(3, 2).value == "2026-05" and ws.tables["Targets"].ref == "A1:I25"


def test_the_empty_table_of_xlsales_new_is_filled_from_its_first_row(tmp_path):
    # xlsales new writes the 目標 table with one blank, styled row under its header
    master = write_master(tmp_path / "master.xlsx", Master(members=[Member(SATO, "東京"), Member(TANAKA, "東京")],
                                                          settings=Settings(**_settings())))
    out = adopt_plan(master, tmp_path / "new.xlsx", _plan(master))
    _assert_plan_adopted(_targets(out))
    ws = openpyxl.load_workbook(out)[label("sheet", "targets")]
    assert ws.tables["Targets"].ref == "A1:I25" and (ws.cell(2, 1).value, ws.cell(2, 2).value) == (SATO, "2026-04")
    # the blank row's look, carried down to the last new row
    old = openpyxl.load_workbook(master)[label("sheet", "targets")]
    for c in range(1, 10):
        assert ws.cell(2, c).style_id == ws.cell(25, c).style_id == old.cell(2, c).style_id


def test_a_header_below_a_title_and_no_table(tmp_path):
    master = tmp_path / "master.xlsx"
    masterfactory.write_master(master, members=[SATO, TANAKA], settings=_settings(), header_row=3, as_table=False,
                               targets=[{"rep": TANAKA, "month": "2026-10", "sales_target": 1, "lists": 2}])
    out = adopt_plan(master, tmp_path / "new.xlsx", _plan(master))
    _assert_plan_adopted(_targets(out))
    ws = openpyxl.load_workbook(out)[label("sheet", "targets")]
    assert ws.cell(1, 1).value == "xlsales test master" and ws.cell(4, 2).value == "2026-10"
    assert (ws.cell(5, 1).value, ws.cell(5, 2).value, ws.max_row) == (SATO, "2026-04", 3 + 24)


# -- refusals: a clear message, nothing written ------------------------------------------------


def test_columns_that_cannot_join_the_table_are_refused_by_name(tmp_path):
    master = _rich_master(tmp_path / "master.xlsx", memo=True)
    digest = _digest(master)
    with pytest.raises(CollectError) as err:
        adopt_plan(master, tmp_path / "new.xlsx", _plan(master))
    assert err.value.key == "adopt_columns_not_added"
    assert "列「受注件数」「商談化件数」「話題化件数」「フォロー件数」「リスト件数」がなく" in err.value.message("ja")
    assert "no columns 受注件数, 商談化件数, 話題化件数, フォロー件数, リスト件数" in str(err.value)
    assert not (tmp_path / "new.xlsx").exists() and _digest(master) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["master.xlsx"]


def test_the_master_itself_is_refused_as_the_output(tmp_path):
    master = _typed_master(tmp_path / "master.xlsx")
    (tmp_path / "link.xlsx").hardlink_to(master)
    digest, files = _digest(master), sorted(tmp_path.iterdir())
    for dst in (master, tmp_path / "sub" / ".." / "master.xlsx", tmp_path / "link.xlsx"):
        with pytest.raises(CollectError) as err:
            adopt_plan(master, dst, _plan(master))
        assert err.value.key == "adopt_same_file"
        assert "元のマスターそのもの" in err.value.message("ja") and "is the master itself" in str(err.value)
    assert _digest(master) == digest and sorted(tmp_path.iterdir()) == files


def test_a_plan_without_a_sales_target_is_refused(tmp_path):
    master = tmp_path / "master.xlsx"
    masterfactory.write_master(master, members=[SATO], settings={"unit_price": 70})
    with pytest.raises(CollectError) as err:
        adopt_plan(master, tmp_path / "new.xlsx", _plan(master))
    assert err.value.key == "adopt_nothing" and "2026年度" in err.value.message("ja")
    assert not (tmp_path / "new.xlsx").exists()


def test_a_failed_write_leaves_nothing_at_the_output(tmp_path, monkeypatch):
    master = _typed_master(tmp_path / "master.xlsx")
    digest, files = _digest(master), sorted(tmp_path.iterdir())

    def full(src, dst, *args, **kwargs):
        Path(dst).write_bytes(b"PK half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(adopt_module, "edit_package", full)
    with pytest.raises(CollectError) as err:
        adopt_plan(master, tmp_path / "new.xlsx", _plan(master))
    assert err.value.key == "collect_write_failed" and "No space left" in err.value.message("en")
    assert sorted(tmp_path.iterdir()) == files and _digest(master) == digest


def test_adopted_names():
    plan = annual_plan(Master(members=[Member(SATO)]), YEAR)
    assert adopted_name("/x/売上マスター.xlsx", plan) == "売上マスター_年間計画反映_2026年度.xlsx"
    assert adopted_name("/x/sales.xlsm", plan, "en") == "sales_plan_FY2026.xlsm"
