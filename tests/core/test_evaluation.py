"""人事評価 (DOMAIN.md §7): the evaluation workbook, recalculated by LibreOffice, against a
computation written here from the log rows and targets themselves.

The master: seven reps over the fiscal year 2026-04..2026-09 (the default period on
2026-10-15), one of each grade, a rep with a KPI far above target (capped at 150%), a
KPI without a target, a rep without a sales target, one without a grade, one who joined
in July (rows and targets before are not counted), one who left in May, and two reps
with the same figures (a tie in rank).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pytest
from support.masterfactory import write_master
from support.workbooks import error_cells, formulas, same, value_diffs

from xlsales import build, read_master
from xlsales.exceptions import InputError
from xlsales.validate.values import BadValue, parse_period
from xlsales.write.evaluation import write_evaluation

TODAY = dt.date(2026, 10, 15)
MONTHS = [dt.date(2026, m, 1) for m in range(4, 10)]
KPIS = ("new_deals", "new_topics", "visits", "follows", "lists")
GRADE_JA = {"manager": "マネージャー（7年目〜）", "leader": "リーダー（4〜7年目）",
            "member_senior": "メンバー（3〜5年目）", "member_junior": "メンバー（1〜2年目）"}
DECK_WEIGHTS = {"manager": (1.0, 0.0), "leader": (0.8, 0.2), "member_senior": (0.6, 0.4), "member_junior": (0.4, 0.6)}
CAP = 1.5

MEMBERS = [
    {"rep": "青木 一郎", "team": "東京", "grade": GRADE_JA["manager"], "hire_date": dt.date(2012, 4, 1)},
    {"rep": "井上 二郎", "team": "東京", "grade": GRADE_JA["leader"]},
    {"rep": "木村 三郎", "team": "東京", "grade": GRADE_JA["leader"]},  # the same figures as 井上: a tie
    {"rep": "上田 四郎", "team": "大阪", "grade": GRADE_JA["member_senior"], "hire_date": dt.date(2026, 7, 10)},
    {"rep": "江藤 五郎", "team": "大阪", "grade": GRADE_JA["member_junior"]},
    {"rep": "小野 六郎", "team": "東京"},  # no grade
    {"rep": "加藤 七郎", "team": "大阪", "grade": GRADE_JA["leader"]},  # no sales target
    {"rep": "佐野 八郎", "grade": GRADE_JA["leader"], "left_on": dt.date(2026, 5, 20)},  # no team, left in May
]
REPS = [m["rep"] for m in MEMBERS]


def _plan(rep: str, month: dt.date) -> dict:
    """(activity counts, order amount) of one rep-month: varied, so every rep differs."""
    i, k = REPS.index(rep), month.month
    if rep == "木村 三郎":
        i = REPS.index("井上 二郎")
    return {"list": 20 + 3 * i + k, "follow": 40 + 5 * i + 2 * k, "visit": 8 + i + k % 3,
            "topic": 3 + (i + k) % 3, "deal": 1 + (i * k) % 3, "order": 1 + (i + k) % 2,
            "amount": 40.0 + 10 * i + 5 * (k % 4)}


def _rows() -> list[dict]:
    rows = []
    for rep in REPS:
        for month in [dt.date(2026, 3, 1), *MONTHS]:  # March: before the period, never counted
            p = _plan(rep, month)
            prefix = f"{rep[:2]}{month.month:02d}"
            for n in range(p["list"]):
                rows.append({"date": month.replace(day=2 + n % 20), "rep": rep, "activity": "リスト",
                             "customer": f"{prefix}L{n}"})
            for n in range(p["follow"]):
                rows.append({"date": month.replace(day=3 + n % 20), "rep": rep, "activity": "フォロー",
                             "customer": f"{prefix}F{n}"})
            for n in range(p["visit"]):
                rows.append({"date": month.replace(day=4 + n % 20), "rep": rep, "activity": "訪問",
                             "customer": f"{prefix}V{n}"})
            for n in range(p["topic"]):  # a new customer each: each topic is a new topic
                rows.append({"date": month.replace(day=5), "rep": rep, "activity": "話題", "customer": f"{prefix}T{n}",
                             "amount": 100})
            for n in range(p["deal"]):  # the first topics become deals: each a new deal
                rows.append({"date": month.replace(day=10), "rep": rep, "activity": "商談△",
                             "customer": f"{prefix}T{n}", "amount": 100})
            for n in range(min(p["order"], p["deal"])):
                rows.append({"date": month.replace(day=20), "rep": rep, "activity": "受注",
                             "customer": f"{prefix}T{n}", "amount": p["amount"]})
    # 江藤: far more visits in May than any target: a KPI at 300% over the period is capped
    for n in range(200):
        rows.append({"date": dt.date(2026, 5, 25), "rep": "江藤 五郎", "activity": "訪問", "customer": f"X{n}"})
    return rows


def _targets() -> list[dict]:
    out = []
    for rep in REPS:
        for month in [dt.date(2026, 3, 1), *MONTHS]:
            if rep == "加藤 七郎":  # no sales target, process targets only
                out.append({"rep": rep, "month": f"{month:%Y-%m}", "visits": 10, "follows": 50})
                continue
            i = REPS.index("井上 二郎") if rep == "木村 三郎" else REPS.index(rep)
            row = {"rep": rep, "month": f"{month:%Y-%m}", "sales_target": 60 + 15 * i + 5 * (month.month % 3),
                   "new_deals": 2, "new_topics": 4, "visits": 10 + i, "follows": 50 + 4 * i, "lists": 25}
            if rep == "江藤 五郎":
                row["lists"] = None  # the KPI without a target: left out
                row["visits"] = 5
            if rep == "青木 一郎":
                for k in KPIS:  # a manager without process targets: scored on the result alone
                    row[k] = None
            out.append(row)
    return out


# -- the independent computation ------------------------------------------------------


def _eligible(member: dict) -> list[dt.date]:
    hired, left = member.get("hire_date"), member.get("left_on")
    return [m for m in MONTHS if (hired is None or m >= hired.replace(day=1))
            and (left is None or m <= left.replace(day=1))]


def _expected(cap: float = CAP, weights: dict | None = None) -> dict[str, dict]:
    weights = weights or DECK_WEIGHTS
    rows, targets = _rows(), _targets()
    activity_of = {"new_deals": "商談△", "new_topics": "話題", "visits": "訪問", "follows": "フォロー",
                   "lists": "リスト"}
    out = {}
    for member in MEMBERS:
        rep, months = member["rep"], _eligible(member)
        mine = [r for r in rows if r["rep"] == rep and r["date"].replace(day=1) in months]
        tg = [t for t in targets if t["rep"] == rep and dt.date.fromisoformat(t["month"] + "-01") in months]
        sales = sum(r["amount"] for r in mine if r["activity"] == "受注")
        sales_target = sum(t.get("sales_target") or 0 for t in tg)
        result = min(cap, sales / sales_target) if sales_target else None
        kpi = {}
        for k, activity in activity_of.items():
            actual = sum(1 for r in mine if r["activity"] == activity)
            target = sum(t.get(k) or 0 for t in tg)
            kpi[k] = min(cap, actual / target) if target else None
        present = [v for v in kpi.values() if v is not None]
        process = sum(present) / len(present) if present else None
        grade = next((g for g, text in GRADE_JA.items() if text == member.get("grade")), None)
        score = None
        if result is not None and grade is not None:
            wr, wp = weights[grade]
            score = result if process is None else wr * result + wp * process
        out[rep] = {"months": months, "sales_target": sales_target, "sales": sales, "result": result, "kpi": kpi,
                    "process": process, "score": score, "team": member.get("team") or "（なし）", "grade": grade,
                    "orders": sum(1 for r in mine if r["activity"] == "受注"),
                    "visits": sum(1 for r in mine if r["activity"] == "訪問"),
                    "topics": sum(1 for r in mine if r["activity"] == "話題"),
                    "deals": sum(1 for r in mine if r["activity"] == "商談△")}
    for e in out.values():
        e["rank"] = None if e["score"] is None else 1 + sum(
            1 for o in out.values() if o["team"] == e["team"] and o["score"] is not None and o["score"] > e["score"])
    return out


# -- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def master_path(tmp_path_factory):
    return write_master(tmp_path_factory.mktemp("eval") / "master.xlsx", log_rows=_rows(), members=MEMBERS,
                        targets=_targets())


@pytest.fixture(scope="module")
def written(master_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("eval-out")
    return write_evaluation(read_master(master_path), out, today=TODAY, per_rep=True)


@pytest.fixture(scope="module")
def recalculated(written, tmp_path_factory):
    from support.libreoffice import recalculate

    return recalculate(written.workbook, tmp_path_factory.mktemp("eval-recalc"))


HEAD_ROW = 5  # the 評価 sheet's header row (1-based)


def _table(path) -> dict[str, dict]:
    ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    heads = [c.value for c in ws[HEAD_ROW]]
    out = {}
    for r in range(HEAD_ROW + 1, ws.max_row + 1):
        rep = ws.cell(r, 1).value
        if rep in REPS:
            out[rep] = dict(zip(heads, [ws.cell(r, c + 1).value for c in range(len(heads))]))
    return out


def _num(v):
    return None if v in (None, "") else v


# -- the proof ---------------------------------------------------------------------------


def test_default_period_files_and_sheets(written):
    assert written.period == (dt.date(2026, 4, 1), dt.date(2026, 9, 1))
    assert written.workbook.name == "人事評価_2026-04_2026-09.xlsx"
    assert written.as_of == dt.date(2026, 9, 30)
    wb = openpyxl.load_workbook(written.workbook)
    assert wb.sheetnames[:2] == ["評価", "評価設定"]
    assert wb.sheetnames[2:2 + len(REPS)] == REPS
    assert wb.active.title == "評価"
    assert "活動ログ" in wb.sheetnames
    assert sorted(written.people) == sorted(REPS)
    assert written.people["上田 四郎"].name == "人事評価_上田 四郎_2026-04_2026-09.xlsx"


@pytest.mark.libreoffice
def test_libreoffice_equals_the_independent_computation(recalculated):
    got, expected = _table(recalculated), _expected()
    assert set(got) == set(REPS)
    kpi_heads = {"new_deals": "商談化件数\n達成率", "new_topics": "話題化件数\n達成率", "visits": "訪問件数\n達成率",
                 "follows": "フォロー件数\n達成率", "lists": "リスト件数\n達成率"}
    for rep, e in expected.items():
        g = got[rep]
        assert g["売上目標"] == e["sales_target"], rep
        assert same(g["売上"], e["sales"]), rep
        assert same(_num(g["結果達成率"]), e["result"]), (rep, g["結果達成率"], e["result"])
        for k, head in kpi_heads.items():
            assert same(_num(g[head]), e["kpi"][k]), (rep, k, g[head], e["kpi"][k])
        assert same(_num(g["プロセス達成率"]), e["process"]), rep
        assert same(_num(g["評価点"]), e["score"]), (rep, g["評価点"], e["score"])
        assert _num(g["チーム内順位"]) == e["rank"], (rep, g["チーム内順位"], e["rank"])
        assert g["チーム"] == e["team"]
        if e["grade"]:
            assert (g["結果の重み"], g["プロセスの重み"]) == DECK_WEIGHTS[e["grade"]]


@pytest.mark.libreoffice
def test_each_case_of_the_rules(recalculated):
    got, e = _table(recalculated), _expected()
    # each grade weighs as the deck says (the score is not just the result but for the manager)
    for rep, grade in (("井上 二郎", "leader"), ("上田 四郎", "member_senior"), ("江藤 五郎", "member_junior")):
        wr, wp = DECK_WEIGHTS[grade]
        assert e[rep]["process"] is not None and e[rep]["result"] is not None
        assert got[rep]["評価点"] == pytest.approx(wr * e[rep]["result"] + wp * e[rep]["process"])
    # the manager has no process target: scored on the result alone, and 備考 says so
    assert got["青木 一郎"]["評価点"] == pytest.approx(e["青木 一郎"]["result"])
    assert "結果達成率のみ" in got["青木 一郎"]["備考"]
    # a KPI at 300% counts 150%
    visits = sum(1 for r in _rows() if r["rep"] == "江藤 五郎" and r["activity"] == "訪問"
                 and r["date"].replace(day=1) in MONTHS)
    assert visits / (5 * len(MONTHS)) >= 3
    assert got["江藤 五郎"]["訪問件数\n達成率"] == 1.5
    # the KPI without a target is left out and named
    assert got["江藤 五郎"]["リスト件数\n達成率"] is None
    assert "リスト件数" in got["江藤 五郎"]["備考"]
    # no sales target: blank score and the reason, never 0
    assert got["加藤 七郎"]["評価点"] is None and got["加藤 七郎"]["チーム内順位"] is None
    assert "売上目標がない" in got["加藤 七郎"]["備考"]
    # no grade: blank score and the reason
    assert got["小野 六郎"]["評価点"] is None and "等級が未設定" in got["小野 六郎"]["備考"]
    # joined in July: only July-September count, in actuals and in targets; 備考 says so
    assert got["上田 四郎"]["対象月"] == "7月〜9月"
    assert "入社日 2026/07/10" in got["上田 四郎"]["備考"]
    assert e["上田 四郎"]["sales_target"] < sum(t["sales_target"] for t in _targets()
                                               if t["rep"] == "上田 四郎" and t["month"] >= "2026-04")
    # left in May: April and May only
    assert got["佐野 八郎"]["対象月"] == "4月〜5月" and "退職日" in got["佐野 八郎"]["備考"]
    # a tie shares its rank; the next rank skips
    assert got["井上 二郎"]["評価点"] == got["木村 三郎"]["評価点"]
    assert got["井上 二郎"]["チーム内順位"] == got["木村 三郎"]["チーム内順位"]
    tokyo = sorted(v["チーム内順位"] for v in got.values() if v["チーム"] == "東京" and v["チーム内順位"])
    assert tokyo in ([1, 1, 3], [1, 2, 2])


@pytest.mark.libreoffice
def test_the_funnel_sums_the_reps_months(recalculated):
    ws = openpyxl.load_workbook(recalculated, data_only=True).worksheets[0]
    e = _expected()
    found = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert found["訪問件数"] == sum(v["visits"] for v in e.values())
    assert found["話題化件数"] == sum(v["topics"] for v in e.values())
    assert found["商談化件数"] == sum(v["deals"] for v in e.values())
    assert found["受注件数"] == sum(v["orders"] for v in e.values())


@pytest.mark.libreoffice
def test_cached_values_equal_libreoffice(written, recalculated):
    assert value_diffs(written.workbook, recalculated) == []
    assert error_cells(recalculated) == []


def test_formulas_read_the_monthly_cells_of_the_eligible_months(written):
    wb = openpyxl.load_workbook(written.workbook)
    on_sheet = [(c, f) for s, c, f in formulas(written.workbook) if s == "評価"]
    assert on_sheet
    month_cols = {"C", "D", "E", "F", "G", "H"}  # 2026-04..2026-09; I is the 合計 column
    assert wb["井上 二郎"]["I5"].value == "合計"
    refs = []
    for cell, formula in on_sheet:
        assert "ActivityLog" not in formula and "活動ログ" not in formula, cell
        assert "IFERROR" not in formula.upper()
        refs += re.findall(r"'([^']+)'!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?", formula)
    rep_refs = [r for r in refs if r[0] in REPS]
    assert rep_refs
    for sheet, c1, _, c2, _ in rep_refs:
        assert {c1, c2 or c1} <= month_cols, (sheet, c1, c2)
    # 上田 joined in July: his ranges start at July's column (F); 佐野 left in May: they end at May's (D)
    assert {(c1, c2) for s, c1, _, c2, _ in rep_refs if s == "上田 四郎"} == {("F", "H")}
    assert {(c1, c2) for s, c1, _, c2, _ in rep_refs if s == "佐野 八郎"} == {("C", "D")}


def test_per_rep_workbook_holds_only_that_rep(written):
    path = written.people["江藤 五郎"]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["評価", "評価設定", "江藤 五郎"]
    assert not set(REPS[:4]) & set(wb.sheetnames)
    reps_on_sheet = [wb["評価"].cell(r, 1).value for r in range(6, 20) if wb["評価"].cell(r, 1).value in REPS]
    assert reps_on_sheet == ["江藤 五郎"]
    log = wb["活動ログ"]
    assert {log.cell(r, 3).value for r in range(2, log.max_row + 1)} - {None} == {"江藤 五郎"}
    with zipfile.ZipFile(path) as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    for other in REPS:
        if other != "江藤 五郎":
            assert other not in text, other


def test_the_evaluation_is_never_in_a_builds_workbooks(master_path, tmp_path):
    result = build(read_master(master_path), tmp_path, as_of=TODAY)
    for path in result.paths:
        names = openpyxl.load_workbook(path, read_only=True).sheetnames
        assert "評価" not in names and "評価設定" not in names, path.name
        with zipfile.ZipFile(path) as z:
            text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        assert "人事評価" not in text and "評価点" not in text, path.name


def test_explicit_period_and_english(master_path, tmp_path):
    result = write_evaluation(read_master(master_path), tmp_path, period=(dt.date(2026, 7, 1), dt.date(2026, 8, 1)),
                              lang="en", today=TODAY)
    assert result.workbook.name == "Evaluation_2026-07_2026-08.xlsx"
    wb = openpyxl.load_workbook(result.workbook)
    assert wb.sheetnames[:2] == ["Evaluation", "Evaluation weights"]
    heads = [c.value for c in wb["Evaluation"][HEAD_ROW]]
    assert heads[:4] == ["Rep", "Team", "Grade", "Months"] and "Score" in heads and "Rank in team" in heads
    assert not result.people
    # 佐野 left in May: no month in July-August, no row
    assert "佐野 八郎" not in [wb["Evaluation"].cell(r, 1).value for r in range(6, 20)]


def test_a_bad_or_reversed_period_is_refused(master_path, tmp_path):
    with pytest.raises(InputError) as err:
        write_evaluation(read_master(master_path), tmp_path, period=(dt.date(2026, 9, 1), dt.date(2026, 4, 1)))
    assert "2026-04" in err.value.message("ja") and "前" in err.value.message("ja")
    assert "before" in err.value.message("en")
    with pytest.raises(InputError):
        write_evaluation(read_master(master_path), tmp_path, period=(dt.date(2024, 1, 1), dt.date(2027, 3, 1)))
    assert parse_period("2026-04:2026-10") == (dt.date(2026, 4, 1), dt.date(2026, 10, 1))
    assert parse_period("2026/4：2026/10") == (dt.date(2026, 4, 1), dt.date(2026, 10, 1))
    for bad, reason in (("2026-04", "period_invalid"), ("2026-13:2026-14", "period_invalid"),
                        ("2026-10:2026-04", "period_reversed")):
        with pytest.raises(BadValue) as err:
            parse_period(bad)
        assert err.value.reason == reason


@pytest.mark.libreoffice
def test_a_manager_tries_other_weights_and_cap_in_the_workbook(written, tmp_path):
    from support.lo_edit import edit_in_libreoffice, uno_python

    if uno_python() is None:
        pytest.skip("python3-uno is not installed")
    ws = openpyxl.load_workbook(written.workbook)["評価設定"]
    assert ws["A6"].value == GRADE_JA["leader"] and ws["A10"].value == "達成率上限"
    out = tmp_path / "tried.xlsx"
    # リーダー 50/50 instead of 80/20, and a cap of 120%, typed as a manager would
    edit_in_libreoffice(written.workbook, out, "評価設定", [(6, 2, "typed", "0.5"), (6, 3, "typed", "0.5"),
                                                          (10, 2, "typed", "1.2")])
    got = _table(out)
    e = _expected(cap=1.2, weights={**DECK_WEIGHTS, "leader": (0.5, 0.5)})
    for rep in REPS:
        assert same(_num(got[rep]["評価点"]), e[rep]["score"]), (rep, got[rep]["評価点"], e[rep]["score"])
        assert same(_num(got[rep]["結果達成率"]), e[rep]["result"]), rep
    assert got["江藤 五郎"]["訪問件数\n達成率"] == 1.2
    assert got["井上 二郎"]["結果の重み"] == 0.5
