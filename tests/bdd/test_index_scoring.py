"""Scenarios of features/index_scoring.feature."""

from pytest_bdd import scenarios

scenarios("index_scoring.feature")
