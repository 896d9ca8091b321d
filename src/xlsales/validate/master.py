"""Validate a master workbook's raw cells (``read.cells``) into a :class:`~xlsales.model.Master`.

Every rule of DOMAIN.md §3–4 is checked on every row, and every broken one becomes a
:class:`~xlsales.exceptions.Problem` (sheet, Excel row, header text, raw value, message
key): a user fixes all of them in one pass instead of one per run.  Nothing is guessed:
a value that could be read two ways (``7/1``, ``01/07/2026``) is refused with the form
that would be accepted.

The parsers of ``values`` (``parse_date``, ``parse_month``, ``parse_number``...) read one
cell each and raise :class:`~xlsales.validate.values.BadValue` with a message key;
``_Cells`` turns that into a Problem for the row it reads.  Every sheet uses the same
parsers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from xlsales._collector import collector_paused
from xlsales.exceptions import InputError, Problem, ValidationError
from xlsales.model import Event, Master, Member, Settings, Target
from xlsales.read.cells import (
    SHEET_KEYS,
    NoCachedValue,
    RawSheet,
    RowStream,
    is_error_value,
    raw_sheet,
    read_csv,
    read_workbook,
)
from xlsales.texts import check_lang, label, labels
from xlsales.validate.values import (
    BadValue,
    choice_parser,
    number_text,
    parse_cap,
    parse_closed_days,
    parse_date,
    parse_email,
    parse_language,
    parse_leader,
    parse_month,
    parse_note,
    parse_number,
    parse_port,
    parse_rate,
    parse_ratio,
    parse_reply_by,
    parse_security,
    parse_stale_days,
    parse_text,
    parse_weight,
)
from xlsales.vocab import NEEDS_AMOUNT, NEEDS_CUSTOMER, OPEN_STAGES, parse_key

MAX_TEXT = 1000  # characters in one cell
PROCESS_TARGETS: tuple[str, ...] = ("orders", "new_deals", "new_topics", "visits", "follows", "lists")
# Rows of the target/process sheet that hold no benchmark: suffixes and named deals (商談◯1).
_NOT_BENCHMARKED = re.compile(r"^(target_suffix|achievement_suffix|.*_\d)$")


# ----------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------


def read_master(path: str | os.PathLike, *, log: str | os.PathLike | None = None, skip_bad_rows: bool = False,
                lang: str = "ja") -> Master:
    """Read and validate a manager's master workbook.

    Parameters
    ----------
    path : str or os.PathLike
        The master workbook (``.xlsx`` or ``.xlsm``) with the sheets of DOMAIN.md §3–4:
        活動ログ / ActivityLog and メンバー / Members are required; 目標 / Targets,
        設定 / Settings, ベンチマーク / Benchmark and 評価設定 / Evaluation weights
        are optional.
    log : str or os.PathLike, optional
        A CSV activity log (UTF-8 or cp932, ja or en headers) that replaces the master's
        log sheet, e.g. an export from a CRM.
    skip_bad_rows : bool, default False
        Leave bad activity-log rows out instead of failing; they are listed in
        ``Master.skipped``.  Problems on the other sheets still fail.
    lang : {"ja", "en"}, default "ja"
        Language used to name a column the file does not have (e.g. a log without
        金額 whose 受注 rows need one) when the headers do not tell.

    Returns
    -------
    Master
        Events in the order of the sheet, members, targets, settings and benchmarks,
        all as keys and Python values.

    Raises
    ------
    InputError
        A file cannot be read at all, or a required sheet is missing.
    ValidationError
        Some rows break the rules; ``err.problems`` lists every one of them.

    Examples
    --------
    >>> master = read_master("master.xlsx")  # doctest: +SKIP
    >>> master = read_master("master.xlsx", log="crm.csv", skip_bad_rows=True)  # doctest: +SKIP
    >>> [p.message("en") for p in master.skipped]  # doctest: +SKIP
    """
    with collector_paused():
        return _master_or_raise(_check(path, log, check_lang(lang)), skip_bad_rows)


def read_grids(grids: Mapping[str, list[list[object]]], *, source: str = "", skip_bad_rows: bool = False,
               lang: str = "ja") -> Master:
    """``read_master`` for sheets already in memory: sheet name -> rows of cell values.

    This is how the Excel add-in reads the open workbook (row 1 of each grid is the
    sheet's row 1), with the same rules and messages as a file.
    """
    return _master_or_raise(_check_sheets(_grid_sheets(grids, check_lang(lang)), source), skip_bad_rows)


def read_sheets(sheets: Mapping[str, RawSheet | None], *, source: str = "", skip_bad_rows: bool = False) -> Master:
    """``read_master`` for sheets ``read.cells.read_workbook`` has already read (sheet key ->
    raw sheet): a caller that needs the raw cells as well (``collect``) reads the file once."""
    result = _check_sheets(dict(sheets), Path(source).name if source else "")
    result.master.source = str(source)
    return _master_or_raise(result, skip_bad_rows)


def validate_grids(grids: Mapping[str, list[list[object]]], *, source: str = "") -> list[Problem]:
    """``validate_master`` for sheets already in memory (see ``read_grids``)."""
    return _check_sheets(_grid_sheets(grids, "ja"), source).all_problems()


def _grid_sheets(grids: Mapping[str, list[list[object]]], lang: str) -> dict[str, RawSheet | None]:
    sheets: dict[str, RawSheet | None] = dict.fromkeys(SHEET_KEYS)
    for name, grid in grids.items():
        key = parse_key("sheet", name)
        if key in SHEET_KEYS and sheets[key] is None:
            sheets[key] = raw_sheet(name, key, [list(r) for r in grid], lang=lang)
    return sheets


def _master_or_raise(result: _Result, skip_bad_rows: bool) -> Master:
    skippable = {id(p) for p in result.log_row_problems} if skip_bad_rows else set()
    blocking = [p for p in result.all_problems() if id(p) not in skippable]
    if blocking:
        raise ValidationError(blocking, source=Path(result.master.source).name if result.master.source else "")
    result.master.skipped = list(result.log_row_problems) if skip_bad_rows else []
    return result.master


def validate_master(path: str | os.PathLike, *, log: str | os.PathLike | None = None) -> list[Problem]:
    """Every problem of a master workbook (and of ``log``, a CSV activity log), or ``[]``.

    Parameters
    ----------
    path : str or os.PathLike
        The master workbook.
    log : str or os.PathLike, optional
        A CSV activity log that replaces the master's log sheet.

    Returns
    -------
    list of Problem
        In the order log, members, targets, settings, benchmark; by row within a sheet.

    Raises
    ------
    InputError
        A file cannot be read at all, or a required sheet is missing.
    """
    return _check(path, log, "ja").all_problems()


# ----------------------------------------------------------------------------------
# Private API: rows and sheets.
# ----------------------------------------------------------------------------------


class _Cells:
    """The cells of one row: each read through a parser, each failure kept as a Problem."""

    def __init__(self, sheet: RawSheet, row: int, values: dict[str, object]) -> None:
        self.sheet = sheet
        self.row = row
        self.values = values
        self._found: list[tuple[int, int, Problem]] = []

    def get(self, key: str, parse: Callable[[object], Any] = parse_text, *, required: bool = False) -> Any:
        """The parsed value of column ``key``; None when blank or bad (a Problem is kept)."""
        raw = self.values.get(key)
        if raw is None:
            if required:
                self.bad(key, "required")
            return None
        # Only a text can be an error, a formula without a value or too long: a plain one
        # without "#" (that every error starts with) and short, as most cells, goes straight on.
        if isinstance(raw, str) and (raw.__class__ is not str or "#" in raw or len(raw) > MAX_TEXT):
            if isinstance(raw, NoCachedValue):
                self.bad(key, "formula_no_value")
                return None
            if is_error_value(raw):
                self.bad(key, "cell_error")
                return None
            if len(raw) > MAX_TEXT:
                self.bad(key, "cell_too_long", length=len(raw), limit=MAX_TEXT)
                return None
        try:
            return parse(raw)
        except BadValue as bad:
            self.bad(key, bad.reason, **bad.params)
            return None

    def blank(self, key: str) -> bool:
        return self.values.get(key) is None

    def bad(self, key: str, reason: str, **params: object) -> None:
        problem = Problem(sheet=self.sheet.name, row=self.row, column=self.sheet.column(key),
                          value=self.values.get(key), reason=reason, params=params)
        self._found.append((self.sheet.positions.get(key, 1 << 20), len(self._found), problem))

    @property
    def found(self) -> bool:
        """Whether this row has a problem."""
        return bool(self._found)

    @property
    def problems(self) -> list[Problem]:
        """This row's problems from left to right, as the user reads the row (absent columns last)."""
        return [p for _, _, p in sorted(self._found, key=lambda found: found[:2])]


class ParsedRows:
    """The rows of one sheet, parsed; problems split into sheet-level and row-level ones."""

    def __init__(self) -> None:
        self.items: list[Any] = []  # (row, item), or the items alone (see ``parse``)
        self.sheet_problems: list[Problem] = []
        self.row_problems: list[Problem] = []

    @classmethod
    def parse(cls, sheet: RawSheet | None, parse_row: Callable[[_Cells], Any], *, numbered: bool = True) -> ParsedRows:
        """Every row of ``sheet`` through ``parse_row``; the items of rows without a problem are
        kept as (row, item), or alone when not ``numbered`` (an Event knows its row)."""
        out = cls()
        keep = out.items.append
        for row, values in sheet.rows if sheet else []:
            cells = _Cells(sheet, row, values)
            item = parse_row(cells)
            if cells.found:
                out.row_problems.extend(cells.problems)
            else:
                keep((row, item) if numbered else item)
        # After the rows: a streamed sheet knows the problems of its merged cells once read.
        out.sheet_problems = list(sheet.problems) if sheet else []
        return out

    @property
    def problems(self) -> list[Problem]:
        return self.sheet_problems + self.row_problems


def _first_seen(seen: dict, key: object, row: int) -> int | None:
    """The row where ``key`` was first seen, or None (and remember ``row`` for it)."""
    first = seen.setdefault(key, row)
    return None if first == row else first


def _members(sheet: RawSheet) -> ParsedRows:
    seen: dict[str, int] = {}

    def parse_row(c: _Cells) -> Member:
        rep = c.get("rep", required=True)
        if rep and (first := _first_seen(seen, rep, c.row)):
            c.bad("rep", "rep_duplicate", first_row=first)
        return Member(rep=rep or "", team=c.get("team") or "", grade=c.get("grade", choice_parser("grade")),
                      email=c.get("email", parse_email) or "", hire_date=c.get("hire_date", parse_date),
                      left_on=c.get("left_on", parse_date), leader=bool(c.get("leader", parse_leader)))

    return ParsedRows.parse(sheet, parse_row)


def _member_reps(sheet: RawSheet) -> set[str] | None:
    """Every rep named on the members sheet; None when the sheet could not be read."""
    if sheet.header_row is None:
        return None  # its own problem says why; "unknown rep" on every log row would bury it
    # Even reps on rows with another problem: one typo in an e-mail address must not
    # make all of that rep's log rows "unknown rep" as well.
    return {parse_text(v["rep"]) for _, v in sheet.rows if v.get("rep") is not None and not is_error_value(v["rep"])}


def _rep(c: _Cells, reps: set[str] | None, *, required: bool = True,
         parse: Callable[[object], str] = parse_text) -> str | None:
    rep = c.get("rep", parse, required=required)
    if rep and reps is not None and rep not in reps:
        c.bad("rep", "rep_unknown")
    return rep


def _activity_params(activity: str, allowed: tuple[str, ...] = ()) -> dict[str, str]:
    params = {"activity_ja": label("activity", activity, "ja"), "activity_en": label("activity", activity, "en")}
    if allowed:
        params["allowed_ja"] = "、".join(label("activity", k, "ja") for k in allowed)
        params["allowed_en"] = ", ".join(label("activity", k, "en") for k in allowed)
    return params


# Distinct raw values of one log column whose parsed value is remembered (see ``_shared``).
SHARED_VALUES = 1 << 16


def _shared(parse: Callable[[object], Any]) -> Callable[[object], Any]:
    """``parse`` remembering what it read: a value that repeats down a column (a day, a rep,
    an activity, a customer) is parsed once, and every row holds that one object.

    A 700,000-row log repeats a few hundred reps and days: one string or date per cell
    instead would be most of what the events hold.  Raw values are told apart by type as
    well (``True == 1``); a value that fails is parsed (and fails) again on every row.
    """
    seen: dict[tuple[type, object], Any] = {}

    def parse_shared(value: object) -> Any:
        key = (value.__class__, value)
        try:
            return seen[key]
        except KeyError:
            pass
        parsed = parse(value)
        if len(seen) < SHARED_VALUES:
            seen[key] = parsed
        return parsed

    return parse_shared


def log_rows(sheet: RawSheet | None, reps: set[str] | None) -> ParsedRows:
    """The events of an activity-log sheet (``items``: Events, each knowing its row)."""
    ids: dict[str, int] = {}
    read_date, read_rep, read_customer = _shared(parse_date), _shared(parse_text), _shared(parse_text)
    read_activity, read_reason = _shared(choice_parser("activity")), _shared(choice_parser("lost_reason"))
    read_month = _shared(parse_month)

    def parse_row(c: _Cells) -> Event:
        # Columns read left to right: a row's problems in one column keep the order found.
        row_id = c.get("id")  # a number keeps its integer form: 12.0 -> "12"
        if row_id and (first := _first_seen(ids, row_id, c.row)):
            c.bad("id", "id_duplicate", first_row=first)
        event = Event(row=c.row, id=row_id or "", date=c.get("date", read_date, required=True),
                      rep=_rep(c, reps, parse=read_rep), activity=c.get("activity", read_activity, required=True),
                      customer=c.get("customer", read_customer) or "", amount=c.get("amount", parse_number),
                      lost_reason=c.get("lost_reason", read_reason), close_month=c.get("close_month", read_month),
                      note=c.get("note", parse_note) or "")
        if event.activity:
            _check_activity_rules(c, event.activity)
        return event

    rows = ParsedRows.parse(sheet, parse_row, numbered=False)
    _assign_ids(rows.items, ids.keys())
    return rows


def _check_activity_rules(c: _Cells, activity: str) -> None:
    """The columns an activity needs, and those it must not have (DOMAIN.md §3)."""
    needs = [("customer", NEEDS_CUSTOMER), ("amount", NEEDS_AMOUNT), ("lost_reason", {"lost"})]
    for key, activities in needs:
        if activity in activities and c.blank(key):
            c.bad(key, "required_for_activity", **_activity_params(activity))
    forbidden = [("lost_reason", ("lost",)), ("close_month", OPEN_STAGES)]
    for key, allowed in forbidden:
        if activity not in allowed and not c.blank(key):
            c.bad(key, "not_for_activity", **_activity_params(activity, allowed))


def _assign_ids(events: list[Event], taken: Iterable[str]) -> None:
    """Give every event without an ID a stable one, derived from its content.

    The same master read twice gives the same IDs: the hash covers the row's content
    and how many identical rows came before it, not its row number, so inserting an
    unrelated row above does not change it.
    """
    blank = {_content(ev) for ev in events if not ev.id}
    if not blank:
        return
    taken = set(taken)
    copies: dict[str, int] = {}  # only contents that a row without an ID has: few, in a master
    for i, ev in enumerate(events):
        content = _content(ev)
        if content not in blank:
            continue
        n = copies.get(content, 0)
        copies[content] = n + 1
        if ev.id:
            continue
        while True:
            candidate = "G" + hashlib.sha1(f"{content}|{n}".encode()).hexdigest()[:10]
            if candidate not in taken:
                break
            n += 1
        taken.add(candidate)
        events[i] = dataclasses.replace(ev, id=candidate)


def _content(ev: Event) -> str:
    return "|".join([ev.date.isoformat(), ev.rep, ev.activity, ev.customer, number_text(ev.amount)])


def _targets(sheet: RawSheet | None, reps: set[str] | None) -> ParsedRows:
    seen: dict[tuple[str, dt.date], int] = {}

    def parse_row(c: _Cells) -> Target:
        rep, month = _rep(c, reps), c.get("month", parse_month, required=True)
        if rep and month and (first := _first_seen(seen, (rep, month), c.row)):
            c.bad("month", "target_duplicate", first_row=first)
        process = {k: c.get(k, parse_number) for k in PROCESS_TARGETS}
        return Target(rep=rep or "", month=month or dt.date.min, sales_target=c.get("sales_target", parse_number),
                      process={k: v for k, v in process.items() if v is not None})

    return ParsedRows.parse(sheet, parse_row)


_SETTING_PARSERS: dict[str, Callable[[object], Any]] = {
    "fiscal_year_start": functools.partial(parse_number, minimum=1, maximum=12, integer=True),
    "period_start": parse_month,
    "period_months": functools.partial(parse_number, minimum=1, maximum=36, integer=True),
    "amount_unit": parse_text,
    "weight_deal_a": functools.partial(parse_number, maximum=1, percent=True),
    "weight_deal_b": functools.partial(parse_number, maximum=1, percent=True),
    "last_year_sales": parse_number,
    "retention": functools.partial(parse_number, percent=True),
    "language": parse_language,
    "master_id": parse_text,
    "manager_email": parse_email,
    "smtp_host": parse_text,
    "smtp_port": parse_port,
    "smtp_security": parse_security,
    "mail_from": parse_email,
    "reply_by": parse_reply_by,
    "closed_days": parse_closed_days,
    "stale_days": parse_stale_days,
    "annual_target": parse_number,
    "unit_price": functools.partial(parse_number, minimum=0),
    "win_rate": parse_rate,
    "deal_rate": parse_rate,
    "topic_rate": parse_rate,
    "appointment_rate": parse_rate,
    "list_rate": parse_ratio,
    "achievement_cap": parse_cap,
}


def _settings(sheet: RawSheet | None) -> tuple[Settings, ParsedRows]:
    seen: dict[str, int] = {}
    item_parser = choice_parser("settings", tuple(_SETTING_PARSERS))

    def parse_row(c: _Cells) -> tuple[str, Any] | None:
        key = c.get("item", item_parser, required=True)
        if key is None:
            return None
        if first := _first_seen(seen, key, c.row):
            c.bad("item", "setting_duplicate", first_row=first)
        return key, c.get("value", _SETTING_PARSERS[key])

    rows = ParsedRows.parse(sheet, parse_row)
    settings = Settings()
    for _, (key, value) in rows.items:
        if value is not None:  # blank: the default stands
            setattr(settings, key, value)
    return settings, rows


def _benchmarks(sheet: RawSheet | None, reps: set[str] | None) -> ParsedRows:
    seen: dict[tuple[str, str], int] = {}
    items = tuple(k for k in labels("row", "ja") if not _NOT_BENCHMARKED.match(k))

    def parse_row(c: _Cells) -> tuple[tuple[str, str], float]:
        rep = _rep(c, reps, required=False) or ""
        item = c.get("item", choice_parser("row", items), required=True)
        if item and (first := _first_seen(seen, (rep, item), c.row)):
            c.bad("item", "bench_duplicate", first_row=first)
        return (rep, item), c.get("value", parse_number, required=True)

    return ParsedRows.parse(sheet, parse_row)


# Weights that add up to 100% within this (a weight typed as 33.3% and 66.7% is 100%).
WEIGHTS_TOLERANCE = 0.005


def _weights(sheet: RawSheet | None) -> ParsedRows:
    """評価設定: one row per grade, result + process = 100% (DOMAIN.md §7)."""
    seen: dict[str, int] = {}

    def parse_row(c: _Cells) -> tuple[str, tuple[float, float]]:
        grade = c.get("grade", choice_parser("grade"), required=True)
        if grade and (first := _first_seen(seen, grade, c.row)):
            c.bad("grade", "grade_duplicate", first_row=first)
        result = c.get("result", parse_weight, required=True)
        process = c.get("process", parse_weight, required=True)
        if result is not None and process is not None and abs(result + process - 1) > WEIGHTS_TOLERANCE:
            c.bad("process", "weights_sum", total=f"{(result + process) * 100:g}%")
        return grade, (result, process)

    return ParsedRows.parse(sheet, parse_row)


def _unweighted_grades(sheet: RawSheet | None, members: ParsedRows, weights_sheet: RawSheet,
                       weights: dict[str, tuple[float, float]]) -> list[Problem]:
    """A member whose 等級 has no row on 評価設定: the member's 等級 cell is named."""
    if sheet is None:
        return []
    raw = dict(sheet.rows)
    out = []
    for row, member in members.items:
        if member.grade and member.grade not in weights:
            out.append(Problem(sheet=sheet.name, row=row, column=sheet.column("grade"),
                               value=raw.get(row, {}).get("grade"), reason="grade_not_weighted", params={
                                   "grade_ja": label("grade", member.grade, "ja"),
                                   "grade_en": label("grade", member.grade, "en"),
                                   "sheet_ja": weights_sheet.name, "sheet_en": weights_sheet.name}))
    return out


# ----------------------------------------------------------------------------------
# Private API: the whole master.
# ----------------------------------------------------------------------------------


class _Result:
    def __init__(self, master: Master, sheet_problems: list[Problem], log_row_problems: list[Problem],
                 other_problems: list[Problem]) -> None:
        self.master = master
        self.sheet_problems = sheet_problems  # problems of the log sheet as a whole
        self.log_row_problems = log_row_problems  # problems of single log rows: skippable
        self.other_problems = other_problems  # every problem of the other sheets

    def all_problems(self) -> list[Problem]:
        return _in_sheet_order(self.sheet_problems + self.log_row_problems + self.other_problems)


# Excel's 1,048,576 rows a sheet, less the header row of the ActivityLog table.
MAX_LOG_ROWS = 1_048_575


def _check(path: str | os.PathLike, log: str | os.PathLike | None, lang: str) -> _Result:
    # A CSV log replaces the log sheet, which then is not even read (it is the big one).
    wanted = [k for k in SHEET_KEYS if not (k == "log" and log is not None)]
    # The log is validated row by row as it is read: no list of its raw rows is ever held.
    sheets = read_workbook(path, sheets=wanted, lang=lang, streamed=["log"])
    if log is not None:
        sheets["log"] = read_csv(log, "log", lang=lang, streamed=True)
    result = _check_sheets(sheets, Path(path).name)
    result.master.source = str(path)
    return result


def _check_sheets(sheets: dict[str, RawSheet | None], source: str) -> _Result:
    for key in ("log", "members"):
        if sheets[key] is None:
            raise InputError("input_sheet_missing", path=source,
                             sheet_ja=label("sheet", key, "ja"), sheet_en=label("sheet", key, "en"))
    log = sheets["log"]
    if isinstance(log.rows, RowStream) and log.rows.most > MAX_LOG_ROWS:
        log.rows = list(log.rows)  # a sheet taller than Excel's (built by a program): counted first
    rows = len(log.rows) if isinstance(log.rows, list) else 0
    if rows > MAX_LOG_ROWS:  # the team workbook's log would not fit in one sheet: say so before any work
        raise InputError("log_too_many_rows", path=log.name, rows=rows, limit=MAX_LOG_ROWS)
    reps = _member_reps(sheets["members"])
    members = _members(sheets["members"])
    events = log_rows(sheets["log"], reps)
    targets = _targets(sheets["targets"], reps)
    settings, setting_rows = _settings(sheets["settings"])
    benchmarks = _benchmarks(sheets["benchmark"], reps)
    weight_rows = _weights(sheets["weights"])
    master = Master(
        events=events.items,
        members=[m for _, m in members.items],
        targets=[t for _, t in targets.items],
        settings=settings,
        benchmarks=dict(item for _, item in benchmarks.items),
        source=source,
    )
    others = members.problems + targets.problems + setting_rows.problems + benchmarks.problems
    if sheets["weights"] is not None:  # the sheet is the whole table; without it, the deck's defaults
        master.weights = dict(item for _, item in weight_rows.items)
        others += weight_rows.problems
        if not weight_rows.problems:  # a grade typed wrong there would make every member's look wrong
            others += _unweighted_grades(sheets["members"], members, sheets["weights"], master.weights)
    return _Result(master, events.sheet_problems, events.row_problems, others)


def _in_sheet_order(problems: list[Problem]) -> list[Problem]:
    # Sheet by sheet (in the order they were checked), whole-sheet problems first, then by row.
    order = {name: i for i, name in enumerate(dict.fromkeys(p.sheet for p in problems))}
    return sorted(problems, key=lambda p: (order[p.sheet], p.row or 0))
