"""Scenarios of features/periodic_report.feature."""

from pytest_bdd import scenarios

scenarios("periodic_report.feature")
