"""Scenarios of features/plan_issuance.feature."""

from pytest_bdd import scenarios

scenarios("plan_issuance.feature")
