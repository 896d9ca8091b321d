"""Validation of a master workbook (DOMAIN.md §3, §4): every bad row reported at once, nothing guessed."""

from __future__ import annotations

import datetime as dt

import pytest
from support.masterfactory import MEMBERS, row, write_csv, write_master

from xlsales import Event, Master, Member, Settings, Target, ValidationError, read_master, validate_master
from xlsales.validate.values import BadValue, parse_date, parse_month, parse_number

D = dt.date
GOOD = row(date=D(2026, 7, 1), activity="訪問", customer="A社")  # always row 2

# (name, log rows after GOOD, Excel row, column, reason): one kind of bad row each.
BAD_ROWS = [
    ("unknown activity", [row(activity="電話")], 3, "区分", "unknown_choice"),
    ("missing date", [row(date=None)], 3, "日付", "required"),
    ("text amount", [row(activity="受注", amount="abc")], 3, "金額", "number_unreadable"),
    ("amount with unit", [row(activity="受注", amount="100万円")], 3, "金額", "number_unreadable"),
    ("negative amount", [row(activity="受注", amount=-5)], 3, "金額", "number_negative"),
    ("negative amount as text", [row(activity="受注", amount="-5")], 3, "金額", "number_negative"),
    ("bad thousands separator", [row(activity="受注", amount="1,2")], 3, "金額", "number_thousands"),
    ("rep not on members", [row(rep="鈴木 一郎")], 3, "担当者", "rep_unknown"),
    ("missing rep", [row(rep=None)], 3, "担当者", "required"),
    ("deal without customer", [row(activity="商談◯", customer=None, amount=10)], 3, "顧客",
     "required_for_activity"),
    ("topic without amount", [row(activity="話題")], 3, "金額", "required_for_activity"),
    ("lost without reason", [row(activity="ボツ")], 3, "ボツ理由", "required_for_activity"),
    ("unknown lost reason", [row(activity="ボツ", lost_reason="たぶん")], 3, "ボツ理由", "unknown_choice"),
    ("lost reason on a visit", [row(lost_reason="今だめ")], 3, "ボツ理由", "not_for_activity"),
    ("bad close month", [row(activity="話題", amount=5, close_month="7月")], 3, "受注予定月", "month_unreadable"),
    ("close month 13", [row(activity="話題", amount=5, close_month="2026-13")], 3, "受注予定月",
     "month_impossible"),
    ("close month on a follow", [row(activity="フォロー", close_month="2026-08")], 3, "受注予定月",
     "not_for_activity"),
    ("duplicate id", [row(id="A-1"), row(id="A-1", activity="リスト")], 4, "ID", "id_duplicate"),
    ("7/1 without a year", [row(date="7/1")], 3, "日付", "date_guess"),
    ("day-first date", [row(date="01/07/2026")], 3, "日付", "date_guess"),
    ("two-digit year", [row(date="07/01/26")], 3, "日付", "date_guess"),
    ("month 13", [row(date="2026-13-01")], 3, "日付", "date_impossible"),
    ("February 30", [row(date="2026-02-30")], 3, "日付", "date_impossible"),
    ("number in a date column", [row(date=46204)], 3, "日付", "date_number"),
    ("year out of range", [row(date="2206/7/1")], 3, "日付", "date_year_range"),
    ("Heisei after its end", [row(date="平成32年1月1日")], 3, "日付", "date_era_range"),
    ("error value #N/A", [row(customer="#N/A")], 3, "顧客", "cell_error"),
    ("error value #REF!", [row(activity="受注", amount="#REF!")], 3, "金額", "cell_error"),
    ("cell too long", [row(note="あ" * 1001)], 3, "メモ", "cell_too_long"),
    ("amount on a list row that is not a number", [row(activity="リスト", amount="x")], 3, "金額",
     "number_unreadable"),
]


def _problems(tmp_path, log_rows, **kw):
    path = write_master(tmp_path / "m.xlsx", log_rows=log_rows, **kw)
    return validate_master(path)


def _master(tmp_path, log_rows, **kw) -> Master:
    return read_master(write_master(tmp_path / "m.xlsx", log_rows=log_rows, **kw))


@pytest.mark.parametrize("name, rows, excel_row, column, reason", BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_each_bad_log_row_is_reported(tmp_path, name, rows, excel_row, column, reason):
    problems = _problems(tmp_path, [GOOD, *rows])
    assert [(p.sheet, p.row, p.column, p.reason) for p in problems] == [("活動ログ", excel_row, column, reason)]
    for lang in ("ja", "en"):
        text = problems[0].message(lang)
        assert str(excel_row) in text and column in text and "{" not in text
    with pytest.raises(ValidationError) as err:
        read_master(tmp_path / "m.xlsx")
    assert err.value.problems == problems


def test_every_bad_row_is_reported_at_once(tmp_path):
    log, expected = [GOOD], []
    for _, rows, excel_row, column, reason in BAD_ROWS:
        start = len(log) + 2  # the Excel row this case's first row lands on (header = row 1)
        log.extend(rows)
        expected.append((start + excel_row - 3, column, reason))
    path = write_master(tmp_path / "m.xlsx", log_rows=log)
    problems = validate_master(path)
    assert [(p.row, p.column, p.reason) for p in problems] == expected
    with pytest.raises(ValidationError) as err:
        read_master(path)
    assert err.value.problems == problems
    for lang in ("ja", "en"):
        lines = err.value.message(lang).splitlines()
        assert len(lines) == len(BAD_ROWS) + 1
        assert all(str(r) in line for (r, _, _), line in zip(expected, lines[1:], strict=True))


def test_duplicate_id_names_the_first_row(tmp_path):
    problems = _problems(tmp_path, [GOOD, row(id=12.0), row(id="12")])
    assert [(p.row, p.params) for p in problems] == [(4, {"first_row": 3})]
    assert "3" in problems[0].message("ja") and "row 3" in problems[0].message("en")


def test_a_row_can_have_several_problems(tmp_path):
    problems = _problems(tmp_path, [row(date="7/1", rep="誰か", activity="受注", customer=None)])
    assert [(p.column, p.reason) for p in problems] == [
        ("日付", "date_guess"), ("担当者", "rep_unknown"), ("顧客", "required_for_activity"),
        ("金額", "required_for_activity")]


# -- values that are read correctly ------------------------------------------------------


def test_events_have_keys_and_python_values(tmp_path):
    m = _master(tmp_path, [
        row(id="X1", date=D(2026, 7, 1), activity="話題", customer="A社", amount=40, close_month="2026-08",
            note=" メモ① "),
        row(date=dt.datetime(2026, 7, 2, 15, 30), activity="ボツ", customer="B社", lost_reason="ずっとだめ"),
        row(date="2026/7/3", activity="受注", customer="A社", amount="1,200"),
    ])
    assert m.events == [
        Event(2, "X1", D(2026, 7, 1), "山田 太郎", "topic", "A社", 40.0, None, D(2026, 8, 1), "メモ①"),
        Event(3, m.events[1].id, D(2026, 7, 2), "山田 太郎", "lost", "B社", None, "forever", None, ""),
        Event(4, m.events[2].id, D(2026, 7, 3), "山田 太郎", "order", "A社", 1200.0),
    ]
    assert m.events[1].id.startswith("G") and len(m.events[1].id) == 11
    assert m.members == [Member("山田 太郎"), Member("佐藤 花子")]
    assert m.targets == [] and m.settings == Settings() and m.benchmarks == {} and m.skipped == []


def test_lenient_spellings(tmp_path):
    m = _master(tmp_path, [
        row(activity="ﾌｫﾛｰ"),                                     # half-width katakana
        row(activity="商談\u25cb", amount="１，２００"),           # ○ U+25CB, full-width digits
        row(activity="  訪問 ", rep=" 山田\u3000太郎 ", customer=" Ａ社 "),  # spaces, full-width letters
        row(activity="deal_b", amount=" 30 "),                    # the key itself
        row(activity="ボツ", lost_reason="Not now"),              # en label in a ja sheet
    ])
    assert [(e.activity, e.rep, e.customer, e.amount, e.lost_reason) for e in m.events] == [
        ("follow", "山田 太郎", "A社", None, None),
        ("deal_a", "山田 太郎", "A社", 1200.0, None),
        ("visit", "山田 太郎", "A社", None, None),
        ("deal_b", "山田 太郎", "A社", 30.0, None),
        ("lost", "山田 太郎", "A社", None, "now"),
    ]


def test_english_master(tmp_path):
    path = write_master(tmp_path / "m.xlsx", lang="en", members=["Ann", "Bob"], log_rows=[
        row(rep="Bob", activity="Deal ◯", customer="Acme", amount=10, close_month="2026/09"),
        row(rep="Ann", activity="Follow-up", customer=None),
    ], settings={"language": "en", "weight_deal_a": "80%"})
    m = read_master(path)
    assert [(e.row, e.rep, e.activity, e.close_month) for e in m.events] == [
        (2, "Bob", "deal_a", D(2026, 9, 1)), (3, "Ann", "follow", None)]
    assert m.settings.language == "en" and m.settings.weight_deal_a == pytest.approx(0.8)


def test_problems_name_the_columns_as_in_the_file(tmp_path):
    path = write_master(tmp_path / "m.xlsx", lang="en", members=["Ann"], log_rows=[row(rep="Ann", activity="Topic")])
    [p] = validate_master(path)
    assert (p.sheet, p.column, p.reason) == ("ActivityLog", "Amount", "required_for_activity")
    assert "'Topic'" in p.message("en") and "「話題」" in p.message("ja")


def test_empty_rows_in_the_middle_are_not_errors(tmp_path):
    m = _master(tmp_path, [GOOD, None, None, row(activity="リスト"), None])
    assert [(e.row, e.activity) for e in m.events] == [(2, "visit"), (5, "list")]


def test_header_in_row_3_plain_range_and_hidden_rows(tmp_path):
    m = _master(tmp_path, [GOOD, row(activity="受注", amount=5)], header_row=3, as_table=False, hidden_rows=[5])
    assert [(e.row, e.activity, e.amount) for e in m.events] == [(4, "visit", None), (5, "order", 5.0)]


@pytest.mark.parametrize("text", [
    "2026/7/1", "2026-07-01", "2026-7-1", "2026.7.1", "2026年7月1日", "令和8年7月1日", "R8.7.1", "R8/7/1",
    "r08.07.01", "２０２６／７／１", "2026/07/01 10:30", "2026-07-01T10:30:00", " 2026 / 7 / 1 ", "㋿8年7月1日",
])
def test_text_dates_in_accepted_forms(text):
    assert parse_date(text) == D(2026, 7, 1)


@pytest.mark.parametrize("text, expected", [
    ("平成30年4月1日", D(2018, 4, 1)), ("H31.4.30", D(2019, 4, 30)), ("令和元年5月1日", D(2019, 5, 1)),
    (dt.datetime(2026, 7, 1, 23, 59), D(2026, 7, 1)),
])
def test_era_dates_and_date_cells(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("value, reason", [
    ("7/1", "date_guess"), ("7月1日", "date_guess"), ("01/07/2026", "date_guess"), ("07/01/26", "date_guess"),
    ("2026-13-01", "date_impossible"), ("2026-02-30", "date_impossible"), ("令和1年4月30日", "date_era_range"),
    ("H31.5.1", "date_era_range"), ("1989/12/31", "date_year_range"), (D(2101, 1, 1), "date_year_range"),
    (46204.0, "date_number"), ("46204", "date_number"), (True, "date_unreadable"), ("明日", "date_unreadable"),
    ("2026/7-1", "date_unreadable"), (dt.time(10, 30), "date_unreadable"),
])
def test_dates_that_need_a_guess_are_refused(value, reason):
    with pytest.raises(BadValue) as bad:
        parse_date(value)
    assert bad.value.reason == reason


@pytest.mark.parametrize("value, expected", [
    ("2026-07", D(2026, 7, 1)), ("2026/7", D(2026, 7, 1)), ("2026年7月", D(2026, 7, 1)), ("令和8年7月", D(2026, 7, 1)),
    ("R8.7", D(2026, 7, 1)), (D(2026, 7, 15), D(2026, 7, 1)), ("2026/7/15", D(2026, 7, 1)),
])
def test_months(value, expected):
    assert parse_month(value) == expected


@pytest.mark.parametrize("value, reason", [
    ("2026-13", "month_impossible"), ("7月", "month_unreadable"), (202607, "month_unreadable"),
    ("2026-02-30", "date_impossible"), ("1980-01", "date_year_range"),
])
def test_bad_months(value, reason):
    with pytest.raises(BadValue) as bad:
        parse_month(value)
    assert bad.value.reason == reason


@pytest.mark.parametrize("value, expected", [
    (12, 12.0), (1.5, 1.5), ("1,200", 1200.0), ("1,234,567.5", 1234567.5), ("１２００", 1200.0), (" 7 ", 7.0),
    ("+3", 3.0), ("0", 0.0),
])
def test_numbers(value, expected):
    assert parse_number(value) == expected


@pytest.mark.parametrize("value, reason", [
    ("abc", "number_unreadable"), ("100万円", "number_unreadable"), ("1,2", "number_thousands"),
    ("12,34,567", "number_thousands"), ("-5", "number_negative"), ("\u22125", "number_negative"),
    (True, "number_unreadable"), (float("nan"), "number_unreadable"), ("1e3", "number_unreadable"),
])
def test_bad_numbers(value, reason):
    with pytest.raises(BadValue) as bad:
        parse_number(value)
    assert bad.value.reason == reason


# -- CSV logs ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig"])
def test_csv_log_replaces_the_log_sheet(tmp_path, encoding):
    master = write_master(tmp_path / "m.xlsx", log_rows=[row(activity="リスト")])
    csv = write_csv(tmp_path / "crm.csv", [
        row(date="2026/07/01", activity="商談◯", customer="株式会社Ａ", amount="1,200", close_month="2026-08"),
        None,
        row(date="2026-07-03", activity="ボツ", customer="株式会社Ａ", lost_reason="今だめ"),
    ], encoding=encoding)
    m = read_master(master, log=csv)
    assert [(e.row, e.date, e.activity, e.customer, e.amount, e.close_month, e.lost_reason) for e in m.events] == [
        (2, D(2026, 7, 1), "deal_a", "株式会社A", 1200.0, D(2026, 8, 1), None),
        (4, D(2026, 7, 3), "lost", "株式会社A", None, None, "now"),
    ]


def test_csv_problems_name_the_csv_file_and_its_lines(tmp_path):
    master = write_master(tmp_path / "m.xlsx", log_rows=[row(activity="電話")])
    csv = write_csv(tmp_path / "crm.csv", [GOOD, row(date="7/1")], encoding="cp932")
    assert [(p.sheet, p.row, p.column, p.reason) for p in validate_master(master, log=csv)] == [
        ("crm.csv", 3, "日付", "date_guess")]


# -- IDs -------------------------------------------------------------------------------


def test_generated_ids_are_stable_and_unique(tmp_path):
    rows = [GOOD, GOOD, row(id="X"), GOOD, row(activity="リスト")]
    first = _master(tmp_path, rows)
    again = read_master(write_master(tmp_path / "again.xlsx", log_rows=[row(activity="フォロー"), *rows]))
    ids = [e.id for e in first.events]
    assert len(set(ids)) == 5 and ids[2] == "X" and all(i.startswith("G") for i in ids[:2] + ids[3:])
    # An unrelated row above does not change the others' IDs.
    assert [e.id for e in again.events][1:] == ids


# -- skipping bad rows -----------------------------------------------------------------


def test_skip_bad_rows_keeps_the_good_ones_and_lists_the_bad(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[GOOD, row(date="7/1"), row(activity="リスト"),
                                                      row(activity="受注", customer=None, amount="x")])
    m = read_master(path, skip_bad_rows=True)
    assert [e.row for e in m.events] == [2, 4]
    assert [(p.row, p.column, p.reason) for p in m.skipped] == [
        (3, "日付", "date_guess"), (5, "顧客", "required_for_activity"), (5, "金額", "number_unreadable")]


def test_skip_bad_rows_still_refuses_bad_members(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[GOOD, row(date="7/1")],
                        members=["山田 太郎", {"rep": "山田 太郎"}, {"rep": "佐藤 花子", "email": "nomail"}])
    with pytest.raises(ValidationError) as err:
        read_master(path, skip_bad_rows=True)
    assert [(p.sheet, p.row, p.reason) for p in err.value.problems] == [
        ("メンバー", 3, "rep_duplicate"), ("メンバー", 4, "email_invalid")]


# -- the other sheets --------------------------------------------------------------------


def test_members_targets_settings_and_benchmarks(tmp_path):
    members = [{"rep": "山田 太郎", "team": "東京", "grade": "リーダー（4〜7年目）", "email": "y@example.jp",
                "hire_date": D(2020, 4, 1)},
               {"rep": "佐藤 花子", "grade": "member_junior", "hire_date": "2025/4/1"}]
    targets = [{"rep": "山田 太郎", "month": "2026-07", "sales_target": 500, "visits": 32, "follows": "250"},
               {"rep": "佐藤 花子", "month": D(2026, 8, 20)}]
    settings = {"fiscal_year_start": 7, "period_start": "2026-07", "period_months": "6", "amount_unit": "千円",
                "weight_deal_a": 0.6, "weight_deal_b": "25%", "last_year_sales": "5,000", "retention": 0.9,
                "language": "EN"}
    benchmark = [{"item": "訪問件数", "value": 32}, {"rep": "佐藤 花子", "item": "Follow-ups", "value": 200},
                 {"item": "sales_target", "value": 560}]
    m = _master(tmp_path, [GOOD], members=members, targets=targets, settings=settings, benchmark=benchmark)
    assert m.members == [Member("山田 太郎", "東京", "leader", "y@example.jp", D(2020, 4, 1)),
                         Member("佐藤 花子", "", "member_junior", "", D(2025, 4, 1))]
    assert m.targets == [Target("山田 太郎", D(2026, 7, 1), 500.0, {"visits": 32.0, "follows": 250.0}),
                         Target("佐藤 花子", D(2026, 8, 1), None, {})]
    assert m.settings == Settings(fiscal_year_start=7, period_start=D(2026, 7, 1), period_months=6,
                                  amount_unit="千円", weight_deal_a=0.6, weight_deal_b=0.25,
                                  last_year_sales=5000.0, retention=0.9, language="en")
    assert m.benchmarks == {("", "visits"): 32.0, ("佐藤 花子", "follows"): 200.0, ("", "sales_target"): 560.0}


def test_problems_on_the_other_sheets(tmp_path):
    path = write_master(
        tmp_path / "m.xlsx", log_rows=[GOOD],
        members=["山田 太郎", {"rep": "佐藤 花子", "grade": "部長", "hire_date": "4/1"}, {"team": "東京"}],
        targets=[{"rep": "山田 太郎", "month": "2026-07", "sales_target": -1},
                 {"rep": "山田 太郎", "month": "2026/7"}, {"rep": "鈴木", "month": "7月", "orders": "x"}],
        settings={"fiscal_year_start": 13, "period_months": 2.5, "weight_deal_a": 1.5, "language": "fr",
                  "会計年度開始月": 4},
        benchmark=[{"item": "商談◯1", "value": 1}, {"item": "訪問件数"},
                   {"rep": "鈴木", "item": "訪問件数", "value": 1}],
    )
    got = [(p.sheet, p.row, p.column, p.reason) for p in validate_master(path)]
    assert got == [
        ("メンバー", 3, "等級", "unknown_choice"), ("メンバー", 3, "入社日", "date_guess"),
        ("メンバー", 4, "担当者", "required"),
        ("目標", 2, "売上目標", "number_negative"), ("目標", 3, "月", "target_duplicate"),
        ("目標", 4, "担当者", "rep_unknown"), ("目標", 4, "月", "month_unreadable"),
        ("目標", 4, "受注件数", "number_unreadable"),
        ("設定", 2, "値", "number_range"), ("設定", 3, "値", "number_integer"), ("設定", 4, "値", "number_range"),
        ("設定", 5, "値", "unknown_choice"), ("設定", 6, "項目", "setting_duplicate"),
        ("ベンチマーク", 2, "項目", "unknown_choice"), ("ベンチマーク", 3, "値", "required"),
        ("ベンチマーク", 4, "担当者", "rep_unknown"),
    ]


def test_unknown_setting_item(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[GOOD], settings={})
    import openpyxl

    book = openpyxl.load_workbook(path)
    book["設定"].append(["締め日", 25])
    book.save(path)
    [p] = validate_master(path)
    assert (p.row, p.column, p.reason, p.value) == (2, "項目", "unknown_choice", "締め日")
    assert "会計年度開始月" in p.message("ja") and "fiscal_year_start" in p.message("en")


def test_clean_master_has_no_problems(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[GOOD], members=MEMBERS)
    assert validate_master(path) == []


def test_round_trip_with_the_masters_xlsales_writes(tmp_path):
    from xlsales.write.master import write_master as write_real_master

    sample = Master(
        events=[Event(2, "X1", D(2026, 7, 1), "佐藤 健太", "follow", "=1+1", note="+81-3-1234"),
                Event(3, "X2", D(2026, 7, 2), "佐藤 健太", "topic", "A社", 40.0, close_month=D(2026, 8, 1)),
                Event(4, "X3", D(2026, 7, 10), "佐藤 健太", "lost", "A社", lost_reason="forever")],
        members=[Member("佐藤 健太", "営業1課", "leader", "sato@example.co.jp", D(2019, 4, 1))],
        targets=[Target("佐藤 健太", D(2026, 7, 1), 500.0, {"visits": 32.0})],
        settings=Settings(period_start=D(2026, 7, 1), period_months=6, last_year_sales=5000.0),
        benchmarks={("", "sales_target"): 560.0, ("佐藤 健太", "visits"): 30.0},
    )
    for lang in ("ja", "en"):
        m = read_master(write_real_master(tmp_path / f"{lang}.xlsx", sample, lang=lang))
        assert (m.events, m.members, m.targets, m.settings, m.benchmarks) == (
            sample.events, sample.members, sample.targets, sample.settings, sample.benchmarks)


def test_csv_log_needs_no_log_sheet(tmp_path):
    master = write_master(tmp_path / "m.xlsx", omit=("log",))
    csv = write_csv(tmp_path / "crm.csv", [GOOD], encoding="utf-8")
    assert [(e.row, e.activity) for e in read_master(master, log=csv).events] == [(2, "visit")]


def test_every_message_has_both_languages():
    import json
    from importlib import resources

    messages = json.loads(resources.files("xlsales.workbook_templates").joinpath("messages.json").read_text("utf-8"))
    assert all(set(texts) >= {"ja", "en"} and all(texts.values()) for texts in messages.values())
