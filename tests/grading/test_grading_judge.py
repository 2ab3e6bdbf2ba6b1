"""The judge and the sandbox: isolation, restarts, time limits, determinism, the fallback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import infralab
from infralab.grading._course import CourseError, write_notebook_text
from infralab.grading._lab import make_submission, reference_solutions
from infralab.grading.grade._grade import default_options, grade_notebook
from infralab.grading.sandbox._sandbox import SandboxConfig, Worker

pytestmark = pytest.mark.slow

MEAN_OK = (
    "def mean(xs):\n    if not xs:\n        raise ValueError()\n    return sum(xs) / len(xs)\n"
)


@pytest.mark.needs_bwrap
def test_worker_sees_only_its_own_submission(sandbox, course, tmp_path):
    note = tmp_path / "mine.ipynb"
    note.write_text("{}")
    secret = course.grader / "keys" / "signing.key"
    secret.parent.mkdir(parents=True)
    secret.write_text("secret")
    with Worker(SandboxConfig(), {"mine.ipynb": note}) as worker:
        worker.start(60)
        run = worker.request({"op": "run", "code": "import os, sys, socket"}, 30)
        assert run["ok"] is True
        probe = worker.request(
            {
                "op": "probe",
                "code": (
                    f"[os.getuid(), os.getcwd(), sorted(os.listdir('.')), "
                    f"os.path.exists({str(course.solutions)!r}), os.path.exists({str(secret)!r}),"
                    f" os.path.exists({str(course.root)!r}), sorted(os.listdir('/tmp')),"
                    f" os.access(sys.prefix, os.W_OK)]"
                ),
            },
            30,
        )
    uid, cwd, files, solutions, key, root, tmp, venv_writable = json.loads(probe["json"])
    assert cwd == "/home/learner" and files == ["mine.ipynb"]
    assert (solutions, key, root, venv_writable) == (False, False, False, False)
    # A private /tmp: none of the host's files. When the course itself is checked out under
    # /tmp (CI clones), the read-only binds of its package and venv need their parent dirs.
    pkg = Path(infralab.__file__).resolve().parent
    stubs = {pkg.parts[2]} if pkg.parts[1] == "tmp" else set()
    assert set(tmp) <= {".ipython", ".mpl"} | stubs
    if os.geteuid() == 0:
        assert uid != 0


def test_grading_without_bubblewrap_still_works_and_says_so(course, reference):
    options = default_options(sandbox=SandboxConfig(use_bwrap=False), cell_timeout=30)
    result = grade_notebook(course, reference, options=options)
    assert result["score"] == result["max_score"] == 20
    assert result["sandbox"]["kind"] == "none"
    assert result["sandbox"]["network_isolated"] is False
    assert any(
        f.startswith("sandbox: bubblewrap disabled: no network or filesystem isolation")
        for f in result["flags"]
    )


@pytest.mark.needs_bwrap
def test_worker_restarts_until_it_gives_up(sandbox, spec, course):
    # Every probe of task1 kills the worker: each grade cell errors, the judge restarts and
    # replays, and after max_restarts it stops trying.
    killer = "import os\n\ndef mean(xs):\n    os._exit(3)\n"
    nb = make_submission(spec, {"task1-solution": killer, "task2-solution": "x = 1\n"})
    options = default_options(cell_timeout=20, max_restarts=1)
    result = grade_notebook(course, nb, options=options)
    statuses = {t["grade_id"]: t["status"] for t in result["tasks"]}
    assert statuses["task1-visible"] == "error" and statuses["task1-hidden"] == "error"
    assert statuses["task2-visible"] == "error"  # no worker left to answer
    assert any("gave up" in f for f in result["flags"]), result["flags"]
    message = next(t for t in result["tasks"] if t["grade_id"] == "task1-visible")["message"]
    assert "exited with status 3" in message


@pytest.mark.needs_bwrap
def test_notebook_time_limit(sandbox, spec, course):
    slow = "import time\ntime.sleep(30)\n" + MEAN_OK
    nb = make_submission(spec, {"task1-solution": slow})
    options = default_options(cell_timeout=20, notebook_timeout=2)
    result = grade_notebook(course, nb, options=options)
    assert {t["status"] for t in result["tasks"]} == {"timeout"}
    assert "notebook time limit of 2s reached" in result["flags"]


@pytest.mark.needs_bwrap
def test_results_are_deterministic_and_hide_hidden_messages(sandbox, spec, course, tmp_path):
    wrong = "def count_words(text):\n    return {w: 1 for w in text.split()}\n"
    nb = make_submission(spec, {**reference_solutions(spec), "task2-solution": wrong})
    path = tmp_path / "t0-toy.ipynb"
    path.write_text(write_notebook_text(nb))
    first = grade_notebook(course, path)
    second = grade_notebook(course, path)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    by_id = {t["grade_id"]: t for t in first["tasks"]}
    assert by_id["task2-visible"]["status"] == "fail"
    assert "got {'to': 1" in by_id["task2-visible"]["message"]
    assert by_id["task2-hidden"]["status"] == "fail"
    assert "message" not in by_id["task2-hidden"]
    assert first["score"] == 10 + 0  # task1 full, task2 lost


@pytest.mark.needs_bwrap
def test_lab_recognised_without_metadata(sandbox, spec, course, reference):
    del reference.metadata["infralab"]
    assert grade_notebook(course, reference)["lab"] == "t0-toy"
    reference.cells = [c for c in reference.cells if "nbgrader" not in c.metadata]
    with pytest.raises(CourseError, match="cannot tell which lab"):
        grade_notebook(course, reference)


@pytest.mark.needs_bwrap
def test_display_magics_and_matplotlib_work_in_the_worker(sandbox, spec, course):
    code = (
        "%config InlineBackend.figure_format = 'png'\n"
        "import matplotlib.pyplot as plt\n"
        "from IPython.display import display\n"
        "plt.plot([1, 2])\n"
        "display(plt.gcf())\n"
        "_n = %time len([1, 2])\n" + MEAN_OK
    )
    nb = make_submission(spec, {**reference_solutions(spec), "task1-solution": code})
    result = grade_notebook(course, nb)
    assert result["score"] == 20, result
