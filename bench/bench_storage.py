"""The bench database of ``bench/engine.py``: reset before a run, and what one instance occupies in it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, make_url, select, text
from sqlalchemy.orm import Session

from engine.db import make_engine, normalise_url
from engine.models import AuditEvent, HumanTask, InstanceTask, ProcessInstance, Timer


def stored_bytes(sessions: Callable[[], Session], instance_id: int) -> dict[str, Any]:
    """What one instance occupies: state header + task payloads, and the projection/audit rows beside it."""
    with sessions() as s:
        inst = s.get(ProcessInstance, instance_id)
        assert inst is not None
        payloads = list(s.scalars(select(InstanceTask.payload).where(InstanceTask.instance_id == instance_id)))
        audit_payloads = list(s.scalars(select(AuditEvent.payload).where(AuditEvent.instance_id == instance_id)))
        header = len(inst.state.encode())
        tasks = sum(len(bytes(p)) for p in payloads)
        out: dict[str, Any] = {
            "status": inst.status,
            "header": header,
            "task_rows": len(payloads),
            "task_payloads": tasks,
            "state_total": header + tasks,
            "instance_data": len(json.dumps(inst.data, ensure_ascii=False).encode()),
            "human_task_rows": _count(s, HumanTask, instance_id),
            "timer_rows": _count(s, Timer, instance_id),
            "audit_rows": len(audit_payloads),
            "audit_payloads": sum(len(json.dumps(p, ensure_ascii=False).encode()) for p in audit_payloads),
        }
        if s.get_bind().dialect.name == "postgresql":
            out["pg_row_bytes"] = {
                table: s.scalar(
                    text(f"SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM {table} t WHERE {column} = :i"),
                    {"i": instance_id},
                )
                for table, column in (
                    ("process_instance", "id"),
                    ("instance_task", "instance_id"),
                    ("human_task", "instance_id"),
                    ("timer", "instance_id"),
                    ("audit_event", "instance_id"),
                )
            }
    return out


def _count(session: Session, model: Any, instance_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(model.instance_id == instance_id)) or 0)


def reset_pg(url: str) -> None:
    """Create the bench database if missing and give it an empty schema ``public``."""
    parsed = make_url(normalise_url(url))
    database = parsed.database or ""
    if "bench" not in database:
        raise SystemExit(f"refusing to reset database {database!r}: the bench database name must contain 'bench'")
    admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        admin.dispose()
    bench = make_engine(url)
    try:
        with bench.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        bench.dispose()
