"""``xlsales mail``: the month's workbooks built (or found), one draft per recipient, sent if asked.

Recipients: every rep on メンバー who had not left before the month (退職日), with their
own workbook; and every team leader (リーダー ◯) with their team's workbook (when the build
wrote one per team) or the team workbook of all reps, the manager in CC.
A recipient without a usable address, a missing workbook or a failed send is listed in
the result with its reason; it never stops the others.
"""

from __future__ import annotations

import datetime as dt
import os
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from xlsales.compute.engine import month_end
from xlsales.compute.workdays import calendar_of
from xlsales.layout.names import safe_filename
from xlsales.layout.teams import teams_of
from xlsales.layout.workbook import output_names, team_output_names
from xlsales.mail.drafts import Recipient, checked_address, draft_message, mail_texts, month_summary, reply_by_date
from xlsales.mail.send import outgoing, read_send_log, record_sent, smtp_config, smtp_session
from xlsales.model import Master
from xlsales.texts import check_lang, message_text
from xlsales.write.build import build
from xlsales.write.files import atomic_path

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Unsent:
    """A recipient who got no draft, or whose mail was not sent, and why."""

    rep: str
    leader: bool
    reason: str  # a key of messages.json
    detail: str = ""

    def message(self, lang: str) -> str:
        return message_text(self.reason, lang, rep=self.rep, detail=self.detail)


@dataclass
class MailResult:
    """What a mail run did: drafts written, mails sent, recipients left out and why."""

    month: dt.date
    as_of: dt.date
    drafts: dict[str, Path] = field(default_factory=dict)  # recipient key -> .eml
    sent: list[str] = field(default_factory=list)  # recipient keys sent in this run
    already_sent: list[str] = field(default_factory=list)  # in the send log: not sent again
    left: list[str] = field(default_factory=list)  # reps who left before the month
    problems: list[Unsent] = field(default_factory=list)


def mail_as_of(month: dt.date, today: dt.date) -> dt.date:
    """The as-of date of a month's mail: its last day, or today within the month (as
    月次ブック作成 does: a month not begun yet is taken at its last day)."""
    end = month_end(month)
    return today if month <= today <= end else end


def recipients(master: Master, month: dt.date, folder: Path, lang: str) -> tuple[list[Recipient], list[str]]:
    """Who gets which workbook of ``folder`` (named as ``build`` names them), and who left."""
    reps = [m.rep for m in master.members]
    team_name, people = output_names(reps, month, lang)
    teams = teams_of(master.members, reps)
    team_files = team_output_names(reps, list(teams), month, lang) if len(teams) > 1 else {}
    out, left = [], []
    for m in master.members:
        if m.left_on is not None and m.left_on < month:
            left.append(m.rep)
            continue
        out.append(Recipient(m, False, folder / people[m.rep], (m.rep,)))
    for m in master.members:
        if m.leader and m.rep not in left:
            team = tuple(teams.get(m.team.strip(), ())) or tuple(reps)
            out.append(Recipient(m, True, folder / team_files.get(m.team.strip(), team_name), team))
    return out, left


def mail_month(master: Master, out: str | os.PathLike, *, month: dt.date, lang: str | None = None,
               from_dir: str | os.PathLike | None = None, send: bool = False, resend: bool = False,
               today: dt.date | None = None, env: Mapping[str, str] | None = None,
               ssl_context: ssl.SSLContext | None = None, progress: Progress | None = None) -> MailResult:
    """Write the month's drafts into ``out`` (and send them with ``send``).

    Parameters
    ----------
    master : Master
        A validated master.
    out : path
        The folder of the drafts (``.eml``), of the workbooks built for them (unless
        ``from_dir``) and of the send log ``sent.json``.
    month : date
        Any day of the month to mail.
    from_dir : path, optional
        The folder of an earlier build of that month: its workbooks are attached as they are.
    send : bool
        Send through the SMTP server of 設定 (login from XLSALES_SMTP_USER /
        XLSALES_SMTP_PASSWORD); recipients in the send log for the month are skipped
        unless ``resend``.
    env, ssl_context
        For tests: the environment to read the login from, the TLS context.

    Examples
    --------
    >>> mail_month(master, "mail-2026-11", month=dt.date(2026, 11, 1))  # doctest: +SKIP
    """
    lang = check_lang(lang or master.settings.language)
    month = month.replace(day=1)
    as_of = mail_as_of(month, today or dt.date.today())
    out = Path(out)
    folder = Path(from_dir) if from_dir is not None else out
    if from_dir is None:
        build(master, out, as_of=as_of, lang=lang)
    result = MailResult(month=month, as_of=as_of)
    plan, result.left = recipients(master, month, folder, lang)
    cc = checked_address(master.settings.manager_email) or ""
    sender = checked_address(master.settings.mail_from) or cc
    reply_by = reply_by_date(month, master.settings.reply_by, calendar_of(master.settings.closed_days))
    messages: dict[str, EmailMessage] = {}
    for r in plan:
        if progress:
            progress(r.member.rep)
        address = checked_address(r.member.email)
        if address is None:
            reason = "mail_no_address" if not r.member.email.strip() else "mail_bad_address"
            result.problems.append(Unsent(r.member.rep, r.leader, reason, r.member.email))
            continue
        if not r.workbook.exists():
            result.problems.append(Unsent(r.member.rep, r.leader, "mail_no_workbook", str(r.workbook)))
            continue
        try:
            subject, body = mail_texts(r, month_summary(master, r.scope, month, as_of), master, lang, reply_by)
            msg = draft_message(to=(r.member.rep, address), cc=cc, sender=sender, subject=subject, body=body,
                                attachment=r.workbook)
            path = out / _draft_name(r, month)
            with atomic_path(path) as tmp:
                tmp.write_bytes(msg.as_bytes())
        except OSError as err:  # one rep's failure never stops the others
            result.problems.append(Unsent(r.member.rep, r.leader, "mail_failed", str(err)))
            continue
        result.drafts[r.key] = path
        messages[r.key] = msg
    if send and messages:
        _send(master, out, month, messages, plan, result, resend=resend, env=env, ssl_context=ssl_context)
    return result


def _draft_name(r: Recipient, month: dt.date) -> str:
    # The workbook's own stem, so a draft sits beside its attachment in a listing.
    stem = r.workbook.stem if not r.leader else f"{r.workbook.stem}_{safe_filename(r.member.rep, fallback='leader')}"
    return f"{stem}.eml" if month.strftime("%Y-%m") in stem else f"{stem}_{month:%Y-%m}.eml"


def _send(master: Master, out: Path, month: dt.date, messages: dict[str, EmailMessage], plan: list[Recipient],
          result: MailResult, *, resend: bool, env: Mapping[str, str] | None,
          ssl_context: ssl.SSLContext | None) -> None:
    done = read_send_log(out).get(f"{month:%Y-%m}", {})
    todo = {k: m for k, m in messages.items() if resend or k not in done}
    result.already_sent = [k for k in messages if k not in todo]
    if not todo:
        return
    by_key = {r.key: r for r in plan}
    config = smtp_config(master.settings, env)
    if not config.host:
        for key in todo:
            r = by_key[key]
            result.problems.append(Unsent(r.member.rep, r.leader, "mail_no_smtp"))
        return
    try:
        with smtp_session(config, context=ssl_context) as server:
            for key, msg in todo.items():
                r = by_key[key]
                try:
                    refused = server.send_message(outgoing(msg))
                except Exception as err:  # noqa: BLE001 - one refused recipient never stops the others
                    result.problems.append(Unsent(r.member.rep, r.leader, "mail_send_failed",
                                                  f"{type(err).__name__}: {_no_secret(str(err), env)}"))
                    continue
                if refused:  # the server took the mail for some recipients only (the CC): not done
                    detail = "; ".join(f"{addr}: {code} {text!r}" for addr, (code, text) in refused.items())
                    result.problems.append(Unsent(r.member.rep, r.leader, "mail_send_failed", detail))
                    continue
                record_sent(out, month, key, msg)
                result.sent.append(key)
    except Exception as err:  # noqa: BLE001 - no connection or login: every unsent one is listed
        for key in todo:
            if key not in result.sent:
                r = by_key[key]
                result.problems.append(Unsent(r.member.rep, r.leader, "mail_send_failed",
                                              f"{type(err).__name__}: {_no_secret(str(err), env)}"))


def _no_secret(text: str, env: Mapping[str, str] | None) -> str:
    # A server may echo what it was given; the password never reaches a message.
    password = (os.environ if env is None else env).get("XLSALES_SMTP_PASSWORD", "")
    return text.replace(password, "***") if password else text
