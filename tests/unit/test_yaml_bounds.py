"""Untrusted YAML (units and criteria-set uploads): refused while scanning, never a crash or a long scan."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.xdist_groups import TIME_BUDGETS
from workflows.unit_files import UnitsFileInvalid, read_units_file
from workflows.yaml_bounds import MAX_YAML_DEPTH, YamlRefused, load_untrusted_yaml


def refused(text: str, **bounds: Any) -> YamlRefused:
    with pytest.raises(YamlRefused) as caught:
        load_untrusted_yaml(text, max_tokens=bounds.get("max_tokens", 1_000), max_depth=bounds.get("max_depth", 10))
    return caught.value


def test_a_plain_document_loads() -> None:
    assert load_untrusted_yaml("units:\n- {code: A, name: Tên}\n", max_tokens=100) == {
        "units": [{"code": "A", "name": "Tên"}]
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a: &x [1]\nb: *x\n", "alias"),
        ("!!python/object:os.system {}\n", "alias"),
        ("a: [" + "1, " * 600 + "1]\n", "tokens"),
        ("a: " + "[" * 11, "depth"),
        ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 12)) + "  " * 12 + "v\n", "depth"),
        ("a: 1" + "1" * 5_000 + "\n", "depth"),  # an integer past Python's digit limit
        ("a: {b: 1\n", "syntax"),
    ],
)
def test_each_bound_has_its_reason(text: str, reason: str) -> None:
    assert refused(text).reason == reason


def test_a_syntax_error_says_where() -> None:
    error = refused("a: 1\nb: {c: 2\n")
    assert (error.line, error.column) == (3, 1) and error.where == " ở dòng 3, cột 1"


def test_the_depth_bound_is_exact() -> None:
    assert load_untrusted_yaml("[" * 10 + "]" * 10, max_tokens=1_000, max_depth=10) is not None
    assert refused("[" * 11 + "]" * 11).reason == "depth"


@TIME_BUDGETS
def test_fifty_thousand_brackets_in_a_units_file_are_a_4xx_in_milliseconds() -> None:
    """Before the shared bound the units upload scanned them for seconds (quadratic) and ended in RecursionError:
    a 500. The guard is far above the few milliseconds it takes."""
    cpu = time.process_time()
    with pytest.raises(UnitsFileInvalid) as caught:
        read_units_file(b"units: " + b"[" * 50_000, "u.yaml")
    assert time.process_time() - cpu < 2.0
    assert caught.value.details == {"bound": "yaml_depth", "limit": MAX_YAML_DEPTH}
    assert "lồng quá sâu" in caught.value.message
