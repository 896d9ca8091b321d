"""Faults while ``xlsales collect`` writes: a kill at any moment, a write refused.

- A collect killed with SIGKILL at random moments leaves the master byte for byte as it
  was and no partial file under a final name; with ``--in-place`` the master is either
  the original or the whole merged master (then with its backup, a copy of the original).
- A write refused by the system (permission denied) says so clearly, in both languages,
  and leaves the master unchanged and no file behind.  Tests run as root here, where a
  read-only folder stops nothing: the refusal is made real by patching the write
  (``os.replace`` in ``write.files``); the read-only-folder variant runs where it can.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from support.files import complete, digest, xlsales_cmd

import xlsales
from xlsales import cli, demo_master, write_master
from xlsales.collect.master import collect
from xlsales.exceptions import CollectError
from xlsales.write import files as write_files

AS_OF = "2026-11-30"
NEW_ROWS = 40








@pytest.fixture(scope="module")
def round_trip(tmp_path_factory) -> tuple[Path, Path, int]:
    """A master of three demo reps (~8,000 rows), one returned workbook with new rows,
    and the number of log rows of the merged master."""
    folder = tmp_path_factory.mktemp("collect-kill")
    m = demo_master()
    keep = {x.rep for x in m.members[:3]}
    m.members = m.members[:3]
    m.events = [e for e in m.events if e.rep in keep]
    m.targets = [t for t in m.targets if t.rep in keep]
    master = write_master(folder / "master.xlsx", m)
    rep = m.members[0].rep
    built = xlsales.build(xlsales.read_master(master), folder / "out", as_of=dt.date.fromisoformat(AS_OF))
    wb = openpyxl.load_workbook(built.people[rep])
    ws = wb[next(n for n in wb.sheetnames if n in ("活動ログ", "ActivityLog"))]
    last = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value is not None)
    for i in range(NEW_ROWS):
        for j, v in enumerate([dt.date(2026, 11, 1 + i % 28), rep, "訪問", f"新規{i:03d}社"], start=2):
            ws.cell(last + 1 + i, j, v).data_type = "s" if isinstance(v, str) else "d"
    returned = folder / "returned.xlsx"
    wb.save(returned)
    return master, returned, len(m.events) + NEW_ROWS


def _run(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([*xlsales_cmd(), "collect", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _merged(path: Path, rows: int) -> bool:
    return complete(path) and len(xlsales.read_master(path).events) == rows


def test_a_killed_collect_leaves_the_master_as_it_was_and_no_partial_file(round_trip, tmp_path):
    source, returned, rows = round_trip
    master = tmp_path / "master.xlsx"
    master.write_bytes(source.read_bytes())
    original = digest(master)
    t0 = time.monotonic()
    done = subprocess.run([*xlsales_cmd(), "collect", str(master), str(returned), "--out",
                           str(tmp_path / "full.xlsx")], capture_output=True, text=True, timeout=300)
    full = time.monotonic() - t0
    assert done.returncode == 0, done.stderr
    assert _merged(tmp_path / "full.xlsx", rows) and digest(master) == original

    rng = random.Random(20260803)
    kills = 0
    for n in range(8):
        in_place = n % 2 == 1
        run = tmp_path / f"run{n}"
        run.mkdir()
        target = run / "master.xlsx"
        target.write_bytes(source.read_bytes())
        args = [str(target), str(returned), *(["--in-place"] if in_place else ["--out", str(run / "new.xlsx")])]
        proc = _run(args)
        time.sleep(rng.uniform(0.05, max(0.3, full * 0.95)))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        finals = sorted(p.name for p in run.iterdir() if not p.name.startswith(".~"))
        backups = [run / f for f in finals if f.startswith("master_backup_")]
        if not in_place:
            assert digest(target) == original, f"run {n}: the master changed"
            assert finals in (["master.xlsx"], ["master.xlsx", "new.xlsx"]), finals
            if "new.xlsx" in finals:
                assert _merged(run / "new.xlsx", rows), f"run {n}: new.xlsx is not the whole merged master"
            continue
        assert set(finals) <= {"master.xlsx", *(b.name for b in backups)} and len(backups) <= 1, finals
        for backup in backups:  # written whole or not at all: a copy of the original
            assert digest(backup) == original, f"run {n}: a partial backup"
        if digest(target) != original:  # replaced: only by the whole merged master, after its backup
            assert backups and _merged(target, rows), f"run {n}: the master was replaced by a partial file"
    print(f"full collect {full:.1f}s; {kills} kills")
    assert kills >= 4, "collect finished before most kills: make the master bigger"


# -- a write refused -------------------------------------------------------------------


@pytest.fixture
def small(tmp_path):
    """A small master and one returned workbook with a new row."""
    m = demo_master()
    keep = {m.members[0].rep}
    m.members = m.members[:1]
    m.events = [e for e in m.events if e.rep in keep][:200]
    m.targets = [t for t in m.targets if t.rep in keep]
    master = write_master(tmp_path / "master.xlsx", m)
    last = max(e.date for e in m.events)
    built = xlsales.build(xlsales.read_master(master), tmp_path / "out", as_of=last)
    rep = m.members[0].rep
    wb = openpyxl.load_workbook(built.people[rep])
    ws = wb[next(n for n in wb.sheetnames if n in ("活動ログ", "ActivityLog"))]
    row = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value is not None) + 1
    for j, v in enumerate([last, rep, "訪問", "新規社"], start=2):
        ws.cell(row, j, v).data_type = "s" if isinstance(v, str) else "d"
    wb.save(tmp_path / "returned.xlsx")
    return master, tmp_path / "returned.xlsx"


def _denied(monkeypatch, *, after: int = 0) -> list[str]:
    """``os.replace`` in ``write.files`` refused from its ``after``-th call on, as a read-only
    folder refuses it; the names it was asked to write are returned."""
    real = os.replace
    asked: list[str] = []

    def replace(src, dst):
        asked.append(Path(dst).name)
        if len(asked) > after:
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr(write_files.os, "replace", replace)
    return asked


def _leftovers(folder: Path, before: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in before)


@pytest.mark.parametrize("kwargs, after, written", [
    ({"out": "new.xlsx"}, 0, ["new.xlsx"]),
    ({"in_place": True}, 0, ["master_backup_*"]),  # the backup is refused: nothing is replaced
    ({"in_place": True}, 1, ["master_backup_*", "master.xlsx"]),  # the backup is written, the master refused
])
def test_a_refused_write_says_so_and_leaves_the_master_unchanged(small, tmp_path, monkeypatch, kwargs, after,
                                                                 written):
    master, returned = small
    original = digest(master)
    before = {p.name for p in tmp_path.iterdir()}
    asked = _denied(monkeypatch, after=after)
    if "out" in kwargs:
        kwargs = {"out": tmp_path / kwargs["out"]}
    with pytest.raises(CollectError) as info:
        collect(master, [returned], **kwargs)
    assert [a if not a.startswith("master_backup_") else "master_backup_*" for a in asked] == written
    assert info.value.key == "collect_write_failed"
    assert "Permission denied" in info.value.message("en") and "the master is unchanged" in info.value.message("en")
    assert "マスターは変更していません" in info.value.message("ja")
    assert digest(master) == original
    left = _leftovers(tmp_path, before)
    if after:  # the backup is whole and a copy of the master
        [backup] = left
        assert backup.startswith("master_backup_") and digest(tmp_path / backup) == original
    else:
        assert left == []  # no partial file, no temp file


def test_the_cli_reports_a_refused_write_and_exits_non_zero(small, tmp_path, monkeypatch):
    master, returned = small
    original = digest(master)
    _denied(monkeypatch)
    for lang, expect in (("en", "Permission denied"), ("ja", "書き込めません")):
        result = CliRunner().invoke(cli.cli, ["collect", str(master), str(returned), "--out",
                                              str(tmp_path / "new.xlsx"), "--lang", lang])
        assert result.exit_code == 1 and expect in result.output and "Traceback" not in result.output
    assert digest(master) == original and not (tmp_path / "new.xlsx").exists()


def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.skipif(_root(), reason="running as root: a read-only folder does not stop root's writes "
                                    "(test_a_refused_write_says_so_and_leaves_the_master_unchanged patches "
                                    "the write instead)")
@pytest.mark.skipif(sys.platform == "win32", reason="chmod does not make a folder read-only on Windows")
def test_a_read_only_folder_says_so_and_leaves_the_master_unchanged(small, tmp_path):
    master, returned = small
    original = digest(master)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(CollectError) as info:
            collect(master, [returned], out=locked / "new.xlsx")
        assert info.value.key == "collect_write_failed" and "Permission denied" in info.value.message("en")
        assert digest(master) == original and list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
