"""Safe intake of submissions (issue 21, items 3 and 4): one test per red-team attack class.

Each learner folder of one submissions root holds one attack; a good neighbour (alice) and a
released notebook (bob) sit next to them. The honest result: the attacked submission gets a
learner-input error (exit 2, never 3, never a traceback), the others are graded as their own,
and no host file content (a root-only secret, the hidden tests) reaches any output.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from infralab.grading._course import Course, find_course, write_notebook_text
from infralab.grading._lab import load_lab, make_submission, reference_solutions
from infralab.grading.cli import main
from infralab.grading.grade import _grade, _intake
from infralab.grading.grade._grade import GradeOptions, Submission, find_submissions, grade_paths
from infralab.grading.grade._intake import CELL_SOURCE_MAX_BYTES, NOTEBOOK_MAX_BYTES, display
from infralab.grading.grade._judge import JudgeOptions
from infralab.grading.sandbox._sandbox import bwrap_problem

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "course"
LAB = "t0-toy"
SECRET = "HOST-SECRET-7f3a9c"  # in a root-only host file that learners link to
HIDDEN = "### BEGIN HIDDEN TESTS"  # hidden test source must never come out either

pytestmark = [pytest.mark.slow, pytest.mark.needs_bwrap]


def _course(tmp: Path) -> Course:
    root = tmp / "course"
    shutil.copytree(FIXTURE, root)
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return find_course(root)


def _write(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(write_notebook_text(nb))
    return path


def _options(**kw) -> GradeOptions:
    return GradeOptions(judge=JudgeOptions(cell_timeout=30.0, notebook_timeout=120.0), **kw)


def _run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _no_leak(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text
        assert HIDDEN not in text
        assert "wrong means" not in text  # a hidden test's assertion message
        text.encode("utf-8")  # valid UTF-8: no lone surrogates


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One submissions root with every attack, graded once through the command line."""
    problem = bwrap_problem()
    if problem is not None:
        pytest.fail(f"needs the bubblewrap sandbox: {problem} (apt-get install bubblewrap)")
    tmp = tmp_path_factory.mktemp("intake")
    course = _course(tmp)
    spec = load_lab(course, LAB)
    reference = make_submission(spec, reference_solutions(spec))
    released = make_submission(spec)
    host = tmp / "host"
    host.mkdir()
    secret = host / "secret.ipynb"
    secret.write_text(json.dumps({"cells": [], "metadata": {"s": SECRET}, "nbformat": 4}))
    secret.chmod(0o600)  # root-only when the grader is root (CI): a hard link must not help
    fifo = host / "fifo"
    os.mkfifo(fifo)

    root = tmp / "submitted"
    nb_of = lambda learner: root / learner / LAB / f"{LAB}.ipynb"  # noqa: E731
    _write(nb_of("alice"), reference)
    (root / "alice" / LAB / "notes.txt").write_text("alice's notes")
    (root / "alice" / LAB / "evil.ipynb").symlink_to(course.solutions / LAB / f"{LAB}.ipynb")
    _write(nb_of("bob"), released)
    # symlinks: to the source notebook with the hidden tests, to another learner's notebook
    nb_of("sol_link").parent.mkdir(parents=True)
    nb_of("sol_link").symlink_to(course.solutions / LAB / f"{LAB}.ipynb")
    nb_of("peer_link").parent.mkdir(parents=True)
    nb_of("peer_link").symlink_to(nb_of("alice"))
    # a hard link to a root-only host file, as the notebook and as an extra file
    nb_of("hard_link").parent.mkdir(parents=True)
    os.link(secret, nb_of("hard_link"))
    _write(nb_of("hard_extra"), reference)
    os.link(secret, nb_of("hard_extra").parent / "data.txt")
    # a directory symlink: the lab dir is the course's solutions/<lab>/
    (root / "dir_link").mkdir()
    (root / "dir_link" / LAB).symlink_to(course.solutions / LAB, target_is_directory=True)
    # a broken symlink, a symlink to a FIFO, a FIFO
    nb_of("broken").parent.mkdir(parents=True)
    nb_of("broken").symlink_to(host / "gone.ipynb")
    nb_of("fifo_link").parent.mkdir(parents=True)
    nb_of("fifo_link").symlink_to(fifo)
    nb_of("fifo").parent.mkdir(parents=True)
    os.mkfifo(nb_of("fifo"))
    # over the caps: the notebook (20 MiB), one cell's source (1 MiB)
    big = copy.deepcopy(reference)
    big.metadata["padding"] = "x" * (NOTEBOOK_MAX_BYTES + 1024)
    _write(nb_of("big"), big)
    bigcell = make_submission(
        spec,
        {
            **reference_solutions(spec),
            "task1-solution": reference_solutions(spec)["task1-solution"]
            + "\n# "
            + "y" * (CELL_SOURCE_MAX_BYTES + 10)
            + "\n",
        },
    )
    _write(nb_of("bigcell"), bigcell)
    # strays at the root: a notebook named after a learner, and another one
    _write(root / "alice.ipynb", released)
    _write(root / "zed.ipynb", reference)
    # two notebooks of one lab in carol's folder (which counts?); a notebook named after
    # alice alone in erin's folder; metadata naming alice in dave's
    _write(nb_of("carol"), released)
    _write(root / "carol" / LAB / "alice.ipynb", released)
    _write(root / "erin" / LAB / "alice.ipynb", released)
    claims = copy.deepcopy(released)
    claims.metadata.setdefault("infralab", {})["learner"] = "alice"
    _write(nb_of("dave"), claims)

    code, out, err = _run_cli(
        ["--course", str(course.root), "grade", str(root), "--json", "--workers", "2"]
    )
    results = [json.loads(line) for line in out.splitlines() if line.strip()]
    with sqlite3.connect(course.gradebook) as db:
        rows = db.execute(
            "SELECT student.id, SUM(grade.auto_score) FROM grade "
            "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = "
            "submitted_assignment.id "
            "JOIN student ON submitted_assignment.student_id = student.id GROUP BY student.id"
        ).fetchall()
    autograded = "".join(p.read_text() for p in (course.grader / "autograded").rglob("*.ipynb"))
    return {
        "code": code,
        "out": out,
        "err": err,
        "results": results,
        "by_learner": {r["learner"]: r for r in results},
        "gradebook": dict(rows),
        "autograded": autograded,
        "root": root,
        "course": course,
    }


def _error_for(batch, learner: str) -> str:
    lines = [line for line in batch["err"].splitlines() if f"/{learner}/" in line]
    assert lines, (learner, batch["err"])
    return "\n".join(lines)


def test_batch_exit_code_good_neighbours_and_no_leak(batch):
    assert batch["code"] == 2, batch["err"]  # learner input refused, no grader failure
    assert "Traceback" not in batch["err"]
    assert "grader error" not in batch["err"]
    alice = batch["by_learner"]["alice"]
    assert (alice["score"], alice["max_score"]) == (20.0, 20.0)
    assert batch["by_learner"]["bob"]["score"] == 0.0
    assert batch["gradebook"]["alice"] == 20.0
    _no_leak(batch["out"], batch["err"], batch["autograded"])
    assert "infralab grade: pass (6/6)" in batch["autograded"]  # written from the staged copy
    # only real learner folders got results; nothing recorded under a file stem
    assert set(batch["by_learner"]) == {"alice", "bob", "dave", "erin"}
    assert set(batch["gradebook"]) == {"alice", "bob", "dave", "erin"}


def test_symlink_to_solutions_is_refused(batch):
    err = _error_for(batch, "sol_link")
    assert "a symbolic link (not followed)" in err
    assert "sol_link" not in batch["by_learner"]


def test_symlinked_notebook_next_to_a_good_one_refuses_only_itself(batch):
    assert f"alice/{LAB}/evil.ipynb: a symbolic link (not followed)" in batch["err"]
    assert batch["by_learner"]["alice"]["score"] == 20.0


def test_symlink_to_another_learner_is_refused(batch):
    assert "a symbolic link (not followed)" in _error_for(batch, "peer_link")
    assert "peer_link" not in batch["by_learner"]


def test_hard_link_to_a_host_file_is_refused(batch):
    assert "a hard link" in _error_for(batch, "hard_link")
    extra = _error_for(batch, "hard_extra")
    assert "data.txt: a hard link" in extra  # an extra file refuses the submission too
    assert "hard_extra" not in batch["by_learner"]


def test_directory_symlink_is_not_followed(batch):
    assert "a symbolic link to a directory" in _error_for(batch, "dir_link")
    assert "dir_link" not in batch["by_learner"]


def test_broken_symlink_is_one_error_not_a_crash(batch):
    assert "a symbolic link (not followed)" in _error_for(batch, "broken")


def test_fifo_direct_and_through_a_symlink_never_hang(batch):
    assert "a FIFO, not a regular file" in _error_for(batch, "fifo")
    assert "a symbolic link (not followed)" in _error_for(batch, "fifo_link")


def test_oversize_notebook_is_learner_input(batch):
    assert "bytes, over the 20 MiB cap" in _error_for(batch, "big")


def test_oversize_cell_is_learner_input(batch):
    err = _error_for(batch, "bigcell")
    assert "cell 3: a source of 10" in err and "bytes, over the 1 MiB cap" in err


def test_stray_notebooks_at_the_root_change_nothing(batch):
    root = batch["root"]
    assert (
        f"{root / 'alice.ipynb'}: skipped: a notebook directly in the submissions root"
        in (batch["err"])
    )
    assert f"{root / 'zed.ipynb'}: skipped" in batch["err"]
    assert "zed" not in batch["by_learner"] and "zed" not in batch["gradebook"]
    assert batch["by_learner"]["alice"]["notebook"].endswith(f"alice/{LAB}/{LAB}.ipynb")


def test_two_notebooks_of_one_lab_are_refused_not_one_chosen(batch):
    err = _error_for(batch, "carol")
    assert err.count("handed in 2 notebooks for lab t0-toy; none is graded") == 2, err
    assert "carol" not in batch["by_learner"] and "carol" not in batch["gradebook"]


def test_notebook_named_after_another_learner_is_flagged_not_recorded_as_them(batch):
    erin = [r for r in batch["results"] if r["learner"] == "erin"]
    assert len(erin) == 1 and erin[0]["notebook"].endswith("alice.ipynb")
    assert any(
        f.startswith("learner mismatch: the file name says 'alice'") for f in erin[0]["flags"]
    )
    assert [r["notebook"] for r in batch["results"] if r["learner"] == "alice"] == [
        str(batch["root"] / "alice" / LAB / f"{LAB}.ipynb")
    ]
    assert batch["gradebook"]["alice"] == 20.0  # never overwritten by carol's file
    dave = batch["by_learner"]["dave"]
    assert any("learner mismatch: the notebook's metadata says 'alice'" in f for f in dave["flags"])


def test_extra_files_are_copies_in_a_grader_owned_staging_dir(batch):
    course = batch["course"]
    [sub] = [
        s
        for s in find_submissions(course, [batch["root"] / "alice"], GradeOptions())
        if isinstance(s, Submission) and s.parts[-1] == f"{LAB}.ipynb"
    ]
    staged = _intake.take_in(sub.base, sub.parts, str(sub.path), _intake.IntakeLimits(),
                             with_folder=True)  # fmt: skip
    try:
        assert sorted(staged.files) == ["notes.txt", f"{LAB}.ipynb"]
        for path in staged.files.values():
            assert path.is_relative_to(staged.staging)
            assert not path.is_symlink() and path.stat().st_nlink == 1
        assert (staged.staging.stat().st_mode & 0o077) == 0
        assert staged.files["notes.txt"].read_text() == "alice's notes"
    finally:
        staged.cleanup()
    assert not staged.staging.exists()


# ------------------------------------------------------------------ races (swap after discovery)
def test_file_swapped_for_a_symlink_after_discovery_is_refused(tmp_path, monkeypatch, sandbox):
    course = _course(tmp_path)
    spec = load_lab(course, LAB)
    root = tmp_path / "submitted"
    target = _write(root / "mallory" / LAB / f"{LAB}.ipynb", make_submission(spec))
    _write(root / "alice" / LAB / f"{LAB}.ipynb", make_submission(spec))
    real_find = _grade.find_submissions

    def find_then_swap(*args, **kwargs):
        found = real_find(*args, **kwargs)
        target.unlink()  # the learner swaps the checked file for a link to the hidden tests
        target.symlink_to(course.solutions / LAB / f"{LAB}.ipynb")
        return found

    monkeypatch.setattr(_grade, "find_submissions", find_then_swap)
    outcomes = list(grade_paths(course, [root], _options(gradebook=False)))
    by_path = {str(o.path): o for o in outcomes}
    bad = by_path[str(target)]
    assert bad.result is None and not bad.grader_fault
    assert "a symbolic link (not followed)" in bad.error
    good = by_path[str(root / "alice" / LAB / f"{LAB}.ipynb")]
    assert good.result is not None and good.result["learner"] == "alice"
    _no_leak(json.dumps(good.result), bad.error)


def test_directory_swapped_for_a_symlink_after_discovery_is_refused(tmp_path, monkeypatch):
    course = _course(tmp_path)
    spec = load_lab(course, LAB)
    root = tmp_path / "submitted"
    lab_dir = _write(root / "mallory" / LAB / f"{LAB}.ipynb", make_submission(spec)).parent
    real_find = _grade.find_submissions

    def find_then_swap(*args, **kwargs):
        found = real_find(*args, **kwargs)
        shutil.rmtree(lab_dir)
        lab_dir.symlink_to(course.solutions / LAB, target_is_directory=True)
        return found

    monkeypatch.setattr(_grade, "find_submissions", find_then_swap)
    [bad] = list(grade_paths(course, [root], _options(gradebook=False)))
    assert bad.result is None and not bad.grader_fault
    assert "symbolic link" in bad.error or "not a directory" in bad.error


@pytest.mark.parametrize("swap_to", ["symlink", "fifo"])
def test_file_swapped_between_check_and_open_is_refused(tmp_path, monkeypatch, swap_to):
    course = _course(tmp_path)
    spec = load_lab(course, LAB)
    root = tmp_path / "submitted"
    target = _write(root / "mallory" / LAB / f"{LAB}.ipynb", make_submission(spec))

    def swap(dir_fd, name):
        if name == target.name and not target.is_symlink() and not target.is_fifo():
            target.unlink()
            if swap_to == "symlink":
                target.symlink_to(course.solutions / LAB / f"{LAB}.ipynb")
            else:
                os.mkfifo(target)

    monkeypatch.setattr(_intake, "_before_open", swap)
    [bad] = list(grade_paths(course, [root], _options(gradebook=False)))
    assert bad.result is None and not bad.grader_fault
    expected = "a symbolic link (not followed)" if swap_to == "symlink" else "a FIFO"
    assert expected in bad.error


# ------------------------------------------------------------------ names that are not UTF-8
@pytest.mark.parametrize("output", ["--json", "text"])
def test_non_utf8_folder_name_is_reported_safely(tmp_path, sandbox, output):
    course = _course(tmp_path)
    spec = load_lab(course, LAB)
    reference = make_submission(spec, reference_solutions(spec))
    root = tmp_path / "submitted"
    _write(root / "alice" / LAB / f"{LAB}.ipynb", reference)
    raw = os.fsencode(root) + b"/caf\xe9"
    os.makedirs(raw + b"/" + LAB.encode())
    with open(raw + b"/" + LAB.encode() + b"/" + LAB.encode() + b".ipynb", "w") as f:
        f.write(write_notebook_text(reference))
    odd_nb = os.fsencode(root) + b"/erin/" + LAB.encode() + b"/\xff\x1b[2J.ipynb"
    os.makedirs(os.path.dirname(odd_nb))
    with open(odd_nb, "w") as f:
        f.write(write_notebook_text(reference))
    argv = ["--course", str(course.root), "grade", str(root), "--no-gradebook"]
    if output == "--json":
        argv.append("--json")
    proc = subprocess.run(
        [sys.executable, "-m", "infralab.grading.cli", *argv],
        capture_output=True,
        timeout=300,
    )
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")  # strict: valid UTF-8
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    assert "caf\\xe9" in err and "not printable UTF-8 text" in err
    assert "\x1b" not in out + err  # no terminal escape reaches the output
    if output == "--json":
        results = {r["learner"]: r for r in map(json.loads, out.splitlines())}
        assert set(results) == {"alice", "erin"}
        assert results["erin"]["notebook"].endswith("/erin/t0-toy/\\xff\\x1b[2J.ipynb")
        assert results["erin"]["score"] == 20.0
    else:
        assert "alice t0-toy: 20/20" in out and "erin t0-toy: 20/20" in out


def test_display_escapes_any_byte_sequence():
    assert display(b"caf\xe9/\x00\n\x1b") == "caf\\xe9/\\x00\\x0a\\x1b"
    assert display("ok José") == "ok José"
    display(os.fsdecode(bytes(range(1, 256)))).encode("utf-8")


# ------------------------------------------------------------------ the course root
def test_grade_from_inside_a_learner_folder_never_uses_its_config(tmp_path, monkeypatch, sandbox):
    course = _course(tmp_path)
    spec = load_lab(course, LAB)
    mallory = tmp_path / "submitted" / "mallory"
    _write(mallory / LAB / f"{LAB}.ipynb", make_submission(spec))
    marker = tmp_path / "learner-config-ran"
    (mallory / "nbgrader_config.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    # the learner's own "course": a source whose tests pass the released notebook
    (mallory / "solutions" / LAB).mkdir(parents=True)
    (mallory / "solutions" / LAB / f"{LAB}.ipynb").write_text(
        write_notebook_text(make_submission(spec))
    )
    monkeypatch.chdir(mallory)
    monkeypatch.delenv("INFRALAB_COURSE", raising=False)
    assert find_course().root == mallory  # what `build`/`check` still do
    assert find_course(from_cwd=False).root == Path(_grade.__file__).resolve().parents[3]

    monkeypatch.setenv("INFRALAB_COURSE", str(course.root))
    code, out, err = _run_cli(["grade", ".", "--json"])
    assert code == 0, err
    [result] = [json.loads(line) for line in out.splitlines()]
    assert (result["learner"], result["score"]) == ("mallory", 0.0)
    assert not marker.exists()  # the learner's nbgrader_config.py never ran in the grader
    assert course.gradebook.exists() and not (mallory / "grader").exists()


@pytest.mark.parametrize("where", ["course-inside", "solutions", "grader"])
def test_submissions_path_overlapping_the_course_is_refused(tmp_path, where):
    course = _course(tmp_path)
    if where == "course-inside":
        path = tmp_path  # the course root lies inside this "submissions" path
    elif where == "solutions":
        path = course.solutions / LAB
    else:
        path = course.grader / "keys"
        path.mkdir(parents=True)
    code, out, err = _run_cli(["--course", str(course.root), "grade", str(path), "--json"])
    assert code == 2 and out == ""
    if where == "course-inside":
        assert "the course root" in err and "is inside this submissions path" in err
    else:
        assert f"inside the course's {where}/" in err
    assert not course.gradebook.exists()
