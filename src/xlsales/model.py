"""Plain data that flows read -> validate -> compute: the master workbook's contents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xlsales.exceptions import Problem


@dataclass(frozen=True, slots=True)
class Event:
    """One row of the activity log, validated and normalised (keys, not labels).

    With ``__slots__``: a log holds hundreds of thousands of them, and an instance without
    a ``__dict__`` is about half the size (``dataclasses.replace`` makes a changed copy).
    """

    row: int  # the row number in the source sheet (1-based, as Excel shows it)
    id: str
    date: dt.date
    rep: str
    activity: str  # a key of vocab.ACTIVITIES
    customer: str = ""
    amount: float | None = None
    lost_reason: str | None = None  # "now" / "forever"
    close_month: dt.date | None = None  # first day of the expected close month
    note: str = ""


@dataclass(frozen=True)
class Member:
    rep: str
    team: str = ""
    grade: str | None = None  # a key of vocab.GRADES
    email: str = ""
    hire_date: dt.date | None = None
    left_on: dt.date | None = None  # 退職日: from this day on, no workbook goes out to the rep
    leader: bool = False  # リーダー ◯: the team leader, who gets the team's workbook by mail


@dataclass(frozen=True)
class ReplyBy:
    """設定 返送期限: the Nth working day (Mon-Fri) of the next month, or its day N."""

    n: int = 5
    working_days: bool = True


@dataclass(frozen=True)
class Target:
    rep: str
    month: dt.date  # first day of the month
    sales_target: float | None = None
    # process targets by metric key: orders, new_deals, new_topics, visits, follows, lists
    process: dict[str, float] = field(default_factory=dict)


@dataclass
class Settings:
    fiscal_year_start: int = 4
    period_start: dt.date | None = None  # None: start of the fiscal year holding the as-of date
    period_months: int = 12
    amount_unit: str = "万円"
    weight_deal_a: float = 0.7
    weight_deal_b: float = 0.3
    last_year_sales: float | None = None
    retention: float = 1.0
    language: str = "ja"
    master_id: str = ""  # 設定 マスターID: the master's identity (a UUID) for collecting returned workbooks
    # xlsales mail: CC, the SMTP server of --send (credentials only from the environment), From, reply-by day
    manager_email: str = ""
    smtp_host: str = ""
    smtp_port: int | None = None  # None: the port of smtp_security (587, 465, 25)
    smtp_security: str = "starttls"  # starttls, ssl or none
    mail_from: str = ""  # "" : manager_email
    reply_by: ReplyBy = field(default_factory=ReplyBy)
    # the monthly rhythm (DOMAIN.md §9): company closing days (休業日) and days before a deal is stale (放置日数)
    closed_days: tuple[dt.date, ...] = ()
    stale_days: int = 14
    # the annual plan (DOMAIN.md §6; None: from last year's log, or the default) and evaluation (§7)
    annual_target: float | None = None
    unit_price: float | None = None
    win_rate: float | None = None
    deal_rate: float | None = None
    topic_rate: float | None = None
    appointment_rate: float | None = None
    list_rate: float | None = None
    achievement_cap: float = 1.5


# 人事評価 (DOMAIN.md §7): grade -> (result weight, process weight), the deck's defaults.
DEFAULT_WEIGHTS: dict[str, tuple[float, float]] = {
    "manager": (1.0, 0.0),
    "leader": (0.8, 0.2),
    "member_senior": (0.6, 0.4),
    "member_junior": (0.4, 0.6),
}


@dataclass
class Master:
    """Everything read from a manager's master workbook (or a CSV log plus a master)."""

    events: list[Event] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    # benchmark[(rep or "", row key)] = value; rep "" applies to every rep
    benchmarks: dict[tuple[str, str], float] = field(default_factory=dict)
    source: str = ""
    # activity-log rows left out by read_master(skip_bad_rows=True): one Problem per fault
    skipped: list[Problem] = field(default_factory=list)
    # 評価設定: grade -> (result weight, process weight); the deck's defaults without that sheet
    weights: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
