"""A cohort of fixture-lab submissions of several kinds, for the ledger and cluster tests."""

from __future__ import annotations

import json
from pathlib import Path

from infralab.grading._course import write_notebook_text
from infralab.grading._lab import make_submission, reference_solutions

LAB = "t0-toy"

# What each kind of learner hands in (the fixture lab has two tasks, 10 points each).
KINDS = ("full", "none", "task1", "task2", "slow-full", "tampered")


def submission_of(spec, kind: str, learner: str):
    """A notebook of ``kind``; ``learner`` goes into a comment so every notebook differs."""
    ref = reference_solutions(spec)
    t1, t2 = sorted(ref)
    code = {
        "full": ref,
        "none": {},
        "task1": {t1: ref[t1]},
        "task2": {t2: ref[t2]},
        # slow enough that a Dask worker can be killed while it grades this one
        "slow-full": {t1: "import time\ntime.sleep(6)\n" + ref[t1], t2: ref[t2]},
        "tampered": ref,
    }[kind]
    code = {gid: f"# {learner}\n{src}" for gid, src in code.items()}
    nb = make_submission(spec, code)
    if kind == "tampered":  # a visible grade cell edited to pass anyway
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if grade_id.endswith("visible") and cell.cell_type == "code":
                cell.source = "pass\n"
                break
    return nb


def write_cohort(spec, root: Path, kinds: list[str]) -> Path:
    """``root/learner-NN/t0-toy/t0-toy.ipynb`` for each kind in ``kinds``; returns ``root``."""
    for i, kind in enumerate(kinds):
        learner = f"learner-{i:02d}"
        path = root / learner / LAB / f"{LAB}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(write_notebook_text(submission_of(spec, kind, learner)))
    return root


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
