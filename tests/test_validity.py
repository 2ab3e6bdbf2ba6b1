"""The validity harness: do a lab's tests tell right from wrong?

For every lab in solutions/ (and always for the fixture course's toy lab, so the harness itself
is exercised), graded by the real sandboxed grader:

- the reference solution scores full marks;
- the released notebook (labs/<lab>/<lab>.ipynb, as committed) scores 0;
- every mutant in tests/mutants/<lab>/ loses points on the task it names (`# loses:`): a
  fixed sample of MUTANTS_PER_TASK per task under `make test`, every one under `make
  validity` (which also grades the reference under a second certification variant); and every task has at least 3 mutants (a lab without mutants fails here, it is
  not skipped);
- hidden tests carry at least 60% of the points;
- the authoring conventions of docs/authoring.md hold (grade ids, docstrings, hidden cells).
"""

from __future__ import annotations

import ast
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from infralab.grading._build import build_lab
from infralab.grading._course import Course, CourseError, find_course, write_notebook_text
from infralab.grading._lab import (
    hidden_cells_are_marked,
    load_lab,
    load_mutants,
    task_ids_ok,
)
from infralab.grading.grade._grade import GradeOptions, grade_paths
from infralab.grading.grade._judge import JudgeOptions
from infralab.grading.sandbox._sandbox import bwrap_problem
from infralab.grading.validity._mutate import submission

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "course"
MIN_MUTANTS = 3
MIN_HIDDEN_SHARE = 0.60
# `make test` grades a fixed sample of each task's committed mutants and one certification
# variant besides the public one, so that the suite stays well under 20 minutes as labs are
# added; `make validity` (INFRALAB_ALL_MUTANTS=1) grades every mutant and both variants. Every
# task still needs MIN_MUTANTS on disk (test_every_task_has_three_mutants).
FULL_SWEEP = bool(os.environ.get("INFRALAB_ALL_MUTANTS"))
MUTANTS_PER_TASK = None if FULL_SWEEP else 2
# Besides the public variant 0: a large seed (exact digits past 2**53) always, a small one in
# the full sweep.
VARIANT_SEEDS = (2**62 + 7, 12345) if FULL_SWEEP else (2**62 + 7,)

pytestmark = [pytest.mark.slow, pytest.mark.needs_bwrap]


def _courses() -> list[tuple[Path, str]]:
    cases = [(FIXTURE, lab) for lab in Course(FIXTURE).lab_ids()]
    cases += [(ROOT, lab) for lab in Course(ROOT).lab_ids()]
    return cases


CASES = _courses()


def _case_id(root: Path, lab: str) -> str:
    return f"fixture:{lab}" if root == FIXTURE else lab


def _lab_params():
    return [
        pytest.param(root, lab, id=_case_id(root, lab), marks=pytest.mark.xdist_group(lab))
        for root, lab in CASES
    ]


def _loses(path: Path) -> str:
    """The task a mutant file names in its `# loses:` header ('' when it names none)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# loses:"):
            return line.split(":", 1)[1].strip()
    return ""


def _graded_mutant_paths(mutants_dir: Path) -> list[Path]:
    """The committed mutants this run grades: all, or MUTANTS_PER_TASK per task.

    The sample is fixed (ordered by a hash of the file name), so every run of `make test`
    grades the same mutants and a failure reproduces.
    """
    paths = sorted(mutants_dir.glob("*.py"))
    if MUTANTS_PER_TASK is None:
        return paths
    by_task: dict[str, list[Path]] = {}
    for path in paths:
        by_task.setdefault(_loses(path), []).append(path)
    chosen: list[Path] = []
    for group in by_task.values():
        group.sort(key=lambda p: hashlib.sha256(p.stem.encode()).hexdigest())
        chosen += group[:MUTANTS_PER_TASK]
    return sorted(chosen)


def _mutant_params():
    params = []
    for root, lab in CASES:
        for path in _graded_mutant_paths(root / "tests" / "mutants" / lab):
            params.append(
                pytest.param(
                    root,
                    lab,
                    path.stem,
                    id=f"{_case_id(root, lab)}/{path.stem}",
                    marks=pytest.mark.xdist_group(lab),
                )
            )
    return params


_cache: dict[tuple[Path, str], dict] = {}
_lock = threading.Lock()


@pytest.fixture(scope="session")
def shared(tmp_path_factory) -> Path:
    """A directory all xdist workers of this session share (the session's own without xdist).

    pytest-xdist's loadgroup does not keep a group on one worker with pytest 9, so each lab is
    graded once per session under a file lock and its results shared as JSON.
    """
    base = tmp_path_factory.getbasetemp()
    path = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "infralab-validity"
    path.mkdir(exist_ok=True)
    return path


def _released_path(course: Course, lab: str, tmp: Path) -> Path:
    if course.root == FIXTURE:
        return build_lab(course, lab, tmp / "labs")  # the fixture course commits no labs/
    path = course.release_path(lab)
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `infralab build {lab}` and commit labs/")
    return path


def _grade_lab(course: Course, lab: str) -> dict:
    """Grade the reference, the release and every mutant of a lab; results by learner."""
    spec = load_lab(course, lab)
    mutants_dir = course.root / "tests" / "mutants" / lab
    graded = {p.stem for p in _graded_mutant_paths(mutants_dir)}
    mutants = [m for m in load_mutants(mutants_dir, spec) if m.name in graded]
    tmp = Path(tempfile.mkdtemp(prefix="infralab-validity-"))
    try:
        submitted = tmp / "submitted"
        notebooks = {"reference": submission(spec)}
        for learner, nb in notebooks.items():
            target = submitted / learner / lab / f"{lab}.ipynb"
            target.parent.mkdir(parents=True)
            target.write_text(write_notebook_text(nb))
        # A mutant is judged on the task it names only (the others are skipped): that is
        # all the harness asserts, at a fraction of the cost.
        by_task: dict[str, Path] = {}
        for m in mutants:
            root = by_task.setdefault(m.loses, tmp / f"mutants-{m.loses}")
            target = root / f"mutant-{m.name}" / lab / f"{lab}.ipynb"
            target.parent.mkdir(parents=True)
            target.write_text(write_notebook_text(submission(spec, {m.replaces: m.code})))
        released_dir = submitted / "released" / lab
        released_dir.mkdir(parents=True)
        shutil.copy(_released_path(course, lab, tmp), released_dir / f"{lab}.ipynb")
        options = GradeOptions(
            judge=JudgeOptions(cell_timeout=60.0, notebook_timeout=300.0),
            workers=2,
            gradebook=False,
        )
        results = {}
        for outcome in grade_paths(course, [submitted], options):
            assert outcome.error is None, outcome.error
            results[outcome.result["learner"]] = outcome.result
        for task, root in by_task.items():
            judge = replace(options.judge, only_tasks=frozenset({task}))
            for outcome in grade_paths(course, [root], replace(options, judge=judge)):
                assert outcome.error is None, outcome.error
                results[outcome.result["learner"]] = outcome.result
        # The validity bars hold for any input variant, not only the public one (seed 0).
        only_reference = tmp / "variants"
        (only_reference / "reference" / lab).mkdir(parents=True)
        shutil.copy(
            submitted / "reference" / lab / f"{lab}.ipynb", only_reference / "reference" / lab
        )
        for seed in VARIANT_SEEDS:
            judge = replace(options.judge, variant_seed=seed)
            for outcome in grade_paths(course, [only_reference], replace(options, judge=judge)):
                assert outcome.error is None, outcome.error
                results[f"reference-seed-{seed}"] = outcome.result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def _graded(shared: Path, root: Path, lab: str) -> dict:
    """The lab's results, graded once per test session (see ``shared``)."""
    with _lock:
        if (root, lab) in _cache:
            return _cache[(root, lab)]
        problem = bwrap_problem()
        if problem is not None:
            pytest.fail(
                f"the validity harness grades in the bubblewrap sandbox: {problem}. "
                "Install it (apt-get install bubblewrap)."
            )
        course = find_course(root)
        spec = load_lab(course, lab)
        mutants = load_mutants(root / "tests" / "mutants" / lab, spec)
        key = _case_id(root, lab).replace(":", "-")
        with open(shared / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            done = shared / f"{key}.json"
            if not done.exists():
                done.write_text(json.dumps(_grade_lab(course, lab)))
            results = json.loads(done.read_text())
        _cache[(root, lab)] = {"spec": spec, "mutants": mutants, "results": results}
        return _cache[(root, lab)]


def _describe(result: dict) -> str:
    lines = [f"{t['grade_id']}: {t['status']} {t.get('message', '')}" for t in result["tasks"]]
    return "\n".join(lines + result["flags"])


@pytest.mark.parametrize(("root", "lab"), _lab_params())
def test_reference_scores_full_marks(shared, root, lab):
    graded = _graded(shared, root, lab)
    result = graded["results"]["reference"]
    assert result["score"] == graded["spec"].max_score > 0, _describe(result)


@pytest.mark.parametrize(("root", "lab"), _lab_params())
@pytest.mark.parametrize("seed", VARIANT_SEEDS)
def test_reference_scores_full_marks_under_other_variants(shared, root, lab, seed):
    graded = _graded(shared, root, lab)
    result = graded["results"][f"reference-seed-{seed}"]
    assert result["score"] == graded["spec"].max_score > 0, _describe(result)


@pytest.mark.parametrize(("root", "lab"), _lab_params())
def test_released_notebook_scores_zero(shared, root, lab):
    result = _graded(shared, root, lab)["results"]["released"]
    assert result["score"] == 0, _describe(result)
    assert not any(f.startswith(("missing", "tampered")) for f in result["flags"]), result["flags"]


@pytest.mark.parametrize(("root", "lab", "mutant"), _mutant_params())
def test_mutant_loses_points_on_its_task(shared, root, lab, mutant):
    graded = _graded(shared, root, lab)
    m = next(m for m in graded["mutants"] if m.name == mutant)
    result = graded["results"][f"mutant-{mutant}"]
    on_task = [t for t in result["tasks"] if t["task"] == m.loses]
    assert on_task, f"{m.path}: task {m.loses} has no grade cells"
    got = sum(t["points"] for t in on_task)
    top = sum(t["max_points"] for t in on_task)
    assert got < top, f"{m.path} ({m.description}) keeps all {top:g} points of {m.loses}"


@pytest.mark.parametrize(("root", "lab"), _lab_params())
def test_every_task_has_three_mutants(root, lab):
    spec = load_lab(find_course(root), lab)
    mutants_dir = root / "tests" / "mutants" / lab
    try:
        mutants = load_mutants(mutants_dir, spec)
    except CourseError as exc:
        pytest.fail(str(exc))
    for task in spec.tasks:
        count = sum(1 for m in mutants if m.loses == task)
        assert count >= MIN_MUTANTS, (
            f"{lab}: task {task} has {count} mutants in {mutants_dir}, needs {MIN_MUTANTS} "
            "(see docs/authoring.md, Mutants)"
        )


@pytest.mark.parametrize(("root", "lab"), _lab_params())
def test_hidden_tests_carry_most_points(root, lab):
    spec = load_lab(find_course(root), lab)
    share = spec.hidden_points / spec.max_score
    assert share >= MIN_HIDDEN_SHARE, (
        f"{lab}: hidden tests carry {share:.0%} of {spec.max_score:g} points, need 60%"
    )


@pytest.mark.parametrize(("root", "lab"), _lab_params())
def test_authoring_conventions(root, lab):
    spec = load_lab(find_course(root), lab)
    meta = spec.source.metadata.get("infralab", {})
    assert meta.get("lab") == lab, f"{spec.source_path}: metadata infralab.lab should be {lab!r}"
    assert task_ids_ok(spec) == [], "grade ids must start with their task id (taskN-...)"
    assert hidden_cells_are_marked(spec) == [], (
        "a grade cell has hidden tests iff its id contains '-hidden'"
    )
    for cell in spec.grade_cells:
        body = ast.parse(cell.source).body
        assert body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant), (
            f"{cell.grade_id}: a grade cell opens with a docstring saying what it checks"
        )
    for task in spec.tasks:
        cells = [c for c in spec.grade_cells if c.task == task]
        assert any(not c.hidden for c in cells), f"{task}: no visible test cell"
        assert any(c.hidden for c in cells), f"{task}: no hidden test cell"
    if root != FIXTURE:  # certification variants: every hidden cell draws some of its inputs
        for cell in spec.grade_cells:
            if cell.hidden:
                assert f'variant_rng("{cell.grade_id}")' in cell.source, (
                    f"{cell.grade_id}: a hidden cell draws inputs from "
                    f'variant_rng("{cell.grade_id}") (docs/authoring.md)'
                )
