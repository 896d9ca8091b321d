"""Lay out whole workbooks: the team's and each rep's, as sheet models (``sheetmodel``).

A workbook holds the team's target/process sheet (team workbooks), one per rep, the
activity log as an Excel Table, and the list of rows a lenient read skipped.  The file
names of a build are decided here too, so every face (CLI, ribbon) names files alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from xlsales.compute.annual_plan import AnnualPlan
from xlsales.compute.checkin import compute_checkin, scope_targets
from xlsales.compute.engine import (
    EventFacts,
    ScopeMetrics,
    add_months,
    compute_scope,
    event_facts,
    month_start,
    period_months,
)
from xlsales.compute.workdays import calendar_of
from xlsales.layout import sheetmodel as sm
from xlsales.layout.checkin import RepCheckin, layout_checkin
from xlsales.layout.deals import layout_deal_sheets
from xlsales.layout.names import safe_filename, safe_sheet_name
from xlsales.layout.plan import layout_plan, plan_sheet_name
from xlsales.layout.process import (
    PROCESS_KPIS,
    LogBlock,
    ProcessInputs,
    layout_log,
    layout_process,
    log_names,
    process_rows,
)
from xlsales.layout.sent_record import record_of, record_sheet
from xlsales.layout.teams import team_sheets
from xlsales.layout.values import LIVE_ROWS, freeze_log_figures
from xlsales.model import Event, Master
from xlsales.texts import label, labels


def _additive_rows() -> set[str]:
    return {r.key for r in process_rows() if r.kind in ("target", "flow", "start", "stock")}


def _inputs_for(master: Master, reps: Sequence[str], title: str, rep: str | None, lang: str,
                team: bool) -> ProcessInputs:
    rep_set = set(reps)
    sales: dict[dt.date, float] = defaultdict(float)
    process: dict[str, dict[dt.date, float]] = {k: defaultdict(float) for k in PROCESS_KPIS}
    has_sales: set[dt.date] = set()
    has_process: dict[str, set[dt.date]] = defaultdict(set)
    for t in master.targets:
        if t.rep not in rep_set:
            continue
        if t.sales_target is not None:
            sales[t.month] += t.sales_target
            has_sales.add(t.month)
        for k, v in t.process.items():
            if k in process and v is not None:
                process[k][t.month] += v
                has_process[k].add(t.month)
    bench: dict[str, float] = {}
    for key in _additive_rows():
        vals = [master.benchmarks.get((r, key), master.benchmarks.get(("", key))) for r in reps]
        vals = [v for v in vals if v is not None]
        if vals:
            bench[key] = sum(vals)
    return ProcessInputs(
        title=title,
        rep=rep,
        sales_targets={m: sales[m] for m in has_sales},
        process_targets={k: {m: process[k][m] for m in has_process[k]} for k in PROCESS_KPIS},
        benchmarks=bench,
        settings=master.settings,
        lang=lang,
        show_rep_in_names=team,
    )


def _skipped_sheet(master: Master, lang: str, taken: set[str]) -> sm.Sheet:
    sheet = sm.Sheet(name=safe_sheet_name(label("sheet", "skipped", lang), taken))
    for j, h in enumerate(labels("skipped", lang).values()):
        sheet.set(0, j, h, style="head")
    for i, p in enumerate(master.skipped, start=1):
        sheet.set(i, 0, p.sheet)
        sheet.set(i, 1, p.row)
        sheet.set(i, 2, p.column or "")
        sheet.set(i, 3, p.message(lang))
    sheet.col_widths.update({0: 14, 1: 6, 2: 14, 3: 90})
    return sheet


def rows_by_rep(events: Sequence[Event]) -> dict[str, list[int]]:
    """The positions of each rep's events, in log order."""
    out: dict[str, list[int]] = defaultdict(list)
    for i, ev in enumerate(events):
        out[ev.rep].append(i)
    return out


def grouped_rows(reps: Sequence[str], groups: dict[str, list[int]]) -> list[int]:
    """The log positions of ``reps``' events, rep by rep in the order of ``reps`` and in
    log order within a rep (``groups``: ``rows_by_rep``).

    An opportunity is one rep's, so "same date: the lower row wins" means the same.
    """
    return [i for rep in dict.fromkeys(reps) for i in groups.get(rep, [])]


def log_blocks(log_sheet: str, groups: dict[str, list[int]]) -> dict[str, LogBlock]:
    """Each rep's block of sheet rows in a log laid out from events whose positions by
    rep are ``groups`` (each rep's positions consecutive, the header in row 1)."""
    out = {}
    for rep, positions in groups.items():
        if positions and positions[-1] - positions[0] == len(positions) - 1:
            out[rep] = LogBlock(log_sheet, positions[0] + 2, positions[-1] + 2)
    return out


def _cached(cache: dict | None, key: tuple, make):
    if cache is None:
        return make()
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _subset(events: Sequence[Event], facts: Sequence[EventFacts],
            picked: Sequence[int]) -> tuple[list[Event], list[EventFacts]]:
    """The events at ``picked`` (in that order), with their facts re-indexed to the subset.

    An opportunity is one rep's, so its previous stage event is always among a subset
    that holds whole reps.
    """
    if len(picked) == len(events) and all(n == i for n, i in enumerate(picked)):
        return list(events), list(facts)  # every event in log order: nothing to re-index
    position = {old: new for new, old in enumerate(picked)}
    out = []
    for i in picked:
        fx = facts[i]
        if fx.prev_index is not None:
            fx = replace(fx, prev_index=position[fx.prev_index])
        out.append(fx)
    return [events[i] for i in picked], out


def layout_workbook(master: Master, reps: Sequence[str], *, as_of: dt.date, lang: str, team: bool,
                    facts: Sequence[EventFacts] | None = None, groups: dict[str, list[int]] | None = None,
                    reserved: set[str] = frozenset(), team_name: str | None = None,
                    plan: AnnualPlan | None = None, blocks_on: bool = True,
                    live: bool | None = None, cache: dict | None = None) -> sm.Workbook:
    """The model of one output workbook: the team's (``team=True``) or one rep's.

    Its first sheets are the target/process sheets: the team's (team workbooks), then
    one per rep of ``reps`` in that order (``process_sheets`` pairs them with their rep),
    then the deal lists of ``layout.deals`` (the team's, or the rep's own).
    A rep's workbook ends with its sent record (``sent_record``), hidden.

    ``facts`` (``event_facts`` of the master's log) and ``groups`` (``rows_by_rep``) save
    recomputing them for every workbook of a build.  ``reserved`` names sheets that exist
    already (the ribbon's refresh writes into a workbook that has other sheets):
    generated sheets get other names.

    A team workbook also holds, after the reps' sheets, the rep comparison and (with
    more than one team among ``reps``) the チーム別 sheet (``layout.teams``).
    ``team_name`` makes it one team's workbook: its sheet titled with the team's name,
    no チーム別 sheet, no list of skipped rows (they may be other teams' rows).
    ``plan`` (the year's ``annual_plan``, computed once per build) puts the 年間計画
    sheet after the team sheets of the workbook of all reps (``team`` without
    ``team_name``); one team's and the reps' workbooks never hold it.

    A team workbook's log holds each rep's rows together, in the order of ``reps`` and
    in the master's order within a rep (``grouped_rows``), and each rep's sheet counts
    over its block of rows when they are all there (``LogBlock``).  ``blocks_on=False``
    leaves that out: for sheets that go into a workbook with another log (the ribbon's
    更新 writes into the master).

    ``cache`` (a dict kept over the workbooks of one build: same master, as-of date and
    language) saves computing a rep's figures again for each workbook the rep is in.

    ``live`` False writes the team workbook of all reps as values (``layout.values``):
    the figures counted from the log are values and the log is left out.  Default: live
    up to ``LIVE_ROWS`` log rows; one team's and the reps' workbooks are always live.
    """
    months = period_months(master.settings, as_of)
    all_facts = facts if facts is not None else event_facts(master.events)
    groups = groups if groups is not None else rows_by_rep(master.events)
    company = team and team_name is None
    if live is None:
        live = not company or sum(len(groups.get(r, ())) for r in set(reps)) <= LIVE_ROWS
    if not team:
        picked = groups.get(reps[0], [])
    elif live:
        picked = grouped_rows(reps, groups)
    else:  # the log is left out (layout.values): the rows as they are
        picked = sorted(i for r in set(reps) for i in groups.get(r, []))
    events, local_facts = _subset(master.events, all_facts, picked)
    local_groups = rows_by_rep(events) if team else {reps[0]: list(range(len(events)))}
    taken: set[str] = set(reserved)
    log_name = safe_sheet_name(label("sheet", "log", lang), taken)
    blocks = log_blocks(log_name, local_groups) if team and blocks_on and live else {}
    book = sm.Workbook(properties={"title": label("text", "title", lang), "author": "xlsales",
                                   "comments": f"as of {as_of.isoformat()}"})
    if team:
        name = safe_sheet_name(label("sheet", "team", lang), taken)
        metrics = compute_scope(events, months, as_of, local_facts)
        book.sheets.append(layout_process(name, metrics, _inputs_for(
            master, reps, team_name or label("text", "team_title", lang), None, lang, team=True)))
    rep_metrics, rep_sheets = {}, {}
    for rep in reps:
        def scope(rep: str = rep) -> ScopeMetrics:
            rep_events, rep_facts = _subset(events, local_facts, local_groups.get(rep, []))
            return compute_scope(rep_events, months, as_of, rep_facts)

        metrics = rep_metrics[rep] = _cached(cache, ("scope", rep), scope)
        name = safe_sheet_name(rep, taken, fallback="Rep")
        inputs = replace(_inputs_for(master, [rep], rep, rep, lang, team=False), log_block=blocks.get(rep))
        rep_sheets[rep] = layout_process(name, metrics, inputs)
        book.sheets.append(rep_sheets[rep])
    book.sheets.append(checkin_sheet(master, reps, events, local_facts, local_groups, as_of=as_of, lang=lang,
                                     team=team, taken=taken, title=team_name, cache=cache))
    if team:
        book.sheets += team_sheets(master, reps, rep_sheets, rep_metrics, months=months, as_of=as_of, lang=lang,
                                   taken=taken, title=team_name or label("text", "team_title", lang),
                                   by_team=team_name is None)
        if plan is not None and team_name is None:
            book.sheets.append(layout_plan(safe_sheet_name(plan_sheet_name(lang), taken), plan, lang=lang,
                                           unit=master.settings.amount_unit))
    # The deal lists: the team's (a rep column) or the rep's own rows only.
    book.sheets += layout_deal_sheets(events, as_of=as_of, settings=master.settings, lang=lang, reps=list(reps),
                                      taken=taken, team=team)
    lists = sm.Sheet(name=safe_sheet_name(label("sheet", "lists", lang), taken), visibility="hidden")
    log = layout_log(log_name, events, local_facts, lang=lang,
                     reps=list(reps), lists_sheet=lists, own_rep=None if team else reps[0])
    book.sheets.append(log)
    book.defined_names.update(log_names(lang, len(events)))
    if team and team_name is None and master.skipped:
        book.sheets.append(_skipped_sheet(master, lang, taken))
    if lists.cells:
        book.sheets.append(lists)
    if not team:  # a per-person workbook goes out to its rep and comes back: collect reads this
        book.sheets.append(record_sheet(record_of(reps[0], as_of, master.settings.master_id, as_of, events)))
    if not live:
        values_note = label("text", "stocks_note_values", lang).format(rows=len(events))
        checkin_note = labels("checkin", lang)["note"].format(date=as_of.strftime("%Y/%m/%d"))
        freeze_log_figures(book, log_name, drop=[lists.name], notes={
            label("text", "stocks_note", lang): values_note,
            checkin_note: label("text", "checkin_note_values", lang).format(rows=len(events),
                                                                           date=as_of.strftime("%Y/%m/%d"))})
    return book


def process_sheets(book: sm.Workbook, reps: Sequence[str], *, team: bool) -> dict[str, sm.Sheet]:
    """The target/process sheets of ``layout_workbook(master, reps, team=team, ...)`` by
    rep, the team's under ``""``, in the workbook's order."""
    scopes = ([""] if team else []) + list(reps)
    return dict(zip(scopes, book.sheets))


def output_names(reps: Sequence[str], as_of: dt.date, lang: str) -> tuple[str, dict[str, str]]:
    """File names: the team workbook's and each rep's (safe on every file system, unique)."""
    stem = label("file", "process", lang)
    month = as_of.strftime("%Y-%m")
    team = f"{stem}_{label('sheet', 'team', lang)}_{month}.xlsx"
    used = {team.casefold()}
    people = {rep: _unique_name(f"{stem}_{safe_filename(rep, fallback='rep')}_{month}", used) for rep in reps}
    return team, people


def _unique_name(base: str, used: set[str]) -> str:
    # base.xlsx, else base(2).xlsx, base(3).xlsx...: unique case-insensitively (Windows, macOS)
    candidate, n = base + ".xlsx", 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{base}({n}).xlsx"
    used.add(candidate.casefold())
    return candidate


def team_output_names(reps: Sequence[str], teams: Sequence[str], as_of: dt.date, lang: str) -> dict[str, str]:
    """File names of the teams' workbooks: ``目標プロセス_チーム_<team>_YYYY-MM.xlsx``.

    Safe like the reps' (``safe_filename``) and unique case-insensitively among every
    name of the build (``output_names(reps, ...)``): a team named like a rep, or two
    teams that only differ in characters a file name cannot hold, get ``(2)``.
    """
    team, people = output_names(reps, as_of, lang)
    used = {n.casefold() for n in (team, *people.values())}
    stem = f"{label('file', 'process', lang)}_{label('sheet', 'team', lang)}"
    month = as_of.strftime("%Y-%m")
    return {name: _unique_name(f"{stem}_{safe_filename(name, fallback='team')}_{month}", used) for name in teams}


def checkin_sheet(master: Master, reps: Sequence[str], events: Sequence[Event], facts: Sequence[EventFacts],
                  groups: dict[str, list[int]], *, as_of: dt.date, lang: str, team: bool, taken: set[str],
                  meeting: str | None = None, month: dt.date | None = None, title: str | None = None,
                  cache: dict | None = None) -> sm.Sheet:
    """The チェックイン sheet of a workbook: the team's with a row per rep (``team``), or
    the one rep's of ``reps``; ``title`` names a team (default: チーム).

    ``events`` and ``facts`` are the workbook's log (the events of ``reps``), ``groups``
    their positions by rep (``rows_by_rep``).  ``month`` defaults to the as-of date's
    month, ``meeting`` to ``meeting_of(as_of, ...)``; ``cache`` as for ``layout_workbook``.
    """
    calendar = calendar_of(master.settings.closed_days)
    month = month_start(month or as_of)
    nxt = add_months(month, 1)

    def figures(who: Sequence[str], scope_events: Sequence[Event], scope_facts: Sequence[EventFacts]):
        return compute_checkin(scope_events, month=month, as_of=as_of, calendar=calendar,
                               targets=scope_targets(master.targets, who, month),
                               next_sales_target=scope_targets(master.targets, who, nxt).sales,
                               meeting=meeting, facts=scope_facts)

    per_rep = []
    for rep in reps:
        per_rep.append(RepCheckin(rep, _cached(cache, ("checkin", rep, month, meeting), lambda rep=rep: figures(
            [rep], *_subset(events, facts, groups.get(rep, []))))))
    name = safe_sheet_name(label("sheet", "checkin", lang), taken)
    unit = master.settings.amount_unit
    if team:
        return layout_checkin(name, figures(reps, events, facts), title=title or label("text", "team_title", lang),
                              rep=None,
                              lang=lang, calendar=calendar, unit=unit, reps=per_rep)
    return layout_checkin(name, per_rep[0].figures, title=reps[0], rep=reps[0], lang=lang, calendar=calendar,
                          unit=unit)


def layout_checkin_workbook(master: Master, reps: Sequence[str], *, as_of: dt.date, lang: str, team: bool,
                            meeting: str | None = None, month: dt.date | None = None,
                            facts: Sequence[EventFacts] | None = None,
                            groups: dict[str, list[int]] | None = None) -> sm.Workbook:
    """The model of a check-in workbook (``xlsales checkin``): the チェックイン sheet, the deal
    lists to talk about (``layout_deal_sheets``) and the ActivityLog table the check-in's
    formulas count, for the team (``team=True``) or one rep.  The team's, over more than
    ``LIVE_ROWS`` log rows, is written as values without the log (``layout.values``)."""
    all_facts = facts if facts is not None else event_facts(master.events)
    groups = groups if groups is not None else rows_by_rep(master.events)
    picked = sorted(i for r in set(reps) for i in groups.get(r, []))
    events, local_facts = _subset(master.events, all_facts, picked)
    taken: set[str] = set()
    book = sm.Workbook(properties={"title": label("checkin", "title", lang), "author": "xlsales",
                                   "comments": f"as of {as_of.isoformat()}"})
    book.sheets.append(checkin_sheet(master, reps, events, local_facts, rows_by_rep(events), as_of=as_of, lang=lang,
                                     team=team, taken=taken, meeting=meeting, month=month))
    book.sheets += layout_deal_sheets(events, as_of=as_of, settings=master.settings, lang=lang, reps=list(reps),
                                      taken=taken, team=team)
    lists = sm.Sheet(name=safe_sheet_name(label("sheet", "lists", lang), taken), visibility="hidden")
    log_name = safe_sheet_name(label("sheet", "log", lang), taken)
    book.sheets.append(layout_log(log_name, events, local_facts, lang=lang, reps=list(reps), lists_sheet=lists))
    book.defined_names.update(log_names(lang, len(events)))
    if lists.cells:
        book.sheets.append(lists)
    if team and len(events) > LIVE_ROWS:
        date = as_of.strftime("%Y/%m/%d")
        freeze_log_figures(book, log_name, drop=[lists.name], notes={
            labels("checkin", lang)["note"].format(date=date):
                label("text", "checkin_note_values", lang).format(rows=len(events), date=date)})
    return book


def checkin_names(reps: Sequence[str], as_of: dt.date, lang: str) -> tuple[str, dict[str, str]]:
    """File names of ``xlsales checkin``: the build's, with チェックイン and the date
    (``目標プロセス_チーム_チェックイン_2026-11-16.xlsx``)."""
    team, people = output_names(reps, as_of, lang)
    month, tag = as_of.strftime("%Y-%m"), f"{label('file', 'checkin', lang)}_{as_of.isoformat()}"

    def rename(name: str) -> str:
        stem, n = name[: -len(".xlsx")], ""
        if stem.endswith(")"):  # a second rep of the same safe name: 目標プロセス_x_2026-11(2)
            stem, n = stem[: stem.rindex("(")], stem[stem.rindex("("):]
        return f"{stem[: -len(month)]}{tag}{n}.xlsx"

    return rename(team), {rep: rename(name) for rep, name in people.items()}


def process_inputs(master: Master, reps: Sequence[str], *, title: str, rep: str | None, lang: str,
                   team: bool) -> ProcessInputs:
    """What the target/process sheet of ``reps`` shows besides the engine's figures (targets,
    benchmarks, settings), as ``layout_workbook`` gives it: for another workbook (人事評価)
    that holds the same sheets."""
    return _inputs_for(master, reps, title, rep, lang, team)
