"""Notifications: in-app rows per user and an e-mail outbox delivered over SMTP after commit.

Both are written in the transaction of the action that caused them, so a rolled-back action notifies
nobody. The worker delivers the outbox: each row is claimed by one worker only (``FOR UPDATE SKIP
LOCKED`` held while sending on PostgreSQL, a leased conditional ``UPDATE`` on SQLite), marked sent
right after the SMTP server accepted it, and retried with capped exponential backoff when sending fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from engine.db import UnitOfWork, is_sqlite
from engine.errors import NotFound

from . import hot_sql
from .accounts import Recipient
from .mail import SEND_ERRORS, Mailer, backoff, mailer
from .models import EmailOutbox, Notification
from .services import Services

KINDS = ("new_task", "returned", "due_soon", "overdue", "escalated")
GIVE_UP_AFTER = 25  # attempts; the row stays in the table as "failed" with its last error


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    title: str
    message: str
    link: str | None
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, row: Notification) -> NotificationView:
        return cls(row.id, row.kind, row.title, row.message, row.link, row.created_at, row.read_at)


# --------------------------------------------------------------------------- writing


def notify(
    services: Services,
    session: Session,
    recipients: Iterable[Recipient],
    *,
    kind: str,
    title: str,
    message: str,
    now: datetime,
    link: str | None = None,
    task_id: int | None = None,
    instance_id: int | None = None,
) -> int:
    """Write one in-app notification per recipient (and an outbox e-mail when mail is on); returns how many."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    by_name: dict[str, Recipient] = {}
    for recipient in recipients:
        by_name.setdefault(recipient.username, recipient)
    unique = list(by_name.values())
    if not unique:
        return 0
    if not (services.mail.enabled and any(r.email for r in unique)):
        # Nothing reads the rows back in this transaction (no outbox row to link): one INSERT on the driver cursor.
        hot_sql.insert_notifications(
            session,
            [r.username for r in unique],
            kind=kind,
            title=title[:500],
            message=message,
            link=link,
            task_id=task_id,
            instance_id=instance_id,
            created_at=now,
        )
        return len(unique)
    rows: list[tuple[Notification, Recipient]] = []
    for recipient in unique:
        row = Notification(
            username=recipient.username,
            kind=kind,
            title=title[:500],
            message=message,
            link=link,
            task_id=task_id,
            instance_id=instance_id,
            created_at=now,
        )
        session.add(row)
        rows.append((row, recipient))
    if services.mail.enabled and any(r.email for _, r in rows):
        session.flush()
        for row, recipient in rows:
            if recipient.email:
                session.add(
                    EmailOutbox(
                        notification_id=row.id,
                        recipient=recipient.email,
                        subject=row.title,
                        body=_email_body(row),
                        message_id=f"<{uuid.uuid4().hex}@cchc-flow>",
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
    return len(rows)


def _email_body(row: Notification) -> str:
    lines = [row.message, ""]
    if row.link:
        lines.append(f"Xem chi tiết: {row.link}")
    lines.append("-- \nCCHC Flow (thư tự động, vui lòng không trả lời)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- reading


def list_for_user(uow: UnitOfWork, username: str, *, unread_only: bool, limit: int = 100) -> tuple[list[Any], int]:
    """The user's notifications, newest first, and how many are unread."""
    query = select(Notification).where(Notification.username == username)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = uow.session.scalars(query.order_by(Notification.id.desc()).limit(limit))
    unread = uow.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.username == username, Notification.read_at.is_(None))
    )
    return [NotificationView.of(r) for r in rows], int(unread or 0)


def mark_read(uow: UnitOfWork, username: str, notification_id: int, now: datetime) -> NotificationView:
    """Mark one of the user's notifications read (idempotent)."""
    row = uow.session.get(Notification, notification_id)
    if row is None or row.username != username:
        raise NotFound("Không tìm thấy thông báo.", code="notification_not_found")
    if row.read_at is None:
        row.read_at = now
    return NotificationView.of(row)


def mark_all_read(uow: UnitOfWork, username: str, now: datetime) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    result = uow.session.execute(
        update(Notification)
        .where(Notification.username == username, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- delivery


def deliver_outbox(
    services: Services, now: datetime, *, limit: int = 200, should_stop: Any = None, wall_clock: Any = None
) -> tuple[int, int]:
    """Send due outbox e-mails (at most ``limit``); returns (sent, failed attempts)."""
    if not services.mail.enabled:
        return 0, 0
    sent = failed = 0
    with mailer(services.mail) as smtp:
        while sent + failed < limit:
            if should_stop is not None and should_stop():
                break
            moment = wall_clock() if wall_clock is not None else now
            outcome = _deliver_one(services, smtp, moment)
            if outcome is None:
                break
            if outcome:
                sent += 1
            else:
                failed += 1
    return sent, failed


def _deliver_one(services: Services, smtp: Mailer, now: datetime) -> bool | None:
    """Claim, send and mark one row; None when nothing is due."""
    with services.uow() as uow:
        session = uow.session
        due = (
            select(EmailOutbox)
            .where(EmailOutbox.status == "pending", EmailOutbox.next_attempt_at <= now)
            .order_by(EmailOutbox.next_attempt_at, EmailOutbox.id)
            .limit(1)
        )
        if is_sqlite(session):
            # A lease taken in its own short transaction: the write lock is not held while talking SMTP.
            session.execute(update(EmailOutbox).where(EmailOutbox.id == -1).values(attempts=0))  # write lock first
            row = session.scalar(due.where(or_(EmailOutbox.lease_until.is_(None), EmailOutbox.lease_until < now)))
            if row is None:
                return None
            row.lease_until = now + services.mail.lease
            uow.commit()
        else:
            # The row lock is held while sending: a worker that dies releases it at once.
            row = session.scalar(due.with_for_update(skip_locked=True))
            if row is None:
                return None
        try:
            smtp.send(row)
        except SEND_ERRORS as exc:
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.lease_until = None
            if row.attempts >= GIVE_UP_AFTER:
                row.status = "failed"
            else:
                row.next_attempt_at = now + backoff(row.attempts)
            uow.commit()
            return False
        row.status = "sent"
        row.sent_at = now
        row.attempts += 1
        row.lease_until = None
        uow.commit()
        return True
