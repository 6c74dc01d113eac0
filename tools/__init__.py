"""Maintainer tooling, run from a checkout (not part of the installed package).

- ``python -m tools.notebooks execute|check``: re-execute the series and stamp it; list stale notebooks.
- ``python -m tools.exercises build|check``: the student release in notebooks/exercises/ (made by nbgrader).
"""
