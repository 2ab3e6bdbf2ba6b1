"""Validity: do a lab's hidden tests tell right from wrong? (``infralab validity``)

- ``_mutate``: first-order mutants of the reference solution cells, with stable ids.
- ``_validity``: grades them with the real sandboxed grader and reports kill rates per task,
  checks the listed equivalents, journals long runs. See docs/validity.md.
"""
