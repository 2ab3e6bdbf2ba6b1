"""End to end with the grader: `infralab grade --certification --variant-key FILE --attempt N`
on the fixture course (lab t0-toy), then certify from the result files it writes.

Needs bubblewrap (fails, never skips, without it). Two candidates with the same answers get
different variant seeds (different hidden inputs), a regrade reproduces seed and score, and the
certificate issued from the result files verifies. Where the grader's `--certification` flags
are not in the checkout yet (they were being built alongside), it is an expected failure;
where they are, it must pass.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from infralab.grading._course import find_course, write_notebook_text
from infralab.grading._lab import load_lab, make_submission, reference_solutions
from infralab.grading.cli import main
from infralab.grading.grade._variant import new_variant_key
from infralab.grading.sandbox._sandbox import bwrap_problem

ROOT = Path(__file__).resolve().parents[2]
LAB = "t0-toy"

POLICY = """\
version: "test-1"
issuer: {name: Fixture body}
status_list: {url: "https://certs.example.org/status/revocation-1.json"}
attempts: 2
validity_days: 365
tracks:
  T:
    name: "Track T: the fixture course"
    min_overall: 0.9
    min_hidden: 0.9
    labs:
      t0-toy: {min_score: 0.9}
"""


def _has_flags() -> bool:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        main(["grade", "--help"])
    return all(f in out.getvalue() for f in ("--certification", "--variant-key", "--attempt"))


@pytest.mark.slow
@pytest.mark.needs_bwrap
@pytest.mark.xfail(
    condition=not _has_flags(),
    strict=False,
    reason="`infralab grade --certification --variant-key --attempt` (issue 18 item 2) is not "
    "in this checkout's CLI yet",
)
def test_grade_with_variants_then_certify_and_verify(tmp_path, capsys):
    problem = bwrap_problem()
    if problem is not None:
        pytest.fail(f"needs the bubblewrap sandbox: {problem}")
    root = tmp_path / "course"
    shutil.copytree(ROOT / "tests" / "fixtures" / "course", root)
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "grader" / "policy.yaml").parent.mkdir(exist_ok=True)
    (root / "grader" / "policy.yaml").write_text(POLICY)
    spec = load_lab(find_course(root), LAB)
    text = write_notebook_text(make_submission(spec, reference_solutions(spec)))
    subs = tmp_path / "submissions"
    for candidate in ("cand-a", "cand-b"):  # the same answers
        (subs / candidate / LAB).mkdir(parents=True)
        (subs / candidate / LAB / f"{LAB}.ipynb").write_text(text)
    assert main(["--course", str(root), "keys", "init"]) == 0
    variant = root / "grader" / "keys" / "variant.key"
    if not variant.exists():
        new_variant_key(variant)

    grade = [
        "--course",
        str(root),
        "grade",
        "--certification",
        "--variant-key",
        str(variant),
        "--attempt",
        "1",
        "--no-gradebook",
        str(subs),
    ]
    assert main(grade) == 0
    results = root / "grader" / "results"
    a = json.loads((results / "cand-a" / LAB / "attempt-1.json").read_text())
    b = json.loads((results / "cand-b" / LAB / "attempt-1.json").read_text())
    assert a["certification"] is True and a["sandbox"]["kind"] == "bubblewrap"
    assert a["variant_seed"] != b["variant_seed"]  # different hidden inputs, same answers
    assert a["score"] == a["max_score"] == b["score"]

    assert main(grade) == 0  # a regrade with the same key and attempt: the same seed and score
    again = json.loads((results / "cand-a" / LAB / "attempt-1.json").read_text())
    assert (again["variant_seed"], again["score"]) == (a["variant_seed"], a["score"])

    capsys.readouterr()
    assert main(["--course", str(root), "certify", "--candidate", "cand-a", "--track", "T"]) == 0
    cred = root / "grader" / "certificates" / "cand-a" / "T" / "credential.json"
    ev = json.loads(cred.read_text())["evidence"][0]
    assert ev["variantSeed"] == str(a["variant_seed"])
    assert ev["submissionSha256"] == a["submission_sha256"]
    assert (
        main(
            [
                "verify",
                str(cred),
                "--issuers",
                str(root / "grader" / "keys" / "issuers.json"),
                "--status-list",
                str(root / "grader" / "status" / "revocation-1.json"),
            ]
        )
        == 0
    )
