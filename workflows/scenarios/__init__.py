"""A procedure's Vietnamese scenarios (``features/*.feature``) run against a diagram: the step definitions the BDD
tests use, and the runner that checks a draft in an isolated engine before it is deployed (docs/scenarios.md)."""
