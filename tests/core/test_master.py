"""The manager's master workbook written for ``xlsales new`` (DOMAIN.md §3, §4)."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from support.libreoffice import convert

from xlsales import Event, Master, Member, Settings, Target
from xlsales.write.master import text_width, write_master

SHEETS = {
    "ja": ["使い方", "活動ログ", "メンバー", "目標", "設定", "ベンチマーク", "評価設定", "リスト値"],
    "en": ["How to use", "ActivityLog", "Members", "Targets", "Settings", "Benchmark", "Evaluation weights", "Lists"],
}
HEADERS = {
    "ja": {
        "活動ログ": ["ID", "日付", "担当者", "区分", "顧客", "金額", "ボツ理由", "受注予定月", "メモ"],
        "メンバー": ["担当者", "チーム", "等級", "メール", "入社日", "退職日", "リーダー"],
        "目標": ["担当者", "月", "売上目標", "受注件数", "商談化件数", "話題化件数", "訪問件数", "フォロー件数",
                 "リスト件数"],
        "設定": ["項目", "値"],
        "ベンチマーク": ["担当者", "項目", "値"],
        "評価設定": ["等級", "結果", "プロセス"],
    },
    "en": {
        "ActivityLog": ["ID", "Date", "Rep", "Activity", "Customer", "Amount", "Lost reason", "Expected close",
                        "Note"],
        "Members": ["Rep", "Team", "Grade", "Email", "Hire date", "Left on", "Leader"],
        "Targets": ["Rep", "Month", "Sales target", "Orders", "New deals", "New topics", "Visits", "Follow-ups",
                    "List entries"],
        "Settings": ["Item", "Value"],
        "Benchmark": ["Rep", "Item", "Value"],
        "Evaluation weights": ["Grade", "Result", "Process"],
    },
}
# sheet -> (table name, ref) of a blank master
BLANK_TABLES = [(1, "ActivityLog", "A1:I2"), (2, "Members", "A1:G2"), (3, "Targets", "A1:I2"),
                (4, "Settings", "A1:B27"), (5, "Benchmark", "A1:C2"), (6, "Weights", "A1:C5")]
ACTIVITY_LIST = {
    "ja": '"リスト,フォロー,外出前報告,訪問,外出後報告,話題,商談△,商談◯,受注,ボツ"',
    "en": '"List,Follow-up,Pre-visit report,Visit,Post-visit report,Topic,Deal △,Deal ◯,Order,Lost"',
}
REASON_LIST = {"ja": '"今だめ,ずっとだめ"', "en": '"Not now,Never"'}
GRADE_LIST = {
    "ja": '"マネージャー（7年目〜）,リーダー（4〜7年目）,メンバー（3〜5年目）,メンバー（1〜2年目）"',
    "en": '"Manager (year 7+),Leader (years 4-7),Member (years 3-5),Member (years 1-2)"',
}
SETTINGS_JA = [("会計年度開始月", 4), ("表示開始月", None), ("表示月数", 12), ("金額単位", "万円"), ("◯の確度", 0.7),
               ("△の確度", 0.3), ("前年実績売上", None), ("継続率", 1), ("言語", "ja")]


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    out = tmp_path_factory.mktemp("blank")
    return {lang: write_master(out / f"master-{lang}.xlsx", lang=lang) for lang in ("ja", "en")}


def _sample_master() -> Master:
    d = dt.date
    events = [
        Event(2, "X1", d(2026, 7, 1), "佐藤 健太", "follow", "=1+1", note="+81-3-1234"),
        Event(3, "X2", d(2026, 7, 2), "佐藤 健太", "visit", "@home社", note="-残念"),
        Event(4, "", d(2026, 7, 2), "佐藤 健太", "topic", "A社", 40.0, close_month=d(2026, 8, 1)),
        Event(5, "X4", d(2026, 7, 9), "佐藤 健太", "deal_a", "A社", 1234.5),
        Event(6, "X5", d(2026, 7, 10), "佐藤 健太", "lost", "A社", lost_reason="forever", note="=HYPERLINK(\"x\")"),
    ]
    return Master(
        events=events,
        members=[Member("佐藤 健太", "営業1課", "leader", "sato@example.co.jp", d(2019, 4, 1), left_on=d(2027, 3, 31),
                       leader=True),
                 Member("=cmd|' /C calc'!A0", "", None, "", None)],
        targets=[Target("佐藤 健太", d(2026, 7, 1), 500.0, {"visits": 32.0, "follows": 250.0})],
        settings=Settings(period_start=d(2026, 7, 1), period_months=6, last_year_sales=5000.0),
        benchmarks={("", "sales_target"): 560.0, ("佐藤 健太", "visits"): 30.0},
    )


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    return {lang: write_master(out / f"sample-{lang}.xlsx", _sample_master(), lang=lang) for lang in ("ja", "en")}


def _validations(ws) -> list:
    return list(ws.data_validations.dataValidation)


def _validation_of(ws, column: str):
    hits = [dv for dv in _validations(ws) if any(str(r).startswith(f"{column}2:") for r in dv.sqref.ranges)]
    assert len(hits) == 1, (ws.title, column, hits)
    return hits[0]


def _last_row(dv) -> int:
    return max(r.max_row for r in dv.sqref.ranges)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sheets_tables_and_headers(blank, lang):
    wb = openpyxl.load_workbook(blank[lang])
    assert wb.sheetnames == SHEETS[lang]
    assert wb.worksheets[-1].sheet_state == "hidden"  # the long list of benchmark items
    assert wb.active.title == SHEETS[lang][0]
    for index, name, ref in BLANK_TABLES:
        ws = wb.worksheets[index]
        assert dict(ws.tables.items()) == {name: ref}
        assert ws.freeze_panes == "A2"
        headers = [c.value for c in ws[1]][: len(HEADERS[lang][ws.title])]
        assert headers == HEADERS[lang][ws.title]
        assert [c.name for c in ws.tables[name].tableColumns] == HEADERS[lang][ws.title]
        assert ws.tables[name].tableStyleInfo.name == "TableStyleMedium2"
        assert ws.tables[name].autoFilter is not None
        for col, header in enumerate(HEADERS[lang][ws.title]):
            # Widths fit the header (full-width characters count 2) and its filter button.
            width = ws.column_dimensions[get_column_letter(col + 1)].width
            assert width >= text_width(header) + 2, (ws.title, header, width)
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    # An empty table has one blank data row and nothing else.
    log = wb.worksheets[1]
    assert [c.value for c in log[2]] == [None] * 9


def test_settings_defaults(blank):
    ws = openpyxl.load_workbook(blank["ja"])["設定"]
    rows = [(r[0].value, r[1].value) for r in ws.iter_rows(min_row=2, max_row=10)]
    assert rows == SETTINGS_JA
    ws_en = openpyxl.load_workbook(blank["en"])["Settings"]
    keys = [r[0].value for r in ws_en.iter_rows(min_row=2, max_row=10)]
    assert keys == ["fiscal_year_start", "period_start", "period_months", "amount_unit", "weight_deal_a",
                    "weight_deal_b", "last_year_sales", "retention", "language"]
    assert ws_en["B10"].value == "en"  # a blank English master says so
    assert ws["B3"].number_format == "@"  # 表示開始月 typed as 2026-07 stays text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_dropdowns(blank, lang):
    wb = openpyxl.load_workbook(blank[lang])
    log, members, targets, _settings, bench = wb.worksheets[1:6]
    activity = _validation_of(log, "D")
    assert activity.type == "list" and activity.formula1 == ACTIVITY_LIST[lang]
    reason = _validation_of(log, "G")
    assert reason.type == "list" and reason.formula1 == REASON_LIST[lang]
    grade = _validation_of(members, "C")
    assert grade.type == "list" and grade.formula1 == GRADE_LIST[lang]
    for ws in (log, targets):
        rep = _validation_of(ws, "C" if ws is log else "A")
        assert rep.type == "list" and rep.formula1 == "RepList"
        assert _last_row(rep) >= 5000
    members_name = SHEETS[lang][2]
    assert wb.defined_names["RepList"].attr_text == f"'{members_name}'!$A$2:$A$1000"
    date = _validation_of(log, "B")
    assert date.type == "date" and date.showInputMessage and date.prompt
    assert _last_row(date) >= 5000
    assert _validation_of(members, "E").type == "date"
    item = _validation_of(bench, "B")
    assert item.formula1 == "BenchmarkItems"
    items = [c.value for c in wb.worksheets[7]["A"]]
    assert ("売上目標" if lang == "ja" else "Sales target") in items
    assert ("訪問件数" if lang == "ja" else "Visits") in items
    for v in (_validation_of(log, "F"), _validation_of(targets, "C")):
        assert v.type == "decimal" and v.operator == "greaterThanOrEqual" and v.formula1 == "0"


def test_dropdowns_reach_past_the_data(tmp_path):
    events = [Event(i + 2, f"T{i}", dt.date(2026, 7, 1), "r", "follow") for i in range(4000)]
    path = write_master(tmp_path / "big.xlsx", Master(events=events))
    ws = openpyxl.load_workbook(path)["活動ログ"]
    assert ws.tables["ActivityLog"].ref == "A1:I4001"
    assert _last_row(_validation_of(ws, "D")) >= 4001 + 2000


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_written_data_round_trips(sample, lang):
    wb = openpyxl.load_workbook(sample[lang])
    log, members, targets, settings, bench = wb.worksheets[1:6]
    assert log.tables["ActivityLog"].ref == "A1:I6"
    rows = [[c.value for c in r] for r in log.iter_rows(min_row=2, max_row=6)]
    topic, lost = ("話題", "ボツ") if lang == "ja" else ("Topic", "Lost")
    assert rows[2] == [None, dt.datetime(2026, 7, 2), "佐藤 健太", topic, "A社", 40, None, "2026-08", None]
    assert rows[3][5] == 1234.5
    assert rows[4][3] == lost and rows[4][6] == ("ずっとだめ" if lang == "ja" else "Never")
    assert log["B2"].number_format == "yyyy/mm/dd"
    assert log["F4"].number_format == "#,##0"
    assert log["H4"].number_format == "@" and log["H4"].data_type == "s"
    assert log["A2"].number_format == "@"
    assert [c.value for c in members[2]] == [
        "佐藤 健太", "営業1課", "リーダー（4〜7年目）" if lang == "ja" else "Leader (years 4-7)",
        "sato@example.co.jp", dt.datetime(2019, 4, 1), dt.datetime(2027, 3, 31), "◯" if lang == "ja" else "yes"]
    assert members["E2"].number_format == "yyyy/mm/dd"
    assert [c.value for c in targets[2]] == ["佐藤 健太", "2026-07", 500, None, None, None, 32, 250, None]
    assert targets["B2"].data_type == "s"
    values = {r[0].value: r[1].value for r in settings.iter_rows(min_row=2, max_row=10)}
    start, months, last = (("表示開始月", "表示月数", "前年実績売上") if lang == "ja"
                           else ("period_start", "period_months", "last_year_sales"))
    assert values[start] == "2026-07" and values[months] == 6 and values[last] == 5000
    assert [[c.value for c in r] for r in bench.iter_rows(min_row=2, max_row=3)] == [
        [None, "売上目標" if lang == "ja" else "Sales target", 560],
        ["佐藤 健太", "訪問件数" if lang == "ja" else "Visits", 30]]


def test_text_that_looks_like_a_formula_stays_text(sample):
    wb = openpyxl.load_workbook(sample["ja"])
    log, members = wb["活動ログ"], wb["メンバー"]
    for cell, text in [(log["E2"], "=1+1"), (log["I2"], "+81-3-1234"), (log["E3"], "@home社"),
                       (log["I3"], "-残念"), (log["I6"], '=HYPERLINK("x")'), (members["A3"], "=cmd|' /C calc'!A0")]:
        assert cell.data_type == "s" and cell.value == text
    with zipfile.ZipFile(sample["ja"]) as z:
        sheet_xml = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheet_xml
        for name in sheet_xml:
            assert "<f>" not in z.read(name).decode("utf-8"), name


def test_howto_sheet_explains_vocabulary_rhythm_and_commands(blank):
    for lang, needles in {
        "ja": ["リスト", "フォロー", "外出前報告", "訪問", "外出後報告", "話題", "商談△", "商談◯", "受注", "ボツ",
               "今だめ", "ずっとだめ", "月初", "中間", "月末", "250", "32", "xlsales validate master.xlsx",
               "xlsales build master.xlsx --out DIR", "活動ログ", "メンバー", "目標", "設定", "ベンチマーク"],
        "en": ["Follow-up", "Pre-visit report", "Deal △", "Deal ◯", "Not now", "Never", "Start of month",
               "xlsales validate master.xlsx", "xlsales build master.xlsx --out DIR", "ActivityLog", "Members"],
    }.items():
        ws = openpyxl.load_workbook(blank[lang]).worksheets[0]
        text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
        for needle in needles:
            assert needle in text, (lang, needle)
        assert "{{" not in text and "{%" not in text
        assert ws.page_setup.orientation == "landscape"


def test_atomic_write_replaces_only_with_a_complete_file(tmp_path):
    path = tmp_path / "master.xlsx"
    write_master(path)
    before = path.read_bytes()
    broken = Master(events=[Event(2, "X", dt.date(2026, 7, 1), "r", "no-such-activity")])
    with pytest.raises(KeyError):
        write_master(path, broken)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["master.xlsx"]  # no temporary file left
    write_master(tmp_path / "sub" / "new.xlsx")
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["new.xlsx"]


def test_unknown_language_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_master(tmp_path / "x.xlsx", lang="fr")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.libreoffice
def test_libreoffice_opens_the_blank_master(blank, tmp_path):
    pdf = convert(blank["ja"], tmp_path / "pdf", to="pdf", recalc=False)
    assert pdf.stat().st_size > 10_000
    # LibreOffice reads the tables and the drop-downs back.
    xlsx = convert(blank["en"], tmp_path / "xlsx", recalc=False)
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[:6] == SHEETS["en"][:6]
    assert [c.value for c in wb["ActivityLog"][1]][:9] == HEADERS["en"]["ActivityLog"]
