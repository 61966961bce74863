"""The API documentation speaks Vietnamese (issue #17): every operation's summary and description."""

from __future__ import annotations

import re

from api.openapi_vi import OPERATIONS
from tests.api.conftest import Api

METHODS = {"get", "post", "put", "patch", "delete"}
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)


def test_every_operation_has_a_vietnamese_summary_and_no_english_description(api: Api) -> None:
    spec = api.client.get("/api/v1/openapi.json").json
    seen = set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            seen.add((method, path))
            assert (method, path) in OPERATIONS, f"{method.upper()} {path}: add its summary to api/openapi_vi.py"
            assert VIETNAMESE.search(operation["summary"]), (method, path, operation["summary"])
            description = operation.get("description")
            assert description is None or VIETNAMESE.search(description), (method, path, description)
    assert seen == set(OPERATIONS), set(OPERATIONS) - seen  # no entry for a route that is gone


def test_the_docs_page_shows_them(api: Api) -> None:
    html = api.client.get("/api/v1/docs").get_data(as_text=True)
    assert "Hoàn thành công việc với dữ liệu biểu mẫu" in html and "Kiểm tra sơ đồ mà không triển khai" in html
    assert "Complete the step" not in html and "Every account" not in html
