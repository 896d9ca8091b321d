"""The ``xlsales`` command line: a thin face over the library.

Each command parses its options, calls the library and turns library errors into
messages in the user's language (``--lang`` or the XLSALES_LANG variable; Japanese by
default).  No logic lives here.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import uuid
from pathlib import Path

import click

from xlsales.exceptions import XlsalesError
from xlsales.layout.teams import teams_of
from xlsales.model import Master, Settings
from xlsales.texts import label, message_text
from xlsales.write.build import build as build_workbooks

LANG_CHOICE = click.Choice(["ja", "en"], case_sensitive=False)


def _default_lang() -> str:
    env = os.environ.get("XLSALES_LANG", "").strip().lower()
    return env if env in ("ja", "en") else "ja"


def lang_option(fn):
    """``--lang ja|en``: the language of the workbooks and of the messages."""
    return click.option("--lang", type=LANG_CHOICE, default=None,
                        help="Language of labels and messages: ja (default) or en. Env: XLSALES_LANG.")(fn)


def _fail(err: XlsalesError, lang: str) -> None:
    click.echo(err.message(lang), err=True)
    sys.exit(1)


def _month(value: str | None, lang: str) -> dt.date | None:
    # The month forms the ribbon's month question reads too: 2026-07, 2026/7, 2026年7月, R8.7.
    from xlsales.validate.values import BadValue, parse_month

    if value is None:
        return None
    try:
        return parse_month(value)
    except BadValue as bad:
        raise click.BadParameter(f"{value!r}: {message_text(bad.reason, lang, **bad.params)}",
                                 param_hint="--month") from None


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: use YYYY-MM-DD") from None


class _Progress:
    """Progress on a terminal, silence elsewhere (CI logs, pipes)."""

    def __init__(self, total: int, label: str) -> None:
        self.bar = None
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr,
                                         item_show_func=lambda s: s)
            self.bar.__enter__()

    def __call__(self, item: str) -> None:
        if self.bar is not None:
            self.bar.current_item = item
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


#: ``xlsales collect``'s exit status when conflicts were reported and neither --take-returned
#: nor --keep-master settled them.
EXIT_CONFLICTS = 3

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xlsales")
def cli() -> None:
    """xlsales: BtoB sales-process management in Excel.

    Reps keep an activity log; xlsales turns it into target/process sheets
    (目標・プロセス管理) and writes a team workbook and one workbook per rep that
    work in plain Excel, with live formulas and no macros.

    \b
    Quick start:
        xlsales demo --out demo           # a demo master and its workbooks
        xlsales new master.xlsx           # a blank master to fill in
        xlsales validate master.xlsx      # check every row
        xlsales build master.xlsx --out out
    """


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@lang_option
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def new(path: Path, lang: str | None, force: bool) -> None:
    """Write a blank manager's master workbook to PATH.

    The master holds the sheets of DOMAIN.md: 活動ログ (the ActivityLog table reps
    fill in), メンバー, 目標, 設定, ベンチマーク and a 使い方 (how to use) sheet, with
    drop-downs for 区分, 担当者, ボツ理由 and 等級.

    \b
    Example:
        xlsales new master.xlsx
        xlsales new master-en.xlsx --lang en
    """
    from xlsales.write.master import write_master

    lang = (lang or _default_lang()).lower()
    if path.exists() and not force:
        raise click.ClickException(message_text("cli_exists", lang, path=path))
    # A new master gets its identity: returned workbooks are matched to it (DOMAIN.md, collect).
    write_master(path, Master(settings=Settings(master_id=str(uuid.uuid4()))), lang=lang)
    click.echo(message_text("cli_wrote", lang, path=path))


@cli.command()
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("xlsales-demo"),
              show_default=True, help="Folder for the demo master and its workbooks.")
@lang_option
@click.option("--as-of", "as_of", default=None, help="Report date YYYY-MM-DD (default: the demo's 2026-12-31).")
def demo(out: Path, lang: str | None, as_of: str | None) -> None:
    """Write a demo master (8 reps, one fiscal year) and build its workbooks.

    Needs no input.  One rep, 佐藤 健太, has exactly the figures of the deck's table
    for July–December 2026.

    \b
    Example:
        xlsales demo --out demo
    """
    from xlsales.demo import DEMO_AS_OF, demo_master
    from xlsales.write.master import write_master

    lang = (lang or _default_lang()).lower()
    master = demo_master()
    master.settings.language = lang
    master_path = out / f"{label('file', 'master', lang)}.xlsx"
    write_master(master_path, master, lang=lang)
    click.echo(message_text("cli_wrote", lang, path=master_path))
    _build(master, out / "workbooks", _as_of(as_of) or DEMO_AS_OF, lang)


def _build(master, out: Path, as_of: dt.date | None, lang: str) -> None:
    teams = teams_of(master.members, [m.rep for m in master.members])
    files = 1 + len(master.members) + (len(teams) if len(teams) > 1 else 0)  # all reps', each team's, each rep's
    progress = _Progress(files, message_text("cli_building", lang))
    try:
        result = build_workbooks(master, out, as_of=as_of, lang=lang, progress=progress)
    finally:
        progress.close()
    click.echo(message_text("cli_built", lang, n=len(result.paths), out=out, as_of=result.as_of))
    for path in result.paths:
        click.echo(f"  {path}")


@cli.command()
@click.argument("master", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the workbooks into (created when missing).")
@click.option("--as-of", "as_of", default=None, help="Report date YYYY-MM-DD (default: today).")
@click.option("--log", "log", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A CSV activity log exported from a CRM, used instead of the master's log sheet.")
@click.option("--skip-bad-rows", is_flag=True,
              help="Leave bad log rows out instead of refusing; they are listed in the team workbook.")
@lang_option
def build(master: Path, out: Path, as_of: str | None, log: Path | None, skip_bad_rows: bool,
          lang: str | None) -> None:
    """Validate MASTER, then write the team workbook and one workbook per rep into OUT.

    Every workbook has the target/process sheet (目標・プロセス管理) and its own
    ActivityLog table: flows are live formulas over it, so rows added in plain Excel
    are counted.  A rep's workbook holds that rep's rows only, so it can be e-mailed.
    Nothing is written when the master has bad rows (see ``xlsales validate``).
    A log longer than an Excel sheet (1,048,575 rows) is refused before any work:
    split it by fiscal year or by team and build each part.

    \b
    Example:
        xlsales build master.xlsx --out 2026-11 --as-of 2026-11-30
        xlsales build master.xlsx --out out --log crm-export.csv --lang en
    """
    from xlsales.validate.master import read_master

    msg_lang = (lang or _default_lang()).lower()
    date = _as_of(as_of)
    try:
        data = read_master(master, log=log, skip_bad_rows=skip_bad_rows, lang=msg_lang)
    except XlsalesError as err:
        _fail(err, msg_lang)
    _build(data, out, date, (lang or data.settings.language or "ja").lower())


@cli.command()
@click.argument("master", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--when", "when", type=click.Choice(["start", "mid", "end"]), default=None,
              help="The meeting: start (月初: the month's first working day), mid (中間: the 15th or the next "
                   "working day), end (月末: the month's last working day). Sets the default --as-of and the emphasis.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the check-in workbooks (created when missing).")
@click.option("--as-of", "as_of", default=None,
              help="Check-in date YYYY-MM-DD (default: the --when day of the month; without --when, today).")
@click.option("--month", "month", default=None, help="The month YYYY-MM (default: the --as-of month, else this month).")
@lang_option
def checkin(master: Path, when: str | None, out: Path, as_of: str | None, month: str | None,
            lang: str | None) -> None:
    """Validate MASTER, then write the check-in workbooks (チェックイン) into OUT.

    One team workbook and one per rep, each with the チェックイン sheet (pace against
    the target pro-rated by working days, the ヨミ stack) and the ActivityLog table
    its formulas count, named like the build's with チェックイン and the date.
    --as-of overrides the --when date (--when then only sets the emphasis); without
    --when the meeting follows the date (月初 up to the first working day, 月末 from
    the last, 中間 in between).

    \b
    Example:
        xlsales checkin master.xlsx --when mid --out meetings
        xlsales checkin master.xlsx --when end --month 2026-11 --out meetings
        xlsales checkin master.xlsx --as-of 2026-11-20 --out meetings --lang en
    """
    from xlsales.compute.checkin import default_as_of, meeting_of
    from xlsales.compute.workdays import calendar_of
    from xlsales.validate.master import read_master
    from xlsales.write.checkin import write_checkins

    msg_lang = (lang or _default_lang()).lower()
    date, chosen = _as_of(as_of), _month(month, msg_lang)
    try:
        data = read_master(master, lang=msg_lang)
    except XlsalesError as err:
        _fail(err, msg_lang)
    calendar = calendar_of(data.settings.closed_days)
    the_month = chosen or (date or dt.date.today()).replace(day=1)
    if date is None:
        date = default_as_of(the_month, when, calendar) if when else dt.date.today()
    meeting = when or meeting_of(date, calendar)
    out_lang = (lang or data.settings.language or "ja").lower()
    progress = _Progress(len(data.members) + 1, message_text("cli_building", msg_lang))
    try:
        result = write_checkins(data, out, as_of=date, meeting=meeting, month=the_month, lang=out_lang,
                                progress=progress)
    finally:
        progress.close()
    click.echo(message_text("cli_checkin_built", msg_lang, n=len(result.paths), out=out, as_of=date,
                            meeting=label("meeting", meeting, msg_lang)))
    for path in result.paths:
        click.echo(f"  {path}")


def _fiscal_year(value: int | None, start: int) -> dt.date | None:
    # --year 2026: the fiscal year that starts in 2026's start month.
    return None if value is None else dt.date(value, start, 1)


def _period(value: str | None, lang: str) -> tuple[dt.date, dt.date] | None:
    from xlsales.validate.values import BadValue, parse_period

    if value is None:
        return None
    try:
        return parse_period(value)
    except BadValue as bad:
        raise click.BadParameter(f"{value!r}: {message_text(bad.reason, lang, **bad.params)}",
                                 param_hint="--period") from None


@cli.command()
@click.argument("master", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the plan workbook into (created when missing).")
@click.option("--year", "year", type=click.IntRange(1900, 9999), default=None,
              help="The fiscal year: 2026 is the one starting in 2026's first fiscal month (設定 会計年度開始月, "
                   "April by default). Default: the year that holds today, or the next one from its last quarter on.")
@click.option("--apply", "apply", is_flag=True,
              help="Also write a new master into OUT (MASTER_年間計画反映_2026年度.xlsx; MASTER is never changed) "
                   "whose 目標 sheet holds the plan's monthly sales and process targets per rep.")
@lang_option
def plan(master: Path, out: Path, year: int | None, apply: bool, lang: str | None) -> None:
    """Validate MASTER, then write the annual plan workbook (年間計画) into OUT.

    The plan works the year backwards from the annual sales target (設定 年間売上目標,
    else the sum of 目標's monthly sales targets): new sales needed, orders, deals,
    topics, visits, follow-ups and list entries, each rounded up, with the rates and
    the unit price from 設定, else last fiscal year's log, else the ベンチマーク sheet,
    else the deck's benchmark.  It is spread over the months by last year's monthly
    sales and over the reps by their share of last year's sales.  Every figure is a
    live formula: type a new target, rate or share into the yellow cells and the plan
    recalculates.  The file is 年間計画_2026年度.xlsx (AnnualPlan_FY2026.xlsx).

    \b
    Example:
        xlsales plan master.xlsx --out plans
        xlsales plan master.xlsx --out plans --year 2027
        xlsales plan master.xlsx --out plans --apply
    """
    from xlsales.compute.annual_plan import annual_plan, plan_year
    from xlsales.validate.master import read_master
    from xlsales.write.plan import write_plan

    msg_lang = (lang or _default_lang()).lower()
    try:
        data = read_master(master, lang=msg_lang)
    except XlsalesError as err:
        _fail(err, msg_lang)
    out_lang = (lang or data.settings.language or "ja").lower()
    start = data.settings.fiscal_year_start
    first = _fiscal_year(year, start) or plan_year(dt.date.today(), start)
    try:
        path = write_plan(data, out, year=first, lang=out_lang)
    except XlsalesError as err:
        _fail(err, msg_lang)
    click.echo(message_text("cli_plan_written", msg_lang, fy=first.year, path=path))
    if apply:
        from xlsales.collect.adopt import adopt_plan, adopted_name

        the_plan = annual_plan(data, first)
        try:
            adopted = adopt_plan(master, out / adopted_name(master, the_plan, out_lang), the_plan, lang=out_lang)
        except XlsalesError as err:
            _fail(err, msg_lang)
        click.echo(message_text("cli_plan_applied", msg_lang, path=adopted))


@cli.command()
@click.argument("master", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the evaluation workbook(s) (created when missing). HR data: keep it private.")
@click.option("--period", "period", default=None,
              help="The months evaluated, YYYY-MM:YYYY-MM (default: the fiscal year up to the last month "
                   "that ended).")
@click.option("--per-rep", "per_rep", is_flag=True,
              help="Also write one workbook per rep holding only that rep's row, log rows and sheet.")
@lang_option
def evaluate(master: Path, out: Path, period: str | None, per_rep: bool, lang: str | None) -> None:
    """Validate MASTER, then write the evaluation workbook (人事評価) into OUT.

    Its 評価 sheet scores each rep over the period (DOMAIN.md §7): result
    achievement (sales vs. target) and process achievement (the mean of the
    KPIs with a target), each capped (設定 達成率上限, default 150%), weighed
    by grade (the master's 評価設定 sheet, else the deck's 100/0, 80/20, 60/40,
    40/60), and ranked within the チーム.  Months before a rep's 入社日 or after
    the 退職日 count neither in actuals nor in targets.  Every figure is a formula
    over the reps' target/process sheets in the same workbook, and a 評価設定
    sheet there lets you try other weights.  Never part of `xlsales build`.

    \b
    Example:
        xlsales evaluate master.xlsx --out hr
        xlsales evaluate master.xlsx --out hr --period 2026-04:2026-09 --per-rep
        xlsales evaluate master.xlsx --out hr --lang en
    """
    from xlsales.validate.master import read_master
    from xlsales.write.evaluation import write_evaluation

    msg_lang = (lang or _default_lang()).lower()
    chosen = _period(period, msg_lang)
    try:
        data = read_master(master, lang=msg_lang)
    except XlsalesError as err:
        _fail(err, msg_lang)
    out_lang = (lang or data.settings.language or "ja").lower()
    progress = _Progress(1 + (len(data.members) if per_rep else 0), message_text("cli_evaluating", msg_lang))
    try:
        result = write_evaluation(data, out, period=chosen, per_rep=per_rep, lang=out_lang, progress=progress)
    except XlsalesError as err:
        _fail(err, msg_lang)
    finally:
        progress.close()
    first, last = result.period
    click.echo(message_text("cli_evaluation_built", msg_lang, n=len(result.paths), out=out, first=f"{first:%Y-%m}",
                            last=f"{last:%Y-%m}"))
    for path in result.paths:
        click.echo(f"  {path}")


@cli.command()
@click.argument("master", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--log", "log", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A CSV activity log to check instead of the master's log sheet.")
@lang_option
def validate(master: Path, log: Path | None, lang: str | None) -> None:
    """Check MASTER: exit 0 when clean, else list every bad row and exit 1.

    Each problem names the sheet, the row number, the column, the value and the
    reason, in the chosen language.

    \b
    Example:
        xlsales validate master.xlsx
        xlsales validate master.xlsx --log crm-export.csv --lang en
    """
    from xlsales.validate.master import validate_master

    lang = (lang or _default_lang()).lower()
    try:
        problems = validate_master(master, log=log)
    except XlsalesError as err:
        _fail(err, lang)
    if not problems:
        click.echo(message_text("cli_clean", lang, path=master))
        return
    click.echo(message_text("n_problems_found_in", lang, n=len(problems), path=Path(master).name), err=True)
    for p in problems:
        click.echo("  " + p.message(lang), err=True)
    sys.exit(1)


@cli.command()
@click.argument("master", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the drafts (.eml), the workbooks built for them and the send log sent.json.")
@click.option("--month", "month", default=None, help="YYYY-MM to mail (default: the last month that ended).")
@click.option("--from", "from_dir", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="The folder of an earlier build of that month: attach its workbooks instead of building.")
@click.option("--send", is_flag=True,
              help="Send through the SMTP server of 設定; login from XLSALES_SMTP_USER / XLSALES_SMTP_PASSWORD.")
@click.option("--resend", is_flag=True, help="With --send: send again to those the send log says got it.")
@lang_option
def mail(master: Path, out: Path, month: str | None, from_dir: Path | None, send: bool, resend: bool,
         lang: str | None) -> None:
    """Write one mail draft (.eml) per rep with their workbook of the month attached.

    Each draft goes to the rep's メール (Members), CC the manager (設定
    マネージャーのメール), with the month in a few figures and the day to send the
    workbook back (設定 返送期限).  Outlook, Thunderbird and Apple Mail open a draft
    ready to send.  Team leaders (Members リーダー ◯) get the team workbook.  Reps
    who left before the month (退職日) get none; a rep without a valid address is
    listed, and the command exits 1.  Nothing is sent unless --send; a month is
    sent once (sent.json in OUT), unless --resend.

    \b
    Example:
        xlsales mail master.xlsx --out mail-2026-11 --month 2026-11
        xlsales mail master.xlsx --out mail-2026-11 --month 2026-11 --send
    """
    from xlsales.excel.handlers import previous_month
    from xlsales.mail.monthly import mail_month
    from xlsales.validate.master import read_master

    msg_lang = (lang or _default_lang()).lower()
    month_date = _month(month, msg_lang) or previous_month(dt.date.today())
    try:
        data = read_master(master, lang=msg_lang)
    except XlsalesError as err:
        _fail(err, msg_lang)
    lang = (lang or data.settings.language or "ja").lower()
    progress = _Progress(len(data.members), message_text("cli_mailing", lang))
    try:
        result = mail_month(data, out, month=month_date, lang=lang, from_dir=from_dir, send=send, resend=resend,
                            progress=progress)
    finally:
        progress.close()
    click.echo(message_text("cli_mail_drafts", lang, n=len(result.drafts), out=out, month=f"{result.month:%Y-%m}",
                            as_of=result.as_of))
    for path in result.drafts.values():
        click.echo(f"  {path}")
    if send:
        click.echo(message_text("cli_mail_sent", lang, n=len(result.sent)))
    if result.already_sent:
        click.echo(message_text("cli_mail_already", lang, n=len(result.already_sent)))
    if result.left:
        click.echo(message_text("cli_mail_left", lang, reps=", ".join(result.left)))
    if result.problems:
        click.echo(message_text("cli_mail_problems", lang, n=len(result.problems)), err=True)
        for p in result.problems:
            click.echo("  " + p.message(lang), err=True)
        sys.exit(1)


@cli.command()
@click.argument("master", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("returned", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The merged master to write (default: MASTER_collected_YYYYmmdd-HHMMSS.xlsx beside it).")
@click.option("--in-place", is_flag=True,
              help="Replace MASTER itself; the original is kept as MASTER_backup_YYYYmmdd-HHMMSS.xlsx.")
@click.option("--take-returned", "resolve", flag_value="take_returned", default=None,
              help="Settle conflicts with the rep's values.")
@click.option("--keep-master", "resolve", flag_value="keep_master", help="Settle conflicts with the master's values.")
@click.option("--any-date", is_flag=True, help="Accept rows dated outside the build month and the month after it.")
@click.option("--skip-bad-rows", is_flag=True, help="Take the good rows of a file that has bad ones.")
@lang_option
def collect(master: Path, returned: tuple[Path, ...], out: Path | None, in_place: bool, resolve: str | None,
            any_date: bool, skip_bad_rows: bool, lang: str | None) -> None:
    """Merge the per-person workbooks the reps sent back (RETURNED) into MASTER.

    RETURNED are .xlsx files, .eml or Outlook .msg mails (their .xlsx attachments),
    or folders of them.  Rows a rep added are appended with new IDs; rows sent and
    left alone are skipped, so collecting a file twice changes nothing; a sent row
    the rep changed is a conflict, merged only with --take-returned or --keep-master;
    rows of another rep, rows dated outside the build month and the month after it,
    and files of another master are refused, each with its reason.  A file with bad
    rows gives nothing unless --skip-bad-rows.  The master itself is never edited:
    the merged master is a new file (or, with --in-place, replaces it after a
    backup), with everything of the master kept (charts, images, other sheets) and
    a row per file on its 回収ログ sheet.

    Exit status: 0 done; 1 a file or the master could not be read or written;
    3 conflicts were reported and left unsettled (the merged master is still
    written): collect again with --take-returned or --keep-master.

    \b
    Example:
        xlsales collect master.xlsx returned/ --out master-2026-07.xlsx
        xlsales collect master.xlsx 佐藤.eml 鈴木.msg --in-place --take-returned
    """
    import tempfile

    from xlsales.collect.log_sheet import event_text
    from xlsales.collect.master import collect as collect_files
    from xlsales.collect.merge import counts
    from xlsales.collect.sources import returned_files

    lang = (lang or _default_lang()).lower()
    if out is not None and in_place:
        raise click.UsageError("--out and --in-place exclude each other")
    with tempfile.TemporaryDirectory(prefix="xlsales-collect-") as work:
        sources, failed = returned_files(returned, work)
        if not sources and not failed:
            click.echo(message_text("collect_no_files", lang), err=True)
            sys.exit(1)
        try:
            result = collect_files(master, [(s.name, s.path) for s in sources], out=out, in_place=in_place,
                                   resolve=resolve, any_date=any_date, skip_bad_rows=skip_bad_rows, lang=lang)
        except XlsalesError as err:
            _fail(err, lang)
    for name, err in failed:
        click.echo(f"{name}: {err.message(lang)}", err=True)
    pending = 0
    for f in result.files:
        if f.error is not None:
            click.echo(f.error.message(lang), err=True)
            continue
        click.echo(message_text("collect_summary", lang, path=f.name, rep=f.rep,
                                month=f.month.strftime("%Y-%m") if f.month else "-", **counts(f)))
        if f.bad and not skip_bad_rows:
            click.echo("  " + message_text("collect_bad_rows", lang, path=f.name, n=len(f.bad)), err=True)
        for p in [*f.bad, *f.refused]:
            click.echo("  " + p.message(lang), err=True)
        for c in f.conflicts:
            pending += resolve is None
            click.echo("  " + message_text(
                "collect_conflict", lang, path=f.name, row=c.row, id=c.returned.id,
                master=event_text(c.master, lang) if c.master else message_text("collect_deleted", lang),
                returned=event_text(c.returned, lang)))
    if pending:
        click.echo(message_text("collect_conflicts_pending", lang, n=pending), err=True)
    if result.out is None:
        click.echo(message_text("collect_nothing", lang))
    else:
        if result.backup is not None:
            click.echo(message_text("collect_backup", lang, path=result.backup))
        click.echo(message_text("collect_written", lang, path=result.out))
    if failed or any(f.error is not None for f in result.files):
        sys.exit(1)
    if pending:  # a script (or a scheduled task) sees that the manager still has to decide
        sys.exit(EXIT_CONFLICTS)


def main() -> None:  # pragma: no cover
    cli()


@cli.group()
def addin() -> None:
    """The Excel add-in: build it, install it, or run its buttons on a file.

    The add-in adds a ribbon tab 営業プロセス (Sales process) with the buttons
    検証 (Validate), 更新 (Refresh), 月次ブック作成 (Monthly workbooks),
    メール作成 (Mail drafts) and 評価 (Evaluate), and
    worksheet functions XS_... (Windows).  It runs this package's code through
    xlwings; `pip install "xlsales[addin]"` brings xlwings.

    \b
    Example:
        xlsales addin build --out dist
        xlsales addin install
        xlsales addin run validate master.xlsx --out checked.xlsx
    """


@addin.command("build")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder to write xlsales.xlam into.")
@lang_option
def addin_build(out: Path, lang: str | None) -> None:
    """Write the add-in xlsales.xlam (ribbon in the chosen language).

    \b
    Example:
        xlsales addin build --out dist --lang en
    """
    from xlsales.excel.xlam import build_addin

    lang = (lang or _default_lang()).lower()
    try:
        path = build_addin(out, lang=lang)
    except XlsalesError as err:
        _fail(err, lang)
    click.echo(message_text("cli_wrote", lang, path=path))


@addin.command("install")
@lang_option
@click.option("--global", "global_install", is_flag=True, help="Install for every user (Windows).")
@click.option("--interpreter", "interpreter", type=click.Path(dir_okay=False), default=None,
              help="The Python that runs the add-in (default: the one running this command).")
def addin_install(lang: str | None, global_install: bool, interpreter: str | None) -> None:
    """Build the add-in, install it with xlwings' installer (Windows/macOS Excel), and
    write xlwings' config file for it (the Python to run, the worksheet functions).

    \b
    Example:
        xlsales addin install
        xlsales addin install --interpreter C:\\Python312\\python.exe
    """
    from xlsales.excel.install import install_addin
    from xlsales.excel.user_config import config_file_path, user_home

    lang = (lang or _default_lang()).lower()
    try:
        path = install_addin(lang=lang, global_install=global_install, interpreter=interpreter)
    except XlsalesError as err:
        _fail(err, lang)
    click.echo(message_text("cli_wrote", lang, path=path))
    click.echo(message_text("addin_config_written", lang, path=config_file_path(user_home(sys.platform), sys.platform),
                            interpreter=interpreter or sys.executable))


_BUTTONS = {"validate": "xsValidate", "refresh": "xsRefresh", "monthly": "xsMonthly", "mail": "xsMail",
            "checkin": "xsCheckin", "plan": "xsPlan",
            "evaluate": "xsEvaluate"}


@addin.command("run")
@click.argument("button", type=click.Choice(sorted(_BUTTONS)))
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The new file to write (validate, refresh); default WORKBOOK_xlsales.xlsx. "
                   "The original is never overwritten.")
@click.option("--as-of", "as_of", default=None, help="Report date YYYY-MM-DD for refresh (default: today).")
@click.option("--month", "month", default=None,
              help="YYYY-MM for monthly (default: the last month that ended) and checkin (default: this month).")
@lang_option
def addin_run(button: str, workbook: Path, out: Path | None, as_of: str | None, month: str | None,
              lang: str | None) -> None:
    """Press a ribbon button on a workbook file, as the add-in does in Excel.

    validate marks bad cells (colour + note) and lists them on a 検証結果 sheet;
    refresh fills in the target/process sheets from the ActivityLog table;
    monthly writes the team and per-person workbooks into a folder beside WORKBOOK;
    checkin writes the team's チェックイン sheet of --month (as of today in this month,
    else the month's last or first working day);
    plan writes the 年間計画 sheet of the fiscal year that holds today (from its
    last quarter on: the next one).
    evaluate writes the evaluation workbook (人事評価) of the fiscal year up to last
    month beside WORKBOOK.
    A workbook with charts, images or pivot tables is refused (a file round trip
    would lose them): use the ribbon in Excel for those.

    \b
    Example:
        xlsales addin run validate master.xlsx --out checked.xlsx
        xlsales addin run refresh master.xlsx --as-of 2026-11-30
        xlsales addin run monthly master.xlsx --month 2026-10
        xlsales addin run checkin master.xlsx --month 2026-10
        xlsales addin run plan master.xlsx
        xlsales addin run evaluate master.xlsx
    """
    from xlsales.excel.books import FileBook
    from xlsales.excel.ribbon import run_button

    lang = (lang or _default_lang()).lower()
    month_date = _month(month, lang)
    try:
        outcome = run_button(_BUTTONS[button], FileBook(workbook, out), lang=lang,
                             as_of=_as_of(as_of), month=month_date)
    except XlsalesError as err:
        _fail(err, lang)
    click.echo(outcome.message)
    for path in outcome.paths:
        click.echo(f"  {path}")
    if outcome.problems:
        for p in outcome.problems:
            click.echo("  " + p.message(lang), err=True)
        sys.exit(1)
