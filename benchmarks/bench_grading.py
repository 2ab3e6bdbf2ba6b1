"""Grading throughput: `infralab grade --workers 2` (sandboxed) vs plain `nbgrader autograde`.

Side by side in one run, on the same 40 submissions of the orientation lab (references,
released notebooks and every mutant, round robin; the fixture course's toy lab until
solutions/00-orientation exists):

1. plain nbgrader: a temp nbgrader course, `nbgrader generate_assignment` then timed
   `nbgrader autograde` of all 40 (one kernel per notebook, sequential, as nbgrader does);
2. ours: a temp copy of the course, timed `infralab grade submitted --workers 2 --json`, the
   bubblewrap sandbox on, results recorded in the gradebook as in production;
3. raw execution: an nbclient run (python3 kernel) of a few of the same notebooks, one at a
   time, against grading each of them alone (sandbox, judge, probes), for the per-notebook
   overhead above raw execution.

Prints both times, the ratio (target >= 1.8x) and the overhead, and checks that both graders
agree on every score. Never asserts on time. Run: `.venv/bin/python benchmarks/bench_grading.py`
(or `make bench`); `--n 40 --workers 2 --sample 4` are the defaults.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infralab.grading._course import Course, find_course, write_notebook_text  # noqa: E402
from infralab.grading._lab import (  # noqa: E402
    load_lab,
    load_mutants,
    make_submission,
    reference_solutions,
)
from infralab.grading.sandbox._sandbox import SandboxConfig, bwrap_problem  # noqa: E402

BIN = Path(sys.executable).parent


def _pick_lab() -> tuple[Path, str]:
    if (ROOT / "solutions" / "00-orientation" / "00-orientation.ipynb").is_file():
        return ROOT, "00-orientation"
    return ROOT / "tests" / "fixtures" / "course", "t0-toy"


def _submissions(course: Course, lab: str, n: int) -> list[tuple[str, object]]:
    spec = load_lab(course, lab)
    reference = reference_solutions(spec)
    kinds = [("reference", make_submission(spec, reference)), ("released", make_submission(spec))]
    mutants_dir = course.root / "tests" / "mutants" / lab
    for m in load_mutants(mutants_dir, spec) if mutants_dir.is_dir() else []:
        kinds.append((f"mutant-{m.name}", make_submission(spec, {**reference, m.replaces: m.code})))
    return [(f"s{i:02d}-{kinds[i % len(kinds)][0]}", kinds[i % len(kinds)][1]) for i in range(n)]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # nbgrader shells out to alembic
    env.pop("INFRALAB_MODEL", None)
    return env


def _run(cmd: list[str], cwd: Path, stdout=subprocess.DEVNULL) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=_env(), check=True, stdout=stdout, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def _nbgrader(tmp: Path, source: Path, lab: str, subs) -> tuple[float, dict[str, float]]:
    root = tmp / "nbgrader-course"
    (root / "source" / lab).mkdir(parents=True)
    shutil.copy(source, root / "source" / lab / f"{lab}.ipynb")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root}/gradebook.db'\n"
        "c.ExecutePreprocessor.timeout = 120\n"
    )
    _run([str(BIN / "nbgrader"), "generate_assignment", lab, "--force"], root)
    for learner, nb in subs:
        path = root / "submitted" / learner / lab / f"{lab}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(write_notebook_text(nb))
    seconds = _run([str(BIN / "nbgrader"), "autograde", lab], root)
    _run([str(BIN / "nbgrader"), "export", "--to", str(root / "grades.csv")], root)
    with open(root / "grades.csv") as f:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    return seconds, scores


def _ours(tmp: Path, course_root: Path, lab: str, subs, workers: int, name: str):
    root = tmp / name
    (root / "solutions").mkdir(parents=True)
    shutil.copytree(course_root / "solutions" / lab, root / "solutions" / lab)
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    for learner, nb in subs:
        path = root / "grader" / "submitted" / learner / lab / f"{lab}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(write_notebook_text(nb))
    out = root / "results.jsonl"
    with open(out, "w") as f:
        seconds = _run(
            [str(BIN / "infralab"), "--course", str(root), "grade", str(root / "grader" / "submitted"),
             "--workers", str(workers), "--json"],
            root,
            stdout=f,
        )  # fmt: skip
    results = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return seconds, {r["learner"]: r["score"] for r in results}, results


def _overhead(course: Course, lab: str, tmp: Path, subs) -> tuple[float, float, float]:
    """Per notebook, one at a time: nbclient run (python3 kernel) vs in-process grading.

    Both after a warm-up, so neither pays a one-off start-up (nbgrader import, first kernel).
    """
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    from infralab.grading.grade._grade import default_options, grade_notebook

    def raw(nb) -> float:
        km = KernelManager(kernel_name="python3", transport="ipc", ip=str(tmp / "kernel"))
        start = time.perf_counter()
        try:
            NotebookClient(
                nbformat.from_dict(json.loads(json.dumps(nb))),
                km=km,
                timeout=120,
                allow_errors=True,
                resources={"metadata": {"path": str(tmp)}},
            ).execute()
        finally:
            if km.has_kernel:
                km.shutdown_kernel(now=True)
        return time.perf_counter() - start

    def graded(nb, sandbox: SandboxConfig) -> float:
        start = time.perf_counter()
        grade_notebook(course, nb, lab=lab, options=default_options(sandbox=sandbox))
        return time.perf_counter() - start

    bare = SandboxConfig(use_bwrap=False, drop_uid=False)
    raw(subs[0][1])
    graded(subs[0][1], SandboxConfig())
    t_raw = sum(raw(nb) for _, nb in subs)
    t_bare = sum(graded(nb, bare) for _, nb in subs)
    t_grade = sum(graded(nb, SandboxConfig()) for _, nb in subs)
    n = len(subs)
    return t_raw / n, t_bare / n, t_grade / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="submissions (40)")
    parser.add_argument("--workers", type=int, default=2, help="infralab grade --workers (2)")
    parser.add_argument("--sample", type=int, default=4, help="notebooks for the overhead (4)")
    args = parser.parse_args()

    problem = bwrap_problem()
    course_root, lab = _pick_lab()
    course = find_course(course_root)
    spec = load_lab(course, lab)
    subs = _submissions(course, lab, args.n)
    kinds = sorted({learner.split("-", 1)[1] for learner, _ in subs})
    print(f"lab {lab}: {args.n} submissions ({len(kinds)} kinds: reference, released, mutants)")
    print(f"sandbox: {'bubblewrap' if problem is None else problem}")

    with tempfile.TemporaryDirectory(prefix="infralab-bench-") as tmpdir:
        tmp = Path(tmpdir)
        t_nbgrader, nbgrader_scores = _nbgrader(tmp, spec.source_path, lab, subs)
        t_ours, our_scores, results = _ours(tmp, course_root, lab, subs, args.workers, "ours")
        sample = subs[: args.sample]
        raw_each, bare_each, grade_each = _overhead(course, lab, tmp, sample)

    disagree = [k for k in our_scores if abs(our_scores[k] - nbgrader_scores.get(k, -1)) > 1e-9]
    sandboxed = sum(r["sandbox"]["kind"] == "bubblewrap" for r in results)
    n = args.n
    print()
    print(f"{'':34} {'total':>9} {'per notebook':>13}")
    print(f"{'nbgrader autograde (sequential)':34} {t_nbgrader:8.1f}s {t_nbgrader / n:12.2f}s")
    label = f"infralab grade --workers {args.workers}"
    print(f"{label:34} {t_ours:8.1f}s {t_ours / n:12.2f}s")
    print(f"ratio: infralab grade is {t_nbgrader / t_ours:.2f}x faster (target >= 1.8x)")
    print()
    k = len(sample)
    print(f"per-notebook overhead above raw execution ({k} notebooks, one at a time, warm):")
    print(f"  nbclient run (python3 kernel)          {raw_each:6.2f}s per notebook")
    print(f"  judged, worker without sandbox         {bare_each:6.2f}s per notebook")
    print(f"  judged, worker in bubblewrap (default) {grade_each:6.2f}s per notebook")
    print(f"  overhead above raw execution           {grade_each - raw_each:+6.2f}s per notebook")
    print(f"  of which the sandbox                   {grade_each - bare_each:+6.2f}s per notebook")
    print()
    print(f"results: {len(results)}/{n} graded, {sandboxed} in the bubblewrap sandbox")
    print(f"scores agree with nbgrader on {n - len(disagree)}/{n} submissions")
    for key in disagree:
        print(f"  {key}: infralab {our_scores[key]:g}, nbgrader {nbgrader_scores.get(key)}")
    return 0 if not disagree and len(results) == n else 1


if __name__ == "__main__":
    sys.exit(main())
