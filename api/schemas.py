"""marshmallow schemas of every request and response body."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from workflows.lists import DEFAULT_LIMIT, MAX_LIMIT, MAX_Q, SORTS
from workflows.roles import ROLES
from workflows.text_rules import normalise_text, text_problem
from workflows.working_days import DATE_RANGE_TEXT, FIRST_DAY, LAST_DAY

INT4_MAX = 2**31 - 1  # ids, versions and offsets live in PostgreSQL integer columns


class Name(fields.String):
    """A name a user types (unit, person, instance title): NFC, one line, no hidden characters."""

    multiline = False

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = normalise_text(super()._deserialize(value, attr, data, **kwargs))
        problem = text_problem(text, multiline=self.multiline)
        if problem:
            raise ValidationError(problem)
        return text


class FreeText(Name):
    """A reason or note a user types: like a name, but it may break lines."""

    multiline = True


class Day(fields.Date):
    """A date inside the range the working-day calendar covers."""

    def __init__(self, **kwargs: Any) -> None:
        in_range = validate.Range(FIRST_DAY, LAST_DAY, error=f"Ngày phải nằm trong khoảng {DATE_RANGE_TEXT}.")
        super().__init__(validate=in_range, **kwargs)


def _due_at_in_range(value: str) -> None:
    """A new deadline (date or ISO datetime) inside the calendar's range; the use case parses it for real."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return  # not a date: the use case answers with its own message
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise ValidationError(f"Ngày phải nằm trong khoảng {DATE_RANGE_TEXT}.")


class StrictSchema(Schema):
    """Request bodies: unknown fields are an error (422), not silently dropped."""

    class Meta:
        unknown = RAISE


class QuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE


class HealthSchema(Schema):
    status = fields.String(required=True)


class LoginSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UserSchema(Schema):
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    unit_code = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    roles = fields.List(fields.String(), required=True)
    role_names = fields.Method("_role_names")
    active = fields.Boolean(required=True)

    def _role_names(self, user: object) -> list[str]:
        return [ROLES.get(r, r) for r in getattr(user, "roles", [])]


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_in = fields.Integer(required=True)
    user = fields.Nested(UserSchema, required=True)


_ROLE = fields.String(validate=validate.OneOf(sorted(ROLES)))


class UserCreateSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9._-]{2,100}$"))
    full_name = Name(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))  # accounts.check_password
    unit_code = fields.String(required=True, allow_none=True, validate=validate.Length(max=50))
    roles = fields.List(_ROLE, required=True, validate=validate.Length(min=1))
    email = fields.Email(allow_none=True)


class UserUpdateSchema(StrictSchema):
    full_name = Name(validate=validate.Length(min=1, max=200))
    password = fields.String(validate=validate.Length(min=1, max=200))  # accounts.check_password
    unit_code = fields.String(validate=validate.Length(max=50))
    roles = fields.List(_ROLE, validate=validate.Length(min=1))
    active = fields.Boolean()
    email = fields.Email(allow_none=True)


class UnitSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(allow_none=True)
    kind = fields.String(required=True)
    parent_code = fields.String(allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    organisation_code = fields.String(allow_none=True)


class UnitQuerySchema(QuerySchema):
    on = Day()
    startable = fields.Boolean(load_default=False)  # only the units the caller may start processes for, today


class UnitCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9_]{1,50}$"))
    name = Name(required=True, validate=validate.Length(min=1, max=300))
    short_name = Name(allow_none=True, validate=validate.Length(max=200))
    kind = fields.String(required=True, validate=validate.OneOf(["ubnd", "cqcm", "su_nghiep", "ubnd_xa", "external"]))
    parent_code = fields.String(allow_none=True, validate=validate.Length(max=50))
    valid_from = Day(allow_none=True)
    organisation_code = fields.String(allow_none=True, validate=validate.Length(max=50))


class UnitUpdateSchema(StrictSchema):
    name = Name(validate=validate.Length(min=1, max=300))
    short_name = Name(validate=validate.Length(max=200))
    valid_to = Day()


class DefinitionSchema(Schema):
    id = fields.Integer(required=True)
    key = fields.String(attribute="process_key", required=True)
    version = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    deployed_at = fields.DateTime(required=True)
    deployed_by = fields.String(allow_none=True)
    lanes = fields.Dict(keys=fields.String(), values=fields.Dict())


class DefinitionDetailSchema(DefinitionSchema):
    """One version with its start contract (``null`` when the bundle declares none)."""

    start_schema = fields.Dict(allow_none=True, required=True)
    start_ui_schema = fields.Dict(allow_none=True, required=True)


class ProblemSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    element_id = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    file = fields.String(allow_none=True)


class DeployedSchema(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    created = fields.Boolean(required=True)
    definition = fields.Nested(DefinitionSchema)
    warnings = fields.List(fields.Nested(ProblemSchema), required=True)
    # the scenarios run before the deploy: counts by status and whether failing ones were confirmed (None: none)
    scenarios = fields.Dict(keys=fields.String(), allow_none=True)


class TaskSchema(Schema):
    id = fields.Integer(required=True)
    instance_id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    element_id = fields.String(required=True)
    name = fields.String(required=True)
    lane = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    unit_code = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    form_schema = fields.String(allow_none=True)
    instructions = fields.String(allow_none=True)
    deadline_state = fields.String(allow_none=True)
    late_reason = fields.String(allow_none=True)


class InstanceSummarySchema(Schema):
    """An instance with its open steps (what a completion answers)."""

    id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    definition_version = fields.Integer(required=True)
    title = fields.String(allow_none=True)
    unit_code = fields.String(allow_none=True)
    status = fields.String(required=True)
    data = fields.Dict()
    incident = fields.Dict(allow_none=True)
    started_by = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(allow_none=True)
    version = fields.Integer(required=True)
    due_at = fields.DateTime(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskSchema))


class InstanceSchema(InstanceSummarySchema):
    """An instance with its open and finished steps."""

    completed_tasks = fields.List(fields.Nested(TaskSchema))


class InstanceStartSchema(StrictSchema):
    process_key = fields.String(required=True, validate=validate.Length(min=1, max=200))
    version = fields.Integer(strict=True, validate=validate.Range(min=1, max=INT4_MAX))
    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=50))
    title = Name(validate=validate.Length(max=500))
    data = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]*$")), load_default=dict)


class ListQuerySchema(QuerySchema):
    """Search, page and sort of a list (docs/api.md, "Lists"); the total is the X-Total-Count header."""

    q = fields.String(validate=validate.Length(max=MAX_Q))
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=INT4_MAX))
    sort = fields.String(validate=validate.OneOf(SORTS))
    # Keyset paging (docs/lists.md): the X-Next-Cursor of the previous page, instead of an offset.
    cursor = fields.String(validate=validate.Length(min=1, max=400))

    @validates_schema
    def _cursor_or_offset(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("cursor") and data.get("offset"):
            raise ValidationError(
                "Dùng con trỏ trang (cursor) hoặc số dòng bỏ qua (offset), không dùng cả hai.", "cursor"
            )


class InstanceQuerySchema(ListQuerySchema):
    status = fields.String(validate=validate.OneOf(["running", "waiting", "completed", "cancelled", "error", "open"]))
    process_key = fields.String(validate=validate.Length(max=200))
    unit = fields.String(validate=validate.Length(max=50))
    version = fields.Integer(validate=validate.Range(min=1, max=INT4_MAX))
    plan_id = fields.Integer(validate=validate.Range(min=1, max=INT4_MAX))
    activity_id = fields.Integer(validate=validate.Range(min=1, max=INT4_MAX))


class CancelSchema(StrictSchema):
    reason = FreeText(validate=validate.Length(max=1000))


class RetrySchema(StrictSchema):
    data = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]*$")))


class EventSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    instance_id = fields.Integer(allow_none=True)
    task_guid = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    at = fields.DateTime(required=True)
    payload = fields.Dict()


class InboxQuerySchema(ListQuerySchema):
    status = fields.String(load_default="ready", validate=validate.OneOf(["ready", "completed", "cancelled"]))
    process_key = fields.String(validate=validate.Length(max=200))
    unit = fields.String(validate=validate.Length(max=50))
    overdue = fields.Boolean(load_default=False)
    deadline_state = fields.String(
        validate=validate.OneOf(["on_track", "due_soon", "overdue", "early", "on_time", "late"])
    )
    activity_overdue = fields.Boolean(load_default=False)
    assigned = fields.Boolean()
    scope = fields.String(load_default="mine", validate=validate.OneOf(["mine", "unit"]))


class TaskRowSchema(TaskSchema):
    """A step of a list: with its instance's title and deadline, its process's and unit's names."""

    instance_title = fields.String(allow_none=True)
    process_name = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    assignee_name = fields.String(allow_none=True)
    activity_due_at = fields.DateTime(attribute="instance_due_at", allow_none=True)
    activity_overdue = fields.Boolean()
    may_assign = fields.Boolean()


class CandidateSchema(Schema):
    username = fields.String(required=True)
    full_name = fields.String(required=True)


class TaskDetailSchema(TaskSchema):
    schema = fields.Dict(allow_none=True)
    ui_schema = fields.Dict(allow_none=True)
    data = fields.Dict()
    instance = fields.Nested(InstanceSchema)


class AssignSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))


class CompleteSchema(StrictSchema):
    data = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]*$")), load_default=dict)
    late_reason = FreeText(allow_none=True, validate=validate.Length(max=4000))


class ExtendSchema(StrictSchema):
    due_at = fields.String(required=True, validate=[validate.Length(min=10, max=40), _due_at_in_range])
    reason = FreeText(required=True, validate=validate.Length(min=1, max=4000))


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    message = fields.String(required=True)
    link = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)


class NotificationListSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema), required=True)
    unread = fields.Integer(required=True)


class NotificationQuerySchema(QuerySchema):
    unread = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ReadAllSchema(Schema):
    updated = fields.Integer(required=True)
    unread = fields.Integer(required=True)


class DeadlineReportQuerySchema(QuerySchema):
    group = fields.String(load_default="unit", validate=validate.OneOf(["unit", "process", "month"]))
    date_from = Day(data_key="from")
    date_to = Day(data_key="to")


class DeadlineCountsSchema(Schema):
    key = fields.String(allow_none=True)
    label = fields.String(required=True)
    open = fields.Dict(keys=fields.String(), values=fields.Integer())
    finished = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer(required=True)
    late_share = fields.Float(required=True)


class DeadlineReportSchema(Schema):
    group = fields.String(required=True)
    date_from = fields.Date(allow_none=True, data_key="from")
    date_to = fields.Date(allow_none=True, data_key="to")
    labels = fields.Dict(keys=fields.String(), values=fields.String())
    rows = fields.List(fields.Nested(DeadlineCountsSchema), required=True)
    totals = fields.Nested(DeadlineCountsSchema, required=True)


class CompletionSchema(Schema):
    # Without the finished steps (they grow with the instance's history): GET /process-instances/{id} lists them.
    instance = fields.Nested(InstanceSummarySchema, required=True)
    next_tasks = fields.List(fields.Nested(TaskSchema), required=True)
