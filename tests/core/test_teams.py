"""A workbook per team, the チーム別 sheet and the rep comparison (issue 14 §4).

Every figure is checked on workbooks recalculated by LibreOffice against counts made
here from the rows (new deals through the test oracle, which shares no code with
xlsales), and the values xlsales cached must be the ones LibreOffice computes.
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile

import openpyxl
import pytest
from support import oracle
from support.models import deck_master, events
from support.workbooks import error_cells, process_table, same, value_diffs

from xlsales import Master, Member, Settings, Target, build

D = dt.date
AS_OF = D(2026, 11, 18)
MONTHS = [D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1)]
FY = [D(2026, m, 1) for m in range(4, 12)]  # the fiscal year to the as-of month
# rep -> team: a team needing a safe file name, a team of dots, a team named like a rep,
# a rep with a blank team, and a rep whose own file name is the "佐藤" team's.
TEAMS = {"佐藤": "営業/第1", "鈴木": "営業/第1", "高橋": "..", "田中": "佐藤", "渡辺": "", "チーム_佐藤": ".."}
NO_TARGET = "高橋"


def _rows() -> list[dict]:
    rng = random.Random(14)
    rows = []
    for r, rep in enumerate(TEAMS):
        for i in range(40):
            day = D(2026, rng.choice([5, 8, 10, 11, 11, 12]), rng.randint(1, 28))
            cust = f"Cust{r}X{rng.randint(0, 6)}社"
            act = rng.choice(["visit", "visit", "follow", "topic", "deal_b", "deal_a", "order", "lost"])
            row = dict(date=day, rep=rep, activity=act, customer=cust, note=f"Note{r}X{i}")
            if act in ("topic", "deal_b", "deal_a", "order"):
                row["amount"] = 98700 + r * 10 + rng.randint(0, 9)  # amounts of one rep only
            if act == "lost":
                row["lost_reason"] = rng.choice(["now", "forever"])
            rows.append(row)
    rows.sort(key=lambda x: x["date"])
    return rows


ROWS = _rows()


def _target(rep: str, m: dt.date) -> float | None:
    if rep == NO_TARGET:
        return None
    return 50_000 + 7_000 * list(TEAMS).index(rep) + 1_000 * m.month


def _master() -> Master:
    m = Master(events=events(ROWS), members=[Member(rep=r, team=t) for r, t in TEAMS.items()],
               targets=[Target(rep=r, month=mo, sales_target=_target(r, mo)) for r in TEAMS
                        for mo in [*FY, D(2026, 12, 1)] if _target(r, mo) is not None],
               settings=Settings(period_start=MONTHS[0], period_months=3), benchmarks={})
    m.skipped = []
    return m


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(_master(), tmp_path_factory.mktemp("teams"), as_of=AS_OF, lang="ja")


@pytest.fixture(scope="module")
def recalculated(built, tmp_path_factory):
    from support.libreoffice import recalculate

    out = tmp_path_factory.mktemp("recalc")
    return {path: recalculate(path, out / str(i)) for i, path in enumerate([built.team, *built.teams.values()])}


def _reps_of(team: str) -> list[str]:
    return [r for r, t in TEAMS.items() if t == team]


# -- independent counts ------------------------------------------------------------------


def _flows(reps: list[str], months: list[dt.date]) -> dict[str, float]:
    mine = [r for r in ROWS if r["rep"] in reps and D(r["date"].year, r["date"].month, 1) in months]
    fig = oracle.figures(ROWS, reps, MONTHS, AS_OF)
    return {
        "売上": sum(r["amount"] for r in mine if r["activity"] == "order"),
        "受注件数": sum(r["activity"] == "order" for r in mine),
        "訪問件数": sum(r["activity"] == "visit" for r in mine),
        "当月ボツ件数": sum(r["activity"] == "lost" for r in mine),
        "商談化件数": sum(oracle.flow(fig, "new_deals", m) for m in months),
        "話題化件数": sum(oracle.flow(fig, "new_topics", m) for m in months),
    }


def _figures(reps: list[str], months: list[dt.date]) -> dict[str, object]:
    out: dict[str, object] = dict(_flows(reps, months))
    targets = [_target(r, m) for r in reps for m in months if _target(r, m) is not None]
    out["売上目標"] = sum(targets) if targets else None
    out["売上達成率"] = out["売上"] / out["売上目標"] if out["売上目標"] else None
    out["商談化率"] = out["商談化件数"] / out["話題化件数"] if out["話題化件数"] else None
    return out


# -- files -----------------------------------------------------------------------------


def test_one_workbook_per_team_named_safely_and_uniquely(built):
    assert list(built.teams) == ["営業/第1", "..", "佐藤"]
    names = {team: p.name for team, p in built.teams.items()}
    assert names["営業/第1"] == "目標プロセス_チーム_営業_第1_2026-11.xlsx"
    assert names[".."] == "目標プロセス_チーム_team_2026-11.xlsx"
    # the rep チーム_佐藤's own file already has the plain name: the team gets (2)
    assert built.people["チーム_佐藤"].name == "目標プロセス_チーム_佐藤_2026-11.xlsx"
    assert names["佐藤"] == "目標プロセス_チーム_佐藤_2026-11(2).xlsx"
    assert built.team.name == "目標プロセス_チーム_2026-11.xlsx"
    all_names = [p.name.casefold() for p in built.paths]
    assert len(all_names) == len(set(all_names)) == 1 + 3 + len(TEAMS)
    assert all(p.exists() for p in built.paths)


DEALS = ["放置案件", "延期・期限切れ", "訪問報告", "今だめ再アプローチ"]


def test_sheets_of_each_workbook(built):
    assert openpyxl.load_workbook(built.team, read_only=True).sheetnames == [
        "チーム", *TEAMS, "チェックイン", "チーム別", "チーム内比較", "年間計画", *DEALS, "活動ログ"]
    for team, path in built.teams.items():
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == ["チーム", *_reps_of(team), "チェックイン", "チーム内比較", *DEALS, "活動ログ"], team
        assert team in wb["チェックイン"]["A1"].value
        assert team in wb["チーム"]["A1"].value  # titled with the team's name
        log_reps = {wb["活動ログ"].cell(r, 3).value for r in range(2, wb["活動ログ"].max_row + 1)} - {None}
        assert log_reps == set(_reps_of(team))
    for path in built.people.values():  # never in a per-person workbook
        names = openpyxl.load_workbook(path, read_only=True).sheetnames
        assert "チーム別" not in names and "チーム内比較" not in names


def test_a_rep_with_a_blank_team_is_only_in_the_all_reps_workbook(built):
    for path in built.teams.values():
        assert "渡辺" not in openpyxl.load_workbook(path, read_only=True).sheetnames
    assert "渡辺" in openpyxl.load_workbook(built.team, read_only=True).sheetnames


def test_one_team_writes_no_team_files_and_no_by_team_sheet(tmp_path):
    result = build(deck_master(), tmp_path, as_of=D(2026, 12, 31), lang="ja")  # every rep in 東京
    assert result.teams == {}
    assert [p.name for p in tmp_path.glob("*チーム*")] == [result.team.name]
    names = openpyxl.load_workbook(result.team, read_only=True).sheetnames
    assert "チーム別" not in names and "チーム内比較" in names


# -- figures, recalculated by LibreOffice ---------------------------------------------------


@pytest.mark.libreoffice
def test_cached_values_are_what_libreoffice_computes(recalculated):
    for written, again in recalculated.items():
        assert value_diffs(written, again) == [], written.name
        assert error_cells(again) == [], written.name


@pytest.mark.libreoffice
def test_each_team_sheet_counts_its_reps_rows(built, recalculated):
    for team, path in built.teams.items():
        table = process_table(recalculated[path], "チーム")
        for j, m in enumerate(MONTHS):
            want = _figures(_reps_of(team), [m])
            for lab in ("売上", "受注件数", "訪問件数", "商談化件数", "話題化件数", "当月ボツ件数", "売上目標"):
                got = table[lab][1 + j]
                exp = want[lab] if m <= AS_OF or lab == "売上目標" else None
                assert same(got, exp), (team, lab, m, got, exp)


def _blocks(path) -> dict[str, dict[str, list]]:
    """チーム別: team -> row label -> [months..., 合計]."""
    ws = openpyxl.load_workbook(path, data_only=True)["チーム別"]
    out: dict[str, dict[str, list]] = {}
    for c in range(2, ws.max_column + 1):
        team = ws.cell(5, c).value
        if team:
            labels = {ws.cell(r, 1).value: r for r in range(7, ws.max_row + 1) if ws.cell(r, 1).value}
            out[team] = {lab: [ws.cell(r, c + j).value for j in range(len(MONTHS) + 1)] for lab, r in labels.items()}
    return out


@pytest.mark.libreoffice
def test_by_team_blocks_equal_counts_of_each_teams_rows(built, recalculated):
    blocks = _blocks(recalculated[built.team])
    assert list(blocks) == ["営業/第1", "..", "佐藤"]  # no block for the blank team
    for team, block in blocks.items():
        reps = _reps_of(team)
        for j, m in enumerate([*MONTHS, None]):
            want = _figures(reps, MONTHS[:2] if m is None else [m])  # the total: the months with actuals
            for lab in ("売上", "受注件数", "訪問件数", "商談化件数", "話題化件数", "当月ボツ件数"):
                exp = None if m is not None and m > AS_OF else want[lab]
                assert same(block[lab][j], exp), (team, lab, m, block[lab][j], exp)
            target = _figures(reps, MONTHS if m is None else [m])["売上目標"]
            assert same(block["売上目標"][j], target), (team, m)
            exp = None if (m is not None and m > AS_OF) or not target else want["売上"] / target
            assert same(block["売上達成率"][j], exp), (team, m, block["売上達成率"][j], exp)
            exp = want["商談化件数"] / want["話題化件数"] if want["話題化件数"] and (m is None or m <= AS_OF) else None
            assert same(block["商談化率"][j], exp), (team, m)


def _comparison(path) -> list[dict]:
    ws = openpyxl.load_workbook(path, data_only=True)["チーム内比較"]
    heads = [ws.cell(6, c).value for c in range(1, ws.max_column + 1)]
    lead = 3 if ws.cell(5, 3).value == "チーム" else 2
    keys = heads[lead:lead + 7]
    out = []
    for r in range(7, ws.max_row + 1):
        rep = ws.cell(r, 2).value
        if rep in (None, "合計"):
            continue
        vals = [ws.cell(r, c).value for c in range(1, ws.max_column + 1)]
        out.append(dict(rank=vals[0], rep=rep, team=vals[2] if lead == 3 else None,
                        month=dict(zip(keys, vals[lead:lead + 7])), ytd=dict(zip(keys, vals[lead + 7:lead + 14]))))
    return out


@pytest.mark.libreoffice
def test_comparison_values_and_order(built, recalculated):
    cases = [(built.team, list(TEAMS)), *((p, _reps_of(t)) for t, p in built.teams.items())]
    for path, reps in cases:
        rows = _comparison(recalculated[path])
        assert sorted(r["rep"] for r in rows) == sorted(reps), path.name
        for row in rows:
            for period, months in (("month", MONTHS[1:2]), ("ytd", FY)):
                want = _figures([row["rep"]], months)
                for lab in ("売上目標", "売上", "売上達成率", "受注件数", "商談化件数", "商談化率"):
                    assert same(row[period][lab], want[lab]), (path.name, row["rep"], period, lab)
        # by year-to-date achievement, highest first; no target last, unranked
        ach = [row["ytd"]["売上達成率"] for row in rows]
        with_target = [a for a in ach if a is not None]
        assert ach == with_target + [None] * (len(ach) - len(with_target))
        assert with_target == sorted(with_target, reverse=True)
        assert [row["rank"] for row in rows] == list(range(1, len(with_target) + 1)) + [None] * (
            len(ach) - len(with_target))
        if path == built.team:
            assert {row["rep"]: row["team"] or "" for row in rows} == {r: t for r, t in TEAMS.items()}


def test_comparison_cached_values_equal_independent_figures(built):
    """As written (Protected View), the same figures as counted here."""
    for row in _comparison(built.team):
        want = _figures([row["rep"]], FY)
        assert same(row["ytd"]["売上"], want["売上"]) and same(row["ytd"]["売上達成率"], want["売上達成率"])


# -- privacy ---------------------------------------------------------------------------------


def test_a_team_workbook_holds_nothing_of_other_teams_reps(built):
    for team, path in built.teams.items():
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}
        mine = set(_reps_of(team))
        own = " ".join(parts.values())
        for r, rep in enumerate(TEAMS):
            secrets = [f"Cust{r}X", f"Note{r}X", *(f"<v>{row['amount']}</v>" for row in ROWS
                                                    if row["rep"] == rep and row.get("amount"))]
            if rep in mine:
                assert f"Cust{r}X" in own  # the scan reads the parts that hold names
                continue
            for secret in secrets:
                leaks = [n for n, text in parts.items() if secret in text]
                assert not leaks, f"{team}'s workbook holds {secret!r} of {rep} in {leaks}"
            # a rep's name: as a cell or sheet name (other reps' names can contain it: 佐藤 / チーム_佐藤)
            wb = openpyxl.load_workbook(path)
            assert rep not in wb.sheetnames or rep in mine
            for ws in wb.worksheets:
                for line in ws.iter_rows():
                    for c in line:
                        assert c.value != rep or rep == team, (team, ws.title, c.coordinate)  # the team 佐藤
