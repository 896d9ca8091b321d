"""What each returned row becomes: added, unchanged, a conflict, or refused — and why.

The decisions, file by file, in the order the files are given:

- a file from another master (both have a マスターID and they differ; a master without
  one: fewer than half of the sent rows' fingerprints are found in it — the manager may
  have edited a few rows since), or sent to a rep the master does not know, is refused whole;
- a file with bad rows merges nothing unless ``skip_bad_rows`` (the bad rows are listed);
- a row of another rep, or dated outside the window (the build month and the month
  after it) unless ``any_date``, is refused;
- a sent row (its ID in the record) left as sent is unchanged; changed, it is a conflict,
  applied only with ``resolve="take_returned"`` (``"keep_master"`` leaves the master's);
- any other row is new, unless the master already holds a row of that rep with the same
  fingerprint (collected before): collecting a file twice changes nothing.

New rows get IDs ``C`` + 10 hex digits of a hash of their content and occurrence, unique
in the master; rows whose ID cell the master leaves blank get their derived ID written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from xlsales.collect.returned import Returned
from xlsales.compute.engine import add_months, month_end
from xlsales.compute.fingerprint import row_fingerprint
from xlsales.exceptions import InputError, Problem, XlsalesError
from xlsales.model import Event, Master

RESOLUTIONS = ("take_returned", "keep_master")


@dataclass(frozen=True)
class Conflict:
    """A sent row the rep changed: the master's value and the returned one."""

    file: str
    sheet: str
    row: int  # the row in the returned file
    master: Event | None  # None: the manager has since deleted the row
    returned: Event


@dataclass
class FileSummary:
    """What came of one returned file."""

    name: str
    rep: str = ""
    month: dt.date | None = None
    added: int = 0
    unchanged: int = 0
    taken: int = 0  # conflicts resolved with the returned value
    conflicts: list[Conflict] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)  # rows refused, each with its reason
    bad: list[Problem] = field(default_factory=list)  # rows that break DOMAIN.md §3
    error: XlsalesError | None = None  # the whole file refused

    @property
    def merged(self) -> bool:
        """Rows of this file went into the master (or were found there already)."""
        return self.error is None and (not self.bad or self.added + self.unchanged + self.taken > 0)


@dataclass
class MergePlan:
    """What the merged master holds beyond the master: the edits, and a summary per file."""

    master_id: str  # the master's マスターID after the collect
    new_master_id: bool  # the master had none: ``master_id`` is new
    appended: list[Event] = field(default_factory=list)  # new rows, with their new IDs
    replaced: dict[int, Event] = field(default_factory=dict)  # master row -> the returned row (ID kept)
    explicit_ids: dict[int, str] = field(default_factory=dict)  # master row with a blank ID cell -> its ID
    files: list[FileSummary] = field(default_factory=list)

    @property
    def changes_rows(self) -> bool:
        """The log gains or changes rows (IDs made explicit alone do not count)."""
        return bool(self.appended or self.replaced)


def merge(master: Master, returned: Iterable[Returned | FileSummary], *, blank_id_rows: Iterable[int] = (),
          resolve: str | None = None, any_date: bool = False, skip_bad_rows: bool = False) -> MergePlan:
    """Decide what every row of the ``returned`` files becomes in ``master``.

    Parameters
    ----------
    master : Master
        The master as read (its events carry their row numbers and IDs, derived or not).
    returned : iterable of Returned or FileSummary
        The returned files in order; a ``FileSummary`` stands for a file refused whole
        before it could be read (its ``error`` says why) and is passed through.
    blank_id_rows : iterable of int
        The master's log rows whose ID cell is blank: their IDs become explicit.
    resolve : {None, "take_returned", "keep_master"}
        How conflicts are settled; None leaves them unsettled (reported only).
    any_date : bool, default False
        Accept rows dated outside the build month and the month after it.
    skip_bad_rows : bool, default False
        Merge the good rows of a file that has bad ones.

    Returns
    -------
    MergePlan
    """
    if resolve not in (None, *RESOLUTIONS):
        raise ValueError(f"resolve={resolve!r}: use one of {RESOLUTIONS}")
    master_id = master.settings.master_id
    plan = MergePlan(master_id=master_id or str(uuid.uuid4()), new_master_id=not master_id)
    state = _State(master)
    blank = set(blank_id_rows)
    plan.explicit_ids = {ev.row: ev.id for ev in master.events if ev.row in blank}
    members = {m.rep for m in master.members}
    for item in returned:
        if isinstance(item, FileSummary):
            plan.files.append(item)
            continue
        plan.files.append(_merge_file(item, state, plan, members, master_id, resolve, any_date, skip_bad_rows))
    return plan


class _State:
    """The master as the merge goes on: IDs taken, fingerprints held per rep."""

    def __init__(self, master: Master) -> None:
        self.by_id: dict[str, Event] = {ev.id: ev for ev in master.events}
        self.fingerprints: set[str] = set()
        self.held: Counter[tuple[str, str]] = Counter()  # (rep, fingerprint) -> rows of the master
        for ev in master.events:
            fp = row_fingerprint(ev)
            self.fingerprints.add(fp)
            self.held[(ev.rep, fp)] += 1

    def new_id(self, rep: str, fp: str) -> str:
        n = 0
        while True:
            candidate = "C" + hashlib.sha1(f"{rep}\x1f{fp}\x1f{n}".encode()).hexdigest()[:10]
            if candidate not in self.by_id:
                return candidate
            n += 1


def _merge_file(ret: Returned, state: _State, plan: MergePlan, members: set[str], master_id: str,
                resolve: str | None, any_date: bool, skip_bad_rows: bool) -> FileSummary:
    rec = ret.record
    summary = FileSummary(name=ret.name, rep=rec.rep, month=rec.month, bad=list(ret.problems))
    if rec.master_id and master_id and rec.master_id != master_id:
        summary.error = InputError("collect_other_master", path=ret.name, theirs=rec.master_id, ours=master_id)
    elif not master_id and 2 * sum(fp in state.fingerprints for fp in rec.rows.values()) < len(rec.rows):
        summary.error = InputError("collect_unknown_master", path=ret.name)
    elif rec.rep not in members:
        summary.error = InputError("collect_unknown_rep", path=ret.name, rep=rec.rep)
    if summary.error is not None or (summary.bad and not skip_bad_rows):
        return summary
    start, end = rec.month, month_end(add_months(rec.month, 1))
    # Sent rows first: each takes its own row of the master, so that a new row identical to
    # a sent one is still new.
    sent = [(ev, blank) for ev, blank in ret.rows if not blank and ev.id in rec.rows]
    others = [(ev, blank) for ev, blank in ret.rows if blank or ev.id not in rec.rows]
    seen: Counter[tuple[str, str]] = Counter()

    def refuse(ev: Event, column: str, reason: str, **params: object) -> None:
        value = getattr(ev, column) if column in ("rep", "id") else ev.date.isoformat()
        summary.refused.append(Problem(sheet=ret.sheet, row=ev.row, column=ret.columns.get(column, column),
                                       value=value, reason=reason, params=params))

    def in_window(ev: Event) -> bool:
        if any_date or start <= ev.date <= end:
            return True
        refuse(ev, "date", "collect_outside_window", start=start.isoformat(), end=end.isoformat())
        return False

    for ev, _ in sent:
        fp = row_fingerprint(ev)
        if ev.rep != rec.rep:
            refuse(ev, "rep", "collect_other_rep", rep=ev.rep, own=rec.rep)
            continue
        current = state.by_id.get(ev.id)
        if fp == rec.rows[ev.id] or (current is not None and row_fingerprint(current) == fp):
            summary.unchanged += 1
            seen[(ev.rep, fp)] += 1
            continue
        if not in_window(ev):
            continue
        summary.conflicts.append(Conflict(file=ret.name, sheet=ret.sheet, row=ev.row, master=current, returned=ev))
        if resolve == "take_returned" and current is not None:
            taken = replace(ev, row=current.row, id=current.id)
            plan.replaced[current.row] = taken
            state.by_id[current.id] = taken
            state.held[(ev.rep, fp)] += 1
            seen[(ev.rep, fp)] += 1
            summary.taken += 1
    for ev, blank in others:
        fp = row_fingerprint(ev)
        if ev.rep != rec.rep:
            refuse(ev, "rep", "collect_other_rep", rep=ev.rep, own=rec.rep)
            continue
        key = (ev.rep, fp)
        if seen[key] < state.held[key]:  # already in the master: collected before
            seen[key] += 1
            summary.unchanged += 1
            continue
        if not blank and ev.id in state.by_id:
            refuse(ev, "id", "collect_id_taken", id=ev.id)
            continue
        if not in_window(ev):
            continue
        new = replace(ev, id=state.new_id(ev.rep, fp), row=0)
        state.by_id[new.id] = new
        state.held[key] += 1
        seen[key] += 1
        plan.appended.append(new)
        summary.added += 1
    return summary


def pending_conflicts(plan: MergePlan, resolve: str | None) -> list[Conflict]:
    """The conflicts left unsettled (every one when ``resolve`` is None)."""
    if resolve is not None:
        return []
    return [c for f in plan.files for c in f.conflicts]


def counts(summary: FileSummary) -> dict[str, int]:
    """added, unchanged, conflicts, refused (bad rows and refused rows) of one file."""
    refused = len(summary.refused) + len(summary.bad)
    return {"added": summary.added, "unchanged": summary.unchanged, "conflicts": len(summary.conflicts),
            "refused": refused}

