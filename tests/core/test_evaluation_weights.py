"""The 評価設定 sheet of the master (DOMAIN.md §4, §7): read, refused with sheet/row/column, written by new."""

from __future__ import annotations

import openpyxl
import pytest
from support.masterfactory import write_master

from xlsales import Master, Member, read_master, validate_master
from xlsales import write_master as write_new_master

MEMBERS = [{"rep": "山田 太郎", "grade": "リーダー（4〜7年目）"}, {"rep": "佐藤 花子", "grade": "member_junior"}]
ALL = [{"grade": g, "result": r, "process": p} for g, r, p in (
    ("マネージャー（7年目〜）", 1, 0), ("リーダー（4〜7年目）", "70%", "30%"), ("member_senior", 0.5, 0.5),
    ("Member (years 1-2)", "30%", 0.7))]


def _problems(tmp_path, **kwargs):
    return [(p.sheet, p.row, p.column, p.reason, p.message("ja"), p.message("en"))
            for p in validate_master(write_master(tmp_path / "m.xlsx", **kwargs))]


def test_without_the_sheet_the_decks_defaults(tmp_path):
    master = read_master(write_master(tmp_path / "m.xlsx", members=MEMBERS))
    assert master.weights == {"manager": (1.0, 0.0), "leader": (0.8, 0.2), "member_senior": (0.6, 0.4),
                              "member_junior": (0.4, 0.6)}


def test_the_sheet_by_ja_or_en_label_or_key_and_either_form_of_percent(tmp_path):
    master = read_master(write_master(tmp_path / "m.xlsx", members=MEMBERS, weights=ALL))
    assert master.weights == {"manager": (1.0, 0.0), "leader": (0.7, 0.3), "member_senior": (0.5, 0.5),
                              "member_junior": (0.3, 0.7)}


def test_an_english_sheet(tmp_path):
    path = write_master(tmp_path / "m.xlsx", members=MEMBERS, weights=ALL, lang="en")
    assert openpyxl.load_workbook(path).sheetnames[-1] == "Evaluation weights"
    assert read_master(path).weights["leader"] == (0.7, 0.3)


def test_unknown_grade(tmp_path):
    rows = [*ALL, {"grade": "部長", "result": 1, "process": 0}]
    [(sheet, row, column, reason, ja, en)] = _problems(tmp_path, members=MEMBERS, weights=rows)
    assert (sheet, row, column, reason) == ("評価設定", 6, "等級", "unknown_choice")
    assert "マネージャー（7年目〜）" in ja and "Manager (year 7+)" in en


def test_duplicate_grade(tmp_path):
    rows = [*ALL, {"grade": "leader", "result": 0.8, "process": 0.2}]
    [(sheet, row, column, reason, ja, en)] = _problems(tmp_path, members=MEMBERS, weights=rows)
    assert (sheet, row, column, reason) == ("評価設定", 6, "等級", "grade_duplicate")
    assert "3 行目" in ja and "row 3" in en


@pytest.mark.parametrize("value", [-0.1, "120%", 1.5, "abc"])
def test_weight_out_of_range(tmp_path, value):
    rows = [dict(ALL[0], result=value), *ALL[1:]]
    found = _problems(tmp_path, members=MEMBERS, weights=rows)
    assert [(s, r, c, reason) for s, r, c, reason, _, _ in found] == [("評価設定", 2, "結果", "weight_invalid")]
    assert "0% 以上 100% 以下" in found[0][4] and "0% to 100%" in found[0][5]


def test_weights_must_add_up_to_100(tmp_path):
    rows = [*ALL[:3], {"grade": "member_junior", "result": "40%", "process": "50%"}]
    [(sheet, row, column, reason, ja, en)] = _problems(tmp_path, members=MEMBERS, weights=rows)
    assert (sheet, row, column, reason) == ("評価設定", 5, "プロセス", "weights_sum")
    assert "90%" in ja and "100%" in ja and "90%" in en


def test_a_rounding_difference_is_not_an_error(tmp_path):
    rows = [*ALL[:3], {"grade": "member_junior", "result": "33.3%", "process": "66.7%"}]
    assert _problems(tmp_path, members=MEMBERS, weights=rows) == []
    rows = [*ALL[:3], {"grade": "member_junior", "result": "33%", "process": "66%"}]
    assert [p[3] for p in _problems(tmp_path, members=MEMBERS, weights=rows)] == ["weights_sum"]


def test_blank_weight_is_required(tmp_path):
    rows = [*ALL[:3], {"grade": "member_junior", "result": "40%"}]
    found = _problems(tmp_path, members=MEMBERS, weights=rows)
    assert [(s, r, c, reason) for s, r, c, reason, _, _ in found] == [("評価設定", 5, "プロセス", "required")]


def test_a_members_grade_missing_from_the_table_names_the_members_cell(tmp_path):
    [(sheet, row, column, reason, ja, en)] = _problems(tmp_path, members=MEMBERS, weights=ALL[:3])
    assert (sheet, row, column, reason) == ("メンバー", 3, "等級", "grade_not_weighted")
    assert "メンバー（1〜2年目）" in ja and "評価設定" in ja
    assert "Member (years 1-2)" in en


def test_new_writes_the_defaults_as_a_table_with_validation_and_help(tmp_path):
    for lang, name, headers in (("ja", "評価設定", ["等級", "結果", "プロセス"]),
                                ("en", "Evaluation weights", ["Grade", "Result", "Process"])):
        path = write_new_master(tmp_path / f"new-{lang}.xlsx", lang=lang)
        ws = openpyxl.load_workbook(path)[name]
        assert dict(ws.tables.items()) == {"Weights": "A1:C5"}
        assert [c.value for c in ws[1]][:3] == headers
        rows = [[c.value for c in r[:3]] for r in ws.iter_rows(min_row=2, max_row=5)]
        assert [r[1:] for r in rows] == [[1, 0], [0.8, 0.2], [0.6, 0.4], [0.4, 0.6]]
        assert ws["B2"].number_format == "0%"
        kinds = sorted(dv.type for dv in ws.data_validations.dataValidation)
        assert kinds == ["decimal", "decimal", "list"]
        assert "100/0, 80/20" in ws["E2"].value or "100/0、80/20" in ws["E2"].value
        # ... and reads back as the deck's defaults.
        assert read_master(path).weights["member_senior"] == (0.6, 0.4)


def test_written_weights_round_trip(tmp_path):
    master = Master(members=[Member("山田 太郎", grade="leader")], weights={"leader": (0.7, 0.3)})
    assert read_master(write_new_master(tmp_path / "m.xlsx", master)).weights == {"leader": (0.7, 0.3)}
