"""The 年間計画 sheet (issue 15 §1) on real workbooks recalculated by LibreOffice.

Every figure is checked against arithmetic written here from the inputs (the deck's
numbers, or counts of the log rows these tests write), never against
``compute.annual_plan``; and the values xlsales cached equal LibreOffice's.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil

import openpyxl
import pytest
from click.testing import CliRunner
from support.masterfactory import write_master
from support.workbooks import error_cells, formulas, process_table, value_diffs

from xlsales import build, read_master
from xlsales.cli import cli
from xlsales.compute.annual_plan import annual_plan
from xlsales.layout.plan import PlanCells, excel_text, layout_plan
from xlsales.write.plan import write_plan

D = dt.date
COUNTS = ("orders", "new_deals", "new_topics", "visits", "follows", "lists")
INPUTS = ("annual_target", "last_year_sales", "retention", "unit_price", "win_rate", "deal_rate", "topic_rate",
          "appointment_rate", "list_rate")
DECK = {"annual_target": 6720, "unit_price": 70, "win_rate": 0.5, "deal_rate": 0.8, "topic_rate": 0.625,
        "appointment_rate": 0.128, "list_rate": 1.25}


def up(x: float) -> int:
    """A count rounded up as the sheet does: ROUNDUP(ROUND(x, 6), 0)."""
    return math.ceil(round(x, 6))


def half_up(x: float) -> int:
    return math.floor(x + 0.5)


def where(master_path, year):
    """The cells of the plan sheet of ``master_path`` (positions only)."""
    at = PlanCells()
    layout_plan("x", annual_plan(read_master(master_path), year), lang="ja", unit="万円", cells=at)
    return at


def values(path, sheet="年間計画"):
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return lambda row, col: ws.cell(row + 1, col + 1).value


def assert_recalculates_to_its_cache(path, recalculated):
    assert error_cells(recalculated) == []
    assert value_diffs(path, recalculated) == []


# ---------------------------------------------------------------------------------
# (i) the deck's example: inputs typed on 設定
# ---------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_the_decks_plan_from_inputs_on_settings(tmp_path, recalc):
    master = write_master(tmp_path / "m.xlsx", members=["佐藤 健太"], settings=DECK,
                          log_rows=[{"date": D(2026, 5, 8), "rep": "佐藤 健太", "activity": "訪問", "customer": "A社"}])
    path = write_plan(read_master(master), tmp_path / "out", year=D(2026, 4, 1))
    assert path.name == "年間計画_2026年度.xlsx"
    lo = recalc(path)
    assert_recalculates_to_its_cache(path, lo)
    at, get = where(master, D(2026, 4, 1)), values(lo)
    # 6,720 ÷ 70 = 96 orders; ÷ 50% = 192 deals; ÷ 80% = 240 topics; ÷ 62.5% = 384 visits;
    # ÷ 12.8% = 3,000 follow-ups; ÷ 1.25 = 2,400 list entries
    assert [get(*at.chain[k]) for k in ("sales_target", "retained_sales", "new_sales", *COUNTS)] == \
        [6720, 0, 6720, 96, 192, 240, 384, 3000, 2400]
    assert get(at.chain["orders"][0], 2) == "6,720 万円 ÷ 受注単価 70 万円 → 96 件（96 件 × 70 万円 = 6,720 万円）"
    assert get(at.chain["follows"][0], 2) == "訪問 384 件 ÷ アポ率 12.8% → 3,000 件"
    # The sources: every rate typed on 設定; no log last year.
    inputs = {k: get(at.inputs[k][0], 2) for k in INPUTS}
    assert inputs["annual_target"] == inputs["unit_price"] == inputs["list_rate"] == "設定"
    assert inputs["last_year_sales"] == inputs["retention"] == "既定値"
    # The benchmark: one average month, 560 = 8 × 70, 32 visits, 250 follow-ups.
    b = at.bench_rows["佐藤 健太"]
    assert [get(b, c) for c in range(2, 9)] == [560, 8, 16, 20, 32, 250, 200]
    # No log last year: even months, and the sheet says so.
    assert [get(at.weights, 1 + j) for j in range(12)] == pytest.approx([1 / 12] * 12)
    sheet_text = [get(r, 0) for r in range(at.weights, at.weights + 3)]
    assert any(isinstance(s, str) and "前年度のログがないため均等に配分" in s for s in sheet_text)
    # One rep: the whole plan; months: 96 × 1/12 = 8 orders, 560 sales each.
    m = at.month_rows["佐藤 健太"]
    assert [get(m["orders"], 1 + j) for j in range(12)] == [8] * 12
    assert [get(m["sales_target"], 1 + j) for j in range(12)] == [560] * 12
    assert get(m["follows"], 13) == 250 * 12


@pytest.mark.libreoffice
def test_build_shows_the_plans_benchmark_column_and_the_plan_sheet_in_the_team_workbook_only(tmp_path, recalc):
    # No ベンチマーク sheet: the target/process sheets' benchmark column is the plan's average month.
    reps = ["佐藤 健太", "田中 花子"]
    master = write_master(tmp_path / "m.xlsx", members=[{"rep": r, "team": t} for r, t in zip(reps, ("1課", "2課"))],
                          settings=DECK, omit=("benchmark",),
                          log_rows=[{"date": D(2026, 5, 8), "rep": "佐藤 健太", "activity": "訪問", "customer": "A社"}])
    result = build(read_master(master), tmp_path / "out", as_of=D(2026, 6, 30))
    assert "年間計画" in openpyxl.load_workbook(result.team).sheetnames
    for path in [*result.teams.values(), *result.people.values()]:
        assert "年間計画" not in openpyxl.load_workbook(path).sheetnames, path.name
    lo = recalc(result.team)
    assert error_cells(lo) == []
    # Two reps without last year's sales: half each; 96 / 2 = 48 orders a year, 4 a month, 4 × 70 = 280.
    rep = process_table(lo, "佐藤 健太")
    assert (rep["売上目標"][0], rep["受注件数"][0], rep["訪問件数"][0], rep["フォロー件数"][0]) == (280, 4, 16, 125)
    # The team sheet adds the reps': 560 = 8 × 70, 32 visits, 250 follow-ups (the deck's column).
    team = process_table(lo, "チーム")
    assert (team["売上目標"][0], team["受注件数"][0], team["訪問件数"][0], team["フォロー件数"][0]) == (560, 8, 32, 250)
    # The plan sheet in the team workbook: per-team subtotals and the total.
    get = values(lo)
    ws = openpyxl.load_workbook(lo, data_only=True)["年間計画"]
    labels_a = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert "1課 小計" in labels_a and "2課 小計" in labels_a
    total = [r for r, v in enumerate(labels_a) if v == "合計"][0]  # the annual block's total row
    assert [get(total, c) for c in range(6, 12)] == [96, 192, 240, 384, 3000, 2400]
    # No formula of the plan sheet reads the activity log.
    plan_formulas = [f for sheet, _, f in formulas(result.team) if sheet == "年間計画"]
    assert plan_formulas and not any("ActivityLog" in f or "活動ログ" in f for f in plan_formulas)


# ---------------------------------------------------------------------------------
# (ii) rates, pattern and shares from last year's log; (iii) spreading by them
# ---------------------------------------------------------------------------------

# Fiscal 2025 (April 2025 – March 2026): each customer goes topic → deal △ → order once, so
# new topics are the customers with a topic row and new deals those with a deal row.
# (rep, customer, month of the order, amount); the topic and deal come the same month.
ORDERS = [("A", "a1", D(2025, 5, 1), 120), ("A", "a2", D(2025, 8, 1), 300), ("B", "b1", D(2025, 8, 1), 200),
          ("B", "b2", D(2025, 12, 1), 90), ("A", "a3", D(2026, 3, 1), 50)]
TOPIC_ONLY = [("A", "t1", D(2025, 6, 1)), ("B", "t2", D(2025, 7, 1)), ("B", "t3", D(2025, 7, 1)),
              ("A", "t4", D(2025, 10, 1))]
DEAL_ONLY = [("B", "d1", D(2025, 9, 1))]
VISITS = {("A", D(2025, 5, 1)): 9, ("B", D(2025, 7, 1)): 14, ("A", D(2025, 11, 1)): 7}
FOLLOWS = {("A", D(2025, 5, 1)): 40, ("B", D(2025, 9, 1)): 55}
LISTS = {("B", D(2025, 4, 1)): 30}
TEAMS = {"A": "東", "B": "西", "C": "東"}


def _log_rows():
    rows = []
    for rep, cust, month, amount in ORDERS:
        rows += [{"date": month.replace(day=3), "rep": rep, "activity": "話題", "customer": cust, "amount": amount},
                 {"date": month.replace(day=5), "rep": rep, "activity": "商談△", "customer": cust, "amount": amount},
                 {"date": month.replace(day=20), "rep": rep, "activity": "受注", "customer": cust, "amount": amount}]
    for rep, cust, month in TOPIC_ONLY:
        rows.append({"date": month.replace(day=4), "rep": rep, "activity": "話題", "customer": cust, "amount": 10})
    for rep, cust, month in DEAL_ONLY:
        rows.append({"date": month.replace(day=6), "rep": rep, "activity": "商談△", "customer": cust, "amount": 10})
    for kind, table in (("訪問", VISITS), ("フォロー", FOLLOWS), ("リスト", LISTS)):
        for (rep, month), n in table.items():
            rows += [{"date": month.replace(day=10), "rep": rep, "activity": kind, "customer": f"{kind}{i}"}
                     for i in range(n)]
    return rows


def _expected_from_the_log(annual_target):
    # The counts of the rows above, and the plan worked out by hand from them.
    sales = sum(a for *_, a in ORDERS)
    orders = len(ORDERS)
    deals = len(ORDERS) + len(DEAL_ONLY)
    topics = len(ORDERS) + len(TOPIC_ONLY)
    visits, follows, lists = sum(VISITS.values()), sum(FOLLOWS.values()), sum(LISTS.values())
    rates = {"unit_price": sales / orders, "win_rate": orders / deals, "deal_rate": deals / topics,
             "topic_rate": topics / visits, "appointment_rate": visits / follows, "list_rate": follows / lists}
    chain = {"sales_target": annual_target, "retained_sales": sales, "new_sales": max(annual_target - sales, 0)}
    before = chain["new_sales"]
    for key, rate in zip(COUNTS, ("unit_price", "win_rate", "deal_rate", "topic_rate", "appointment_rate",
                                  "list_rate")):
        before = chain[key] = up(before / rates[rate])
    # The pattern: sales by month; months without any log row get the mean of those with rows.
    months = [D(2025, 4, 1)] + [D(2025 + (m < 4), m, 1) for m in (5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    seen = {m for *_, m, _ in ORDERS} | {m for *_, m in TOPIC_ONLY} | {m for *_, m in DEAL_ONLY} | \
        {m for _, m in (*VISITS, *FOLLOWS, *LISTS)}
    by_month = {m: sum(a for *_, mo, a in ORDERS if mo == m) for m in months}
    mean = sum(by_month[m] for m in seen) / len(seen)
    pattern = [by_month[m] if m in seen else mean for m in months]
    weights = [p / sum(pattern) for p in pattern]
    # Shares: C sold nothing and gets 1/3; A and B share the other 2/3 by their sales.
    by_rep = {r: sum(a for rep, *_, a in ORDERS if rep == r) for r in "ABC"}
    shares = {"A": 2 / 3 * by_rep["A"] / sales, "B": 2 / 3 * by_rep["B"] / sales, "C": 1 / 3}
    return rates, chain, pattern, weights, shares, by_rep, seen


@pytest.mark.libreoffice
def test_a_plan_whose_rates_pattern_and_shares_come_from_last_years_log(tmp_path, recalc):
    master = write_master(tmp_path / "m.xlsx", members=[{"rep": r, "team": TEAMS[r]} for r in "ABC"],
                          settings={"annual_target": 3000}, log_rows=_log_rows())
    path = write_plan(read_master(master), tmp_path / "out", year=D(2026, 4, 1), lang="ja")
    lo = recalc(path)
    assert_recalculates_to_its_cache(path, lo)
    at, get = where(master, D(2026, 4, 1)), values(lo)
    rates, chain, pattern, weights, shares, by_rep, seen = _expected_from_the_log(3000)
    for key, rate in rates.items():
        assert get(*at.inputs[key]) == pytest.approx(rate), key
        assert get(at.inputs[key][0], 2) == "前年度ログ" and get(at.inputs[key][0], 5) == "2025年4月〜2026年3月"
    assert get(*at.inputs["last_year_sales"]) == sum(a for *_, a in ORDERS)
    assert {k: get(*at.chain[k]) for k in chain} == pytest.approx(chain)
    assert [get(at.pattern, 1 + j) for j in range(12)] == pytest.approx(pattern)
    assert [get(at.pattern + 1, 1 + j) for j in range(12)].count("平均") == 12 - len(seen)
    assert [get(at.weights, 1 + j) for j in range(12)] == pytest.approx(weights)
    # Each rep: share, annual figures (rounded up), months (rounded up again), the average month.
    for rep in "ABC":
        r = at.rep_rows[rep]
        portion = shares[rep] / sum(shares.values())
        assert get(r, 2) == by_rep[rep] and get(r, 3) == pytest.approx(shares[rep])
        assert get(r, 4) == pytest.approx(portion)
        assert get(r, 5) == pytest.approx(3000 * portion)
        annual = {k: up(chain[k] * portion) for k in COUNTS}
        assert [get(r, 6 + i) for i in range(6)] == [annual[k] for k in COUNTS]
        m = at.month_rows[rep]
        for k in COUNTS:
            months = [up(annual[k] * w) for w in weights]
            assert [get(m[k], 1 + j) for j in range(12)] == months, (rep, k)
            assert get(m[k], 13) == sum(months) >= annual[k]
        assert [get(m["sales_target"], 1 + j) for j in range(12)] == [half_up(3000 * portion * w) for w in weights]
        b = at.bench_rows[rep]
        assert [get(b, 3 + i) for i in range(6)] == [up(annual[k] / 12) for k in COUNTS]
        assert get(b, 2) == pytest.approx(up(annual["orders"] / 12) * rates["unit_price"])
    # Two teams: 東 (A, C) and 西 (B) subtotals, and the total of the year.
    east_row = at.subtotals["東"][0]
    assert get(east_row, 0) == "東 小計"
    assert [get(east_row, 6 + i) for i in range(6)] == \
        [sum(up(chain[k] * shares[x] / sum(shares.values())) for x in "AC") for k in COUNTS]


# ---------------------------------------------------------------------------------
# (iv) a typed input moves the whole plan
# ---------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_a_new_target_rate_or_share_typed_into_the_sheet_moves_the_chain(tmp_path, recalc):
    master = write_master(tmp_path / "m.xlsx", members=[{"rep": r, "team": TEAMS[r]} for r in "ABC"],
                          settings={"annual_target": 3000}, log_rows=_log_rows())
    path = write_plan(read_master(master), tmp_path / "out", year=D(2026, 4, 1))
    at = where(master, D(2026, 4, 1))
    # Every chain, rep and month figure reads the input cells (through the cells above it).
    ws = openpyxl.load_workbook(path)["年間計画"]
    cell = {k: ws.cell(r + 1, c + 1).coordinate for k, (r, c) in at.inputs.items()}
    orders_formula = ws.cell(at.chain["orders"][0] + 1, 2).value
    assert "$" + cell["unit_price"].replace("B", "B$") in orders_formula
    # Type: target 5,000, win rate 40%, C's share 0 (C gets nothing; A and B split by their shares).
    edited = tmp_path / "edited" / "plan.xlsx"
    edited.parent.mkdir()
    shutil.copy(path, edited)
    wb = openpyxl.load_workbook(edited)
    ws = wb["年間計画"]
    ws[cell["annual_target"]] = 5000
    ws[cell["win_rate"]] = 0.4
    ws.cell(at.rep_rows["C"] + 1, 4).value = 0
    wb.save(edited)
    get = values(recalc(edited))
    rates, _, _, weights, shares, _, _ = _expected_from_the_log(3000)
    rates["win_rate"] = 0.4
    sales = sum(a for *_, a in ORDERS)
    chain = {"new_sales": 5000 - sales}
    before = chain["new_sales"]
    for key, rate in zip(COUNTS, ("unit_price", "win_rate", "deal_rate", "topic_rate", "appointment_rate",
                                  "list_rate")):
        before = chain[key] = up(before / rates[rate])
    assert {k: get(*at.chain[k]) for k in chain} == pytest.approx(chain)
    shares["C"] = 0
    for rep in "ABC":
        portion = shares[rep] / sum(shares.values())
        assert get(at.rep_rows[rep], 6) == up(chain["orders"] * portion)
        assert get(at.month_rows[rep]["visits"], 5) == up(up(chain["visits"] * portion) * weights[4])
    # A blank unit price blanks the chain below it and says why; never an error.
    wb = openpyxl.load_workbook(edited)
    wb["年間計画"][cell["unit_price"]] = None
    wb.save(edited)
    get = values(recalc(edited))
    assert [get(*at.chain[k]) for k in COUNTS] == [None] * 6
    assert "受注単価が未入力" in get(at.chain["lists"][0], 2)


# ---------------------------------------------------------------------------------
# Without inputs, in English, the command and the TEXT codes
# ---------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_an_english_plan_without_a_target_says_what_to_type(tmp_path, recalc):
    master = write_master(tmp_path / "m.xlsx", members=["A"], settings={"unit_price": 40})
    path = write_plan(read_master(master), tmp_path / "out", year=D(2027, 4, 1), lang="en")
    assert path.name == "AnnualPlan_FY2027.xlsx"
    lo = recalc(path)
    assert_recalculates_to_its_cache(path, lo)
    ws = openpyxl.load_workbook(lo, data_only=True)["Annual plan"]
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("Annual sales target is missing" in s and "annual_target" in s for s in text)
    assert any(s.startswith("Annual plan FY2027 (2027-04 – 2028-03)") for s in text)


def test_the_plan_command_writes_the_years_workbook(tmp_path):
    master = write_master(tmp_path / "m.xlsx", members=["A"], settings=DECK)
    result = CliRunner().invoke(cli, ["plan", str(master), "--out", str(tmp_path / "plans"), "--year", "2027"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plans" / "年間計画_2027年度.xlsx").exists() and "2027年度" in result.output
    ws = openpyxl.load_workbook(tmp_path / "plans" / "年間計画_2027年度.xlsx")["年間計画"]
    assert re.match("年間計画　2027年度（2027年4月〜2028年3月）", ws["A1"].value)
    bad = CliRunner().invoke(cli, ["plan", str(tmp_path / "missing.xlsx"), "--out", str(tmp_path / "p")])
    assert bad.exit_code == 1


@pytest.mark.parametrize(("value", "code", "text"), [
    (6720, "#,##0", "6,720"), (2.5, "#,##0", "3"), (0.5, "#,##0", "1"), (1234567.49, "#,##0", "1,234,567"),
    (0.128, "0.0%", "12.8%"), (0.0625, "0.0%", "6.3%"), (1, "0%", "100%"), (1.25, "0.00", "1.25"),
    (85.4666666, "#,##0.00", "85.47"), (2 / 3, "0.0%", "66.7%")])
def test_text_codes_round_halves_away_from_zero_like_excel(value, code, text):
    assert excel_text(value, code) == text


def test_plan_apply_writes_a_new_master_with_the_plans_targets(tmp_path):
    # xlsales plan --apply: a new master beside the plan workbook; the original's bytes stay.
    master = write_master(tmp_path / "m.xlsx", members=["A", "B"], settings=DECK)
    before = master.read_bytes()
    result = CliRunner().invoke(cli, ["plan", str(master), "--out", str(tmp_path / "plans"), "--year", "2027",
                                      "--apply"])
    assert result.exit_code == 0, result.output
    adopted = tmp_path / "plans" / "m_年間計画反映_2027年度.xlsx"
    assert adopted.exists() and str(adopted) in result.output.replace("\n", "")
    assert master.read_bytes() == before
    targets = {(t.rep, t.month): t for t in read_master(adopted).targets}
    # The deck's year for two reps without last year's log: an even half each, every month
    # ROUNDUP of (ROUNDUP of the annual count / 2) / 12 (e.g. 96 orders -> 48 each -> 4 a month).
    annual = {"orders": 96, "new_deals": 192, "new_topics": 240, "visits": 384, "follows": 3000}
    assert len(targets) == 24
    for (rep, month), t in targets.items():
        assert month.year * 12 + month.month - (2027 * 12 + 4) in range(12)
        for key, n in annual.items():
            assert t.process[key] == math.ceil(math.ceil(n / 2) / 12), (rep, month, key)
        assert t.sales_target == 6720 / 2 / 12
