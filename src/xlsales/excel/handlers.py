"""What the ribbon's buttons do, against any ``Book`` (a file, or the workbook in Excel).

- ``validate_book``: mark bad cells in place (fill + note) and list them on a sheet;
  never change a value the user typed.
- ``refresh_book``: fill in the target/process sheets of the open workbook from its
  ActivityLog table, with the same layout and formulas as ``xlsales build``.
- ``monthly_books``: write the team and per-person workbooks of a month into a folder
  beside the workbook (``Documents/xlsales/YYYY-MM`` when it has no local folder);
- ``mail_drafts``: the same workbooks and one mail draft (``.eml``) per rep, never sent;
- ``checkin_book``: the team's チェックイン sheet of a month in the open workbook;
- ``plan_book``: the 年間計画 sheet of the coming fiscal year in the open workbook;
- ``ask_month``: the month of 月次ブック作成, メール作成 and チェックイン, asked again with the reason until it reads;
- ``collect_book`` (回収): the returned workbooks' new rows appended to the open
  workbook's ActivityLog table, a row per file on its 回収ログ sheet.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlsales.collect import log_sheet
from xlsales.collect.master import log_values
from xlsales.collect.merge import FileSummary, counts, merge
from xlsales.collect.returned import Returned, read_returned
from xlsales.collect.sources import returned_files
from xlsales.compute.annual_plan import annual_plan, plan_year, planned
from xlsales.compute.checkin import default_as_of, meeting_of
from xlsales.compute.engine import add_months, event_facts, month_end, month_start
from xlsales.compute.workdays import WorkCalendar, calendar_of
from xlsales.excel.books import Book, Mark
from xlsales.exceptions import CollectError, InputError, Problem, ValidationError
from xlsales.layout import sheetmodel as sm
from xlsales.layout.plan import layout_plan, plan_sheet_name
from xlsales.layout.process import HELPER_KEYS, TABLE, base_values, helper_formulas, log_columns, log_names
from xlsales.layout.workbook import checkin_sheet, layout_workbook, rows_by_rep
from xlsales.model import Master
from xlsales.read.cells import LOG_TABLE, raw_sheet
from xlsales.texts import check_lang, label, message_text
from xlsales.validate.master import read_grids, validate_grids
from xlsales.validate.values import BadValue, parse_month
from xlsales.vocab import parse_key
from xlsales.write.build import BuildResult, build
from xlsales.write.evaluation import write_evaluation

RESULT_HEADERS = ("sheet", "row", "column", "value", "reason")
# Hidden columns of the results sheet remember where the marks are, to clear them next time.
_MARK_COLS = 5


@dataclass
class Outcome:
    """What a handler did, to show the user."""

    message: str
    problems: list[Problem] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    changed: bool = False  # the book was edited and needs saving


def _results_name(lang: str) -> str:
    return label("sheet", "validation", lang)


def _column_of(grid: list[list[object]], header: str | None) -> int:
    """1-based column of ``header`` in the first rows of ``grid`` (1 when not found)."""
    for row in grid[:10]:
        for j, value in enumerate(row or []):
            if header is not None and isinstance(value, str) and value.strip() == header:
                return j + 1
    return 1


def _previous_marks(grids: dict[str, list[list[object]]], lang: str) -> list[tuple[str, int, int]]:
    grid = next((g for name, g in grids.items() if parse_key("sheet", name) == "validation"), None)
    out = []
    for row in (grid or [])[1:]:
        cells = list(row or []) + [None] * 8
        sheet, r, c = cells[_MARK_COLS:_MARK_COLS + 3]
        if isinstance(sheet, str) and isinstance(r, (int, float)) and isinstance(c, (int, float)):
            out.append((sheet, int(r), int(c)))
    return out


def validate_book(book: Book, *, lang: str = "ja") -> Outcome:
    """Check the workbook's sheets; mark every bad cell and list the problems on a sheet."""
    lang = check_lang(lang)
    grids = book.grids()
    problems = validate_grids(grids, source=book.name)
    marks = [Mark(p.sheet, p.row, _column_of(grids.get(p.sheet, []), p.column), p.message(lang))
             for p in problems if p.row is not None and p.sheet in grids]
    book.mark(marks, clear=_previous_marks(grids, lang))
    book.put_sheet(_results_sheet(problems, marks, lang))
    key = "addin_valid_clean" if not problems else "addin_valid_found"
    return Outcome(message_text(key, lang, n=len(problems), sheet=_results_name(lang)), problems, changed=True)


def _results_sheet(problems: list[Problem], marks: list[Mark], lang: str) -> sm.Sheet:
    sheet = sm.Sheet(name=_results_name(lang), freeze=(1, 0), tab_color="#C00000")
    texts = {"ja": ("シート", "行", "列", "値", "理由"), "en": ("Sheet", "Row", "Column", "Value", "Reason")}[lang]
    for j, text in enumerate(texts):
        sheet.set(0, j, text, style="head")
    where = {(m.sheet, m.row): m for m in marks}
    for i, p in enumerate(problems, start=1):
        reason = p.message(lang).split(": ", 1)[-1]
        for j, value in enumerate((p.sheet, p.row, p.column or "", "" if p.value is None else str(p.value), reason)):
            sheet.set(i, j, value, style="label")
        mark = where.get((p.sheet, p.row))
        if mark is not None:
            for j, value in enumerate((mark.sheet, mark.row, mark.col)):
                sheet.set(i, _MARK_COLS + j, value)
    if not problems:
        sheet.set(1, 0, message_text("addin_valid_clean", lang, n=0, sheet=""), style="label")
    sheet.col_widths.update({0: 14, 1: 6, 2: 14, 3: 18, 4: 80})
    sheet.hidden_cols.update({_MARK_COLS, _MARK_COLS + 1, _MARK_COLS + 2})
    sheet.col_widths.update({_MARK_COLS + j: 4 for j in range(3)})
    return sheet


def log_name(grids: dict[str, list[list[object]]]) -> str:
    """The name of the log sheet among ``grids`` (validation has made sure there is one)."""
    return next(n for n in grids if parse_key("sheet", n) == "log")


def _formula_ready_problems(grids: dict[str, list[list[object]]], master: Master, lang: str) -> list[Problem]:
    """Rows that validate but that live formulas would not count as the engine does.

    Readers forgive variants (○ for ◯, en labels, text dates, stray spaces); COUNTIFS over
    the table does not.  Refresh writes live formulas, so it asks for the exact forms.
    """
    name = log_name(grids)
    raw = raw_sheet(name, "log", [list(r) for r in grids[name]], lang=lang)
    by_row = {ev.row: ev for ev in master.events}
    problems = []
    for row, values in raw.rows:
        ev = by_row.get(row)
        if ev is None:
            continue
        wanted = {
            "date": isinstance(values.get("date"), (dt.date, dt.datetime)),
            "rep": values.get("rep") == ev.rep,
            "activity": values.get("activity") == label("activity", ev.activity, lang),
            "lost_reason": ev.lost_reason is None or values.get("lost_reason") == label("lost_reason", ev.lost_reason,
                                                                                        lang),
            "customer": (values.get("customer") or "") == ev.customer,
        }
        for key, ok in wanted.items():
            if not ok:
                problems.append(Problem(raw.name, row, raw.column(key), values.get(key), "addin_not_exact"))
    return problems


def _log_language(grids: dict[str, list[list[object]]]) -> str:
    name = next((n for n in grids if parse_key("sheet", n) == "log"), None)
    head = {str(v).strip() for row in (grids.get(name) or [])[:10] for v in (row or []) if v is not None}
    return "ja" if label("log", "date", "ja") in head else "en"


def _prepare_log(book: Book, lang: str | None) -> tuple[Master, str, str, set[str], dict[str, list[list[object]]]]:
    # Read and check the workbook, then give its ActivityLog table the build's hidden helper
    # columns (every row now in it counts as built: its history goes into "base" as values).
    grids = book.grids()
    log_lang = _log_language(grids)
    lang = check_lang(lang or log_lang)
    master = read_grids(grids, source=book.name, lang=lang)
    exact = _formula_ready_problems(grids, master, log_lang)
    if exact:
        raise ValidationError(exact, source=book.name)
    columns = log_columns(log_lang)
    formulas = helper_formulas(columns, log_lang)
    events = master.events
    rows = [ev.row for ev in events]
    bases = dict(zip(rows, base_values(events, event_facts(events), rows)))
    header_row = raw_sheet(log_name(grids), "log", grids[log_name(grids)], lang=log_lang).header_row or 1
    book.add_table_columns(TABLE, [sm.TableColumn(columns.names[k], formula=formulas.get(k), hidden=True,
                                                  values=bases if k == "base" else None)
                                   for k in HELPER_KEYS])
    for name, refers_to in log_names(log_lang, max(rows, default=header_row) - header_row).items():
        book.define_name(name, refers_to)
    return master, lang, log_lang, set(grids), grids


def refresh_book(book: Book, *, as_of: dt.date, lang: str | None = None) -> Outcome:
    """Fill in the target/process sheets of ``book`` from its ActivityLog table.

    The sheets are the team workbook's (チーム, one per rep, チーム別 with more than one
    team, and the rep comparison), laid out by the same code as ``xlsales build``; the
    table gets the same hidden helper columns.  Every other sheet stays as it is.
    Refuses (ValidationError) when a row is bad.
    """
    master, lang, log_lang, names, grids = _prepare_log(book, lang)
    reps = [m.rep for m in master.members]
    team_views = {label("sheet", "by_team", log_lang), label("sheet", "comparison", log_lang)}
    own = {label("sheet", "team", lang), *team_views, *reps}
    reserved = {n for n in names if n not in own}
    model = layout_workbook(planned(master, as_of), reps, as_of=as_of, lang=log_lang, team=True, reserved=reserved,
                            blocks_on=False)  # the master's log is the user's, in its own order
    first_other = next(iter(grids), None)
    process = model.sheets[: 1 + len(reps)]
    # チーム別 and the rep comparison, as xlsales build writes them (layout.teams)
    for sheet in process + [s for s in model.sheets if s.name in team_views]:
        book.put_sheet(sheet, before=first_other)
    return Outcome(message_text("addin_refreshed", lang, n=len(process), as_of=as_of), changed=True)


def checkin_as_of(month: dt.date, today: dt.date, calendar: WorkCalendar) -> dt.date:
    """The as-of date of the チェックイン button for ``month``: today within the month,
    else the month's last working day (a past month: its result) or first (a later month)."""
    if month_start(today) == month:
        return today
    return default_as_of(month, "end" if month < today else "start", calendar)


def checkin_book(book: Book, *, month: dt.date, lang: str | None = None, today: dt.date | None = None) -> Outcome:
    """The チェックイン button: the team's check-in sheet (a row per rep) of ``month`` in ``book``.

    The sheet is the one ``xlsales build`` and ``xlsales checkin`` write (the same
    layout and formulas over the ActivityLog table, which gets the build's helper
    columns, as with 更新); it replaces an earlier check-in sheet and goes first.  The
    as-of date is ``checkin_as_of``; the meeting follows it (``meeting_of``).
    """
    master, lang, log_lang, names, grids = _prepare_log(book, lang)
    calendar = calendar_of(master.settings.closed_days)
    as_of = checkin_as_of(month_start(month), today or dt.date.today(), calendar)
    reps = [m.rep for m in master.members]
    own = label("sheet", "checkin", log_lang)
    events = master.events
    sheet = checkin_sheet(master, reps, events, event_facts(events), rows_by_rep(events), as_of=as_of, lang=log_lang,
                          team=True, taken={n for n in names if n != own}, month=month)
    book.put_sheet(sheet, before=next(iter(grids), None))
    meeting = label("meeting", meeting_of(as_of, calendar), lang)
    return Outcome(message_text("addin_checkin", lang, n=1, as_of=as_of, meeting=meeting), changed=True)


def plan_book(book: Book, *, lang: str | None = None, today: dt.date | None = None) -> Outcome:
    """The 年間計画 button: the annual plan sheet of ``plan_year(today)`` in ``book`` (the master).

    The sheet is the one ``xlsales plan`` writes (``layout.plan``): its formulas read its
    own input cells, so the ActivityLog table gets no helper columns.  It replaces an
    earlier 年間計画 sheet and goes first.  Refuses (ValidationError) when a row is bad.
    """
    grids = book.grids()
    log_lang = _log_language(grids)
    lang = check_lang(lang or log_lang)
    master = read_grids(grids, source=book.name, lang=lang)
    year = plan_year(today or dt.date.today(), master.settings.fiscal_year_start)
    plan = annual_plan(master, year)
    sheet = layout_plan(plan_sheet_name(log_lang), plan, lang=log_lang, unit=master.settings.amount_unit)
    book.put_sheet(sheet, before=next(iter(grids), None))
    return Outcome(message_text("addin_plan", lang, fy=plan.year.year), changed=True)


def month_as_of(month: dt.date, today: dt.date) -> dt.date:
    """The as-of date of a monthly run: the month's last day, or today within the month."""
    end = month_end(month)
    return today if month <= today <= end else end


def monthly_books(book: Book, *, month: dt.date, lang: str | None = None, today: dt.date | None = None,
                  documents: Path | None = None) -> Outcome:
    """Write the team and per-person workbooks of ``month`` into a folder beside ``book``.

    A workbook with no folder on this computer (``book.folder`` None: on OneDrive or
    SharePoint, or never saved) gets ``documents/xlsales/YYYY-MM`` instead (default
    ``~/Documents``), and the message says so.
    """
    grids = book.grids()
    master = read_grids(grids, source=book.name, lang=lang or "ja")
    lang = check_lang(lang or master.settings.language)
    as_of = month_as_of(month, today or dt.date.today())
    out, elsewhere = monthly_folder(book, month, documents)
    result: BuildResult = build(master, out, as_of=as_of, lang=lang)
    key = "addin_monthly_elsewhere" if elsewhere else "addin_monthly"
    return Outcome(message_text(key, lang, n=len(result.paths), out=out), paths=result.paths)


def monthly_folder(book: Book, month: dt.date, documents: Path | None = None) -> tuple[Path, bool]:
    """The folder of a month's workbooks (and drafts): ``xlsales_YYYY-MM`` beside ``book``,
    or ``documents/xlsales/YYYY-MM`` (True) when the book has no folder here."""
    if book.folder is not None:
        return book.folder / f"xlsales_{month:%Y-%m}", False
    return (documents or Path.home() / "Documents") / "xlsales" / f"{month:%Y-%m}", True


def mail_drafts(book: Book, *, month: dt.date, lang: str | None = None, today: dt.date | None = None,
                documents: Path | None = None) -> Outcome:
    """Write the month's workbooks and one mail draft (``.eml``) per rep into the folder of
    ``monthly_books``; never sends.  Reps without a usable address are listed."""
    from xlsales.mail.monthly import mail_month  # the mail room: only this button needs it

    grids = book.grids()
    master = read_grids(grids, source=book.name, lang=lang or "ja")
    lang = check_lang(lang or master.settings.language)
    out, elsewhere = monthly_folder(book, month, documents)
    result = mail_month(master, out, month=month, lang=lang, today=today or dt.date.today())
    key = "addin_mail_elsewhere" if elsewhere else "addin_mail"
    text = message_text(key, lang, n=len(result.drafts), out=out)
    if result.problems:
        text += "\n" + message_text("addin_mail_problems", lang) + "\n" + "\n".join(
            "  " + p.message(lang) for p in result.problems)
    return Outcome(text, paths=list(result.drafts.values()))


def evaluation_book(book: Book, *, lang: str | None = None, today: dt.date | None = None,
                    documents: Path | None = None) -> Outcome:
    """Write the evaluation workbook (人事評価) of the default period beside ``book``: the
    fiscal year up to the last month that ended.  A workbook with no folder on this
    computer gets ``documents/xlsales`` instead (default ``~/Documents``)."""
    grids = book.grids()
    master = read_grids(grids, source=book.name, lang=lang or "ja")
    lang = check_lang(lang or master.settings.language)
    elsewhere = book.folder is None
    out = (documents or Path.home() / "Documents") / "xlsales" if elsewhere else book.folder
    result = write_evaluation(master, out, lang=lang, today=today or dt.date.today())
    first, last = result.period
    key = "addin_evaluation_elsewhere" if elsewhere else "addin_evaluation"
    return Outcome(message_text(key, lang, out=out, first=f"{first:%Y-%m}", last=f"{last:%Y-%m}"),
                   paths=result.paths)


def local_folder(fullname: str) -> Path | None:
    """The folder of a workbook whose full name is ``fullname``; None when it has none here.

    Excel gives a workbook on OneDrive or SharePoint an https URL as its full name (and
    xlwings maps it to a local path only when the synced folder is found), and a workbook
    never saved a bare name (``Book1``): neither has a folder to write beside.
    """
    if not fullname or "://" in fullname:
        return None
    folder = Path(fullname).parent
    return folder if folder.is_absolute() else None


Prompt = Callable[[str, str], object]


def ask_month(prompt: Prompt, lang: str, *, today: dt.date, tries: int = 5,
              default_month: dt.date | None = None, question: str = "addin_ask_month") -> dt.date | None:
    """The month to distribute, asked until the answer reads as a month; None on Cancel.

    Parameters
    ----------
    prompt : callable
        ``prompt(message, default)`` shows an input box with ``default`` filled in and
        returns the text typed, or None or False when the user cancels (Excel's
        ``Application.InputBox`` returns False).
    lang : {"ja", "en"}
    today : date
        The default answer is the last month that ended before ``today``.
    default_month : date, optional
        Another default answer (チェックイン: this month).
    question : str
        The key of the question's message (チェックイン asks its own).
    tries : int
        After this many unreadable answers in a row the question is dropped (None).

    Examples
    --------
    >>> answers = iter(["7月", "R8.7"])
    >>> ask_month(lambda message, default: next(answers), "ja", today=dt.date(2026, 8, 3))
    datetime.date(2026, 7, 1)

    Every form of ``parse_month`` is read: ``2026-07``, ``2026/7``, ``2026年7月``,
    ``令和8年7月``, ``R8.7`` or a date of the month.  An unreadable answer is asked again,
    with the reason and the answer given.
    """
    message = message_text(question, lang)
    default = (default_month or previous_month(today)).strftime("%Y-%m")
    for _ in range(tries):
        answer = prompt(message, default)
        if answer is None or answer is False:
            return None
        text = str(answer).strip()
        try:
            return parse_month(text)
        except BadValue as bad:
            reason = message_text(bad.reason, lang, **bad.params)
            message = message_text("addin_ask_month_again", lang, answer=text, reason=reason)
            default = text
    return None


def previous_month(today: dt.date) -> dt.date:
    """The month a manager usually distributes: the last one that has ended."""
    return add_months(dt.date(today.year, today.month, 1), -1)


# -- 回収 (collect) --------------------------------------------------------------------------


def collect_book(book: Book, files: Sequence[str | os.PathLike], *, lang: str | None = None,
                 now: dt.datetime | None = None, who: str | None = None, any_date: bool = False) -> Outcome:
    """The 回収 button: merge the returned ``files`` into the workbook ``book`` as ``xlsales collect`` does.

    The files are ``.xlsx`` workbooks, ``.eml`` or ``.msg`` mails, or folders of them; each
    row gets the same decision as with ``xlsales collect`` (``collect.merge``).  The rows
    added are appended to the ActivityLog table with their new IDs
    (``Book.append_table_rows``: nothing else of the workbook is rewritten), and the
    回収ログ sheet gets a row per file with its counts and details.  Conflicts are only
    reported: settling them is ``xlsales collect --take-returned`` or ``--keep-master``.
    When no row is added the workbook is left as it is (pressing twice adds nothing).
    """
    grids = book.grids()
    log_lang = _log_language(grids)
    lang = check_lang(lang or log_lang)
    master = read_grids(grids, source=book.name, lang=lang)
    log = raw_sheet(log_name(grids), "log", grids[log_name(grids)], lang=log_lang)
    blank_ids = [row for row, values in log.rows if values.get("id") is None] if "id" in log.positions else []
    reps = {m.rep for m in master.members}
    with tempfile.TemporaryDirectory(prefix="xlsales-collect-") as work:
        sources, failed = returned_files(files, work)
        read: list[Returned | FileSummary] = [FileSummary(name=name, error=err) for name, err in failed]
        for source in sources:
            try:
                read.append(read_returned(source.path, reps, name=source.name))
            except InputError as err:
                read.append(FileSummary(name=source.name, error=err))
    plan = merge(master, read, blank_id_rows=blank_ids, any_date=any_date)
    lines = []
    for f in plan.files:
        if f.error is not None:
            lines.append(f.error.message(lang))
            continue
        lines.append(message_text("collect_summary", lang, path=f.name, rep=f.rep,
                                  month=f.month.strftime("%Y-%m") if f.month else "-", **counts(f)))
    conflicts = sum(len(f.conflicts) for f in plan.files)
    if conflicts:
        lines.append(message_text("collect_button_conflicts", lang, n=conflicts))
    if not plan.appended:
        lines.append(message_text("collect_button_nothing", lang))
        return Outcome("\n".join(lines))
    rows = []
    for ev in plan.appended:
        values = log_values(ev, log.lang)
        missing = [key for key in values if key not in log.positions]
        if missing:
            raise CollectError("collect_column_missing", path=book.name, column=label("log", missing[0], log.lang))
        rows.append({log.column(key): value for key, value in values.items()})
    book.append_table_rows(LOG_TABLE, rows)
    book.put_sheet(_collect_log_sheet(grids, plan.files, now=now or dt.datetime.now(),
                                      who=who if who is not None else log_sheet.collector(), lang=lang))
    lines.append(message_text("collect_button_done", lang, n=len(plan.appended), sheet=_collect_log_name(grids, lang)))
    return Outcome("\n".join(lines), changed=True)


def _collect_log_name(grids: dict[str, list[list[object]]], lang: str) -> str:
    return next((n for n in grids if parse_key("sheet", n) == "collect_log"), log_sheet.sheet_name(lang))


def _collect_log_sheet(grids: dict[str, list[list[object]]], files: list[FileSummary], *, now: dt.datetime, who: str,
                       lang: str) -> sm.Sheet:
    # The sheet as it is (earlier collects, by the button or by ``xlsales collect``), and a
    # row per file below (its note holds the details the message box leaves out).
    name = _collect_log_name(grids, lang)
    kept = [list(row) for row in grids.get(name) or [] if any(v not in (None, "") for v in row)]
    new = log_sheet.log_rows(files, when=now, who=who, lang=lang)
    sheet = sm.Sheet(name=name, freeze=(1, 0))
    rows = [*(kept or [log_sheet.header(lang)]), *new]
    for i, row in enumerate(rows):
        for j in range(len(log_sheet.COLUMNS)):
            value = row[j] if j < len(row) else None
            sheet.set(i, j, value, style=log_sheet.HEADER_STYLE if i == 0 else log_sheet.STYLES[j])
        sheet.row_heights[i] = log_sheet.HEADER_HEIGHT if i == 0 else log_sheet.row_height(row)
    sheet.col_widths.update(dict(enumerate(log_sheet.WIDTHS)))
    sheet.print_setup = sm.PrintSetup(repeat_rows=(0, 0))  # A4 landscape, one page wide, the header on each
    return sheet


# -- end 回収 ----------------------------------------------------------------------------
