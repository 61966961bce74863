"""Scenarios of features/generic_activity.feature."""

from pytest_bdd import scenarios

scenarios("generic_activity.feature")
