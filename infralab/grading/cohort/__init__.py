"""Grading a cohort: the grading ledger, Dask clusters, progress and the run summary.

``infralab grade`` calls :func:`grade_submissions` for its loop: each submission is looked up
in the :class:`Ledger` (skipped when already graded with the same key), judged locally or on
a :class:`GradingCluster` (Dask), recorded in the ledger, then written to the gradebook and
reported in order. See docs/cohorts.md.
"""

from infralab.grading.cohort._cluster import (
    ClusterError,
    DaskJudge,
    GradingCluster,
    grade_on_worker,
    parse_cluster,
)
from infralab.grading.cohort._ledger import (
    Ledger,
    LedgerEntry,
    LedgerError,
    LedgerKey,
    default_ledger_url,
)
from infralab.grading.cohort._progress import Progress, Summary, flag_kind
from infralab.grading.cohort._run import grade_submissions, ledger_key, settings_sha256

__all__ = [
    "ClusterError",
    "DaskJudge",
    "GradingCluster",
    "Ledger",
    "LedgerEntry",
    "LedgerError",
    "LedgerKey",
    "Progress",
    "Summary",
    "default_ledger_url",
    "flag_kind",
    "grade_on_worker",
    "grade_submissions",
    "ledger_key",
    "parse_cluster",
    "settings_sha256",
]
