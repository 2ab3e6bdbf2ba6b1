"""The progress bar (terminal only) and the final summary of a grading run."""

from __future__ import annotations

import io
from pathlib import Path

from infralab.grading.cohort import Progress, flag_kind
from infralab.grading.grade._grade import Outcome


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _outcomes() -> list[tuple[Outcome, bool]]:
    ok = {"score": 1.0, "flags": []}
    flagged = {"score": 0.0, "flags": ["tampered grade cell t1: source changed",
                                       "notebook time limit of 5s reached"]}  # fmt: skip
    return [
        (Outcome(Path("a"), result=ok), False),
        (Outcome(Path("b"), result=flagged), False),
        (Outcome(Path("c"), result=ok), True),
        (Outcome(Path("d"), error="d: not a notebook"), False),
        (Outcome(Path("e"), error="e: sandbox did not start", grader_fault=True), False),
    ]


def test_summary_counts_every_kind_of_outcome():
    progress = Progress(None)
    progress.start(5)
    for outcome, skipped in _outcomes():
        progress.count(outcome, skipped=skipped)
    progress.close()
    s = progress.summary
    assert (s.graded, s.skipped, s.errors, s.grader_faults, s.flagged) == (2, 1, 1, 1, 1)
    assert s.flags == {"tampered": 1, "timeout": 1}
    assert s.total == 5
    line = s.line()
    assert "5 submissions: graded 2, skipped 1 (already in the ledger; --force regrades)" in line
    assert "errors 1, grader faults 1, flagged 1 (tampered 1, timeout 1)" in line
    assert s.as_dict()["flags"] == {"tampered": 1, "timeout": 1}


def test_bar_with_rate_and_eta_on_a_terminal_only():
    terminal = _Terminal()
    progress = Progress(terminal)
    progress.start(5)
    for outcome, skipped in _outcomes()[:3]:
        progress.count(outcome, skipped=skipped)
    progress.close()  # draws the last state (tqdm redraws at most every 0.1 s)
    drawn = terminal.getvalue()
    assert "3/5" in drawn and "sub/s" in drawn  # done/total and the throughput
    assert "00:00<00:0" in drawn  # tqdm's elapsed<remaining: the ETA
    assert "skipped=1" in drawn and "errors=0" in drawn

    for stream, bar in ((io.StringIO(), True), (_Terminal(), False)):  # a pipe; --json piped
        quiet = Progress(stream, bar=bar)
        quiet.start(5)
        for outcome, skipped in _outcomes():
            quiet.count(outcome, skipped=skipped)
        quiet.close()
        assert stream.getvalue() == ""


def test_flag_kinds_follow_the_judges_wording():
    assert flag_kind("missing solution cell task1-solution") == "missing cell"
    assert flag_kind("cell task2 timed out; skipped") == "timeout"
    assert flag_kind("hidden tests: the worker failed or timed out (details withheld)") == (
        "hidden tests: worker failed"
    )
    assert flag_kind("learner mismatch: the notebook's metadata says 'bob'") == "learner mismatch"
    assert flag_kind("cell setup: NameError; skipped") == "cell error"
