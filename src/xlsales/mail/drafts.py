"""The mail drafts of a month: who gets which workbook, what the mail says, the message.

Each draft is a standard RFC 5322 message (``email.message.EmailMessage``, policy
``email.policy.SMTP``: CRLF lines, non-ASCII headers as encoded words) with ``X-Unsent: 1``
so Outlook opens the ``.eml`` as an unsent draft with a Send button.  The workbook is
attached as ``application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`` with its
file name in RFC 2231 form, which survives Japanese names.  Subject and body come from the
jinja2 templates ``mail_subject.{ja,en}.txt.j2`` and ``mail_body.{ja,en}.txt.j2``; the
body's figures come from the engine (``compute.engine.compute_scope``), so they are the
numbers the attached workbook shows.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import jinja2

from xlsales.compute.engine import add_months, compute_scope, event_facts, month_end
from xlsales.compute.workdays import WorkCalendar
from xlsales.model import Master, Member, ReplyBy
from xlsales.texts import check_lang, label, template_text

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
POLICY = email.policy.SMTP


@dataclass(frozen=True)
class Recipient:
    """One draft to write: a rep's own workbook, or the team workbook to a team leader."""

    member: Member
    leader: bool  # True: the team workbook, to a team leader
    workbook: Path
    scope: tuple[str, ...]  # the reps whose figures the mail sums up

    @property
    def key(self) -> str:
        """The recipient's key in the send log: one per rep and kind."""
        return ("leader:" if self.leader else "rep:") + self.member.rep


@dataclass
class Summary:
    """The month of one scope in a few figures (amounts in the master's unit)."""

    month: dt.date
    as_of: dt.date
    sales: float
    target: float | None
    orders: int
    visits: int
    visits_target: float | None
    deal_a: tuple[int, float]  # count, amount of ◯ deals expected to close next month
    deal_b: tuple[int, float]
    deals: list[tuple[str, str, float]] = field(default_factory=list)  # mark, customer, amount (largest first)


def checked_address(text: str) -> str | None:
    """``text`` as an addr-spec when it is a plausible single address, else None.

    Examples
    --------
    >>> checked_address(" sato@example.co.jp "), checked_address("sato@example"), checked_address("")
    ('sato@example.co.jp', None, None)
    """
    text = (text or "").strip()
    if not text or any(ch.isspace() for ch in text) or text.count("@") != 1:
        return None
    try:
        address = Address(addr_spec=text)
    except (ValueError, IndexError, HeaderParseError):
        return None
    domain = address.domain
    if not address.username or "." not in domain or domain.startswith(".") or domain.endswith(".") or ".." in domain:
        return None
    return address.addr_spec


def reply_by_date(month: dt.date, rule: ReplyBy, calendar: WorkCalendar | None = None) -> dt.date:
    """The day reps send the workbook of ``month`` back: in the month after it.

    The Nth working day of ``calendar`` (not Saturday, Sunday, a Japanese public holiday
    or a closing day of 設定 休業日), or day N (the month's last day when it is shorter).

    Examples
    --------
    >>> reply_by_date(dt.date(2026, 12, 1), ReplyBy(5, working_days=True))  # 1/1 and 1/12 are holidays
    datetime.date(2027, 1, 8)
    >>> reply_by_date(dt.date(2027, 1, 1), ReplyBy(31, working_days=False))
    datetime.date(2027, 2, 28)
    """
    start = add_months(month, 1)
    if not rule.working_days:
        return min(start.replace(day=1) + dt.timedelta(days=rule.n - 1), month_end(start))
    return (calendar or WorkCalendar()).nth_day(start, rule.n)


def month_summary(master: Master, reps: Sequence[str], month: dt.date, as_of: dt.date) -> Summary:
    """The figures of ``reps`` (together) for ``month`` at ``as_of``."""
    wanted = set(reps)
    events = [ev for ev in master.events if ev.rep in wanted]
    following = add_months(month, 1)
    metrics = compute_scope(events, [month, following], as_of, event_facts(events))
    targets = [t for t in master.targets if t.rep in wanted and t.month == month]
    sales_targets = [t.sales_target for t in targets if t.sales_target is not None]
    visit_targets = [t.process["visits"] for t in targets if "visits" in t.process]
    a, b = metrics.stocks["deal_a"][following], metrics.stocks["deal_b"][following]
    deals = [("◯", it.customer, it.amount) for it in a.top] + [("△", it.customer, it.amount) for it in b.top]
    return Summary(
        month=month, as_of=as_of, sales=metrics.flow("sales", month),
        target=sum(sales_targets) if sales_targets else None,
        orders=int(metrics.flow("orders", month)), visits=int(metrics.flow("visits", month)),
        visits_target=sum(visit_targets) if visit_targets else None,
        deal_a=(a.count, a.amount), deal_b=(b.count, b.amount), deals=deals,
    )


def amount_text(value: float) -> str:
    """An amount as the mail shows it: thousands separators, no needless decimals.

    Examples
    --------
    >>> amount_text(1200.0), amount_text(12.5), amount_text(0)
    ('1,200', '12.5', '0')
    """
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=None)
def _template(name: str) -> jinja2.Template:
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    return env.from_string(template_text(name))


def mail_texts(recipient: Recipient, summary: Summary, master: Master, lang: str, reply_by: dt.date) -> tuple[str,
                                                                                                              str]:
    """The subject and body of ``recipient``'s mail, in ``lang``."""
    lang = check_lang(lang)
    unit = master.settings.amount_unit
    month, following = summary.month, add_months(summary.month, 1)
    values = {
        "rep": recipient.member.rep, "name": recipient.member.rep, "leader": recipient.leader,
        "team": recipient.member.team if recipient.leader else "", "unit": unit,
        "month_ja": f"{month.year}年{month.month}月", "month_en": month.strftime("%B %Y"),
        "next_ja": f"{following.month}月", "next_en": following.strftime("%B %Y"),
        "as_of": summary.as_of.isoformat(),
        "sales": amount_text(summary.sales),
        "target": None if summary.target is None else amount_text(summary.target),
        "achievement": f"{summary.sales / summary.target:.0%}" if summary.target else "-",
        "orders": summary.orders, "visits": summary.visits,
        "visits_target": None if summary.visits_target is None else amount_text(summary.visits_target),
        "deal_a_count": summary.deal_a[0], "deal_a_amount": amount_text(summary.deal_a[1]),
        "deal_b_count": summary.deal_b[0], "deal_b_amount": amount_text(summary.deal_b[1]),
        "deals": [{"mark": m, "customer": c, "amount": amount_text(v)} for m, c, v in summary.deals],
        "log_sheet": label("sheet", "log", lang),
        "reply_by_ja": f"{reply_by.month}月{reply_by.day}日（{'月火水木金土日'[reply_by.weekday()]}）",
        "reply_by_en": f"{reply_by:%A}, {reply_by:%B} {reply_by.day}, {reply_by.year}",
    }
    subject = _template(f"mail_subject.{lang}.txt.j2").render(values).strip()
    body = _template(f"mail_body.{lang}.txt.j2").render(values)
    return subject, body


def draft_message(*, to: tuple[str, str], cc: str, sender: str, subject: str, body: str, attachment: Path,
                  when: dt.datetime | None = None) -> EmailMessage:
    """The draft: To ``(name, address)``, CC, From (may be ""), the workbook attached.

    Parameters
    ----------
    to : (str, str)
        The display name and the (checked) address.
    cc, sender : str
        Checked addresses, or "" for none.
    attachment : Path
        The workbook; attached under its own file name.
    """
    msg = EmailMessage(policy=POLICY)
    msg["To"] = Address(display_name=to[0], addr_spec=to[1])
    if cc:
        msg["Cc"] = Address(addr_spec=cc)
    if sender:
        msg["From"] = Address(addr_spec=sender)
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(when or dt.datetime.now().astimezone())
    domain = (sender or to[1]).rpartition("@")[2] or None
    msg["Message-ID"] = email.utils.make_msgid(domain=domain)
    msg["X-Unsent"] = "1"
    msg.set_content(body, subtype="plain", charset="utf-8", cte="base64" if not body.isascii() else "7bit")
    msg.add_attachment(attachment.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1],
                       filename=attachment.name)
    return msg
