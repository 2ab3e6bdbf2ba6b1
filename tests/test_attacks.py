"""The attack corpus (tests/attacks/) against `infralab grade`, on the fixture course.

Each attack file is either a cell (`# kind: cell`) or an edit of the notebook
(`# kind: notebook`, a function `edit(nb)`, with `# expect: grade_id=status ...`). One batch
grades every variant with the real sandbox and the real gradebook of a temp course copy:

- released + attack in an added cell, and inside a solution cell: 0 points;
- reference + attack in an added cell: full marks (added cells run, but nothing they do in the worker counts);
- reference + a crash / resource attack inside task2's solution: task1 keeps its points;
- released + notebook edit: 0; reference + notebook edit: exactly the expected cells lose;
- and afterwards: no connection reached the listener, nothing under solutions/ or in the
  gradebooks changed, no process of the sandbox is left, no hidden test text was returned.
"""

from __future__ import annotations

import ast
import copy
import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import threading
from pathlib import Path

import nbformat
import pytest

from infralab.grading._course import HIDDEN_BEGIN, HIDDEN_END, find_course, write_notebook_text
from infralab.grading._lab import load_lab, make_submission, reference_solutions
from infralab.grading.grade._grade import GradeOptions, grade_paths
from infralab.grading.grade._judge import JudgeOptions
from infralab.grading.sandbox._sandbox import bwrap_problem, worker_uid_range

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "course"
ATTACKS = ROOT / "tests" / "attacks"
LAB = "t0-toy"
HOST_TMP_MARKER = Path("/tmp/pwned.txt")
# Attacks that crash, hang or exhaust the worker: they may only cost the task they sit in.
ROBUSTNESS = {
    "alloc_8gb",
    "fork_300",
    "infinite_loop",
    "kill_parent",
    "os_exit",
    "output_200mb",
    "segfault",
    "system_exit",
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.needs_bwrap,
    pytest.mark.xdist_group("attacks"),
]


def _header(path: Path) -> dict[str, str]:
    fields = {}
    for line in path.read_text().splitlines():
        m = re.match(r"#\s*(attack|kind|expect)\s*:\s*(.*)$", line)
        if m:
            fields[m.group(1)] = m.group(2).strip()
        elif line.strip() and not line.startswith("#"):
            break
    return fields


def _attacks(kind: str) -> list[str]:
    return sorted(p.stem for p in ATTACKS.glob("*.py") if _header(p).get("kind") == kind)


CELL_ATTACKS = _attacks("cell")
NOTEBOOK_ATTACKS = _attacks("notebook")


def test_corpus_is_complete():
    """Every attack the issue names is in the corpus, and every file declares its kind."""
    for path in ATTACKS.glob("*.py"):
        header = _header(path)
        assert header.get("attack"), f"{path}: missing '# attack:' line"
        assert header.get("kind") in ("cell", "notebook"), f"{path}: '# kind: cell|notebook'"
    named = {
        "input_transformer_blank", "ast_assert_to_pass", "custom_exc", "excepthook_stderr",
        "run_cell_wrapper", "patch_isinstance", "patch_notimplementederror", "patch_isclose",
        "gradebook_write", "read_solutions", "write_outside", "network_connect", "fork_300",
        "infinite_loop", "alloc_8gb", "os_exit", "system_exit", "kill_parent", "output_200mb",
        "segfault", "always_equal",
    }  # fmt: skip
    assert named <= set(CELL_ATTACKS)
    edits = {
        "nb_delete_grade_cell", "nb_rename_grade_cell", "nb_blank_grade_cell",
        "nb_retype_grade_cell", "nb_reflag_grade_cell", "nb_points_1000",
        "nb_solution_as_grade",
    }  # fmt: skip
    assert edits <= set(NOTEBOOK_ATTACKS)


class _Listener:
    """A TCP listener on 127.0.0.1 that records every connection it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            self.connections.append(str(addr))
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def _tree_hash(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        h.update(str(p.relative_to(path)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def _attack_code(name: str, course_root: Path, port: int) -> str:
    text = (ATTACKS / f"{name}.py").read_text()
    return (
        text.replace("__COURSE_ROOT__", str(course_root))
        .replace("__REPO_ROOT__", str(ROOT))
        .replace("__PORT__", str(port))
    )


def _edit_fn(name: str):
    namespace: dict = {}
    exec(compile((ATTACKS / f"{name}.py").read_text(), f"{name}.py", "exec"), namespace)
    return namespace["edit"]


def _expected(name: str) -> dict[str, str]:
    pairs = _header(ATTACKS / f"{name}.py").get("expect", "").split()
    return dict(pair.split("=", 1) for pair in pairs)


def _index(nb, grade_id: str) -> int:
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return i
    raise KeyError(grade_id)


def _with_added_cell(nb, code: str):
    nb = copy.deepcopy(nb)
    cell = nbformat.v4.new_code_cell(code)
    cell["id"] = "added-by-learner"
    nb.cells.insert(1, cell)
    return nb


def _with_code_in(nb, grade_id: str, code: str):
    nb = copy.deepcopy(nb)
    cell = nb.cells[_index(nb, grade_id)]
    cell.source = cell.source + "\n\n" + code
    return nb


def _hidden_fragments(spec) -> list[str]:
    """Hidden test lines and the string literals in them (assertion messages included)."""
    fragments = []
    for cell in spec.grade_cells:
        if HIDDEN_BEGIN not in cell.source:
            continue
        body = cell.source.split(HIDDEN_BEGIN, 1)[1].split(HIDDEN_END, 1)[0]
        fragments += [line.strip() for line in body.splitlines() if len(line.strip()) > 8]
        for node in ast.walk(ast.parse(body)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.strip()
                if len(text) >= 8:
                    fragments.append(text)
    return fragments


def _shared_dir(tmp_path_factory) -> Path:
    """A directory all xdist workers of this session share (the session's own without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _run_batch(tmp: Path) -> dict:
    """Grade every variant once; everything the tests look at afterwards, as JSON data."""
    course_root = tmp / "course"
    shutil.copytree(FIXTURE, course_root)
    shutil.copy(ROOT / "nbgrader_config.py", course_root / "nbgrader_config.py")
    course = find_course(course_root)
    spec = load_lab(course, LAB)
    reference = make_submission(spec, reference_solutions(spec))
    released = make_submission(spec)
    HOST_TMP_MARKER.unlink(missing_ok=True)
    listener = _Listener()

    variants = {}
    for name in CELL_ATTACKS:
        code = _attack_code(name, course_root, listener.port)
        variants[(name, "added")] = _with_added_cell(released, code)
        variants[(name, "solution")] = _with_code_in(released, "task1-solution", code)
        variants[(name, "reference-added")] = _with_added_cell(reference, code)
        if name in ROBUSTNESS:
            variants[(name, "reference-solution")] = _with_code_in(
                reference, "task2-solution", code
            )
    for name in NOTEBOOK_ATTACKS:
        edit = _edit_fn(name)
        for base, nb in (("released", released), ("reference", reference)):
            nb = copy.deepcopy(nb)
            edit(nb)
            variants[(name, base)] = nb
    submitted = tmp / "submitted"
    for (name, variant), nb in variants.items():
        target = submitted / f"{name}--{variant}" / LAB / f"{LAB}.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(write_notebook_text(nb))

    before = {
        "solutions": _tree_hash(course.solutions),
        "repo_solutions_pwned": (ROOT / "solutions" / "pwned.txt").exists(),
    }
    options = GradeOptions(
        judge=JudgeOptions(cell_timeout=5.0, notebook_timeout=90.0),
        workers=2,
        gradebook=True,
    )
    try:
        outcomes = list(grade_paths(course, [submitted], options))
    finally:
        listener.close()
    return {
        "course_root": str(course_root),
        "grader_pid": os.getpid(),
        "errors": [o.error for o in outcomes if o.error is not None],
        "results": {o.result["learner"]: o.result for o in outcomes if o.result is not None},
        "connections": listener.connections,
        "before": before,
        "expected_count": len(variants),
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The graded corpus, computed once per test session even across xdist workers.

    (pytest-xdist's loadgroup does not keep a group on one worker with pytest 9, so the first
    worker to get here grades the corpus under a file lock and the others read its results.)
    """
    problem = bwrap_problem()
    if problem is not None:
        pytest.fail(
            f"the attack corpus needs the bubblewrap sandbox: {problem}. "
            "Install it (Debian/Ubuntu: apt-get install bubblewrap); .ci/run does."
        )
    shared = _shared_dir(tmp_path_factory) / "infralab-attacks"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "batch.json"
        if not done.exists():
            data = _run_batch(shared)
            done.write_text(json.dumps(data))
        data = json.loads(done.read_text())
    assert data["errors"] == [], data["errors"]
    course = find_course(data["course_root"])
    results = {tuple(k.split("--", 1)): r for k, r in data["results"].items()}
    return {**data, "course": course, "spec": load_lab(course, LAB), "results": results}


def test_every_variant_has_a_result(batch):
    """The grader survived the whole corpus and lost no result."""
    assert len(batch["results"]) == batch["expected_count"]
    for result in batch["results"].values():
        assert result["sandbox"]["kind"] == "bubblewrap"
        assert result["sandbox"]["missing"] == [] or os.geteuid() != 0


@pytest.mark.parametrize("attack", CELL_ATTACKS)
def test_released_plus_attack_in_added_cell_scores_zero(batch, attack):
    result = batch["results"][(attack, "added")]
    assert result["score"] == 0, result["tasks"]
    assert "extra cells run: 1" in result["flags"]


@pytest.mark.parametrize("attack", CELL_ATTACKS)
def test_released_plus_attack_in_solution_cell_scores_zero(batch, attack):
    result = batch["results"][(attack, "solution")]
    assert result["score"] == 0, result["tasks"]


# Added cells run in the worker (one verdict with `infralab check`), so an attack there can
# sabotage the learner's OWN later cells: an input transformer that blanks every cell blanks
# their solutions too, and the judge sees no solution at all. It can only lose points.
SELF_SABOTAGE = {"input_transformer_blank"}


@pytest.mark.parametrize("attack", CELL_ATTACKS)
def test_reference_keeps_full_marks_with_added_attack(batch, attack):
    result = batch["results"][(attack, "reference-added")]
    if attack in SELF_SABOTAGE:
        assert result["score"] == 0, result["tasks"]
        return
    assert result["score"] == result["max_score"] == batch["spec"].max_score, result["tasks"]
    assert "extra cells run: 1" in result["flags"]


@pytest.mark.parametrize("attack", sorted(ROBUSTNESS))
def test_crash_or_exhaustion_costs_only_the_task_it_touches(batch, attack):
    result = batch["results"][(attack, "reference-solution")]
    by_task = {}
    for t in result["tasks"]:
        by_task.setdefault(t["task"], []).append(t)
    assert all(t["status"] == "pass" for t in by_task["task1"]), result["tasks"]
    assert all(t["status"] in {"pass", "fail", "error", "timeout"} for t in by_task["task2"])


def test_hanging_and_crashing_cells_are_reported(batch):
    loop = batch["results"][("infinite_loop", "reference-solution")]
    assert any("task2-solution timed out" in f for f in loop["flags"]), loop["flags"]
    crash = batch["results"][("segfault", "reference-solution")]
    assert any("task2-solution" in f and "SIGSEGV" in f for f in crash["flags"]), crash["flags"]


@pytest.mark.parametrize("attack", NOTEBOOK_ATTACKS)
def test_notebook_edit_on_released_scores_zero(batch, attack):
    assert batch["results"][(attack, "released")]["score"] == 0


@pytest.mark.parametrize("attack", NOTEBOOK_ATTACKS)
def test_notebook_edit_costs_exactly_the_edited_cells(batch, attack):
    result = batch["results"][(attack, "reference")]
    expected = _expected(attack)
    for task in result["tasks"]:
        want = expected.get(task["grade_id"], "pass")
        assert task["status"] == want, (task, result["flags"])
        assert task["points"] == (task["max_points"] if want == "pass" else 0)
        if want != "pass":
            assert any(task["grade_id"] in f or task["task"] in f for f in result["flags"])
    assert result["max_score"] == batch["spec"].max_score
    assert result["score"] <= result["max_score"]


def test_no_connection_reached_the_host(batch):
    assert batch["connections"] == []


def test_course_and_host_files_unchanged(batch):
    course = batch["course"]
    assert _tree_hash(course.solutions) == batch["before"]["solutions"]
    assert not (course.solutions / "pwned.txt").exists()
    assert not (course.grader / "pwned.txt").exists()
    assert not HOST_TMP_MARKER.exists()
    assert (ROOT / "solutions" / "pwned.txt").exists() == batch["before"]["repo_solutions_pwned"]


def test_gradebooks_hold_only_the_graders_scores(batch):
    course = batch["course"]
    results = batch["results"]
    with sqlite3.connect(course.gradebook) as db:
        rows = db.execute(
            "SELECT student.id, SUM(grade.auto_score) FROM grade "
            "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
            "JOIN student ON submitted_assignment.student_id = student.id GROUP BY student.id"
        ).fetchall()
    scores = {learner: score for learner, score in rows}
    assert len(scores) == len(results)
    for (name, variant), result in results.items():
        assert scores[f"{name}--{variant}"] == pytest.approx(result["score"])
    real = ROOT / "grader" / "gradebook.db"
    if real.exists():
        with sqlite3.connect(f"file:{real}?mode=ro", uri=True) as db:
            assert db.execute("SELECT COUNT(*) FROM grade WHERE auto_score >= 1000").fetchone() == (
                0,
            )


def test_read_solutions_found_nothing(batch):
    """The sandbox hides the source notebooks: the attack that execs the reference fails."""
    result = batch["results"][("read_solutions", "added")]
    assert result["score"] == 0
    result = batch["results"][("read_solutions", "solution")]
    assert all(t["status"] == "fail" for t in result["tasks"]), result["tasks"]


def test_no_sandbox_process_left(batch):
    leftovers = []
    grader = batch["grader_pid"]
    uids = worker_uid_range(grader)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if os.geteuid() == 0 and entry.stat().st_uid in uids:
                leftovers.append(entry.name)
                continue
            environ = Path(f"/proc/{entry.name}/environ").read_bytes()
        except OSError:
            continue
        if f"INFRALAB_GRADER_PID={grader}".encode() in environ.split(b"\0"):
            leftovers.append(entry.name)
    assert leftovers == []


def test_no_hidden_test_text_in_any_result(batch):
    fragments = _hidden_fragments(batch["spec"])
    assert len(fragments) >= 6  # the check itself has something to look for
    for key, result in batch["results"].items():
        text = json.dumps(result)
        for fragment in fragments:
            assert fragment not in text, (key, fragment)
        for task in result["tasks"]:
            if task["hidden"]:
                assert set(task) == {
                    "grade_id", "task", "hidden", "points", "max_points", "status",
                }  # fmt: skip
