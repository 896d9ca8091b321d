"""Reference files of the deck's workbooks: a change in look, print or chart is a reviewed diff.

Each build of the deck (``tests/core/test_deck.py``'s master and as-of date) is dumped with
``support.snapshot.dump_workbook`` to normalised JSON and compared with the checked-in
files in ``tests/core/references/``:

- ``team.ja.json``, ``team.en.json``: the team workbook in Japanese and English;
- ``person-rep.ja.json``: the deck's rep (佐藤 健太), whose rows make the deck's table;
- ``person-colleague.ja.json``: the other member (田中 花子), who has no rows.

A failure lists the first differences as ``key/path: expected …, got …``. When the change
is intended (a new style, a moved chart, another print setup), rewrite the files and review
their diff before committing it::

    .venv/bin/python -m pytest tests/core/test_references.py --update-references
    git diff tests/core/references/

Under ``--update-references`` the reference tests rewrite their files and pass, with a
``ReferenceRewritten`` warning naming each file. The activity-log sheet keeps its table
definition, its header and first rows (``TABLE_HEAD_ROWS``) and a digest of the rest: in
full it made the team reference 0.96 MB, most of it rows of the same 16 columns.
"""

from __future__ import annotations

import copy
import json
import warnings
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from support.deck import AS_OF, REP
from support.jsondiff import MISSING, format_diffs, json_diffs
from support.models import deck_master
from support.snapshot import dump_workbook, to_json

from xlsales import build

REFERENCES = Path(__file__).parent / "references"
TABLE_HEAD_ROWS = 30  # the header and 29 log rows: every kind of row the deck's log holds
MAX_REFERENCE_BYTES = 1_000_000  # beyond this a reference is no longer read in review
REFERENCE_IDS = ["team.ja", "team.en", "person-rep.ja", "person-colleague.ja"]


class ReferenceRewritten(UserWarning):
    """A reference file was rewritten under ``--update-references``."""


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    ja = build(deck_master(), tmp_path_factory.mktemp("ja"), as_of=AS_OF, lang="ja")
    en = build(deck_master(), tmp_path_factory.mktemp("en"), as_of=AS_OF, lang="en")
    [colleague] = set(ja.people) - {REP}
    return {"team.ja": ja.team, "team.en": en.team,
            "person-rep.ja": ja.people[REP], "person-colleague.ja": ja.people[colleague]}


def _dump(path: Path) -> dict:
    return dump_workbook(path, table_head_rows=TABLE_HEAD_ROWS)


@pytest.mark.parametrize("ref_id", REFERENCE_IDS)
def test_build_matches_its_reference(ref_id, workbooks, update_references):
    got = _dump(workbooks[ref_id])
    reference = REFERENCES / f"{ref_id}.json"
    if update_references:
        REFERENCES.mkdir(exist_ok=True)
        reference.write_text(to_json(got), "utf-8")
        warnings.warn(ReferenceRewritten(f"rewrote references/{reference.name}: review its git diff"), stacklevel=1)
        return
    assert reference.exists(), f"{reference} is missing: run pytest --update-references and review the new file"
    diffs = json_diffs(json.loads(reference.read_text("utf-8")), got)
    assert not diffs, (f"{ref_id}: the build differs from {reference.name} in {len(diffs)} places "
                       f"(if intended: pytest --update-references, then review the diff)\n" + format_diffs(diffs))


@pytest.mark.parametrize("ref_id", REFERENCE_IDS)
def test_reference_files_stay_reviewable(ref_id):
    text = (REFERENCES / f"{ref_id}.json").read_text("utf-8")
    assert len(text.encode("utf-8")) < MAX_REFERENCE_BYTES
    dump = json.loads(text)
    assert to_json(dump) == text  # the file is the canonical text, as the dumper writes it
    for sheet in dump["sheets"].values():
        if "tables" in sheet:  # the activity log: its first rows in full, a digest of the rest
            rows = {int(coordinate.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for coordinate in sheet["cells"]}
            assert max(rows) <= TABLE_HEAD_ROWS


def test_two_builds_dump_the_same(workbooks, tmp_path):
    again = build(deck_master(), tmp_path, as_of=AS_OF, lang="ja")
    assert json_diffs(_dump(workbooks["team.ja"]), _dump(again.team)) == []


def test_timestamps_and_zip_order_do_not_show(workbooks, tmp_path):
    # Another creation date and the parts in reverse order: the same workbook to the dump.
    source = workbooks["team.ja"]
    copy_path = tmp_path / "copy.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(copy_path, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        core = zin.read("docProps/core.xml").decode("utf-8")
        assert "<dcterms:created" in core
        for name in reversed(names):
            data = zin.read(name)
            if name == "docProps/core.xml":
                data = core.replace(">20", ">19", 2).encode("utf-8")  # created/modified, a century back
            zout.writestr(name, data)
    with zipfile.ZipFile(copy_path) as z:
        assert z.read("docProps/core.xml") != zipfile.ZipFile(source).read("docProps/core.xml")
    assert json_diffs(_dump(source), _dump(copy_path)) == []
    assert "created" not in _dump(source)["workbook"]["properties"]


def test_comparison_reports_a_changed_font_and_formula(workbooks):
    expected = _dump(workbooks["team.ja"])
    got = copy.deepcopy(expected)
    cells = got["sheets"]["チーム"]["cells"]
    font = expected["sheets"]["チーム"]["cells"]["A1"]["style"]["font"]
    formula = expected["sheets"]["チーム"]["cells"]["C8"]["formula"]
    cells["A1"]["style"]["font"] = font.replace("Meiryo UI", "Arial")
    cells["C8"]["formula"] = formula.replace("N(C7)/C6", "N(C7)/C7")
    del cells["D8"]
    diffs = json_diffs(expected, got)
    assert diffs == [
        ("sheets/チーム/cells/A1/style/font", font, font.replace("Meiryo UI", "Arial")),
        ("sheets/チーム/cells/C8/formula", formula, formula.replace("N(C7)/C6", "N(C7)/C7")),
        ("sheets/チーム/cells/D8", expected["sheets"]["チーム"]["cells"]["D8"], MISSING),
    ]
    message = format_diffs(diffs, limit=2)
    assert "sheets/チーム/cells/A1/style/font:" in message and "Arial" in message
    assert message.endswith("... and 1 more differences")


def test_comparison_tells_true_from_one():
    assert json_diffs({"a": [True]}, {"a": [1]}) == [("a/0", True, 1)]
    assert json_diffs({"a": 1}, {"a": 1.0}) == [("a", 1, 1.0)]


def _small_workbook(path: Path, *, font="Meiryo UI", formula="=SUM(A2:A3)", landscape=True, series="$A$2:$A$3",
                    cf_color="#006100", validation=("a", "b"), width=12):
    # A small XlsxWriter workbook with one of each thing the dump reads; one keyword changes one thing.
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("S")
        bold = wb.add_format({"bold": True, "font_name": font, "num_format": "0.0", "border": 1})
        ws.write("A1", "head", bold)
        ws.write_column("A2", [1, 2])
        ws.write_formula("A4", formula, bold, 3)
        ws.set_column("A:A", width)
        ws.set_landscape() if landscape else ws.set_portrait()
        ws.set_header("&C&P")
        ws.data_validation("B2:B9", {"validate": "list", "source": list(validation)})
        ws.conditional_format("A2:A3", {"type": "cell", "criteria": ">", "value": 1,
                                        "format": wb.add_format({"font_color": cf_color})})
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": "=S!$A$1", "values": f"=S!{series}"})
        chart.set_y_axis({"num_format": "0%"})
        ws.insert_chart("D2", chart)
    return path


@pytest.mark.parametrize(("change", "where"), [
    ({"font": "Arial"}, "sheets/S/cells/A1/style/font"),
    ({"formula": "=SUM(A2:A2)"}, "sheets/S/cells/A4/formula"),
    ({"landscape": False}, "sheets/S/print/orientation"),
    ({"series": "$A$2:$A$2"}, "sheets/S/charts/0/plots/0/series/0/values/ref"),
    ({"cf_color": "#9C0006"}, "sheets/S/conditional_formats/0/format/font"),
    ({"validation": ("a", "c")}, "sheets/S/data_validations/0/formula1"),
    ({"width": 20}, "sheets/S/columns/A/width"),
])
def test_the_dump_sees_a_deliberate_change(tmp_path, change, where):
    base = _dump(_small_workbook(tmp_path / "base.xlsx"))
    changed = _dump(_small_workbook(tmp_path / "changed.xlsx", **change))
    paths = [p for p, _, _ in json_diffs(base, changed)]
    assert where in paths, paths
