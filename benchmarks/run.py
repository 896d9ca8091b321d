"""The benchmark suite: how xlsales' time and memory grow with the size of the log.

One command::

    python -m benchmarks.run [--sizes 10k,100k,100k-stages] [--repeat 3 | --repeat 10k=3,100k=1] [--with-700k]

A size is a row count (10k rows / 10 reps, 100k / 50, 700k / 200 reps in teams of 10-20;
``benchmarks.generate``), optionally followed by a log shape: ``100k`` is the deck's
rhythm cut at 100k rows, ``100k-stages`` a whole fiscal year with about 8% stage events.
Per size, the median of ``--repeat`` runs of:

(a) read + validate: ``read_master`` of the written master;
(b) build: ``xlsales.build`` (team + every per-team and per-person workbook), and the
    ``xlsales build`` command end to end (read + validate + build), each in the same round
    as a run of floor A;
(c) the peak RSS of (b), each run in a child process;
(d) the output sizes;
(e) LibreOffice headless recalculation of every kind of workbook: the team workbook (all
    reps), the largest team's, the largest per-person workbook, the team check-in
    workbook (``write_checkins``) and the evaluation workbook (``write_evaluation``)
    (``tests.support.libreoffice.recalculate``);

and, on the same data in the same run, the floors:

(A) ``pandas.DataFrame.to_excel`` of the log alone with the XlsxWriter engine;
(B) LibreOffice loading and saving each workbook with recalculation switched off.

Machines are shared and noisy, so the targets (issue 16) are ratios measured in the same
run: ``xlsales build`` end to end ≤ 2.5 × A and the team workbook's recalculation ≤ 1.5 × B
at 100k, on both log shapes; at 700k every kind of workbook recalculates in ≤ 3 × its own
load + save within 8 GB, the build peaks ≤ 700 MB, and time and memory grow ≤ 8 × from 100k.
Every measurement runs in its own child process (its time is taken inside the child, around
the measured call only); a LibreOffice step that outlives ``--lo-timeout`` is killed with
its process group and recorded as a timeout.

Writes ``RESULTS.md`` and ``results.png`` into ``--out`` (default: this folder) and the
raw numbers into ``WORK/results.json``; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import pickle
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from xlsales.vocab import STAGES

from .generate import SHAPES, SIZES, TEAM_SIZES, log_end, parse_size, synthetic_master

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MB = 1024 * 1024
# Issue 16's targets: the `xlsales build` command end to end against A at 100k, the team
# workbook's recalculation against B at 100k (both on every log shape), each kind of
# workbook at 700k against its own load within LibreOffice's memory limit, the build's
# peak memory at 700k, growth 700k / 100k.
TARGET_RATIO_BUILD = 2.5
TARGET_RATIO_RECALC = 1.5
TARGET_RATIO_RECALC_700K = 3.0
TARGET_LO_BYTES = 8 * 1024**3
TARGET_GROWTH = 8.0
TARGET_PEAK_BYTES = 700 * MB

# ----------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k,100k,700k or row counts")
    parser.add_argument("--with-700k", action="store_true", help="add 700k rows / 200 reps to --sizes")
    parser.add_argument("--repeat", default="1", help="runs per measure: N, or per size: 10k=3,100k=1")
    parser.add_argument("--lo-timeout", type=float, default=1800, help="seconds per LibreOffice step (1800)")
    parser.add_argument("--no-lo", action="store_true",
                        help="skip the LibreOffice steps (e) and (B); with --merge, keep those measured before")
    parser.add_argument("--profile", metavar="SIZE", help="also profile one build of SIZE with cProfile")
    parser.add_argument("--variants", metavar="SIZES",
                        help="also time variants of these sizes' team workbooks without the log's helper formulas")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE, help="where RESULTS.md and results.png go")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "xlsales-bench",
                        help="scratch folder for masters and workbooks")
    parser.add_argument("--merge", action="store_true", help="keep earlier results of sizes not run now")
    parser.add_argument("--report-only", action="store_true", help="re-render the report from WORK/results.json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_work(json.loads(args.worker))))
        return 0

    args.work.mkdir(parents=True, exist_ok=True)
    raw_path = args.work / "results.json"
    if args.report_only:
        data = json.loads(raw_path.read_text("utf-8"))
        _report(data, args.out)
        return 0
    names = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if args.with_700k and "700k" not in names:
        names.append("700k")
    repeats = _parse_repeat(args.repeat, names)
    data: dict[str, Any] = {"sizes": {}, "extras": {}}
    if args.merge and raw_path.exists():
        data = json.loads(raw_path.read_text("utf-8"))
    data["machine"] = machine_info()
    data.setdefault("commands", []).append({
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "command": "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])})
    data["lo_timeout"] = args.lo_timeout
    bench = _Bench(args.work, args.lo_timeout, not args.no_lo)
    for name in names:
        earlier = data["sizes"].get(name)
        data["sizes"][name] = bench.size(name, repeats[name], args.seed)
        if args.no_lo and earlier:  # --merge --no-lo: keep the LibreOffice runs measured before
            for key in _LO_KEYS:
                data["sizes"][name]["runs"][key] = earlier["runs"].get(key, [])
            data["sizes"][name]["lo_date"] = earlier.get("lo_date", earlier["date"])
        _save(data, raw_path, args.out)
    if args.profile:
        data["extras"]["profile"] = bench.profile(args.profile, args.seed)
        _save(data, raw_path, args.out)
    for name in filter(None, (args.variants or "").split(",")):
        runs = data["sizes"].get(name, {}).get("runs", {})
        done = {"load": runs.get("lo_B"), "recalc": runs.get("lo_team")} if runs.get("lo_team") else None
        data["extras"].setdefault("variants", {})[name] = bench.variants(name, args.seed, as_built=done)
        _save(data, raw_path, args.out)
    _log(f"done: {args.out / 'RESULTS.md'}")
    return 0


def machine_info() -> dict[str, Any]:
    """nproc, memory, CPU and the versions that matter, for the report."""
    import pandas
    import xlsxwriter

    info: dict[str, Any] = {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "cpu": _cpu_model(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "xlsxwriter": xlsxwriter.__version__,
        "pandas": pandas.__version__,
        "libreoffice": _libreoffice_version(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        import openpyxl
        info["openpyxl"] = openpyxl.__version__
    except ImportError:  # pragma: no cover - a dependency of xlsales
        pass
    return info


# ----------------------------------------------------------------------------------
# Private API: the measurements (parent side).
# ----------------------------------------------------------------------------------


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _parse_repeat(text: str, names: list[str]) -> dict[str, int]:
    if "=" not in text:
        return dict.fromkeys(names, int(text))
    given = dict(part.split("=") for part in text.split(","))
    return {n: int(given.get(n, 1)) for n in names}


def _size_spec(name: str) -> dict[str, Any]:
    """``100k`` or ``100k-stages`` (a size, then a log shape of ``benchmarks.generate``)."""
    base, _, shape = name.partition("-")
    shape = shape or "rhythm"
    if shape not in SHAPES:
        raise ValueError(f"unknown log shape {shape!r} in {name!r} (shapes: {', '.join(SHAPES)})")
    if base in SIZES:
        rows, reps = SIZES[base]
    else:
        rows = parse_size(base)
        reps = max(1, round(rows / 2000))  # the 100k/50 ratio
    return {"rows": rows, "reps": reps, "shape": shape, "team_sizes": TEAM_SIZES.get(base), "base": base}


_LO_KEYS = ("lo_B", "lo_team", "lo_teamwb_B", "lo_teamwb", "lo_person_B", "lo_person", "lo_checkin_B",
            "lo_checkin", "lo_eval_B", "lo_eval")
# Each kind of workbook: its recalculation and its load + save (the floor) in the report.
_KINDS = (("team", "lo_team", "lo_B"), ("largest team", "lo_teamwb", "lo_teamwb_B"),
          ("largest rep", "lo_person", "lo_person_B"), ("check-in", "lo_checkin", "lo_checkin_B"),
          ("evaluation", "lo_eval", "lo_eval_B"))


class _Bench:
    def __init__(self, work: Path, lo_timeout: float, with_lo: bool) -> None:
        self.work, self.lo_timeout, self.with_lo = work, lo_timeout, with_lo

    def prepare(self, name: str, seed: int) -> dict[str, Any]:
        """Generate the master of ``name``, write it and pickle it for the workers (cached)."""
        spec = _size_spec(name)
        rows, reps, shape = spec["rows"], spec["reps"], spec["shape"]
        folder = self.work / name
        folder.mkdir(parents=True, exist_ok=True)
        meta_path = folder / "meta.json"
        if meta_path.exists():
            meta = json.loads(meta_path.read_text("utf-8"))
            wanted = {"seed": seed, "rows": rows, "reps": reps, "shape": shape,
                      "team_sizes": list(spec["team_sizes"] or [8, 8])}
            if all(meta.get(k) == v for k, v in wanted.items()):
                return meta
        _log(f"{name}: generating {rows} rows / {reps} reps, {shape} shape")
        t0 = time.perf_counter()
        master = synthetic_master(rows, reps, seed=seed, shape=shape, team_sizes=spec["team_sizes"])
        t1 = time.perf_counter()
        from xlsales import write_master

        write_master(folder / "master.xlsx", master)
        t2 = time.perf_counter()
        with open(folder / "master.pickle", "wb") as f:
            pickle.dump(master, f, protocol=pickle.HIGHEST_PROTOCOL)
        teams = {m.team for m in master.members}
        meta = {"seed": seed, "rows": len(master.events), "reps": len(master.members), "shape": shape,
                "teams": len(teams), "team_sizes": list(spec["team_sizes"] or [8, 8]),
                "stage_share": sum(ev.activity in STAGES for ev in master.events) / max(1, len(master.events)),
                "log_start": min(ev.date for ev in master.events).isoformat(),
                "as_of": log_end(master).isoformat(), "generate_s": t1 - t0, "write_master_s": t2 - t1,
                "master_bytes": (folder / "master.xlsx").stat().st_size}
        _log(f"{name}: generated in {meta['generate_s']:.1f} s, master written in {meta['write_master_s']:.1f} s "
             f"({meta['master_bytes'] / MB:.1f} MB), log {meta['log_start']}..{meta['as_of']}")
        del master
        gc.collect()
        meta_path.write_text(json.dumps(meta), "utf-8")
        return meta

    def size(self, name: str, repeat: int, seed: int) -> dict[str, Any]:
        meta = self.prepare(name, seed)
        folder = self.work / name
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in ("pandas", "build", "read", "cli", "evaluate",
                                                                  "checkin", *_LO_KEYS)}
        res: dict[str, Any] = {**meta, "repeat": repeat, "date": dt.date.today().isoformat(), "runs": runs}
        pickled, master_xlsx = str(folder / "master.pickle"), str(folder / "master.xlsx")
        out = folder / "out"
        for i in range(repeat):
            tag = f"{name} {i + 1}/{repeat}"
            r = self.child({"task": "pandas", "master": pickled, "out": str(folder / "pandas.xlsx")}, None)
            runs["pandas"].append(r)
            _log(f"{tag}: (A) pandas to_excel of the log {_fmt_run(r)}")
            shutil.rmtree(out, ignore_errors=True)
            r = self.child({"task": "build", "master": pickled, "out": str(out), "as_of": meta["as_of"]}, None)
            runs["build"].append(r)
            _log(f"{tag}: (b) build {_fmt_run(r)}, peak RSS {r.get('maxrss_kb', 0) / 1024:.0f} MB")
            # The command a manager runs, in the same round as its floor A.
            cli_out = folder / "out-cli"
            shutil.rmtree(cli_out, ignore_errors=True)
            r = self.child({"task": "cli", "master": master_xlsx, "out": str(cli_out), "as_of": meta["as_of"]},
                           None)
            runs["cli"].append(r)
            shutil.rmtree(cli_out, ignore_errors=True)
            _log(f"{tag}: xlsales build (CLI, read + build) {_fmt_run(r)}, "
                 f"peak RSS {r.get('maxrss_kb', 0) / 1024:.0f} MB")
        for i in range(repeat):
            r = self.child({"task": "read", "master": master_xlsx}, None)
            runs["read"].append(r)
            _log(f"{name} {i + 1}/{repeat}: (a) read + validate {_fmt_run(r)}")
            if r.get("rows") not in (None, meta["rows"]):
                raise RuntimeError(f"read_master gave {r['rows']} rows, expected {meta['rows']}")
        eval_out = folder / "out-eval"
        shutil.rmtree(eval_out, ignore_errors=True)
        r = self.child({"task": "evaluate", "master": pickled, "out": str(eval_out), "as_of": meta["as_of"]}, None)
        runs["evaluate"].append(r)
        _log(f"{name}: {_LABELS['evaluate']} {_fmt_run(r)}")
        checkin_out = folder / "out-checkin"
        shutil.rmtree(checkin_out, ignore_errors=True)
        r = self.child({"task": "checkin", "master": pickled, "out": str(checkin_out), "as_of": meta["as_of"]}, None)
        runs["checkin"].append(r)
        _log(f"{name}: {_LABELS['checkin']} {_fmt_run(r)}")
        last = runs["build"][-1]
        if "team" not in last:
            return res
        res.update(team_bytes=last["team_bytes"], people_bytes=sum(last["people_bytes"].values()),
                   people_count=len(last["people_bytes"]))
        person = max(last["people_bytes"], key=last["people_bytes"].get)
        res.update(person_file=Path(person).name, person_bytes=last["people_bytes"][person])
        if not self.with_lo:
            return res
        steps = [("lo_B", last["team"], False), ("lo_team", last["team"], True)]
        if last.get("teams_bytes"):  # the largest team's workbook
            biggest = max(last["teams_bytes"], key=last["teams_bytes"].get)
            res.update(teamwb_file=Path(biggest).name, teamwb_bytes=last["teams_bytes"][biggest])
            steps += [("lo_teamwb_B", biggest, False), ("lo_teamwb", biggest, True)]
        steps += [("lo_person_B", person, False), ("lo_person", person, True)]
        if "path" in runs["checkin"][-1]:
            steps += [("lo_checkin_B", runs["checkin"][-1]["path"], False),
                      ("lo_checkin", runs["checkin"][-1]["path"], True)]
        if "path" in runs["evaluate"][-1]:
            evaluation = runs["evaluate"][-1]["path"]
            steps += [("lo_eval_B", evaluation, False), ("lo_eval", evaluation, True)]
        for i in range(repeat):
            for key, src, recalc in steps:
                if any(x.get("timeout") for x in runs[key]):
                    continue  # one timeout is enough
                r = self.child({"task": "lo", "src": src, "out": str(folder / f"{key}-{i}"), "recalc": recalc},
                               self.lo_timeout)
                runs[key].append(r)
                _log(f"{name} {i + 1}/{repeat}: {_LABELS[key]} {_fmt_run(r)}")
        return res

    def profile(self, name: str, seed: int) -> dict[str, Any]:
        meta = self.prepare(name, seed)
        folder = self.work / name
        _log(f"{name}: profiling one build with cProfile")
        r = self.child({"task": "profile", "master": str(folder / "master.pickle"), "out": str(folder / "out-profile"),
                        "as_of": meta["as_of"]}, None)
        shutil.rmtree(folder / "out-profile", ignore_errors=True)
        return {"size": name, **r}

    def variants(self, name: str, seed: int, *, as_built: dict[str, list[dict[str, Any]]] | None = None
                 ) -> dict[str, Any]:
        """LibreOffice load + save and recalculation of the team workbook without some helper formulas.

        ``as_built``: the team workbook's runs of this size ("load", "recalc"), when measured already.
        """
        meta = self.prepare(name, seed)
        folder = self.work / name
        out = folder / "out"
        teams = sorted(out.glob("*チーム*.xlsx")) + sorted(out.glob("*team*.xlsx"))
        if not teams:
            self.child({"task": "build", "master": str(folder / "master.pickle"), "out": str(out),
                        "as_of": meta["as_of"]}, None)
            teams = sorted(out.glob("*チーム*.xlsx"))
        team = teams[0]
        result: dict[str, Any] = {"size": name, "runs": {}}
        vdir = folder / "variants"
        vdir.mkdir(exist_ok=True)
        for key, pattern in _VARIANTS.items():
            src = vdir / key / team.name
            if pattern is None and as_built:
                result["runs"][key] = {mode: sorted(runs, key=lambda r: r.get("seconds", 0))[len(runs) // 2]
                                       for mode, runs in as_built.items() if runs}
                continue
            if pattern is None:
                src = team
            else:
                src.parent.mkdir(exist_ok=True)
                result.setdefault("removed", {})[key] = _strip_formulas(team, src, pattern)
            for mode, recalc in (("load", False), ("recalc", True)):
                r = self.child({"task": "lo", "src": str(src), "out": str(vdir / f"{key}-{mode}"), "recalc": recalc},
                               self.lo_timeout)
                result["runs"].setdefault(key, {})[mode] = r
                _log(f"{name}: variant {key}: {mode} {_fmt_run(r)}")
        return result

    def child(self, spec: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        """Run one measurement in a fresh process (its own process group), killed after ``timeout``."""
        tmp = Path(tempfile.mkdtemp(prefix="child-", dir=self.work))
        env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        cmd = [sys.executable, "-m", "benchmarks.run", "--worker", json.dumps(spec)]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return {"timeout": True, "seconds": timeout, "wall_s": time.perf_counter() - t0}
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            tail = stderr.strip().splitlines()[-3:]
            return {"error": " / ".join(tail) or f"exit {proc.returncode}", "wall_s": wall}
        r = json.loads(stdout.strip().splitlines()[-1])
        r["wall_s"] = wall
        return r


def _kill_group(proc: subprocess.Popen) -> None:
    # The worker leads its own session: soffice and its children are in its group.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        time.sleep(2)
    proc.communicate()


# Variants of the team workbook: formulas removed (their cached values stay) by a pattern
# over the formula text; None is the workbook as built.
_VARIANTS: dict[str, str | None] = {
    "as_built": None,
    "no_maxifs": r"MAXIFS",  # the 直前順序 helper: each row searches the whole table
    "no_helpers": r"#This Row",  # every calculated column of the ActivityLog table
}


def _strip_formulas(src: Path, dst: Path, pattern: str) -> int:
    """Copy ``src`` to ``dst`` with every ``<f>`` matching ``pattern`` removed; returns how many."""
    rx = re.compile(r"<f>([^<]*)</f>")
    needle = re.compile(pattern)
    removed = 0

    def drop(m: re.Match) -> str:
        nonlocal removed
        if needle.search(m.group(1)):
            removed += 1
            return ""
        return m.group(0)

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = rx.sub(drop, data.decode("utf-8")).encode("utf-8")
            zout.writestr(item, data)
    return removed


# ----------------------------------------------------------------------------------
# Private API: the workers (child side).
# ----------------------------------------------------------------------------------


def _maxrss_kb(who: int = resource.RUSAGE_SELF) -> int:
    """Peak RSS in kB: this process's own (VmHWM), or its waited-for children's."""
    # Not ru_maxrss for ourselves: Linux carries the parent's peak over fork + exec into
    # it, and the parent (which generated the master) is far bigger than a worker.
    if who == resource.RUSAGE_SELF:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:  # not Linux
            pass
    return resource.getrusage(who).ru_maxrss  # kilobytes on Linux


def _load(path: str) -> Any:
    with open(path, "rb") as f:
        return pickle.load(f)


def _work(spec: dict[str, Any]) -> dict[str, Any]:
    task = spec["task"]
    if task == "read":
        from xlsales import read_master

        t0 = time.perf_counter()
        master = read_master(spec["master"])
        return {"seconds": time.perf_counter() - t0, "rows": len(master.events), "maxrss_kb": _maxrss_kb()}
    if task in ("build", "profile"):
        from xlsales import build

        master = _load(spec["master"])
        gc.collect()
        base = _maxrss_kb()
        as_of = dt.date.fromisoformat(spec["as_of"])
        if task == "profile":
            return _profile(lambda: build(master, spec["out"], as_of=as_of))
        t0 = time.perf_counter()
        result = build(master, spec["out"], as_of=as_of)
        seconds = time.perf_counter() - t0
        return {"seconds": seconds, "maxrss_kb": _maxrss_kb(), "maxrss_before_kb": base,
                "team": str(result.team), "team_bytes": result.team.stat().st_size,
                "people_bytes": {str(p): p.stat().st_size for p in result.people.values()},
                "teams_bytes": {str(p): p.stat().st_size for p in result.teams.values()}}
    if task == "checkin":
        from xlsales.write.checkin import write_checkins

        master = _load(spec["master"])
        gc.collect()
        t0 = time.perf_counter()
        result = write_checkins(master, spec["out"], as_of=dt.date.fromisoformat(spec["as_of"]))
        return {"seconds": time.perf_counter() - t0, "maxrss_kb": _maxrss_kb(), "path": str(result.team),
                "bytes": result.team.stat().st_size}
    if task == "evaluate":
        from xlsales import write_evaluation

        master = _load(spec["master"])
        gc.collect()
        # The fiscal year up to the last month that ended before the log's last day.
        t0 = time.perf_counter()
        result = write_evaluation(master, spec["out"], today=dt.date.fromisoformat(spec["as_of"]))
        return {"seconds": time.perf_counter() - t0, "maxrss_kb": _maxrss_kb(), "path": str(result.paths[0]),
                "bytes": result.paths[0].stat().st_size}
    if task == "cli":
        from xlsales.cli import cli

        t0 = time.perf_counter()
        cli.main(["build", spec["master"], "--out", spec["out"], "--as-of", spec["as_of"]], standalone_mode=False)
        return {"seconds": time.perf_counter() - t0, "maxrss_kb": _maxrss_kb()}
    if task == "pandas":
        frame = _log_frame(_load(spec["master"]))
        t0 = time.perf_counter()
        frame.to_excel(spec["out"], engine="xlsxwriter", index=False)
        return {"seconds": time.perf_counter() - t0, "maxrss_kb": _maxrss_kb(),
                "bytes": Path(spec["out"]).stat().st_size}
    if task == "lo":
        from tests.support.libreoffice import convert

        t0 = time.perf_counter()
        # The parent enforces the time limit (it kills the whole process group).
        path = convert(spec["src"], spec["out"], recalc=spec["recalc"], timeout=7 * 86400)
        seconds = time.perf_counter() - t0
        return {"seconds": seconds, "soffice_maxrss_kb": _maxrss_kb(resource.RUSAGE_CHILDREN),
                "bytes": path.stat().st_size}
    raise ValueError(f"unknown task {task!r}")


def _log_frame(master: Any) -> Any:
    # The log as the master holds it (the nine input columns, labels in Japanese).
    import pandas as pd

    from xlsales.texts import label, labels

    heads = labels("log", "ja")
    rows = [(ev.id, pd.Timestamp(ev.date), ev.rep, label("activity", ev.activity, "ja"), ev.customer or None,
             ev.amount, label("lost_reason", ev.lost_reason, "ja") if ev.lost_reason else None,
             ev.close_month.strftime("%Y-%m") if ev.close_month else None, ev.note or None)
            for ev in master.events]
    return pd.DataFrame(rows, columns=list(heads.values()))


def _profile(fn: Any) -> dict[str, Any]:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    fn()
    prof.disable()
    seconds = time.perf_counter() - t0
    stats = pstats.Stats(prof).stats  # (file, line, name) -> (cc, nc, tottime, cumtime, callers)

    def where(key: tuple[str, int, str]) -> str:
        file, line, func = key
        file = re.sub(r".*/(site-packages|src|lib/python3\.\d+)/", "", file)
        return f"{file}:{line}({func})" if line else func

    def top(index: int) -> list[list[Any]]:
        mine = [kv for kv in stats.items() if "benchmarks" not in kv[0][0]]  # not the harness
        items = sorted(mine, key=lambda kv: kv[1][index], reverse=True)[:10]
        return [[where(k), v[1], round(v[2], 2), round(v[3], 2)] for k, v in items]

    total = sum(v[2] for v in stats.values())
    return {"seconds": seconds, "total_tottime": total, "by_tottime": top(2), "by_cumtime": top(3)}


# ----------------------------------------------------------------------------------
# Private API: the report.
# ----------------------------------------------------------------------------------

_LABELS = {
    "read": "(a) read + validate (`read_master`)",
    "build": "(b) build: team + per-person workbooks",
    "cli": "`xlsales build` CLI (read + validate + build)",
    "pandas": "(A) pandas `to_excel` of the log (XlsxWriter)",
    "lo_B": "(B) LibreOffice load + save team, no recalc",
    "lo_team": "(e) LibreOffice recalc, team workbook",
    "evaluate": "`write_evaluation` (the 人事評価 workbook)",
    "lo_eval_B": "LibreOffice load + save evaluation, no recalc",
    "lo_eval": "LibreOffice recalc, evaluation workbook",
    "lo_person_B": "LibreOffice load + save one person, no recalc",
    "lo_person": "(e) LibreOffice recalc, one per-person workbook",
    "checkin": "`write_checkins` (the check-in workbooks)",
    "lo_teamwb_B": "LibreOffice load + save the largest team's workbook, no recalc",
    "lo_teamwb": "LibreOffice recalc, the largest team's workbook",
    "lo_checkin_B": "LibreOffice load + save the team check-in workbook, no recalc",
    "lo_checkin": "LibreOffice recalc, the team check-in workbook",
}


def _ok(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in runs if "seconds" in r and not r.get("timeout") and not r.get("error")]


def _median(runs: list[dict[str, Any]], key: str = "seconds") -> float | None:
    vals = [r[key] for r in _ok(runs) if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def _timed_out(runs: list[dict[str, Any]]) -> bool:
    return any(r.get("timeout") for r in runs)


def _fmt_run(r: dict[str, Any]) -> str:
    if r.get("timeout"):
        return f"TIMEOUT after {r['seconds']:.0f} s"
    if r.get("error"):
        return f"ERROR: {r['error']}"
    return f"{r['seconds']:.2f} s"


def _cell_time(runs: list[dict[str, Any]], timeout: float) -> str:
    if _timed_out(runs):
        return f"timeout (> {timeout:.0f} s)"
    if any(r.get("error") for r in runs):
        return "error"
    m = _median(runs)
    return "–" if m is None else f"{m:.2f} s"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _verdict(value: float | None, limit: float, *, lower_bound: bool = False) -> str:
    # lower_bound: the value is only known to exceed ``value`` (a timeout).
    if value is None:
        return "not measured"
    if lower_bound:
        return "FAIL" if value > limit else "unknown"
    return "PASS" if value <= limit else "FAIL"


def _save(data: dict[str, Any], raw_path: Path, out: Path) -> None:
    raw_path.write_text(json.dumps(data, indent=1, ensure_ascii=False), "utf-8")
    _report(data, out)


def _report(data: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "RESULTS.md").write_text(_markdown(data), "utf-8")
    try:
        _plot(data, out / "results.png")
    except ImportError:
        _log("matplotlib is not installed: no results.png (pip install matplotlib)")


def _markdown(data: dict[str, Any]) -> str:
    sizes: dict[str, dict[str, Any]] = dict(sorted(data["sizes"].items(), key=lambda kv: kv[1]["rows"]))
    names = list(sizes)
    timeout = data.get("lo_timeout", 1800)
    m = data["machine"]
    lines = [
        "# xlsales benchmark results",
        "",
        "Run " + "; then ".join(f"{c['started']} with `{c['command']}`" for c in data["commands"]) + ".",
        f"Machine: {m['nproc']} CPUs (`nproc`), {m['memory_gb']} GB memory, {m['cpu']}; load average at start "
        f"{' / '.join(str(x) for x in m['loadavg'])}. {m['os']}.",
        f"Versions: Python {m['python']}, XlsxWriter {m['xlsxwriter']}, openpyxl {m.get('openpyxl', '?')}, "
        f"pandas {m['pandas']}, {m['libreoffice']}.",
        "",
        "Times are medians of the runs shown (`runs` row), taken inside a child process around the measured "
        "call only; peak RSS is the child's own high-water mark (`VmHWM`; for LibreOffice, `ru_maxrss` of the "
        "converting process tree). "
        "Machines are shared and noisy: the ratios, measured in the same run on the same data, are what "
        "the targets are about; the seconds are for this machine only.",
        "",
        "## Targets",
        "",
        "| target | measured | limit | verdict |",
        "|---|---|---|---|",
    ]
    lines += _target_rows(sizes, timeout)
    lines += _design_rows(sizes)
    lines += ["", "## Medians", "", "| measure | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]

    def row(title: str, fn: Any) -> None:
        lines.append(f"| {title} | " + " | ".join(fn(sizes[n]) for n in names) + " |")

    def mb(x: float | None) -> str:
        return "–" if x is None else f"{x / MB:,.1f} MB"

    def rss(runs: list[dict[str, Any]], key: str = "maxrss_kb") -> str:
        v = max((r[key] for r in _ok(runs) if r.get(key)), default=None)
        return "–" if v is None else f"{v / 1024:,.0f} MB"

    def ratio(a: str, b: str) -> Any:
        def fn(s: dict[str, Any]) -> str:
            if _timed_out(s["runs"][a]):
                lo = _ratio(timeout, _median(s["runs"][b]))
                return "–" if lo is None else f"> {lo:.1f}"
            r = _ratio(_median(s["runs"][a]), _median(s["runs"][b]))
            return "–" if r is None else f"{r:.2f}"
        return fn

    row("log shape (`benchmarks.generate`)", lambda s: s.get("shape", "rhythm"))
    row("log rows / reps / teams", lambda s: f"{s['rows']:,} / {s['reps']} / {s.get('teams', '–')}")
    row("stage events per log row", lambda s: f"{s['stage_share']:.1%}" if "stage_share" in s else "–")
    row("log dates (as-of = last)", lambda s: f"{s['log_start']} .. {s['as_of']}")
    row("runs (repeat)", lambda s: str(s["repeat"]) + (" (LibreOffice rows: an earlier command, see the runs list)"
                                                       if s.get("lo_date") else ""))
    row("generate the master (1 run)", lambda s: f"{s['generate_s']:.2f} s")
    row("`write_master` (1 run)", lambda s: f"{s['write_master_s']:.2f} s")
    row("master file", lambda s: mb(s["master_bytes"]))
    for key in ("read", "pandas", "build"):
        row(_LABELS[key], lambda s, k=key: _cell_time(s["runs"][k], timeout))
    row("**build / A**", ratio("build", "pandas"))
    row("(c) build peak RSS", lambda s: rss(s["runs"]["build"]))
    row("build: RSS before building (master loaded)", lambda s: rss(s["runs"]["build"], "maxrss_before_kb"))
    row(_LABELS["cli"], lambda s: _cell_time(s["runs"]["cli"], timeout))
    row("**`xlsales build` CLI / A**", ratio("cli", "pandas"))
    row("`xlsales build` CLI peak RSS", lambda s: rss(s["runs"]["cli"]))
    row("(a) read peak RSS", lambda s: rss(s["runs"]["read"]))
    row("(d) team workbook", lambda s: mb(s.get("team_bytes")))
    row("(d) per-person workbooks, sum", lambda s: f"{mb(s.get('people_bytes'))} ({s.get('people_count', '–')} files)")
    row("(d) largest per-person workbook", lambda s: mb(s.get("person_bytes")))
    row("A's file (log only)", lambda s: mb(max((r.get("bytes", 0) for r in s["runs"]["pandas"]), default=None)))
    for key in ("lo_B", "lo_team"):
        row(_LABELS[key], lambda s, k=key: _cell_time(s["runs"][k], timeout))
    row("**team recalc / B**", ratio("lo_team", "lo_B"))
    row("LibreOffice peak RSS, team recalc", lambda s: rss(s["runs"]["lo_team"], "soffice_maxrss_kb"))
    for key in ("lo_teamwb_B", "lo_teamwb"):
        row(_LABELS[key], lambda s, k=key: _cell_time(s["runs"].get(k, []), timeout))
    row("largest team recalc / its load + save", lambda s: ratio("lo_teamwb", "lo_teamwb_B")(s)
        if s["runs"].get("lo_teamwb") else "–")
    row("LibreOffice peak RSS, largest team recalc", lambda s: rss(s["runs"].get("lo_teamwb", []),
                                                                    "soffice_maxrss_kb"))
    for key in ("lo_person_B", "lo_person"):
        row(_LABELS[key], lambda s, k=key: _cell_time(s["runs"][k], timeout))
    row("person recalc / person load + save", ratio("lo_person", "lo_person_B"))
    row(_LABELS["checkin"], lambda s: _cell_time(s["runs"].get("checkin", []), timeout))
    for key in ("lo_checkin_B", "lo_checkin"):
        row(_LABELS[key], lambda s, k=key: _cell_time(s["runs"].get(k, []), timeout))
    row("check-in recalc / its load + save", lambda s: ratio("lo_checkin", "lo_checkin_B")(s)
        if s["runs"].get("lo_checkin") else "–")
    row(_LABELS["evaluate"], lambda s: _cell_time(s["runs"].get("evaluate", []), timeout))
    for key in ("lo_eval_B", "lo_eval"):
        row(_LABELS[key], lambda s, k=key: _cell_time(s["runs"].get(k, []), timeout))
    row("evaluation recalc / its load + save", lambda s: ratio("lo_eval", "lo_eval_B")(s)
        if s["runs"].get("lo_eval") else "–")
    row("LibreOffice peak RSS, evaluation recalc", lambda s: rss(s["runs"].get("lo_eval", []), "soffice_maxrss_kb"))

    lines += _growth_rows(sizes, timeout)
    lines += _extras(data.get("extras", {}), timeout)
    lines += ["", "## All runs (seconds)", ""]
    for n in names:
        parts = []
        for key, runs in sizes[n]["runs"].items():
            if runs:
                parts.append(f"{key}: " + ", ".join(_fmt_run(r).replace(" s", "") for r in runs))
        lines.append(f"- {n}: " + "; ".join(parts))
    lines += ["", "![time and memory against log rows](results.png)", ""]
    history = HERE / "HISTORY.md"  # written by hand: figures before and after each optimisation
    if history.exists():
        lines += ["", history.read_text("utf-8").strip(), ""]
    return "\n".join(lines)


def _design_rows(sizes: dict[str, dict[str, Any]]) -> list[str]:
    """Which design the workbook of all reps has at 700k, and why, with the figures of both."""
    from xlsales.layout.values import LIVE_ROWS

    big = [(n, s) for n, s in sizes.items() if s.get("rows", 0) > LIVE_ROWS and s["runs"].get("lo_team")]
    if not big:
        return []
    name, s = big[0]
    load, recalc = _median(s["runs"].get("lo_B", [])), _median(s["runs"]["lo_team"])
    peak = _peak(s, "lo_team")
    small = next((t for n, t in sizes.items() if _size_spec(n)["base"] == "100k" and t["runs"].get("lo_team")), None)
    live100 = "" if small is None else (f" At 100k rows the live workbook of all reps is recalculated in "
                                        f"{_num(_median(small['runs']['lo_team']))} s with "
                                        f"{_mb_text((_peak(small, 'lo_team') or 0) * 1024)} in this run.")
    return ["", f"## The workbook of all reps at {name}: values, not live formulas", "",
            f"Chosen: above `LIVE_ROWS` = {LIVE_ROWS:,} log rows (`xlsales.layout.values`) the workbook of all "
            "reps, the team check-in and the evaluation of all reps are written without the log, every figure "
            "counted from it as its value, and each sheet says so; the workbooks of each team and each rep stay "
            f"live. Measured here at {name}: LibreOffice opens and saves it in {_num(load)} s and recalculates it in "
            f"{_num(recalc)} s, peak {_mb_text(None if peak is None else peak * 1024)}; the largest team's live "
            f"workbook is recalculated in {_num(_median(s['runs'].get('lo_teamwb', [])))} s.", "",
            "Not chosen: the live workbook of all reps at 700k rows (57.5 MB) had passed 8.7 GB in LibreOffice "
            "before it had finished loading, and was killed (2026-11-30, see the history below); LibreOffice's "
            "peak grows with the document (0.6 GB at 10k rows, 3.9 GB at 100k, about 8 GB at 200k), not with its "
            "formulas, so no formula change brings it within 8 GB." + live100]


def _target_rows(sizes: dict[str, dict[str, Any]], timeout: float) -> list[str]:
    out = []

    def ratio_row(title: str, a: list[dict[str, Any]], b: list[dict[str, Any]], limit: float) -> str:
        if _timed_out(a):
            r = _ratio(timeout, _median(b))
            return (f"| {title} | > {_num(r, '×')} (timeout > {timeout:.0f} s) | {limit:g} × | "
                    f"{_verdict(r, limit, lower_bound=True)} |")
        r = _ratio(_median(a), _median(b))
        return f"| {title} | {_num(r, '×')} | {limit:g} × | {_verdict(r, limit)} |"

    for name, s in sizes.items():
        base, shape = _size_spec(name)["base"], s.get("shape", "rhythm")
        runs = s["runs"]
        if base == "100k":
            out.append(ratio_row(f"`xlsales build` end to end at 100k, {shape} log ≤ {TARGET_RATIO_BUILD:g} × A",
                                 runs["cli"], runs["pandas"], TARGET_RATIO_BUILD))
            if runs.get("lo_team"):
                out.append(ratio_row(f"team recalc at 100k, {shape} log ≤ {TARGET_RATIO_RECALC:g} × B",
                                     runs["lo_team"], runs["lo_B"], TARGET_RATIO_RECALC))
        if base == "700k":
            for kind, key, floor in _KINDS:
                if runs.get(key) or runs.get(floor):
                    out.append(ratio_row(f"700k, {shape} log: {kind} workbook recalc ≤ "
                                         f"{TARGET_RATIO_RECALC_700K:g} × its load", runs.get(key, []),
                                         runs.get(floor, []), TARGET_RATIO_RECALC_700K))
                    p = _peak(s, key)
                    v = None if p is None else p * 1024
                    out.append(f"| 700k, {shape} log: LibreOffice peak memory, {kind} recalc ≤ 8 GB | {_mb_text(v)} | "
                               f"8 GB | {_verdict(v, TARGET_LO_BYTES)} |")
            for key, what in (("cli", "`xlsales build` CLI"), ("build", "build")):
                p = _peak(s, key)
                v = None if p is None else p * 1024
                out.append(f"| 700k, {shape} log: peak memory of the {what} ≤ 700 MB | {_mb_text(v)} | 700 MB | "
                           f"{_verdict(v, TARGET_PEAK_BYTES)} |")
            small = next((n for n, t in sizes.items() if _size_spec(n)["base"] == "100k"
                          and t.get("shape", "rhythm") == shape), None)
            if small:
                for key, what in (("cli", "`xlsales build` CLI time"), ("build", "build time")):
                    g = _ratio(_median(runs[key]), _median(sizes[small]["runs"][key]))
                    out.append(f"| growth 700k / 100k, {shape} log: {what} ≤ 8 | {_num(g, '×')} | 8 × | "
                               f"{_verdict(g, TARGET_GROWTH)} |")
                for key, what in (("cli", "`xlsales build` CLI peak memory"), ("build", "build peak memory")):
                    g = _ratio(_peak(s, key), _peak(sizes[small], key))
                    out.append(f"| growth 700k / 100k, {shape} log: {what} ≤ 8 | {_num(g, '×')} | 8 × | "
                               f"{_verdict(g, TARGET_GROWTH)} |")
    return out or ["| targets (100k, 700k) | not run | | not measured |"]


def _mb_text(v: float | None) -> str:
    return "–" if v is None else f"{v / MB:,.0f} MB"


def _num(x: float | None, unit: str = "") -> str:
    return "–" if x is None else f"{x:.2f}{unit}"


def _peak(size: dict[str, Any], key: str) -> float | None:
    field = "soffice_maxrss_kb" if key.startswith("lo_") else "maxrss_kb"
    return max((r[field] for r in _ok(size["runs"].get(key, [])) if r.get(field)), default=None)


def _growth_rows(sizes: dict[str, dict[str, Any]], timeout: float) -> list[str]:
    by_shape: dict[str, list[str]] = {}
    for n, s in sizes.items():  # sizes are sorted by rows
        by_shape.setdefault(s.get("shape", "rhythm"), []).append(n)
    pairs = [p for names in by_shape.values() for p in zip(names, names[1:])]
    if not pairs:
        return []
    lines = ["", "## Growth between sizes", "",
             "Ratio of the larger size's median to the smaller's (rows grow by the factor in the first line; "
             "linear growth would equal it).", "",
             "| measure | " + " | ".join(f"{b} / {a}" for a, b in pairs) + " |", "|---" * (len(pairs) + 1) + "|"]

    def cells(fn: Any) -> str:
        return " | ".join(fn(sizes[a], sizes[b]) for a, b in pairs)

    lines.append("| log rows | " + cells(lambda a, b: f"{b['rows'] / a['rows']:.1f}") + " |")
    for key in ("read", "pandas", "build", "cli", "lo_B", "lo_team", "lo_person"):
        def g(a: dict[str, Any], b: dict[str, Any], k: str = key) -> str:
            if k not in a["runs"] or k not in b["runs"]:
                return "–"
            if _timed_out(b["runs"][k]) and not _timed_out(a["runs"][k]):
                lo = _ratio(timeout, _median(a["runs"][k]))
                return "–" if lo is None else f"> {lo:.1f}"
            return _num(_ratio(_median(b["runs"][k]), _median(a["runs"][k])))
        lines.append(f"| {_LABELS[key]} | " + cells(g) + " |")
    for key in ("build", "cli"):
        lines.append(f"| peak RSS: {key} | " + cells(lambda a, b, k=key: _num(_ratio(_peak(b, k), _peak(a, k)))) + " |")
    return lines


def _extras(extras: dict[str, Any], timeout: float) -> list[str]:
    lines: list[str] = []
    prof = extras.get("profile")
    if prof and "by_tottime" in prof:
        lines += ["", f"## Where the build's time goes ({prof['size']}, cProfile)", "",
                  f"One build under cProfile: {prof['seconds']:.1f} s (cProfile's overhead included).", ""]
        for key, title in (("by_tottime", "own time (tottime)"), ("by_cumtime", "cumulative time")):
            lines += [f"Top 10 by {title}:", "", "| function | calls | tottime (s) | cumtime (s) |",
                      "|---|---|---|---|"]
            lines += [f"| `{f}` | {n:,} | {tt:.2f} | {ct:.2f} |" for f, n, tt, ct in prof[key]]
            lines.append("")
    for var in extras.get("variants", {}).values():
        lines += ["", f"## Which formulas the recalculation spends its time on ({var['size']} team workbook)", "",
                  "The built team workbook, copied with some formulas removed from the sheet XML (their cached "
                  "values stay as constants), then loaded and saved by LibreOffice without and with recalculation "
                  "(one run each; the as-built row is the median of the runs above).", "",
                  "| variant | formulas removed | load + save, no recalc | recalc | recalc − load |",
                  "|---|---|---|---|---|"]
        texts = {"as_built": "none (as built)", "no_maxifs": "the 直前順序 `MAXIFS` helper column",
                 "no_helpers": "every calculated helper column of `ActivityLog`"}
        for key, modes in var["runs"].items():
            n = var.get("removed", {}).get(key, 0)
            load, recalc = modes.get("load", {}), modes.get("recalc", {})
            diff = _num(recalc["seconds"] - load["seconds"], " s") if _ok([load]) and _ok([recalc]) else "–"
            lines.append(f"| {texts.get(key, key)} | {n:,} | {_fmt_run(load) if load else '–'} | "
                         f"{_fmt_run(recalc) if recalc else '–'} | {diff} |")
    return lines


def _plot(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(data["sizes"].values(), key=lambda s: s["rows"])
    timeout = data.get("lo_timeout", 1800)
    fig, (ax, axm) = plt.subplots(1, 2, figsize=(13, 5.5), gridspec_kw={"width_ratios": [3, 2]})
    series = ["read", "pandas", "build", "cli", "lo_B", "lo_team", "lo_person"]
    for key in series:
        xs, ys, tx, ty = [], [], [], []
        for s in sizes:
            runs = s["runs"].get(key, [])
            if _timed_out(runs):
                tx.append(s["rows"])
                ty.append(timeout)
            elif (v := _median(runs)) is not None:
                xs.append(s["rows"])
                ys.append(v)
        if not xs and not tx:
            continue
        line = ax.plot(xs, ys, marker="o", label=re.sub(r"[`*]", "", _LABELS[key]))[0]
        if tx:
            ax.plot(tx, ty, marker="^", markersize=11, linestyle="none", markerfacecolor="none",
                    color=line.get_color(), label=f"timeout (> {timeout:.0f} s)")
    ws = [(s["rows"], s["write_master_s"]) for s in sizes]
    ax.plot(*zip(*ws), marker="s", linestyle=":", color="grey", label="write_master (1 run)")
    _log_log_axes(ax, "seconds (median)", "Time against log rows")
    for key, title in (("build", "build"), ("cli", "xlsales build CLI"), ("read", "read + validate"),
                       ("lo_team", "LibreOffice recalc, team")):
        pts = [(s["rows"], _peak(s, key) / 1024) for s in sizes if _peak(s, key)]
        if pts:
            axm.plot(*zip(*pts), marker="o", label=f"peak RSS: {title}")
    axm.axhline(TARGET_PEAK_BYTES / MB, color="red", linestyle="--", linewidth=1, label="700 MB target (700k)")
    _log_log_axes(axm, "MB", "Peak memory against log rows")
    when = data["commands"][-1]["started"][:10]
    fig.suptitle(f"xlsales benchmarks, {when}, {data['machine']['nproc']} CPUs", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _log_log_axes(ax, ylabel: str, title: str) -> None:
    # Both charts of results.png: log rows against a log scale, a light grid, a small legend.
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("activity-log rows")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper left")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _libreoffice_version() -> str:
    from tests.support.libreoffice import soffice

    exe = soffice()
    if exe is None:
        return "LibreOffice not installed"
    with tempfile.TemporaryDirectory(prefix="xlsales-lo-version-") as profile:
        try:
            out = subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--version"], capture_output=True,
                                 text=True, timeout=60, env={**os.environ, "HOME": profile}).stdout
        except (OSError, subprocess.TimeoutExpired):
            return "LibreOffice (version unknown)"
    return " ".join(out.split()[:2]) or "LibreOffice (version unknown)"


if __name__ == "__main__":
    sys.exit(main())
