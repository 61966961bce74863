"""The task inbox: list, view, claim, unclaim, assign, complete, extend."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from engine.views import TaskView
from workflows import alerts, deadlines, lists, processes

from ..auth import current_user, user_in_transaction
from ..flat_dump import FlatDump, TreeDump
from ..paging import list_headers, page_of, total_headers
from ..record_schemas import TaskRecordSchema
from ..schemas import (
    AssignSchema,
    CandidateSchema,
    CompleteSchema,
    CompletionSchema,
    ExtendSchema,
    InboxQuerySchema,
    TaskRowSchema,
    TaskSchema,
)
from ..services import services

bp = Blueprint("tasks", __name__, url_prefix="/api/v1", description="Công việc cần xử lý")
_TASK_ROWS = FlatDump(TaskRowSchema())  # the rows as TaskRowSchema dumps them, without its per-field cost
_COMPLETION = TreeDump(CompletionSchema())  # the answer as CompletionSchema dumps it, likewise


@bp.route("/tasks")
class Inbox(MethodView):
    @bp.arguments(InboxQuerySchema(), location="query")  # an instance: not one built per request
    @bp.response(200, TaskRowSchema(many=True), headers=total_headers("công việc"))
    @user_in_transaction  # the caller's account is read first thing in the list's own transaction
    def get(self, query: dict[str, Any]) -> Any:
        """The caller's inbox (``scope=mine``, default): their steps plus unclaimed steps they may take; or
        ``scope=unit`` (Việc của đơn vị): every open step of the caller's unit, whoever holds it (unit heads;
        overseers any unit with ``unit``, every unit without). Searched with ``q``, paged with ``limit`` (50,
        at most 200) and ``offset`` or ``cursor`` (the ``X-Next-Cursor`` of the previous page), sorted with
        ``sort`` (default ``due_at``); the total in ``X-Total-Count`` (``X-Total-Count-More-Than`` beyond
        ``LIST_COUNT_LIMIT``, 10,000 by default)."""
        flt = lists.StepFilter(
            status=query["status"],
            process_key=query.get("process_key"),
            unit_code=query.get("unit"),
            overdue=query["overdue"],
            deadline_state=query.get("deadline_state"),
            activity_overdue=query["activity_overdue"],
            q=query.get("q"),
            assigned=query.get("assigned"),
        )
        read = lists.unit_tasks if query["scope"] == "unit" else lists.inbox
        with services().read() as uow:
            listed = read(services(), uow, current_user().actor, flt, page_of(query))
        return jsonify(_TASK_ROWS.dump(listed.items)), list_headers(listed)


@bp.route("/tasks/<int(max=2147483647):task_id>")
class TaskItem(MethodView):
    @bp.response(200, TaskRecordSchema)
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self, task_id: int) -> dict[str, Any]:
        """One step: instructions, form (schema, ui_schema), instance, current data and the instance's earlier
        submissions (newest first: step, who, when, the data with its form's labels, returns with their reason)."""
        with services().read() as uow:
            detail = processes.task_detail(services(), uow, current_user().actor, task_id)
        return {
            **detail.task.__dict__,
            "schema": detail.schema,
            "ui_schema": detail.ui_schema,
            "data": detail.data,
            "instance": detail.instance,
            "submissions": detail.submissions,
        }


@bp.route("/tasks/<int(max=2147483647):task_id>/claim")
class TaskClaim(MethodView):
    @bp.response(200, TaskSchema)
    def post(self, task_id: int) -> TaskView:
        """Take the step (Nhận xử lý)."""
        with services().uow() as uow:
            view = processes.claim_task(services(), uow, current_user().actor, task_id)
            uow.commit()
        return view


@bp.route("/tasks/<int(max=2147483647):task_id>/unclaim")
class TaskUnclaim(MethodView):
    @bp.response(200, TaskSchema)
    def post(self, task_id: int) -> TaskView:
        """Return the step to the shared queue (Trả lại hàng chờ)."""
        with services().uow() as uow:
            view = processes.unclaim_task(services(), uow, current_user().actor, task_id)
            uow.commit()
        return view


@bp.route("/tasks/<int(max=2147483647):task_id>/candidates")
class TaskCandidates(MethodView):
    @bp.response(200, CandidateSchema(many=True))
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self, task_id: int) -> list[lists.Candidate]:
        """Who the step may be given to: active users of its unit with its role (heads of the unit, administrators)."""
        with services().read() as uow:
            return lists.candidates(services(), uow, current_user().actor, task_id)


@bp.route("/tasks/<int(max=2147483647):task_id>/assign")
class TaskAssign(MethodView):
    @bp.arguments(AssignSchema)
    @bp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: int) -> TaskView:
        """Give the step to a named user (heads of the unit, administrators)."""
        with services().uow() as uow:
            view = alerts.assign_task(services(), uow, current_user().actor, task_id, body["username"])
            uow.commit()
        return view


@bp.route("/tasks/<int(max=2147483647):task_id>/complete")
class TaskComplete(MethodView):
    @bp.arguments(CompleteSchema())  # an instance: webargs instantiates a class per request
    @bp.response(200, CompletionSchema)
    @user_in_transaction  # the caller's account is read first thing in the completion's own transaction
    def post(self, body: dict[str, Any], task_id: int) -> Any:
        """Complete the step with its form data (an overdue step needs ``late_reason``); returns the next steps.

        The instance in the answer has its open steps only; its finished steps are listed by
        ``GET /process-instances/{id}``.
        """
        with services().uow() as uow:
            result = deadlines.complete_step(
                services(), uow, current_user().actor, task_id, body["data"], body.get("late_reason")
            )
            uow.commit()
        return jsonify(_COMPLETION.dump(result))


@bp.route("/tasks/<int(max=2147483647):task_id>/extend")
class TaskExtend(MethodView):
    @bp.arguments(ExtendSchema)
    @bp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: int) -> TaskView:
        """Extend the step's deadline (Gia hạn): unit head, CCHC coordinator or administrator, with a reason."""
        with services().uow() as uow:
            view = deadlines.extend_task(services(), uow, current_user().actor, task_id, body["due_at"], body["reason"])
            uow.commit()
        return view
