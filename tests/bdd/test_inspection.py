"""Scenarios of features/inspection.feature."""

from pytest_bdd import scenarios

scenarios("inspection.feature")
