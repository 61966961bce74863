"""instance search text and deadline (lists that scale)

Adds ``process_instance.search_text`` (the folded words lists search) and ``process_instance.due_at`` (when
the whole instance is due), with indexes for the lists' sorts, and fills both for existing instances: the
search text from the title, process key and name, unit code, unit name and short name and the start data's
``activity_code``; the deadline from the start data's ``deadline`` (a date: 17:00 local time that day).
The folding is copied here (as of this revision) so the migration stays what it was when the code moves on.

Revision ID: 0004
Revises: 0003
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from alembic import op

import engine.db
from engine.clock import LOCAL_TZ

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEPARATORS = re.compile(r"[^\w.%-]+")
_BATCH = 500


def _words(text: str | None) -> list[str]:
    if not text:
        return []
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    return [w for w in (w.strip(".-") for w in _SEPARATORS.split(folded)) if w]


def _search_text(parts: Iterable[str | None]) -> str:
    seen: dict[str, None] = {}
    for part in parts:
        for word in _words(part):
            seen.setdefault(word, None)
    return f" {' '.join(seen)} " if seen else " "


def _due(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(17, 0), LOCAL_TZ)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC)


def _backfill() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    instance = sa.Table(
        "process_instance",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("definition_id", sa.Integer),
        sa.Column("process_key", sa.String),
        sa.Column("title", sa.String),
        sa.Column("unit_code", sa.String),
        sa.Column("data", sa.JSON),
        sa.Column("due_at", engine.db.UTCDateTime(timezone=True)),
        sa.Column("search_text", sa.Text),
    )
    definition = sa.Table("process_definition", meta, sa.Column("id", sa.Integer), sa.Column("name", sa.String))
    unit = sa.Table(
        "unit", meta, sa.Column("code", sa.String), sa.Column("name", sa.String), sa.Column("short_name", sa.String)
    )
    units = {
        code: (name, short)
        for code, name, short in bind.execute(sa.select(unit.c.code, unit.c.name, unit.c.short_name))
    }
    names = dict(bind.execute(sa.select(definition.c.id, definition.c.name)).all())
    update = (
        sa.update(instance)
        .where(instance.c.id == sa.bindparam("b_id"))
        .values(search_text=sa.bindparam("b_text"), due_at=sa.bindparam("b_due"))
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(
                instance.c.id,
                instance.c.definition_id,
                instance.c.process_key,
                instance.c.title,
                instance.c.unit_code,
                instance.c.data,
            )
            .where(instance.c.id > last)
            .order_by(instance.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        values = []
        for id_, definition_id, key, title, unit_code, data in rows:
            data = data if isinstance(data, dict) else {}
            unit_name, short_name = units.get(unit_code or "", (None, None))
            code = data.get("activity_code")
            words = [title, key, names.get(definition_id), unit_code, unit_name, short_name]
            words.append(code if isinstance(code, str) else None)
            values.append({"b_id": id_, "b_text": _search_text(words), "b_due": _due(data.get("deadline"))})
        bind.execute(update, values)
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=True))
        batch_op.create_index("ix_instance_updated", ["updated_at", "id"], unique=False)
        batch_op.create_index("ix_instance_due", ["due_at", "id"], unique=False)
    _backfill()


def downgrade() -> None:
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_index("ix_instance_due")
        batch_op.drop_index("ix_instance_updated")
        batch_op.drop_column("search_text")
        batch_op.drop_column("due_at")
