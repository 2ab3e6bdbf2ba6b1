"""Certification grading: per-candidate variants, hidden tests only, results kept for certify.

- Two candidates with the same answers meet different hidden inputs (different variant
  seeds); a regrade reproduces the seed and the score exactly.
- A notebook with no solution that answers every probe from a replay table recorded on the
  reference (the red team's "answer table" attack) scores 0 under certification grading of a
  real lab, although the same table earns points in practice grading (so the table works).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from stubs.replay import REPLAY

from infralab.grading._course import find_course, write_notebook_text
from infralab.grading._lab import load_lab, make_submission, reference_solutions
from infralab.grading.grade._grade import GradeOptions, default_options, grade_notebook
from infralab.grading.grade._judge import JudgeOptions
from infralab.grading.grade._probe import evaluate_snippet, set_transport, to_plain_json
from infralab.grading.grade._variant import new_variant_key

pytestmark = [pytest.mark.slow, pytest.mark.needs_bwrap]

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "infralab.grading.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "INFRALAB_COURSE": ""},
    )


def test_candidates_get_different_variants_and_regrades_reproduce(
    sandbox, course, reference, tmp_path
):
    key = new_variant_key(tmp_path / "keys" / "variant.key")
    subs = tmp_path / "subs"
    for who in ("ana", "ben"):
        (subs / who / "t0-toy").mkdir(parents=True)
        (subs / who / "t0-toy" / "t0-toy.ipynb").write_text(write_notebook_text(reference))
    results = tmp_path / "results"
    args = [
        "--course",
        str(course.root),
        "grade",
        str(subs),
        "--json",
        "--no-gradebook",
        "--certification",
        "--variant-key",
        str(key),
        "--results",
        str(results),
    ]
    first = _cli(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    rows = [json.loads(line) for line in first.stdout.splitlines()]
    assert {r["learner"] for r in rows} == {"ana", "ben"}
    seeds = {r["learner"]: r["variant_seed"] for r in rows}
    assert seeds["ana"] != seeds["ben"] and 0 not in seeds.values()
    for r in rows:
        assert r["certification"] is True and r["attempt"] == 1
        assert r["score"] == r["hidden_score"] == r["hidden_max_score"] == r["max_score"]
        assert r["practice_score"] > 0 and r["sandbox"]["kind"] == "bubblewrap"
        kept = json.loads((results / r["learner"] / "t0-toy" / "attempt-1.json").read_text())
        assert kept["variant_seed"] == r["variant_seed"]
    again = _cli(*args, cwd=tmp_path)
    rows2 = {json.loads(line)["learner"]: json.loads(line) for line in again.stdout.splitlines()}
    for r in rows:
        assert rows2[r["learner"]]["variant_seed"] == r["variant_seed"]
        assert rows2[r["learner"]]["score"] == r["score"]
    second = _cli(*args, "--attempt", "2", cwd=tmp_path)
    assert json.loads(second.stdout.splitlines()[0])["variant_seed"] not in seeds.values()


def test_certification_refuses_without_a_key_or_without_the_sandbox(course, reference, tmp_path):
    nb = tmp_path / "x.ipynb"
    nb.write_text(write_notebook_text(reference))
    base = ["--course", str(course.root), "grade", str(nb), "--no-gradebook", "--certification"]
    missing = _cli(*base, "--variant-key", str(tmp_path / "none.key"), cwd=tmp_path)
    assert missing.returncode == 2 and "variant key" in missing.stderr
    loose = tmp_path / "loose.key"
    loose.write_text("x" * 64)
    loose.chmod(0o644)
    assert "owner only" in _cli(*base, "--variant-key", str(loose), cwd=tmp_path).stderr
    key = new_variant_key(tmp_path / "k" / "variant.key")
    nosandbox = _cli(*base, "--variant-key", str(key), "--no-sandbox", cwd=tmp_path)
    assert nosandbox.returncode == 2 and "sandbox" in nosandbox.stderr


def _record_table(lab: str) -> dict[str, str]:
    """Answers to every probe of the lab's grade cells, run on the reference at seed 0."""
    course = find_course(ROOT)
    spec = load_lab(course, lab)
    solutions = reference_solutions(spec)
    table: dict[str, str] = {}
    namespace: dict = {"__name__": "__main__"}

    def record(code: str) -> str:
        text = to_plain_json(evaluate_snippet(code, namespace))
        table[hashlib.sha256(code.encode()).hexdigest()] = text
        return text

    cwd = os.getcwd()
    os.chdir(spec.source_path.parent)
    try:
        for cell in spec.source_cells:
            if cell.cell_type != "code":
                continue
            if cell.grade:
                set_transport(record)
                try:
                    exec(compile(cell.source, cell.grade_id or "grade", "exec"), {"__name__": "g"})
                except Exception:  # noqa: BLE001 - a cell that does not pass still recorded
                    pass
                finally:
                    set_transport(None)
            else:
                code = (
                    solutions.get(cell.grade_id or "", cell.source)
                    if cell.solution
                    else cell.source
                )
                try:
                    exec(compile(code, str(cell.index), "exec"), namespace)
                except Exception:  # noqa: BLE001 - demo cells may need a display
                    pass
    finally:
        os.chdir(cwd)
    return table


@pytest.mark.parametrize("lab", ["00-orientation"])
def test_a_replay_table_scores_zero_under_certification(sandbox, lab, tmp_path):
    course = find_course(ROOT)
    spec = load_lab(course, lab)
    table = _record_table(lab)
    assert len(table) >= 5, "the recorder saw the lab's probes"
    first = spec.solution_cells[0].grade_id
    replay = make_submission(spec, {first: REPLAY.format(table=json.dumps(table))})
    practice = grade_notebook(course, replay, lab=lab, options=default_options(), workdir=tmp_path)
    assert practice["score"] > 0, "the table answers the fixed (practice) probes"
    key_path = new_variant_key(tmp_path / "variant.key")
    options = GradeOptions(
        judge=JudgeOptions(certification=True),
        gradebook=False,
        variant_key=key_path.read_bytes().strip(),
    )
    certified = grade_notebook(
        course, replay, lab=lab, learner="mallory", options=options, workdir=tmp_path
    )
    assert certified["certification"] is True and certified["variant_seed"] != 0
    assert certified["score"] == 0, certified["tasks"]
