"""Run learner code: the sandboxed worker and everything that crosses its boundary.

- ``_sandbox``: start, talk to and kill the worker (bubblewrap, rlimits, a cgroup, timeouts);
  ``--no-sandbox`` runs without bubblewrap and says what protection is missing.
- ``_worker``: the worker itself (``python -m infralab.grading.sandbox._worker``), an IPython
  shell that runs cells and answers probes, nothing more.
- ``_protocol``: the length-prefixed JSON frames on the judge <-> worker pipes.
- ``_env_client``: the learner's side of the trusted environment (proxies over the channel).
- ``_learner_data``: the copy of ``datasets/`` a worker sees, hidden ground truth removed.

Nothing is imported here on purpose: the worker starts by importing
``infralab.grading.sandbox._worker``, and every module loaded before learner code runs is
start-up time for each submission.
"""
