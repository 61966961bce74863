"""Scenarios of features/common_rules.feature."""

from pytest_bdd import scenarios

scenarios("common_rules.feature")
