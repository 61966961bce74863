"""Lists that scale: the whole 2024 plan launched (hundreds of steps), a coordinator searches "bao cao quy I"
in Việc của đơn vị (every unit's open steps), pages through a wider search; back/forward and reload keep both;
a step whose activity is past due shows both deadlines."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from waitress.server import create_server

from api import create_app
from engine import search
from engine.clock import LOCAL_TZ
from engine.views import SYSTEM_ACTOR
from workflows.demo import load_demo
from workflows.models import Plan
from workflows.plan.launch import launch_plan
from workflows.schema import upgrade

from .conftest import DIST, Problems, Server, _free_port, api_token, login, screenshot

pytestmark = pytest.mark.e2e

QUERY = "bao cao quy I"


@pytest.fixture(scope="module")
def launched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own (the shared one stays small): the demo with every activity of the 2024 plan launched."""
    if not (DIST / "manifest.json").is_file():
        pytest.fail("Giao diện chưa được biên dịch: chạy `make web` trước (make e2e tự làm việc này).")
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e-lists') / 'cchc.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "e2e-secret", "LOGIN_RATE_LIMIT": "1000 per minute"})
    services = app.extensions["cchc"]
    load_demo(services)
    with services.uow() as uow:
        plan_id = uow.session.scalar(select(Plan.id).where(Plan.year == 2024, Plan.organisation_code == "SADEC"))
        assert launch_plan(services, uow, SYSTEM_ACTOR, plan_id).created >= 300
        uow.commit()
    port = _free_port()
    httpd = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{port}", app)
    httpd.close()
    services.close()


def _found_in(text: str, query: str) -> bool:
    """Every word of ``query`` starts a word of ``text`` (whole words under three characters), as q matches."""
    found = search.words(text)
    return all(any(w == t or (len(t) >= 3 and w.startswith(t)) for w in found) for t in search.words(query))


def _day(moment: str) -> str:
    """dd/mm/yyyy of an API timestamp, in Vietnam."""
    return datetime.fromisoformat(moment).astimezone(LOCAL_TZ).strftime("%d/%m/%Y")


def _rows(page: Page, server: Server, token: str, **query: Any) -> tuple[list[dict[str, Any]], int]:
    response = page.request.get(
        f"{server.url}/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}, params={"scope": "unit", **query}
    )
    assert response.ok, response.text()
    return response.json(), int(response.headers["x-total-count"])


def test_search_and_pages_over_a_launched_plan(launched: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    token = api_token(pg, launched, "cchc.pnv")
    _, everything = _rows(pg, launched, token, limit=1)
    assert everything >= 300  # the coordinator oversees every unit's open steps
    found, matching = _rows(pg, launched, token, q=QUERY, limit=200)
    assert 0 < matching < everything and len(found) == min(matching, 200)
    for row in found:  # "Báo cáo … Quý I/2024", never Quý II
        assert "Báo cáo" in row["instance_title"] or "báo cáo" in row["instance_title"].lower()
        assert "Quý I/" in row["instance_title"], row["instance_title"]

    login(pg, launched, "cchc.pnv")
    pg.get_by_role("link", name="Việc của đơn vị").click()
    pg.wait_for_url(f"{launched.url}/unit-tasks")
    total = pg.get_by_test_id("list-total")
    expect(total).to_have_text(f"{everything} công việc")
    pages = -(-everything // 50)
    expect(pg.get_by_test_id("page-of")).to_have_text(f"Trang 1/{pages}")

    pg.get_by_label("Tìm kiếm").fill(QUERY)
    expect(pg).to_have_url(re.compile(r"\?q=bao\+cao\+quy\+I$"))
    expect(total).to_have_text(f"{matching} công việc")
    rows = pg.locator("[data-testid=inbox-table] tbody tr")
    expect(rows).to_have_count(min(matching, 50))
    for title in rows.locator(".row-title").all_inner_texts():
        assert "Quý I/" in title and "báo cáo" in title.lower(), title
    screenshot(pg, "lists-04-tim-kiem-bao-cao-quy-I")

    # a wider search, page 2 of it; reload keeps both; back and forward walk through the searches and pages
    wider, wider_total = _rows(pg, launched, token, q="bao cao", limit=1)
    assert wider_total > 50 and wider
    pages = -(-wider_total // 50)
    pg.get_by_label("Tìm kiếm").fill("bao cao")
    expect(total).to_have_text(f"{wider_total} công việc")
    first_page = rows.first.get_attribute("data-task-id")
    with pg.expect_request(lambda r: "/api/v1/tasks?" in r.url and "cursor=" in r.url) as by_cursor:
        pg.get_by_role("button", name="Sau").click()  # "Sau" reads the rows after page 1's X-Next-Cursor
    assert "offset=" not in by_cursor.value.url
    expect(pg.get_by_test_id("page-of")).to_have_text(f"Trang 2/{pages}")  # the total kept from page 1
    expect(pg).to_have_url(re.compile(r"\?q=bao\+cao&page=2$"))
    expect(rows).to_have_count(min(50, wider_total - 50))
    expect(rows.first).not_to_have_attribute("data-task-id", first_page or "")
    for text in rows.all_inner_texts():  # "bao" and "cao" start words of the title, process or unit
        assert _found_in(text, "bao cao"), text
    screenshot(pg, "lists-05-trang-2")
    with pg.expect_request(lambda r: "/api/v1/tasks?" in r.url and "offset=50" in r.url):
        pg.reload()  # no cursor after a reload: page 2 by offset, the same rows
    expect(pg.get_by_test_id("page-of")).to_have_text(f"Trang 2/{pages}")
    expect(rows.first).not_to_have_attribute("data-task-id", first_page or "")
    expect(pg.get_by_label("Tìm kiếm")).to_have_value("bao cao")
    pg.go_back()
    expect(pg.get_by_test_id("page-of")).to_have_text(f"Trang 1/{pages}")
    pg.go_back()
    expect(pg.get_by_label("Tìm kiếm")).to_have_value(QUERY)
    expect(total).to_have_text(f"{matching} công việc")

    # a step whose activity is past due while the step has time left: both deadlines, and why they disagree
    step = found[0]
    assert step["activity_overdue"] and step["due_at"] > step["activity_due_at"]
    pg.locator(f"tr[data-task-id='{step['id']}']").get_by_role("link", name=step["name"]).click()
    expect(pg.get_by_test_id("activity-deadline")).to_contain_text(_day(step["activity_due_at"]))
    expect(pg.get_by_test_id("step-deadline")).to_have_text(_day(step["due_at"]))
    expect(pg.get_by_test_id("deadline-note")).to_have_text(
        f"Hoạt động đã quá hạn hoàn thành ({_day(step['activity_due_at'])}); "
        f"bước này còn hạn xử lý đến {_day(step['due_at'])}."
    )
    screenshot(pg, "lists-06-hai-thoi-han")
    assert not problems.items, problems.items


def test_instances_search_with_total(launched: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    login(pg, launched, "admin")
    pg.goto(f"{launched.url}/instances?q=bao+cao+quy+I")
    response = pg.request.get(
        f"{launched.url}/api/v1/process-instances",
        headers={"Authorization": f"Bearer {api_token(pg, launched, 'admin')}"},
        params={"q": QUERY, "limit": 1},
    )
    matching = int(response.headers["x-total-count"])
    expect(pg.get_by_test_id("list-total")).to_have_text(f"{matching} hồ sơ")
    expect(pg.get_by_label("Tìm kiếm")).to_have_value(QUERY)
    expect(pg.locator("[data-testid=instances-table] tbody tr")).to_have_count(min(matching, 50))
    assert not problems.items, problems.items


def test_a_list_longer_than_the_count_bound(launched: Server, page: tuple[Page, Problems]) -> None:
    """Beyond the server's count bound (here 100; 10.000 by default) the pager says "hơn 100" and no page count,
    "Sau" follows X-Next-Cursor, and the last page (no next cursor) has "Sau" disabled."""
    pg, problems = page
    token = api_token(pg, launched, "cchc.pnv")
    _, everything = _rows(pg, launched, token, limit=1)
    assert everything > 150
    launched.app.config["LIST_COUNT_LIMIT"] = 100
    try:
        capped = pg.request.get(
            f"{launched.url}/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}, params={"scope": "unit"}
        )
        assert "x-total-count" not in capped.headers and capped.headers["x-total-count-more-than"] == "100"
        login(pg, launched, "cchc.pnv")
        pg.goto(f"{launched.url}/unit-tasks")
        expect(pg.get_by_test_id("list-total")).to_have_text("hơn 100 công việc")
        expect(pg.get_by_test_id("page-of")).to_have_text("Trang 1")
        rows = pg.locator("[data-testid=inbox-table] tbody tr")
        expect(rows).to_have_count(50)
        with pg.expect_request(lambda r: "/api/v1/tasks?" in r.url and "cursor=" in r.url):
            pg.get_by_role("button", name="Sau").click()
        expect(pg.get_by_test_id("page-of")).to_have_text("Trang 2")
        expect(pg.get_by_test_id("list-total")).to_have_text("hơn 100 công việc")  # kept from page 1
        screenshot(pg, "lists-07-hon-100")
        last = -(-everything // 50)
        pg.goto(f"{launched.url}/unit-tasks?page={last}")  # by offset: still "more than", the last rows
        expect(pg.get_by_test_id("page-of")).to_have_text(f"Trang {last}")
        expect(rows).to_have_count(everything - (last - 1) * 50)
        expect(pg.get_by_role("button", name="Sau")).to_be_disabled()
        expect(pg.get_by_role("button", name="Trước")).to_be_enabled()
    finally:
        launched.app.config["LIST_COUNT_LIMIT"] = 10_000
    assert not problems.items, problems.items
