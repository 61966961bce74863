"""Process instances: start, list, view, audit trail, cancel, retry."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from engine.views import InstanceView
from workflows import access, lists, processes, records

from ..auth import current_user, require, user_in_transaction
from ..flat_dump import TreeDump
from ..paging import list_headers, page_of, total_headers
from ..record_schemas import InstanceDetailSchema, TimelineEventSchema
from ..schemas import CancelSchema, InstanceQuerySchema, InstanceSchema, InstanceStartSchema, RetrySchema
from ..services import services

bp = Blueprint("instances", __name__, url_prefix="/api/v1", description="Hồ sơ quy trình")
_INSTANCE_ROW = TreeDump(InstanceSchema())  # a list's instance as InstanceSchema dumps it, without its per-field cost


@bp.route("/process-instances")
class Instances(MethodView):
    @bp.arguments(InstanceQuerySchema(), location="query")  # an instance: not one built per request
    @bp.response(200, InstanceSchema(many=True), headers=total_headers("hồ sơ"))
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self, query: dict[str, Any]) -> Any:
        """Instances the caller may see, newest first (``sort``: ``due_at``, ``-due_at``, ``updated_at``,
        ``-updated_at``); searched with ``q``, paged with ``limit`` (50, at most 200) and ``offset`` or ``cursor``
        (the ``X-Next-Cursor`` of the previous page); the total in ``X-Total-Count`` (``X-Total-Count-More-Than``
        beyond ``LIST_COUNT_LIMIT``, 10,000 by default); ``plan_id``/``activity_id``:
        the instances launched for a plan or an activity."""
        flt = lists.InstanceListFilter(
            status=query.get("status"),
            process_key=query.get("process_key"),
            unit_code=query.get("unit"),
            q=query.get("q"),
            version=query.get("version"),
            plan_id=query.get("plan_id"),
            activity_id=query.get("activity_id"),
        )
        with services().read() as uow:
            listed = lists.instances(uow, current_user().actor, flt, page_of(query))
        dump = _INSTANCE_ROW.dump
        return jsonify([dump(item) for item in listed.items]), list_headers(listed)

    @bp.arguments(InstanceStartSchema())  # an instance: webargs instantiates a class per request
    @bp.response(201, InstanceSchema)
    @user_in_transaction  # the caller's account is read first thing in the start's own transaction
    def post(self, body: dict[str, Any]) -> InstanceView:
        """Start a process for a unit; returns the instance and its open steps."""
        with services().uow() as uow:
            view = processes.start_instance(
                services(),
                uow,
                current_user().actor,
                process_key=body["process_key"],
                unit_code=body["unit_code"],
                data=body.get("data"),
                version=body.get("version"),
                title=body.get("title"),
            )
            uow.commit()
        return view


@bp.route("/process-instances/<int(max=2147483647):instance_id>")
class InstanceItem(MethodView):
    @bp.response(200, InstanceDetailSchema)
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self, instance_id: int) -> dict[str, Any]:
        """One instance: status, version, data, open and completed steps, and ``fields``: the data labelled by the
        forms (technical fields, computed by the process or named by no form, for administrators only)."""
        with services().read() as uow:
            detail = records.instance_detail(services(), uow, current_user().actor, instance_id)
        return {**vars(detail.instance), "fields": detail.fields}


@bp.route("/process-instances/<int(max=2147483647):instance_id>/events")
class InstanceEvents(MethodView):
    @bp.response(200, TimelineEventSchema(many=True))
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self, instance_id: int) -> list[records.TimelineEvent]:
        """The audit trail of one instance, oldest first; ``label`` names each action in Vietnamese, ``comment``
        is that action's own reason or note."""
        with services().read() as uow:
            return records.timeline(services(), uow, current_user().actor, instance_id)


@bp.route("/process-instances/<int(max=2147483647):instance_id>/cancel")
class InstanceCancel(MethodView):
    @require(access.CANCEL_INSTANCES)
    @bp.arguments(CancelSchema(), required=False)
    @bp.response(200, InstanceSchema)
    def post(self, body: dict[str, Any] | None, instance_id: int) -> InstanceView:
        """Cancel an open instance (administrators)."""
        with services().uow() as uow:
            view = processes.cancel_instance(
                services(), uow, current_user().actor, instance_id, (body or {}).get("reason")
            )
            uow.commit()
        return view


@bp.route("/process-instances/<int(max=2147483647):instance_id>/retry")
class InstanceRetry(MethodView):
    @require(access.RETRY_INSTANCES)
    @bp.arguments(RetrySchema(), required=False)
    @bp.response(200, InstanceSchema)
    def post(self, body: dict[str, Any] | None, instance_id: int) -> InstanceView:
        """Re-run the failed step of an instance after correcting its data (administrators)."""
        with services().uow() as uow:
            view = processes.retry_instance(
                services(), uow, current_user().actor, instance_id, (body or {}).get("data")
            )
            uow.commit()
        return view
