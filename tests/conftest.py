"""Shared pytest configuration.

Notebooks under tests/ (fixture courses, attack notebooks) are inputs to the grading tests,
not notebooks to execute with nbval; only solutions/ notebooks are executed that way.
"""

collect_ignore_glob = ["**/*.ipynb"]
