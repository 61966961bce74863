"""Helpers for worker and notification tests: an aiosmtpd sink, notification queries, ticks at a moment."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine.clock import ManualClock
from workflows import worker
from workflows.mail import MailSettings
from workflows.models import Notification, User
from workflows.services import Services


class SinkHandler:
    """Keeps every message the SMTP server accepted."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def message_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(str(m["Message-ID"]) for m in self.messages)

    def subjects_to(self, address: str) -> list[str]:
        with self.lock:
            return [str(make_header(decode_header(m["Subject"]))) for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_sink(port: int | None = None) -> Iterator[tuple[SinkHandler, int]]:
    """An SMTP server on 127.0.0.1 collecting messages."""
    handler = SinkHandler()
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def enable_mail(services: Services, port: int) -> None:
    services.mail = MailSettings(host="127.0.0.1", port=port, sender="cchc@sadec.test", timeout=5)


def give_emails(services: Services) -> None:
    """Every demo account gets <username>@sadec.test."""
    with services.uow() as uow:
        for user in uow.session.scalars(select(User)):
            user.email = f"{user.username}@sadec.test"
        uow.commit()


def notifications_of(services: Services, username: str, kind: str | None = None) -> list[Notification]:
    with services.sessions() as session:
        query = select(Notification).where(Notification.username == username)
        if kind:
            query = query.where(Notification.kind == kind)
        return list(session.scalars(query.order_by(Notification.id)))


def kinds_of(services: Services, username: str) -> list[str]:
    return [n.kind for n in notifications_of(services, username)]


def tick_at(services: Services, clock: ManualClock, moment: datetime) -> worker.TickReport:
    """Move the clock to ``moment`` and run one worker pass (the workflow cache cleared, as in another process)."""
    clock.set(moment)
    services.engine.cache.clear()
    return worker.tick(services, clock.now())
