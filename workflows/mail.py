"""E-mail over SMTP: the settings (off unless a host is configured), one reusable connection, retry backoff."""

from __future__ import annotations

import os
import smtplib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from .models import EmailOutbox

MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF = timedelta(seconds=30)
SEND_ERRORS = (smtplib.SMTPException, OSError, socket.timeout)


@dataclass(frozen=True)
class MailSettings:
    """SMTP configuration; e-mail is off unless a host is configured."""

    host: str | None = None
    port: int = 25
    sender: str = "cchc-flow@localhost"
    user: str | None = None
    password: str | None = None
    timeout: float = 20.0
    lease: timedelta = timedelta(minutes=2)

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @classmethod
    def from_env(cls) -> MailSettings:
        """CCHC_SMTP_HOST / PORT / SENDER / USER / PASSWORD."""
        return cls(
            host=os.environ.get("CCHC_SMTP_HOST") or None,
            port=int(os.environ.get("CCHC_SMTP_PORT", "25")),
            sender=os.environ.get("CCHC_SMTP_SENDER", "cchc-flow@localhost"),
            user=os.environ.get("CCHC_SMTP_USER") or None,
            password=os.environ.get("CCHC_SMTP_PASSWORD") or None,
        )


class Mailer:
    """One SMTP connection, opened on first use and reopened after a failure."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, row: EmailOutbox) -> None:
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = row.recipient
        message["Subject"] = row.subject
        message["Message-ID"] = row.message_id
        message["Date"] = format_datetime(row.created_at)
        message.set_content(row.body)
        if self._smtp is None:
            smtp = smtplib.SMTP(self.settings.host or "", self.settings.port, timeout=self.settings.timeout)
            if self.settings.user:
                smtp.login(self.settings.user, self.settings.password or "")
            self._smtp = smtp
        try:
            self._smtp.send_message(message)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


@contextmanager
def mailer(settings: MailSettings) -> Iterator[Mailer]:
    m = Mailer(settings)
    try:
        yield m
    finally:
        m.close()


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at one hour."""
    delay = FIRST_BACKOFF * (2 ** max(0, attempts - 1))
    return min(delay, MAX_BACKOFF)
