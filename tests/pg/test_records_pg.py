"""The submissions of an instance on PostgreSQL, where a completion writes its audit event in the same
statement as the step (a data-modifying CTE): read back newest first, with each step's form."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from engine import queries
from engine.models import HumanTask
from tests.engine_support import EngineRig, actor, advance, deploy_process, sample_start, start

pytestmark = pytest.mark.pg

STAFF = actor("cv.pnv", "staff", unit="PNV")
HEAD = actor("tp.pnv", "head", unit="PNV")
REPORT = {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phòng", "attachments": [1]}
BACK = {"decision": "return", "return_reason": "Bổ sung số liệu.", "extend": False}


def test_submissions_are_read_back_from_the_audit_trail(pg_rig: EngineRig) -> None:
    deploy_process(pg_rig, "periodic_report")
    view = start(pg_rig, "periodic_report", STAFF, sample_start("periodic_report"))
    [draft] = view.open_tasks
    [review] = advance(pg_rig, draft, STAFF, REPORT)
    [redraft] = advance(pg_rig, review, HEAD, BACK)
    with pg_rig.sessions() as session:
        found = queries.submissions(session, view.id)
        before_review = queries.completion_event(session, view.id, guid_of(session, review.id))
        earlier = queries.submissions(session, view.id, before_event=before_review)
        assert queries.completion_event(session, view.id, guid_of(session, redraft.id)) is None
    assert [(s.task_id, s.name, s.actor, s.form_schema, s.data) for s in found] == [
        (review.id, "Duyệt báo cáo", "tp.pnv", "review.schema.json", BACK),
        (draft.id, "Soạn báo cáo", "cv.pnv", "report.schema.json", REPORT),
    ]
    assert [s.task_id for s in earlier] == [draft.id]


def guid_of(session: Session, task_id: int) -> str:
    row = session.get(HumanTask, task_id)
    assert row is not None
    return row.task_guid
