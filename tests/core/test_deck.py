"""The deck's table, reproduced from a hand-written activity log (DOMAIN.md §5, §8)."""

from __future__ import annotations

import pytest
from support.deck import AS_OF, DECK_NAMES_JULY, DECK_TABLE, REP
from support.models import deck_master
from support.workbooks import error_cells, process_table, same, value_diffs

from xlsales import build


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("deck")
    return build(deck_master(), out, as_of=AS_OF, lang="ja")


def _assert_deck(table: dict[str, list]) -> None:
    for label, expected in DECK_TABLE.items():
        got = table[label]
        assert len(got) == 8, label
        for col, (e, g) in enumerate(zip(expected, got)):
            assert same(e, g), f"{label} column {col}: expected {e!r}, got {g!r}"
    for label, name in DECK_NAMES_JULY.items():
        assert table[label][1] == name, label


def test_cached_values_are_the_deck(built):
    """As written (what Protected View shows), before any recalculation."""
    _assert_deck(process_table(built.people[REP], REP))


@pytest.mark.libreoffice
def test_recalculated_values_are_the_deck(built, recalc):
    recalculated = recalc(built.people[REP])
    _assert_deck(process_table(recalculated, REP))
    assert value_diffs(built.people[REP], recalculated) == []
    assert error_cells(recalculated) == []


@pytest.mark.libreoffice
def test_team_workbook_recalculates_to_its_cached_values(built, recalc):
    recalculated = recalc(built.team)
    assert value_diffs(built.team, recalculated) == []
    assert error_cells(recalculated) == []
    # The other member has no rows: the team's figures are the deck rep's.
    team = process_table(recalculated, "チーム")
    for label in ("売上", "受注件数", "訪問件数", "フォロー件数", "当月ボツ件数", "話題件数", "商談△金額"):
        assert team[label][1:] == process_table(recalculated, REP)[label][1:], label


def test_unit_price_total_is_a_ratio_of_totals(built):
    table = process_table(built.people[REP], REP)
    assert table["受注単価"][-1] == pytest.approx(350 / 8)  # 43.75, where the deck shows #DIV/0!
    assert table["受注単価"][5] is None and table["受注単価"][6] is None  # 0 orders: blank, not #DIV/0!
