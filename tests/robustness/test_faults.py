"""Reliability and security: interrupted builds, formula injection, privacy of per-person files.

- An ``xlsales build`` killed (SIGKILL) at random moments never leaves a broken file under
  a final name, and a file of an earlier complete build is either kept as it was or
  replaced by a complete one (``write.files.atomic_path``: temp file ``.~*`` + ``os.replace``).
- Text from the input that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR (rep and
  customer names, notes) is a text cell in every generated workbook, both from a
  master in Python and through the CLI with a ``--log`` CSV.
- A per-person workbook holds nothing of another rep: every part of the zip package
  (cells, shared strings, defined names, docProps, tables, hidden sheets) is scanned.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import os
import random
import re
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from support.files import complete, digest, xlsales_cmd
from support.models import master
from support.workbooks import all_xml_text

from xlsales import Master, Member, Settings, build, demo_master, write_master
from xlsales.texts import label

D = dt.date
AS_OF = "2026-11-30"


# -- (a) an interrupted build --------------------------------------------------------








@pytest.fixture(scope="module")
def big_master(tmp_path_factory) -> Path:
    """Three demo reps (~8,000 log rows): a build takes about 2–3 s."""
    m = demo_master()
    keep = {x.rep for x in m.members[:3]}
    m.members = m.members[:3]
    m.events = [e for e in m.events if e.rep in keep]
    m.targets = [t for t in m.targets if t.rep in keep]
    return write_master(tmp_path_factory.mktemp("big") / "master.xlsx", m)


def _final_files(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if not p.name.startswith(".~"))


def test_a_killed_build_never_leaves_a_broken_file_under_a_final_name(big_master, tmp_path):
    rng = random.Random(20261130)
    # An earlier complete build: the files a killed build must not damage.
    out = tmp_path / "out"
    t0 = time.monotonic()
    done = subprocess.run([*xlsales_cmd(), "build", str(big_master), "--out", str(out), "--as-of", AS_OF],
                          capture_output=True, text=True, timeout=120)
    full = time.monotonic() - t0
    assert done.returncode == 0, done.stderr
    before = {p.name: digest(p) for p in _final_files(out)}
    assert len(before) == 4  # team + 3 reps

    kills, leftovers = 0, 0
    for n in range(6):
        # Half the runs write over the earlier build, half into an empty folder.
        target = out if n % 2 == 0 else tmp_path / f"fresh{n}"
        proc = subprocess.Popen([*xlsales_cmd(), "build", str(big_master), "--out", str(target),
                                 "--as-of", AS_OF], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, max(0.5, full * 0.95)))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        if not target.exists():
            continue
        for p in _final_files(target):
            assert p.suffix == ".xlsx", p
            if target == out and p.name in before and digest(p) == before[p.name]:
                continue  # unchanged
            assert complete(p), f"kill #{n}: {p.name} is not a complete workbook"
        if target == out:
            assert {p.name for p in _final_files(out)} == set(before)  # nothing lost, nothing new
        for p in target.iterdir():  # temp files may remain, never under a final name
            assert p.name.startswith(".~") or p.name in before, p.name
            leftovers += p.name.startswith(".~")
    print(f"full build {full:.1f}s; {kills} kills; {leftovers} temp files left behind")
    assert kills >= 3, "the build finished before most kills: make the master bigger"


# -- (b) formula injection -----------------------------------------------------------

PAYLOADS = ["=HYPERLINK(\"http://evil.example\",\"INJ1\")", "+INJ2+1", "-INJ3-1", "@SUM(INJ4)",
            "\t=INJ5()", "\r=INJ6()", "=INJ7", "=1+INJ8"]
MARK = re.compile(r"INJ\d")
LITERAL = re.compile(r'"(?:[^"]|"")*"')


def _injection_problems(path: Path) -> list[str]:
    """Cells that hold injected text as anything but text."""
    wb = openpyxl.load_workbook(path)
    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if not isinstance(c.value, str) or not MARK.search(c.value):
                    continue
                if c.data_type == "f":
                    # A formula may hold a name inside a string literal (a criterion), never as code.
                    if MARK.search(LITERAL.sub('""', c.value)):
                        bad.append(f"{ws.title}!{c.coordinate} formula {c.value!r}")
                elif c.data_type != "s":
                    bad.append(f"{ws.title}!{c.coordinate} type {c.data_type} {c.value!r}")
    return bad


def _ooxml_unescape(text: str) -> str:
    # Control characters are stored as _xHHHH_ (ECMA-376 ST_Xstring); Excel shows the
    # character, openpyxl keeps the escape.
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def _texts_seen(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path)
    return {_ooxml_unescape(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "s" and isinstance(c.value, str) and MARK.search(c.value)}


def _injection_rows(reps: list[str], customers: list[str]) -> list[dict]:
    rows = []
    for r, rep in enumerate(reps):
        for i, cust in enumerate(customers):
            day = D(2026, 11, 1 + i)
            stage = ("topic", "deal_b", "deal_a")[i % 3]
            rows.append(dict(date=day, rep=rep, activity=stage, customer=cust, amount=10 * (i + 1) + r,
                             close_month="2026-11", note=PAYLOADS[(i + r) % len(PAYLOADS)]))
            rows.append(dict(date=day, rep=rep, activity="visit", customer=cust, note=cust))
    return rows


def test_formula_like_text_is_stored_as_text_everywhere(tmp_path):
    reps = ["=INJ0R", "+INJ9R", "@INJ8R"]
    customers = PAYLOADS
    m = master(_injection_rows(reps, customers), reps, settings=Settings(period_start=D(2026, 10, 1),
                                                                         period_months=3))
    result = build(m, tmp_path / "out", as_of=D(2026, 11, 30), lang="ja")
    for path in result.paths:
        assert _injection_problems(path) == [], path.name
    # The names really are in the workbooks: the log and the top-3 name cells.
    for rep, path in result.people.items():
        seen = _texts_seen(path)
        assert set(customers) <= seen and rep in seen, (rep, set(customers) - seen)
        wb = openpyxl.load_workbook(path)
        ws = wb[wb.sheetnames[0]]
        names = [ws.cell(r, c) for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value)[:2] in ("商談", "話題")
                 and str(ws.cell(r, 1).value)[-1:] in "123" for c in range(3, 6)]
        filled = [c for c in names if c.value is not None]
        assert filled and all(c.data_type == "s" for c in filled)
        assert {_ooxml_unescape(c.value) for c in filled} <= set(customers)
    team_seen = _texts_seen(result.team)
    team_names = {v.rsplit("（", 1)[0] for v in team_seen if v.endswith(f"（{reps[0]}）")}
    assert team_names and team_names <= set(customers), team_seen  # "customer（rep）" cells, as text


def test_formula_like_text_from_a_csv_log_is_stored_as_text(tmp_path):
    reps = ["=INJ0R", "+INJ9R"]
    # xlsales's own master writer (openpyxl would turn "=INJ0R" into a formula cell).
    path = write_master(tmp_path / "m.xlsx", Master(members=[Member(rep=r) for r in reps]))
    log = tmp_path / "crm.csv"
    with open(log, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["日付", "担当者", "区分", "顧客", "金額", "受注予定月", "メモ"])
        for r, rep in enumerate(reps):
            for i, cust in enumerate(PAYLOADS):
                stage = ("話題", "商談△", "商談◯")[i % 3]
                w.writerow([f"2026/11/{1 + i}", rep, stage, cust, 10 * (i + 1) + r, "2026-11",
                            PAYLOADS[(i + 1) % len(PAYLOADS)]])
    out = tmp_path / "out"
    done = subprocess.run([*xlsales_cmd(), "build", str(path), "--out", str(out), "--as-of", AS_OF,
                           "--log", str(log)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    books = sorted(out.glob("*.xlsx"))
    assert len(books) == 3
    for book in books:
        assert _injection_problems(book) == [], book.name
        seen = _texts_seen(book)
        # Every payload made it in (surrounding whitespace may be trimmed by the reader), as text.
        for p in PAYLOADS:
            assert any(p.strip() in s for s in seen), (book.name, p)


# -- (c) privacy of per-person workbooks ---------------------------------------------

PRIVATE_REPS = ["PrivRepAlpha", "PrivRepBravo 花子", "PrivRepCharlie"]


def _private_rows() -> list[dict]:
    rows = []
    for r, rep in enumerate(PRIVATE_REPS):
        tag = f"R{r}X"
        for i in range(5):
            cust = f"SecretCust{tag}{i}社"
            day = D(2026, 10 + i % 2, 3 + i)
            rows.append(dict(date=day, rep=rep, activity="visit", customer=cust, note=f"SecretNote{tag}{i}"))
            rows.append(dict(date=day, rep=rep, activity=("topic", "deal_b", "deal_a", "order", "lost")[i],
                             customer=cust, amount=None if i == 4 else 100 + i,
                             lost_reason="forever" if i == 4 else None,
                             close_month="2026-11" if i < 3 else None, note=f"SecretNote{tag}{i}b"))
            rows.append(dict(date=day, rep=rep, activity="follow", customer=f"SecretLead{tag}{i}"))
    return rows


def _secrets_of(r: int) -> list[str]:
    tag = f"R{r}X"
    return [PRIVATE_REPS[r], f"SecretCust{tag}", f"SecretNote{tag}", f"SecretLead{tag}"]


def test_a_person_workbook_holds_nothing_of_another_rep(tmp_path):
    targets = {(rep, D(2026, mo, 1)): 100 + r for r, rep in enumerate(PRIVATE_REPS) for mo in (10, 11, 12)}
    benchmarks = {(PRIVATE_REPS[1], "visits"): 32.0, ("", "follows"): 250.0}
    m = master(_private_rows(), PRIVATE_REPS, targets=targets, benchmarks=benchmarks,
               settings=Settings(period_start=D(2026, 10, 1), period_months=3))
    # two teams: the build also writes チーム別, チーム内比較 and a workbook per team
    m.members = [Member(rep=rep, team="T1" if r < 2 else "T2") for r, rep in enumerate(PRIVATE_REPS)]
    result = build(m, tmp_path / "out", as_of=D(2026, 11, 30), lang="ja")
    team_text = all_xml_text(result.team)
    for r in range(len(PRIVATE_REPS)):  # the team workbook has everyone (the scan can see them)
        assert all(html.escape(s, quote=False) in team_text for s in _secrets_of(r)), r
    assert {"チーム別", "チーム内比較"} <= set(openpyxl.load_workbook(result.team, read_only=True).sheetnames)
    for team, members in (("T1", (0, 1)), ("T2", (2,))):  # a team's workbook: nothing of the other team
        text = all_xml_text(result.teams[team])
        for r in range(len(PRIVATE_REPS)):
            for secret in _secrets_of(r):
                assert (html.escape(secret, quote=False) in text) == (r in members), (team, secret)
    for r, rep in enumerate(PRIVATE_REPS):
        path = result.people[rep]
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}
        own = " ".join(parts.values())
        assert f"SecretCust{'R%dX' % r}" in own  # the scan reads the parts that hold names
        for other in range(len(PRIVATE_REPS)):
            if other == r:
                continue
            for secret in _secrets_of(other):
                for form in {secret, html.escape(secret), secret.replace(" ", "_")}:
                    leaks = [n for n, text in parts.items() if form in text]
                    assert not leaks, f"{rep}'s workbook holds {form!r} of {PRIVATE_REPS[other]} in {leaks}"
        wb = openpyxl.load_workbook(path)
        assert PRIVATE_REPS[r] in wb.sheetnames[0] or wb.sheetnames[0] == PRIVATE_REPS[r]
        # The deal lists (issue 14 §2) are in the scan: they name the rep's own customers.
        stale = wb[label("sheet", "deals_stale", "ja")]
        assert any(isinstance(c.value, str) and f"SecretCust{'R%dX' % r}" in c.value
                   for row in stale.iter_rows() for c in row), rep
        for ws in wb.worksheets:  # hidden sheets too
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str):
                        assert not any(s in c.value for o in range(3) if o != r for s in _secrets_of(o)), \
                            (ws.title, c.coordinate, c.value)
