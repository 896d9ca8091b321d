"""Fingerprints of activity-log rows: how a returned workbook's rows are recognised.

A per-person workbook carries the fingerprint of every row it was sent with (see
``layout.sent_record``); when the rep mails it back, a row whose ID and fingerprint both
match was sent and left alone, a row whose ID matches but whose fingerprint differs was
changed by the rep (a conflict), and a row with no known ID is new.

The fingerprint covers the row as DOMAIN.md reads it — keys, not labels, so the same row
in a Japanese and an English workbook has one fingerprint — and not its position or ID.
"""

from __future__ import annotations

import hashlib

from xlsales.model import Event
from xlsales.validate.values import number_text

FINGERPRINT_LENGTH = 20  # hex digits of SHA-256: 80 bits, no collision among a master's rows


def row_content(event: Event) -> tuple[str, ...]:
    """The fields of ``event`` a fingerprint covers, as text: date, rep, activity, customer,
    amount, lost reason, expected close month, note."""
    return (
        event.date.isoformat(),
        event.rep,
        event.activity,
        event.customer,
        number_text(event.amount),
        event.lost_reason or "",
        event.close_month.strftime("%Y-%m") if event.close_month else "",
        event.note,
    )


def row_fingerprint(event: Event) -> str:
    """The fingerprint of one activity-log row (``FINGERPRINT_LENGTH`` hex digits).

    Examples
    --------
    >>> import datetime as dt
    >>> row_fingerprint(Event(row=2, id="A1", date=dt.date(2026, 7, 1), rep="佐藤 健太", activity="visit",
    ...                       customer="A社"))
    '40f1c0454c95bbe4d107'
    """
    text = "\x1f".join(row_content(event))  # the unit separator: never typed into a cell
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]
