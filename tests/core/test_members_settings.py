"""Members 退職日 / リーダー and the mail settings of 設定 (issue 13): parsed, refused with
sheet/row/column, written by xlsales new."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from xlsales.cli import cli
from xlsales.model import ReplyBy
from xlsales.validate.master import read_grids, read_master, validate_grids

LOG = [["日付", "担当者", "区分", "顧客"], [dt.date(2026, 7, 1), "佐藤 健太", "訪問", "A社"]]


def _grids(members_extra, settings_rows):
    members = [["担当者", "メール", "退職日", "リーダー"], ["佐藤 健太", "sato@example.jp", None, None],
               *members_extra]
    return {"活動ログ": LOG, "メンバー": members, "設定": [["項目", "値"], *settings_rows]}


def test_left_on_and_leader_are_read():
    master = read_grids(_grids([["田中 花子", "", "2026-06-30", "◯"], ["鈴木 一郎", "", None, "○"],
                                ["高橋 二郎", "", None, ""]], []))
    by_rep = {m.rep: m for m in master.members}
    assert by_rep["田中 花子"].left_on == dt.date(2026, 6, 30) and by_rep["田中 花子"].leader
    assert by_rep["鈴木 一郎"].leader and not by_rep["高橋 二郎"].leader and not by_rep["佐藤 健太"].leader
    assert by_rep["佐藤 健太"].left_on is None


def test_mail_settings_are_read_with_their_defaults():
    default = read_grids(_grids([], [])).settings
    assert (default.smtp_security, default.smtp_port, default.reply_by) == ("starttls", None, ReplyBy(5, True))
    rows = [["マネージャーのメール", "boss@example.jp"], ["SMTPサーバー", "smtp.example.jp"], ["SMTPポート", 465],
            ["SMTP暗号化", "SSL"], ["差出人メール", "sales@example.jp"], ["返送期限", "15日"]]
    s = read_grids(_grids([], rows)).settings
    assert (s.manager_email, s.smtp_host, s.smtp_port, s.smtp_security, s.mail_from, s.reply_by) == (
        "boss@example.jp", "smtp.example.jp", 465, "ssl", "sales@example.jp", ReplyBy(15, False))
    en = read_grids(_grids([], [["smtp_security", "none"], ["reply_by", "day 3"]])).settings
    assert (en.smtp_security, en.reply_by) == ("none", ReplyBy(3, False))
    assert read_grids(_grids([], [["返送期限", 7]])).settings.reply_by == ReplyBy(7, True)


@pytest.mark.parametrize("sheet, row, column, value, reason", [
    ("メンバー", 3, "リーダー", "たぶん", "leader_invalid"),
    ("メンバー", 3, "退職日", "来月", None),
    ("設定", 2, "値", "TLS1.3", "smtp_security_invalid"),
    ("設定", 2, "値", 0, "port_invalid"),
    ("設定", 2, "値", "来週", "reply_by_invalid"),
    ("設定", 2, "値", 24, "reply_by_invalid"),
    ("設定", 2, "値", "boss", "email_invalid"),
])
def test_bad_values_name_sheet_row_and_column(sheet, row, column, value, reason):
    if sheet == "メンバー":
        extra = [["田中 花子", "", value if column == "退職日" else None, value if column == "リーダー" else None]]
        grids = _grids(extra, [])
    else:
        item = {"smtp_security_invalid": "SMTP暗号化", "port_invalid": "SMTPポート", "reply_by_invalid": "返送期限",
                "email_invalid": "マネージャーのメール"}[reason]
        grids = _grids([], [[item, value]])
    problems = validate_grids(grids)
    assert len(problems) == 1
    p = problems[0]
    assert (p.sheet, p.row, p.column) == (sheet, row, column)
    if reason:
        assert p.reason == reason
    assert f"{row}" in p.message("ja") and column in p.message("ja")
    assert p.message("en") != p.message("ja")


def test_xlsales_new_writes_the_mail_settings_and_member_columns(tmp_path):
    path = tmp_path / "m.xlsx"
    assert CliRunner().invoke(cli, ["new", str(path), "--lang", "en"]).exit_code == 0
    wb = openpyxl.load_workbook(path)
    items = [r[0] for r in wb["Settings"].iter_rows(min_row=2, values_only=True)]
    assert items[-16:-8] == ["manager_email", "smtp_host", "smtp_port", "smtp_security", "mail_from", "reply_by",
                             "closed_days", "stale_days"]
    values = {r[0]: r[1] for r in wb["Settings"].iter_rows(min_row=2, values_only=True)}
    assert (values["smtp_security"], values["reply_by"]) == ("STARTTLS", 5)
    assert [c.value for c in wb["Members"][1]][-2:] == ["Left on", "Leader"]
    assert read_master(path).settings.reply_by == ReplyBy(5, True)
