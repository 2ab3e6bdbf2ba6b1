"""Grade: judge submissions outside the learner's process and record the results.

- ``_grade``: ``infralab grade``: find submissions, judge them in parallel, write the gradebook.
- ``_intake``: safe intake of learner folders (no link followed, size caps, copies only).
- ``_judge``: grades one submission; walks the source notebook, runs grade cells in trusted
  code, reaches the learner's cells only through the sandboxed worker.
- ``_probe``: ``probe``, ``reference`` and ``variant_rng``, the API of a grade cell.
- ``_env``: the trusted environment (simulator, tool desk, fault plans, clock) a grade cell
  judges behaviour from.
- ``_variant``: certification variants (a seed per candidate, lab and attempt).
- ``_gradebook``: results into nbgrader's gradebook.

Grade cells import the public names from :mod:`infralab.grading`; nothing is imported here, so
that importing one module (the worker needs ``_probe``) does not load the whole judge.
"""
