"""engine.instructions: instructions templates rendered with an instance's data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from jinja2 import TemplateSyntaxError

from engine.instructions import MAX_OUTPUT, MISSING, RenderCache, date_vn, names, render


def test_fields_are_filled_and_a_missing_or_empty_value_shows_a_dash() -> None:
    data = {"period_label": "Quý I/2024", "deadline": None, "plan": {"title": "Kế hoạch CCHC 2024"}}
    text = "Báo cáo {{ period_label }}; hạn {{ deadline }}; {{ output_kind }}; {{ plan.title }}; {{ plan.year }}"
    assert render(text, data) == "Báo cáo Quý I/2024; hạn —; —; Kế hoạch CCHC 2024; —"
    assert render("{{ nothing.at.all[0] }}", {}) == MISSING
    assert render("{% if deadline %}hạn {{ deadline }}{% endif %}xong", data) == "xong"


def test_plain_text_and_none_are_returned_as_they_are() -> None:
    assert render("Soạn **dự thảo** (không có mẫu).", {}) == "Soạn **dự thảo** (không có mẫu)."
    assert render(None, {}) is None


def test_text_is_not_html_escaped() -> None:
    assert render("{{ a }}", {"a": "<b>Tờ trình & dự thảo</b>"}) == "<b>Tờ trình & dự thảo</b>"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2024-03-15", "15/03/2024"),
        (date(2024, 1, 5), "05/01/2024"),
        ("2024-03-15T20:00:00+00:00", "16/03/2024"),  # 03:00 on the 16th in Viet Nam
        (datetime(2024, 3, 15, 9, 0, tzinfo=UTC), "15/03/2024"),
        (None, MISSING),
        ("", MISSING),
        ("không phải ngày", "không phải ngày"),
    ],
)
def test_date_vn(value: object, shown: str) -> None:
    assert date_vn(value) == shown
    assert render("{{ d | date_vn }}", {"d": value}) == shown


def test_the_filters_in_use() -> None:
    data = {"units": ["PTP", "VP"], "title": "  báo cáo  ", "n": 2.456}
    assert render("{{ units | join(', ') }} ({{ units | length }})", data) == "PTP, VP (2)"
    assert render("{{ title | trim | capitalize }} {{ n | round(1) }}", data) == "Báo cáo 2.5"
    assert render("{{ missing | date_vn }} {{ missing | default('không có') }}", data) == "— không có"


@pytest.mark.parametrize(
    "source",
    [
        "Báo cáo {{ period_label ",  # syntax error
        "{{ period_label | nosuchfilter }}",  # unknown filter
        "{{ period_label.upper() }}",  # no calls
        "{{ range(10) }}",
        "{% for a in xs %}{% for b in xs %}{{ b }}{% endfor %}{% endfor %}",  # no loop in a loop
        "{{ 'a' * 100000 }}",  # nothing large built with *
        "{{ 2 ** 100000 }}",
        "{{ 1 / 0 }}",
    ],
)
def test_a_template_that_cannot_be_rendered_shows_as_written(source: str) -> None:
    assert render(source, {"period_label": "Quý I/2024", "xs": [1, 2]}) == source


def test_the_output_is_cut() -> None:
    shown = render("{% for x in xs %}{{ x }}{% endfor %}", {"xs": ["abcdefghij"] * 10_000})
    assert shown is not None and len(shown) == MAX_OUTPUT + 1 and shown.endswith("…")


def test_names_lists_what_a_template_reads_and_refuses_what_it_may_not_do() -> None:
    assert names("{{ a }} {% for u in units %}{{ u }} {{ b.c }}{% endfor %} {{ d | date_vn }}") == {
        "a",
        "units",
        "b",
        "d",
    }
    with pytest.raises(TemplateSyntaxError):
        names("{{ a.b() }}")
    with pytest.raises(TemplateSyntaxError):
        names("{{ a ")


def test_what_was_written_before_a_failure_is_kept_once_the_output_is_too_long() -> None:
    # The output grew past the bound before the template failed: cut there, as read piece by piece.
    shown = render("{{ x }}{{ 1 // y }}", {"x": "a" * 30_000, "y": 0})
    assert shown == "a" * MAX_OUTPUT + "…"
    assert render("{{ x }}{{ 1 // y }}", {"x": "a" * 10, "y": 0}) == "{{ x }}{{ 1 // y }}"


def test_a_template_reads_the_data_without_changing_it() -> None:
    data = {"xs": [3, 1, 2], "n": 1}
    assert render("{% set n = 5 %}{{ n }} {{ xs | sort | join(',') }} {{ xs | first }}", data) == "5 1,2,3 3"
    assert data == {"xs": [3, 1, 2], "n": 1}


def test_the_render_cache_is_keyed_by_template_instance_and_version_and_bounded() -> None:
    cache = RenderCache(size=2)
    cache.put("{{ a }}", 1, 1, "x")
    assert cache.get("{{ a }}", 1, 1) == "x"
    assert cache.get("{{ a }}", 1, 2) is None and cache.get("{{ b }}", 1, 1) is None
    cache.put("{{ a }}", 2, 1, "y")
    cache.put("{{ a }}", 3, 1, "z")  # full: forgotten all at once
    assert cache.get("{{ a }}", 1, 1) is None and cache.get("{{ a }}", 3, 1) == "z"
