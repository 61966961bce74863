"""Scenarios of features/satisfaction_survey.feature."""

from pytest_bdd import scenarios

scenarios("satisfaction_survey.feature")
