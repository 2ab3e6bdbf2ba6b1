"""The grade loop of ``infralab grade``: ledger first, then judge, then report in order.

For each submission found, in parallel (threads in the grader process):

1. take it in and recognise its lab (:func:`~infralab.grading.grade._grade.prepare_submission`);
2. look its :class:`LedgerKey` up: already recorded (and no ``--force``) means *skipped*, and
   the recorded result is reported, marked ``"ledger": {"skipped": true, ...}``;
3. otherwise judge it: in this process's own sandbox (local grading) or on a Dask worker
   (:class:`~infralab.grading.cohort._cluster.DaskJudge`), which grades it the same way;
4. record the result in the ledger, in the grader's main thread, as soon as it is known
   (not when its turn to be printed comes), so a crash loses at most the gradings in flight.

Outcomes are then delivered in the order the submissions were found: the gradebook is written
(``deliver``) and the ledger row marked synced, then the outcome is yielded. A rerun after a
crash finds recorded-but-unsynced rows and writes their gradebook entries before reporting.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from infralab.grading.cohort._ledger import Ledger, LedgerEntry, LedgerError, LedgerKey
from infralab.grading.cohort._progress import Progress
from infralab.grading.grade._intake import safe_text

if TYPE_CHECKING:
    from infralab.grading._course import Course
    from infralab.grading.grade._grade import GradeOptions, Outcome, Prepared, Submission
    from infralab.grading.grade._judge import JudgeOptions

__all__ = ["ledger_key", "settings_sha256", "grade_submissions", "Judge", "Deliver"]

Judge = Callable[["Prepared"], dict[str, Any]]
"""Judges a prepared submission and returns the judge's raw result (local or on Dask)."""

Deliver = Callable[["Outcome"], bool]
"""Writes a result where instructors read it (gradebook, kept results); True when the
gradebook now holds it, so the ledger row can be marked synced."""


def settings_sha256(judge: JudgeOptions) -> str:
    """A digest of the judge settings that can change a verdict (part of the ledger key).

    Timeouts, the sandbox and its limits, certification and the graded tasks. Not the CPU
    quota of one sandbox (``sandbox_cpus``): it follows the parallelism (a fair share of the
    cores), which must not make ``--workers 2`` and ``--cluster local:2`` different gradings.
    """
    sandbox = asdict(judge.sandbox)
    sandbox.pop("sandbox_cpus", None)
    sandbox["use_bwrap"] = sandbox["use_bwrap"] is not False  # None means "required" too
    settings = {
        "cell_timeout": judge.cell_timeout,
        "notebook_timeout": judge.notebook_timeout,
        "startup_timeout": judge.startup_timeout,
        "max_restarts": judge.max_restarts,
        "sandbox": sandbox,
        "certification": judge.certification,
        "tests_in_worker": judge.tests_in_worker,
        "only_tasks": sorted(judge.only_tasks) if judge.only_tasks is not None else None,
    }
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ledger_key(prep: Prepared) -> LedgerKey:
    """The ledger key of a prepared submission."""
    import infralab

    return LedgerKey(
        learner=prep.sub.learner,
        lab=prep.lab,
        submission_sha256=prep.submission_sha256,
        source_sha256=prep.source_sha256,
        grader_version=infralab.__version__,
        variant_seed=prep.judge.variant_seed,
        settings_sha256=settings_sha256(prep.judge),
    )


@dataclass
class _Done:
    """What a grading thread hands back to the main thread."""

    outcome: Outcome
    key: LedgerKey | None = None
    entry: LedgerEntry | None = None  # set when the ledger already held the result
    graded: bool = False  # judged in this run (to be recorded in the ledger)
    seconds: float | None = None  # how long judging took


def _skipped_result(entry: LedgerEntry) -> dict[str, Any]:
    return {**entry.result, "ledger": {"skipped": True, "graded_at": entry.graded_at}}


def grade_submissions(
    course: Course,
    items: Sequence[Submission | Outcome],
    options: GradeOptions,
    *,
    judge: Judge,
    deliver: Deliver,
    ledger: Ledger | None,
    threads: int,
    progress: Progress | None = None,
) -> Iterator[Outcome]:
    """Grade ``items`` (as found by ``find_submissions``); yield outcomes in that order.

    Args:
        course: the course.
        items: submissions to grade, and outcomes already decided (input errors).
        options: how to grade (``options.force`` regrades what the ledger holds).
        judge: local sandboxed judging, or a :class:`DaskJudge`.
        deliver: writes the gradebook (see :data:`Deliver`).
        ledger: where results are recorded, or None for no ledger.
        threads: gradings in flight at once.
        progress: counts each outcome (a bar on a terminal) and keeps the summary.
    """
    from infralab.grading.grade._grade import (
        Outcome,
        Submission,
        failed_outcome,
        finish_submission,
        prepare_submission,
    )

    def one(sub: Submission) -> _Done:
        prep = None
        try:
            prep = prepare_submission(course, sub, options)
            key = ledger_key(prep) if ledger is not None else None
            if ledger is not None and key is not None and not options.force:
                entry = ledger.lookup(key)
                if entry is not None:
                    skipped = Outcome(sub.path, result=_skipped_result(entry), staged=prep.intake)
                    return _Done(skipped, key, entry)
            t0 = time.monotonic()
            result = judge(prep)
            seconds = time.monotonic() - t0
        except Exception as exc:  # noqa: BLE001 - one broken submission never stops the others
            if prep is not None:
                prep.intake.cleanup()
            return _Done(failed_outcome(sub, exc))
        outcome = finish_submission(course, prep, result, options)
        return _Done(outcome, key, graded=True, seconds=seconds)

    slots: list[_Done | None] = [
        _Done(item) if isinstance(item, Outcome) else None for item in items
    ]
    pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="infralab-grade")
    futures: dict[Future[_Done], int] = {
        pool.submit(one, item): i for i, item in enumerate(items) if isinstance(item, Submission)
    }
    if progress is not None:
        progress.start(len(items))
        for done in slots:
            if done is not None:
                progress.count(done.outcome, skipped=False)
    # Certification results are also files (grader/results/...) that a skipped run must be
    # able to restore: deliver those every time, cheap next to grading.
    always = options.judge.certification
    nxt = 0
    try:
        for future in as_completed(futures):
            done = future.result()
            if done.graded and ledger is not None and done.key is not None:
                result = done.outcome.result
                assert result is not None
                # NB: recorded before it is printed or put in the gradebook: never lost after.
                try:
                    done.entry = ledger.record(done.key, result, seconds=done.seconds)
                except LedgerError as exc:  # the result still goes out; say it is not kept
                    result["flags"].append(safe_text(f"ledger: not recorded ({exc})"))
            elif done.entry is not None and ledger is not None and done.key is not None:
                try:  # a skipped resubmission is the learner's current result again
                    ledger.touch(done.key)
                except LedgerError:
                    pass  # only what exports take as current is affected; said in the docs
            if progress is not None:
                progress.count(done.outcome, skipped=done.entry is not None and not done.graded)
            slots[futures[future]] = done
            while nxt < len(slots) and slots[nxt] is not None:
                yield _deliver(slots[nxt], deliver, ledger, always)  # type: ignore[arg-type]
                slots[nxt] = None
                nxt += 1
        while nxt < len(slots):  # the outcomes after the last submission
            done = slots[nxt]
            assert done is not None
            yield _deliver(done, deliver, ledger, always)
            slots[nxt] = None
            nxt += 1
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for future in futures:  # outcomes never delivered (the caller stopped early)
            if future.done() and not future.cancelled() and future.exception() is None:
                future.result().outcome.release()
        if progress is not None:
            progress.close()


def _deliver(done: _Done, deliver: Deliver, ledger: Ledger | None, always: bool) -> Outcome:
    outcome = done.outcome
    try:
        if outcome.result is None:
            return outcome
        synced = done.entry is not None and done.entry.gradebook_synced
        if synced and not done.graded and not always:
            return outcome  # recorded and in the gradebook already: only reported
        # What was recorded goes to the gradebook and kept results, without the skip mark.
        plain = replace(outcome, result={k: v for k, v in outcome.result.items() if k != "ledger"})
        if deliver(plain) and ledger is not None and done.key is not None and done.entry:
            try:
                ledger.mark_synced(done.key)
            except LedgerError:  # stays unsynced: the next run writes the gradebook again
                pass
    finally:
        outcome.release()
    return outcome
