"""Sending drafts through the SMTP server of 設定, once per month and recipient.

Credentials come only from the environment (``XLSALES_SMTP_USER`` and
``XLSALES_SMTP_PASSWORD``); they are handed to ``smtplib`` and never written to a file,
a log or a message.  ``sent.json`` in the output folder records what was sent (month,
recipient key, address, Message-ID, time), written atomically after every message, so a
second run sends nothing twice, and a run that stops half-way resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import os
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from xlsales.model import Settings
from xlsales.write.files import atomic_path

SEND_LOG = "sent.json"
USER_VAR, PASSWORD_VAR = "XLSALES_SMTP_USER", "XLSALES_SMTP_PASSWORD"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpConfig:
    """Where to send: from 設定, with the login from the environment (never stored)."""

    host: str
    port: int
    security: str  # starttls, ssl or none
    user: str = ""
    password: str = ""

    def __repr__(self) -> str:  # a traceback or a debug print never shows the password
        return f"SmtpConfig(host={self.host!r}, port={self.port}, security={self.security!r}, user={self.user!r})"


def smtp_config(settings: Settings, env: Mapping[str, str] | None = None) -> SmtpConfig:
    """The SMTP server of ``settings`` and the login of ``env`` (default ``os.environ``)."""
    env = os.environ if env is None else env
    return SmtpConfig(host=settings.smtp_host, port=settings.smtp_port or DEFAULT_PORTS[settings.smtp_security],
                      security=settings.smtp_security, user=env.get(USER_VAR, ""), password=env.get(PASSWORD_VAR, ""))


@contextlib.contextmanager
def smtp_session(config: SmtpConfig, *, context: ssl.SSLContext | None = None,
                 timeout: float = 30) -> Iterator[smtplib.SMTP]:
    """An SMTP connection, encrypted as configured and logged in when a user is given.

    ``context`` defaults to ``ssl.create_default_context()`` (the system's trusted CAs,
    or the file named by ``SSL_CERT_FILE``).
    """
    context = context or ssl.create_default_context()
    if config.security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(config.host, config.port, timeout=timeout)
    try:
        if config.security == "starttls":
            server.starttls(context=context)
            server.ehlo()
        if config.user:
            server.login(config.user, config.password)
        yield server
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            server.quit()


def read_send_log(folder: Path) -> dict[str, dict[str, dict]]:
    """month (YYYY-MM) -> recipient key -> what was sent; {} when nothing was."""
    path = folder / SEND_LOG
    if not path.exists():
        return {}
    return json.loads(path.read_text("utf-8"))


def record_sent(folder: Path, month: dt.date, key: str, message: EmailMessage) -> None:
    """Add one sent message to the send log (atomically: the log is never half written)."""
    log = read_send_log(folder)
    log.setdefault(f"{month:%Y-%m}", {})[key] = {
        "to": str(message["To"]), "cc": str(message["Cc"] or ""), "message_id": str(message["Message-ID"]),
        "sent": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    with atomic_path(folder / SEND_LOG) as tmp:
        tmp.write_text(json.dumps(log, ensure_ascii=False, indent=1), "utf-8")


def outgoing(draft: EmailMessage) -> EmailMessage:
    """The message as sent: the draft without its ``X-Unsent`` mark."""
    sent = copy.deepcopy(draft)
    del sent["X-Unsent"]
    return sent
