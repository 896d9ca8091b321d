"""The hostile corpus (tests/hostile/corpus.py) through the real command line.

- ``read`` entries: ``xlsales validate`` is clean and ``xlsales build`` gives exactly the
  figures of the clean reference master (every cached value of the team workbook, which
  holds the team sheet, each rep's sheet and the whole log), in the entry's language.
- ``refuse`` entries: ``build`` and ``validate`` exit non-zero in Japanese and in English,
  with a message naming the file, sheet, row and column where they apply, and ``build``
  leaves its output folder empty.
- ``bomb`` entries (zip bombs, entity bombs, a value in XFD1048576...): the same, run in a
  child process whose elapsed time and peak memory growth are measured.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hostile.corpus import AS_OF, CORPUS, INJECTIONS, LOG, MEMBERS, Case, write_reference
from hostile.zips import sheet_part
from support.workbooks import process_table

import xlsales
from xlsales import cli
from xlsales.layout.workbook import output_names
from xlsales.texts import label

READ = [c for c in CORPUS if c.kind == "read"]
REFUSE = [c for c in CORPUS if c.kind == "refuse" and not c.bomb]
BOMBS = [c for c in CORPUS if c.kind == "refuse" and c.bomb]
RETURNED = [c for c in CORPUS if c.kind == "returned" and not c.expect]
RETURNED_BOMBS = [c for c in CORPUS if c.kind == "returned" and c.expect]
LANGS = ("ja", "en")
MAX_SECONDS = 20
MAX_GROWTH_MB = 500


def _ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


def _invoke(*args):
    return CliRunner().invoke(cli.cli, [str(a) for a in args], catch_exceptions=False)


def _log_args(log: Path | None) -> list[object]:
    return ["--log", log] if log is not None else []


def _figures(out: Path, lang: str) -> dict[str, object]:
    """The file names written, and every cached value of the team workbook.

    Of the log sheet, the columns a person typed (ID .. Note): the helper columns after
    them order rows by their row number in the source, which a blank row shifts.
    """
    team, _ = output_names([rep for rep, _ in MEMBERS], dt.date.fromisoformat(AS_OF), lang)
    book = openpyxl.load_workbook(out / team, data_only=True)
    sheets = {}
    for ws in book.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        if ws.title == label("sheet", "log", lang):
            width = rows[0].index(label("log", "note", lang)) + 1
            rows = [r[:width] for r in rows]
        sheets[ws.title] = rows
    return {"files": sorted(p.name for p in out.iterdir()), "sheets": sheets}


def _differences(got: dict, want: dict, limit: int = 10) -> list[str]:
    if got["files"] != want["files"] or got["sheets"].keys() != want["sheets"].keys():
        return [f"files {got['files']} sheets {list(got['sheets'])} != {want['files']} {list(want['sheets'])}"]
    out = []
    for name, rows in want["sheets"].items():
        other = got["sheets"][name]
        for r in range(max(len(rows), len(other))):
            a = rows[r] if r < len(rows) else []
            b = other[r] if r < len(other) else []
            for c in range(max(len(a), len(b))):
                x, y = (a[c] if c < len(a) else None), (b[c] if c < len(b) else None)
                if x != y:
                    out.append(f"{name}!{openpyxl.utils.get_column_letter(c + 1)}{r + 1}: {y!r}, clean {x!r}")
    return out[:limit]


def _assert_says(output: str, fragments: tuple[str, ...]) -> None:
    missing = [f for f in fragments if f not in output]
    assert not missing, f"message lacks {missing}:\n{output}"
    assert "Traceback" not in output and not re.search(r"\{[a-z_]+\}", output), output


def _nothing_written(out: Path) -> bool:
    return not out.exists() or not any(out.iterdir())


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Language -> the figures ``xlsales build`` gives for the clean master."""
    cache: dict[str, dict] = {}

    def figures(lang: str) -> dict:
        if lang not in cache:
            folder = tmp_path_factory.mktemp(f"reference-{lang}")
            master = write_reference(folder / "master.xlsx")
            result = _invoke("build", master, "--out", folder / "out", "--as-of", AS_OF, "--lang", lang)
            assert result.exit_code == 0, result.output
            cache[lang] = _figures(folder / "out", lang)
        return cache[lang]

    return figures


# -- the corpus itself ------------------------------------------------------------------------


def test_the_corpus_has_thirty_entries_or_more_and_each_is_run():
    names = [c.name for c in CORPUS]
    assert len(names) >= 30 and len(set(names)) == len(names)
    kinds = Counter(c.kind for c in CORPUS)
    assert set(kinds) == {"read", "refuse", "returned"} and kinds["read"] >= 10 and kinds["refuse"] >= 10
    assert len(BOMBS) >= 4 and all(c.kind == "refuse" for c in BOMBS)
    assert RETURNED and len(RETURNED_BOMBS) >= 2 and all(c.bomb for c in RETURNED_BOMBS)
    # Every entry is in exactly one of the parametrized tests below.
    assert sorted(_ids(READ) + _ids(REFUSE) + _ids(BOMBS) + _ids(RETURNED) + _ids(RETURNED_BOMBS)) == sorted(names)
    for case in CORPUS:
        if case.kind == "refuse" or case in RETURNED_BOMBS:
            assert set(case.expect) == set(LANGS) and all(case.expect[lang] for lang in LANGS), case.name
        else:
            assert not case.expect and case.lang in LANGS, case.name


def _content(path: Path) -> object:
    """What a generated file holds, without the time stamps writers put in zip entries and docProps."""
    if zipfile.is_zipfile(path):  # each member by its CRC and size (some are damaged on purpose)
        with zipfile.ZipFile(path) as zf:
            return {i.filename: (i.CRC, i.file_size) for i in zf.infolist() if i.filename != "docProps/core.xml"}
    return path.read_bytes()


def test_the_generator_is_deterministic(tmp_path):
    for case in [*READ, *REFUSE]:
        first, second = tmp_path / case.name / "1", tmp_path / case.name / "2"
        first.mkdir(parents=True), second.mkdir()
        a, b = case.build(first), case.build(second)
        for x, y in zip(a, b):
            assert (x is None) == (y is None) and (x is None or _content(x) == _content(y)), case.name


def test_the_reference_holds_the_logs_figures(reference, tmp_path):
    master = write_reference(tmp_path / "master.xlsx")
    assert _invoke("build", master, "--out", tmp_path / "out", "--as-of", AS_OF).exit_code == 0
    team, _ = output_names([rep for rep, _ in MEMBERS], dt.date.fromisoformat(AS_OF), "ja")
    table = process_table(tmp_path / "out" / team, "チーム")
    # benchmark, July, August, September, total
    assert table["売上"][1:] == [0, 90, 1100, 1190]
    assert table["受注件数"][1:] == [0, 1, 1, 2]
    assert table["話題化件数"][1:] == [2, 2, 1, 5]  # Cテック re-opened after its loss counts again
    assert table["商談化件数"][1:] == [2, 0, 0, 2]  # △ -> ◯ of アルファ商事 is no new deal
    assert len(reference("ja")["sheets"][label("sheet", "log")]) == len(LOG) + 1


# -- read as a person would expect ------------------------------------------------------------


@pytest.mark.parametrize("case", READ, ids=_ids(READ))
def test_read_like_the_clean_log(case, tmp_path, reference):
    master, log = case.build(tmp_path)
    checked = _invoke("validate", master, *_log_args(log), "--lang", case.lang)
    assert checked.exit_code == 0, checked.output
    out = tmp_path / "out"
    built = _invoke("build", master, "--out", out, "--as-of", AS_OF, "--lang", case.lang, *_log_args(log))
    assert built.exit_code == 0, built.output
    assert _differences(_figures(out, case.lang), reference(case.lang)) == []


# -- refused, saying where ----------------------------------------------------------------------


@pytest.mark.parametrize("case", REFUSE, ids=_ids(REFUSE))
def test_refused_saying_where_and_writing_nothing(case, tmp_path):
    master, log = case.build(tmp_path)
    for lang in LANGS:
        out = tmp_path / f"out-{lang}"
        built = _invoke("build", master, "--out", out, "--as-of", AS_OF, "--lang", lang, *_log_args(log))
        assert built.exit_code != 0 and _nothing_written(out), built.output
        _assert_says(built.output, case.expect[lang])
        checked = _invoke("validate", master, *_log_args(log), "--lang", lang)
        assert checked.exit_code != 0
        _assert_says(checked.output, case.expect[lang])


# -- bombs: refused at once, in bounded memory --------------------------------------------------

# Runs the CLI (click's CliRunner, as above) in a fresh interpreter and reports, as JSON,
# each run's exit code, output and seconds, and the growth of the peak RSS over the run.
# The address space is capped so that a regression fails this test instead of the machine.
_CHILD = r"""
import json, resource, sys, time
cap = 8 << 30
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from click.testing import CliRunner
import xlsales
from xlsales import cli
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
runs = []
for args in json.loads(sys.argv[1]):
    start = time.perf_counter()
    result = CliRunner().invoke(cli.cli, args)
    crash = result.exception if not isinstance(result.exception, SystemExit) else None
    runs.append({"args": args, "exit": result.exit_code, "output": result.output,
                 "seconds": time.perf_counter() - start, "crash": repr(crash) if crash else None})
growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(json.dumps({"runs": runs, "growth_mb": growth}))
"""


@pytest.mark.parametrize("case", BOMBS, ids=_ids(BOMBS))
def test_bombs_are_refused_at_once_in_bounded_memory(case, tmp_path):
    (tmp_path / "in").mkdir()
    master, log = case.build(tmp_path / "in")
    assert log is None
    runs = [["build", str(master), "--out", str(tmp_path / f"out-{lang}"), "--as-of", AS_OF, "--lang", lang]
            for lang in LANGS] + [["validate", str(master), "--lang", lang] for lang in LANGS]
    start = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(runs)], capture_output=True, text=True,
                           timeout=120)
    assert child.returncode == 0, f"the child died ({child.returncode}):\n{child.stderr[-3000:]}"
    report = json.loads(child.stdout.splitlines()[-1])
    for run, lang in zip(report["runs"], [*LANGS, *LANGS]):
        assert run["crash"] is None and run["exit"] != 0, run
        assert run["seconds"] < MAX_SECONDS, run
        _assert_says(run["output"], case.expect[lang])
    assert report["growth_mb"] < MAX_GROWTH_MB, report["growth_mb"]
    assert time.perf_counter() - start < 4 * MAX_SECONDS
    assert all(_nothing_written(tmp_path / f"out-{lang}") for lang in LANGS)
    if case.name == "external_entity":
        assert not any("root:" in run["output"] for run in report["runs"])  # /etc/passwd was never read


# -- returned workbooks: typed formulas stay text, bombs are refused at once ----------------------

_ROW = re.compile(r"<row\b[^>]*>.*?</row>", re.S)
_CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)


def _unescape(text: str) -> str:
    # Control characters are stored as _xHHHH_ (ECMA-376 ST_Xstring).
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", RETURNED, ids=_ids(RETURNED))
def test_formulas_typed_by_a_rep_are_merged_as_text(case, tmp_path, recalc):
    master, returned = case.build(tmp_path)
    out = tmp_path / "merged.xlsx"
    result = _invoke("collect", master, returned, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"追加 {len(INJECTIONS)}" in result.output
    # The reader trims the spaces around a value (a TAB, a CR): "=1+1" is left, still text.
    typed = [t.strip() for t in INJECTIONS]
    events = xlsales.read_master(out).events[-len(INJECTIONS):]
    assert [(e.customer, e.note) for e in events] == [(t, t) for t in typed]
    # In the package: every cell of the new rows is a value or inline text, none a formula.
    with zipfile.ZipFile(out) as zf:
        xml = zf.read(sheet_part(out, label("sheet", "log"))).decode("utf-8")
    rows = [r for r in _ROW.findall(xml) if "evil.example" in html.unescape(r) or "@SUM" in r or "+1<" in r]
    new_rows = _ROW.findall(xml)[-len(INJECTIONS):]
    assert rows and set(rows) <= set(new_rows)
    for row in new_rows:
        cells = _CELL.findall(row)
        assert "<f>" not in row and "<f " not in row, row
        texts = [c for c in cells if 't="inlineStr"' in c]
        assert len(texts) >= 4, row  # rep, activity, customer, note
    # LibreOffice reads and recalculates the merged master: the cells show the text typed.
    recalculated = openpyxl.load_workbook(recalc(out), data_only=True)
    ws = recalculated[label("sheet", "log")]
    header = [c.value for c in ws[1]]
    customer, note = header.index(label("log", "customer")) + 1, header.index(label("log", "note")) + 1
    shown = [(ws.cell(r, customer), ws.cell(r, note)) for r in range(ws.max_row - len(INJECTIONS) + 1, ws.max_row + 1)]
    assert [(_unescape(a.value), _unescape(b.value)) for a, b in shown] == [(t, t) for t in typed]
    assert all(a.data_type == "s" and b.data_type == "s" for a, b in shown)


@pytest.mark.parametrize("case", RETURNED_BOMBS, ids=_ids(RETURNED_BOMBS))
def test_a_returned_bomb_is_refused_at_once_and_the_master_unchanged(case, tmp_path):
    from xlsales.collect.master import collect

    master, returned = case.build(tmp_path)
    digest = hashlib.sha256(master.read_bytes()).hexdigest()
    start = time.perf_counter()
    result = collect(master, [returned], out=tmp_path / "merged.xlsx")
    seconds = time.perf_counter() - start
    assert seconds < 1.0, f"{case.name}: {seconds:.2f} s"
    [summary] = result.files
    assert summary.error is not None and result.out is None
    for lang in LANGS:
        _assert_says(summary.error.message(lang), case.expect[lang])
        cli_run = _invoke("collect", master, returned, "--out", tmp_path / "merged.xlsx", "--lang", lang)
        assert cli_run.exit_code == 1
        _assert_says(cli_run.output, case.expect[lang])
    assert hashlib.sha256(master.read_bytes()).hexdigest() == digest
    assert not (tmp_path / "merged.xlsx").exists()
