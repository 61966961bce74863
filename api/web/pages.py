"""Server side of the web pages: login/logout, the page shells, the CSRF refresh and one calendar helper."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import generate_csrf, validate_csrf
from werkzeug.exceptions import HTTPException
from wtforms import ValidationError as CsrfInvalid

from engine.errors import AppError, Unauthorized
from workflows import access, working_days
from workflows.accounts import UserView, authenticate
from workflows.deadline_rules import local_day
from workflows.roles import ROLES

from ..auth import SESSION_USER_KEY, load_active_user
from ..limits import breach, login_limit
from ..services import services
from .assets import AssetIndex, init_assets
from .error_pages import load_page_user, render_error_page

PUBLIC = {"web.login", "web.logout", "web.static"}
# web endpoints that are not pages: a login never returns to them
NOT_PAGES = {"web.login", "web.logout", "web.static", "web.working_days", "web.csrf"}

web_bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/ui/static")


def init_web(app: Flask) -> None:
    """Register the pages; the session cookie lives as long as an API token and is never sent cross-site."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=app.config["TOKEN_MAX_AGE"])
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    app.register_blueprint(web_bp)
    init_assets(app, AssetIndex())


def asset(name: str) -> str | None:
    """URL of the built file of ``name`` ("task.js", "common.css": its hashed name); None when not built."""
    file = current_app.extensions["cchc_assets"].manifest().file(name)
    return url_for("web.static", filename=f"dist/{file}") if file else None


def module_preloads(page: str) -> list[str]:
    """URLs of the chunks a page's scripts import, fetched at once instead of one import after another."""
    manifest = current_app.extensions["cchc_assets"].manifest()
    names = manifest.imports("common.js") + manifest.imports(f"{page}.js")
    return [url_for("web.static", filename=f"dist/{f}") for f in dict.fromkeys(names)]


@web_bp.before_request
def _require_login() -> ResponseReturnValue | None:
    if request.endpoint in PUBLIC:
        return None
    username = session.get(SESSION_USER_KEY)
    if username:
        try:
            g.web_user = load_active_user(str(username))
            return None
        except Unauthorized:
            session.clear()
    if request.path.startswith("/ui/api/"):
        abort(401)
    if request.method not in {"GET", "HEAD"}:
        return redirect(url_for("web.login"))  # a login comes back with GET: only a page may be ``next``
    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))


@web_bp.app_context_processor  # every template, the error pages of URLs outside the blueprint too
def _page_context() -> dict[str, Any]:
    user: UserView | None = g.get("web_user")
    return {
        "csrf_token": generate_csrf,
        "asset": asset,
        "module_preloads": module_preloads,
        "user": user,
        "role_names": ", ".join(ROLES.get(r, r) for r in user.roles) if user else "",
        "is_admin": bool(user and "admin" in user.roles),
        "sees_unit_tasks": bool(user and access.may_view_unit_tasks(user.actor)),
        "may_start": bool(user and access.may_start(user.actor)),
        "sees_province": bool(user and access.PROVINCE_VIEW.allows(user.actor)),
        # a coordinator's own calendar page (administrators manage every calendar under Quản trị)
        "manages_calendar": bool(user and access.MANAGE_CALENDAR.allows(user.actor) and "admin" not in user.roles),
    }


def _safe_next(target: str | None) -> str:
    """Only a page of this site that opens with GET: never another site, an API address, logout or a form post."""
    home = url_for("web.inbox")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(parts.path, method="GET")
    except HTTPException:  # no such page, a redirect or a route that does not answer GET
        return home
    if not str(endpoint).startswith("web.") or endpoint in NOT_PAGES:
        return home
    return target


@web_bp.route("/login", methods=["GET", "POST"])
@login_limit
def login() -> ResponseReturnValue:
    """Đăng nhập: the form posts username, password and the CSRF token; success sets the session cookie."""
    error = None
    status = 200
    username = ""
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        try:
            validate_csrf(request.form.get("csrf_token", ""))
        except CsrfInvalid:
            error, status = "Phiên làm việc của trang đã hết hạn. Vui lòng nhập lại.", 400
        if error is None:
            if not username or not password:
                error, status = "Vui lòng nhập tên đăng nhập và mật khẩu.", 400
            else:
                try:
                    with services().read() as uow:
                        user = authenticate(uow.session, username[:100], password[:200])
                except AppError as exc:
                    error, status = exc.message, 401
                else:
                    session.clear()
                    session.permanent = True
                    session[SESSION_USER_KEY] = user.username
                    return redirect(_safe_next(request.args.get("next")))
    expired = request.args.get("expired") == "1"  # sent by a page whose session ended (lib/api.js)
    page = render_template("login.html", error=error, username=username, title="Đăng nhập", expired=expired)
    return page, status


@web_bp.errorhandler(RateLimitExceeded)
def _too_many_logins(error: RateLimitExceeded) -> ResponseReturnValue:
    """The login form again, saying in Vietnamese when to try again (only POST /login is limited)."""
    message, seconds = breach(error)
    username = (request.form.get("username") or "").strip()[:100]
    page = render_template("login.html", error=message, username=username, title="Đăng nhập")
    return page, 429, {"Retry-After": str(seconds)}


@web_bp.route("/logout", methods=["GET", "POST"])
def logout() -> ResponseReturnValue:
    """Đăng xuất from any state (docs/web.md): POST ends the session, GET asks first.

    A stale token (the session changed in another tab) does not keep anyone logged in: logging out only takes
    rights away, and the Lax session cookie is not sent with another site's POST. A POST that names another
    origin and carries no valid token gets the confirmation page instead.
    """
    if request.method == "GET":
        load_page_user()
        if not g.get("web_user"):
            return redirect(url_for("web.login"))
        return render_template("logout.html", title="Đăng xuất")
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except CsrfInvalid:
        origin = request.headers.get("Origin")
        if origin and urlsplit(origin).netloc != request.host and session.get(SESSION_USER_KEY):
            load_page_user()
            return render_template("logout.html", title="Đăng xuất"), 400
    session.clear()
    return redirect(url_for("web.login"))


def _page(page: str, title: str, **data: Any) -> str:
    return render_template("page.html", page=page, title=title, data=data)


@web_bp.route("/")
def inbox() -> str:
    return _page("inbox", "Việc cần làm")


@web_bp.route("/tasks/<int(max=2147483647):task_id>")
def task(task_id: int) -> str:
    return _page("task", "Xử lý công việc", task_id=task_id)


@web_bp.route("/unit-tasks")
def unit_tasks() -> ResponseReturnValue:
    """Việc của đơn vị: unit heads and overseers (workflows.access.unit_tasks_scope)."""
    actor = g.web_user.actor
    if not access.may_view_unit_tasks(actor):
        message = "Trang này dành cho lãnh đạo đơn vị, đầu mối CCHC, lãnh đạo UBND và quản trị viên."
        return render_template("error.html", title="Không có quyền", message=message), 403
    return _page("unit", "Việc của đơn vị", overseer=access.sees_every_unit(actor))


@web_bp.route("/instances")
def instances() -> str:
    user: UserView = g.web_user
    return _page(
        "instances",
        "Hồ sơ quy trình",
        may_start=access.may_start(user.actor),
        scoring_insider=access.sees_unpublished_scoring_results(user.actor),
    )


@web_bp.route("/instances/new")
def start_instance() -> ResponseReturnValue:
    """Khởi tạo hồ sơ: for those who may start a process (``access.may_start``)."""
    user: UserView = g.web_user
    if not access.may_start(user.actor):
        message = "Vai trò của bạn không được khởi tạo hồ sơ quy trình."
        return render_template("error.html", title="Không có quyền", message=message), 403
    return _page("start", "Khởi tạo hồ sơ")


@web_bp.route("/instances/<int(max=2147483647):instance_id>")
def instance(instance_id: int) -> str:
    return _page("instance", "Hồ sơ quy trình", instance_id=instance_id)


@web_bp.route("/plans")
def plans() -> str:
    return _page("plans", "Kế hoạch cải cách hành chính")


@web_bp.route("/province")
def province_view() -> ResponseReturnValue:
    """Tổng hợp toàn tỉnh: the province's Sở Nội vụ and administrators (``access.PROVINCE_VIEW``)."""
    actor = g.web_user.actor
    if not access.PROVINCE_VIEW.allows(actor):
        return render_error_page(403, "Trang này dành cho Sở Nội vụ cấp tỉnh và quản trị viên."), 403
    return _page(
        "province",
        "Tổng hợp toàn tỉnh",
        year=local_day(services().clock.now()).year,
        may_read_plans=access.READ_PLANS.allows(actor),
        may_read_rounds=access.sees_every_unit(actor),
    )


@web_bp.route("/calendar")
def calendar_page() -> ResponseReturnValue:
    """Lịch làm việc: an organisation's coordinator manages its extra days off and make-up days."""
    actor = g.web_user.actor
    if not access.MANAGE_CALENDAR.allows(actor):
        return render_error_page(403, "Trang này dành cho quản trị viên và đầu mối CCHC."), 403
    with services().read() as uow:
        own = working_days.own_organisation(uow.session, actor)
    return _page("calendar", "Lịch làm việc", may_share=actor.is_admin, own_organisation=own)


def _admin_page(page: str, title: str) -> ResponseReturnValue:
    user: UserView = g.web_user
    if "admin" not in user.roles:
        return render_error_page(403, "Trang này chỉ dành cho Quản trị viên."), 403
    return _page(page, title)


@web_bp.route("/admin/processes")
def processes_admin() -> ResponseReturnValue:
    return _admin_page("processes", "Quản trị quy trình")


@web_bp.route("/admin")
def admin() -> ResponseReturnValue:
    return _admin_page("admin", "Quản trị")


@web_bp.route("/ui/api/working-days", endpoint="working_days")
def working_days_count() -> dict[str, Any]:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier), on the
    calendar of the step ``task_id`` (one the user sees), else of the user's own organisation."""
    try:
        start = date.fromisoformat(request.args.get("start", ""))
        end = date.fromisoformat(request.args.get("end", ""))
        task_id = int(request.args["task_id"]) if "task_id" in request.args else None
    except ValueError:
        abort(400)
    actor = g.web_user.actor
    with services().read() as uow:
        if task_id is not None:
            calendar = working_days.step_calendar(services(), uow, actor, task_id)
        else:
            calendar = working_days.calendar_for(services(), uow.session, actor, None)
    count = working_days.working_days_between(calendar, start, end)
    today = services().clock.now().date()
    return {"start": start.isoformat(), "end": end.isoformat(), "working_days": count, "today": today.isoformat()}


@web_bp.route("/ui/api/csrf", endpoint="csrf")
def csrf_refresh() -> ResponseReturnValue:
    """A fresh CSRF token for this session (the pages retry a write once with it) and whose session it is."""
    user: UserView = g.web_user
    return {"csrf_token": generate_csrf(), "username": user.username}, 200, {"Cache-Control": "no-store"}
