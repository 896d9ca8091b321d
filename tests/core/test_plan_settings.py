"""The plan's and evaluation's settings on 設定 (DOMAIN.md §4, issue 15 groundwork): read,
refused with sheet/row/column and reason, and written by xlsales new."""

from __future__ import annotations

import dataclasses
import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from xlsales.cli import cli
from xlsales.model import Settings
from xlsales.validate.master import read_grids, validate_grids

LOG = [["日付", "担当者", "区分", "顧客"], [dt.date(2026, 7, 1), "佐藤 健太", "訪問", "A社"]]
KEYS = ["annual_target", "unit_price", "win_rate", "deal_rate", "topic_rate", "appointment_rate", "list_rate",
        "achievement_cap"]


def _grids(settings_rows):
    return {"活動ログ": LOG, "メンバー": [["担当者"], ["佐藤 健太"]], "設定": [["項目", "値"], *settings_rows]}


def test_defaults_leave_the_plan_to_last_years_log():
    s = read_grids(_grids([])).settings
    assert [getattr(s, k) for k in KEYS] == [None] * 7 + [1.5]
    assert Settings().achievement_cap == 1.5


def test_the_deck_plan_is_read_in_japanese_and_in_english():
    rows = [["年間売上目標", "6,720"], ["受注単価", 70], ["受注率", "25%"], ["商談化率", 0.5], ["話題化率", "40%"],
            ["アポ率", "12.8%"], ["リスト→フォロー比", 1.2], ["達成率上限", "150%"]]
    s = read_grids(_grids(rows)).settings
    assert [getattr(s, k) for k in KEYS] == [6720, 70, 0.25, 0.5, 0.4, pytest.approx(0.128), 1.2, 1.5]
    en = read_grids(_grids([["win_rate", 1], ["list_rate", 3], ["achievement_cap", 1]])).settings
    assert (en.win_rate, en.list_rate, en.achievement_cap) == (1, 3, 1)


@pytest.mark.parametrize("item, value, reason", [
    ("年間売上目標", -100, "number_negative"),
    ("受注単価", -5, "number_negative"),
    ("受注率", 0, "rate_invalid"),
    ("商談化率", "0%", "rate_invalid"),
    ("話題化率", "120%", "rate_invalid"),
    ("アポ率", 1.5, "rate_invalid"),
    ("受注率", "高い", "rate_invalid"),
    ("リスト→フォロー比", 0, "ratio_invalid"),
    ("リスト→フォロー比", -1, "ratio_invalid"),
    ("達成率上限", "90%", "cap_invalid"),
])
def test_bad_plan_settings_name_sheet_row_column_and_reason(item, value, reason):
    problems = validate_grids(_grids([["言語", "ja"], [item, value]]))
    assert [(p.sheet, p.row, p.column, p.reason) for p in problems] == [("設定", 3, "値", reason)]
    ja, en = problems[0].message("ja"), problems[0].message("en")
    assert "3" in ja and "値" in ja and ja != en


def test_xlsales_new_writes_the_plan_settings_blank_and_the_cap(tmp_path):
    path = tmp_path / "m.xlsx"
    assert CliRunner().invoke(cli, ["new", str(path), "--lang", "en"]).exit_code == 0
    rows = {r[0]: r[1] for r in openpyxl.load_workbook(path)["Settings"].iter_rows(min_row=2, values_only=True)}
    assert [rows[k] for k in KEYS] == [None] * 7 + [1.5]
    grids = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in openpyxl.load_workbook(path)}
    read_back = read_grids(grids).settings  # what xlsales new writes reads back as the defaults
    assert read_back.master_id and dataclasses.replace(read_back, master_id="") == Settings()
