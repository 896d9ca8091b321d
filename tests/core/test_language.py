"""English workbooks: English labels and headers, the same figures."""

from __future__ import annotations

import pytest
from support.deck import AS_OF, REP
from support.models import deck_master
from support.workbooks import error_cells, process_table, value_diffs

from xlsales import build


@pytest.fixture(scope="module")
def built_en(tmp_path_factory):
    return build(deck_master(), tmp_path_factory.mktemp("en"), as_of=AS_OF, lang="en")


def test_english_labels(built_en):
    table = process_table(built_en.people[REP], REP)
    assert table["Sales"][1:] == [120, 80, 100, 50, 0, 0, 350]
    assert table["Order unit price"][-1] == pytest.approx(43.75)
    assert "Team" in built_en.team.name
    assert table["Deal ◯ 1"][1] == "A社"


@pytest.mark.libreoffice
def test_english_workbooks_recalculate_to_their_cached_values(built_en, recalc):
    for path in (built_en.team, built_en.people[REP]):
        recalculated = recalc(path)
        assert value_diffs(path, recalculated) == []
        assert error_cells(recalculated) == []
