"""Reading raw cells: sheets by name, header rows, row numbers, error cells, CSV, bad files."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
from support.masterfactory import row, write_csv, write_master

from xlsales import InputError, read_master
from xlsales.read.cells import ErrorValue, is_error_value, read_csv, read_workbook


def _log_rows(path):
    sheet = read_workbook(path)["log"]
    return sheet, [(r, v["date"], v["activity"]) for r, v in sheet.rows]


@pytest.mark.parametrize("header_row", [1, 3])
@pytest.mark.parametrize("as_table", [True, False])
def test_row_numbers_are_excel_rows(tmp_path, header_row, as_table):
    path = write_master(tmp_path / "m.xlsx", log_rows=[row(activity="訪問"), row(activity="フォロー")],
                        header_row=header_row, as_table=as_table)
    sheet, rows = _log_rows(path)
    assert sheet.header_row == header_row
    assert sheet.name == "活動ログ" and sheet.headers["date"] == "日付"
    assert rows == [(header_row + 1, dt.date(2026, 7, 1), "訪問"), (header_row + 2, dt.date(2026, 7, 1), "フォロー")]


def test_leading_empty_rows_and_columns_do_not_shift_row_numbers(tmp_path):
    # A header that starts in C4 with nothing above it: calamine's own range starts at the data.
    path = tmp_path / "m.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "活動ログ"
    for j, text in enumerate(["日付", "担当者", "区分"], start=3):
        ws.cell(row=4, column=j, value=text)
    for j, value in enumerate([dt.date(2026, 7, 2), "山田 太郎", "リスト"], start=3):
        ws.cell(row=6, column=j, value=value)
    book.create_sheet("メンバー")["A1"] = "担当者"
    book.save(path)
    sheet = read_workbook(path)["log"]
    assert sheet.header_row == 4
    assert sheet.rows == [(6, {"date": dt.date(2026, 7, 2), "rep": "山田 太郎", "activity": "リスト"})]


def test_empty_rows_in_the_middle_are_skipped(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[row(), None, None, row(activity="リスト"), {"note": "  "}])
    _, rows = _log_rows(path)
    assert [r for r, _, _ in rows] == [2, 5]


def test_hidden_rows_are_read(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[row(), row(activity="受注", amount=5)], hidden_rows=[3])
    _, rows = _log_rows(path)
    assert [(r, a) for r, _, a in rows] == [(2, "訪問"), (3, "受注")]


def test_unknown_columns_are_ignored_and_en_headers_found(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[row(activity="Visit", amount=3)], lang="en")
    ws_book = openpyxl.load_workbook(path)
    ws_book["ActivityLog"]["K1"] = "Comment"
    ws_book["ActivityLog"]["K2"] = "ignored"
    ws_book.save(path)
    sheet = read_workbook(path)["log"]
    assert sheet.name == "ActivityLog" and sheet.lang == "en"
    assert set(sheet.rows[0][1]) == {"id", "date", "rep", "activity", "customer", "amount", "lost_reason",
                                     "close_month", "note"}
    assert sheet.rows[0][1]["amount"] == 3


def test_log_sheet_found_by_its_table_name(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[row()], log_sheet="2026年度")
    sheets = read_workbook(path)
    assert sheets["log"].name == "2026年度" and len(sheets["log"].rows) == 1


def test_optional_sheets_may_be_absent(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[row()], omit=("targets", "settings", "benchmark"))
    sheets = read_workbook(path)
    assert sheets["targets"] is None and sheets["settings"] is None and sheets["benchmark"] is None


def test_error_cells_are_read_as_errors(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[row(customer="#N/A", amount="#DIV/0!"), row(customer="#x")])
    sheet = read_workbook(path)["log"]
    values = sheet.rows[0][1]
    assert isinstance(values["customer"], ErrorValue) and values["customer"] == "#N/A"
    assert is_error_value(values["amount"]) and values["amount"] == "#DIV/0!"
    assert not is_error_value(sheet.rows[1][1]["customer"])


def test_no_header_row_is_a_sheet_problem(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[row()], header_row=12)
    sheet = read_workbook(path)["log"]
    assert sheet.header_row is None and [p.reason for p in sheet.problems] == ["header_missing"]
    assert "10" in sheet.problems[0].message("ja") and "日付" in sheet.problems[0].message("ja")


def test_duplicate_columns_are_a_problem(tmp_path):
    path = write_master(tmp_path / "m.xlsx", log_rows=[row()], as_table=False)
    book = openpyxl.load_workbook(path)
    book["活動ログ"]["J1"] = "金額"
    book.save(path)
    problems = read_workbook(path)["log"].problems
    assert [(p.reason, p.row, p.column, p.params) for p in problems] == [
        ("column_duplicate", 1, "金額", {"first": "F", "second": "J"})]


# -- CSV ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932"])
def test_csv_encodings(tmp_path, encoding):
    path = write_csv(tmp_path / "crm.csv", [row(date="2026/07/01", customer="株式会社①", amount="1,200",
                                                activity="受注"), None, row(date="2026-07-03")], encoding=encoding)
    sheet = read_csv(path)
    assert sheet.name == "crm.csv" and sheet.header_row == 1
    assert [(r, v["date"], v["customer"], v["amount"]) for r, v in sheet.rows] == [
        (2, "2026/07/01", "株式会社①", "1,200"), (4, "2026-07-03", "A社", None)]


def test_csv_with_english_header(tmp_path):
    path = write_csv(tmp_path / "crm.csv", [row(activity="Order", amount="5")], lang="en")
    sheet = read_csv(path)
    assert sheet.lang == "en" and sheet.rows[0][1]["activity"] == "Order"


def test_csv_in_neither_encoding_is_refused(tmp_path):
    path = tmp_path / "crm.csv"
    path.write_bytes(b"\x82\xa0\xff\xfe\x80\x81,\x00\x00")
    with pytest.raises(InputError) as err:
        read_csv(path)
    assert err.value.key == "input_csv_encoding" and "crm.csv" in err.value.message("ja")


# -- files that cannot be read ---------------------------------------------------------


def _input_error(path) -> InputError:
    with pytest.raises(InputError) as err:
        read_master(path)
    for lang in ("ja", "en"):
        assert path.name in err.value.message(lang)
    return err.value


def test_missing_file(tmp_path):
    assert _input_error(tmp_path / "nothing.xlsx").key == "input_missing"


def test_text_file_renamed_xlsx(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("this is not a workbook", encoding="utf-8")
    assert _input_error(path).key == "input_not_xlsx"


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert _input_error(path).key == "input_unreadable"


@pytest.mark.parametrize("suffix", [".xls", ".xlsb", ".ods"])
def test_unsupported_kinds(tmp_path, suffix):
    path = write_master(tmp_path / "m.xlsx", log_rows=[row()]).rename(tmp_path / f"m{suffix}")
    err = _input_error(path)
    assert err.key == "input_unsupported" and ".xlsx" in err.message("ja") and suffix in err.message("en")


@pytest.mark.parametrize("sheet", ["members", "log"])
def test_missing_required_sheet(tmp_path, sheet):
    path = write_master(tmp_path / "m.xlsx", log_rows=[row()], omit=(sheet,))
    err = _input_error(path)
    assert err.key == "input_sheet_missing"
    assert {"members": "メンバー", "log": "活動ログ"}[sheet] in err.message("ja")


def test_formula_errors_saved_by_excel_are_read_as_errors(tmp_path):
    # Excel saves a formula's cached error as <c t="e"><f>...</f><v>#REF!</v></c>.
    import xlsxwriter

    path = tmp_path / "m.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("活動ログ")
    ws.write_row(0, 0, ["日付", "担当者", "区分", "顧客"])
    ws.write_row(1, 0, ["2026/7/1", "山田 太郎", "訪問"])
    ws.write_formula(1, 3, "=#REF!", None, "#REF!")
    book.add_worksheet("メンバー").write(0, 0, "担当者")
    book.close()
    values = read_workbook(path)["log"].rows[0][1]
    assert values["customer"] == "#REF!" and is_error_value(values["customer"])
