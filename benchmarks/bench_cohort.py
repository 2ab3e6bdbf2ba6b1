"""Cohort grading: `infralab grade --cluster local:2` (Dask) against `--workers 2` (threads).

Side by side in one run, on the same N submissions (default 200) of one lab (default the
fixture course's toy lab, which grades in about a second, so the engine's own cost is not
hidden behind long notebooks), each run on its own copy of the course with its own ledger,
the bubblewrap sandbox on, the gradebook off (its writes cost the same in both modes):

1. baseline: `infralab grade SUBMITTED --json --workers 2`;
2. Dask: `infralab grade SUBMITTED --json --cluster local:2` (a LocalCluster of 2 worker
   processes on 127.0.0.1, started and stopped by the command, included in its wall time).

Prints wall times, throughputs, the ratio Dask/baseline (target: within 10%), the mean
judging time per submission from each ledger (for Dask it includes scheduling and transfer),
and the per-submission cost of the grader's serial part (intake and lab recognition, ledger
write), then a scale-out model from those figures. Checks that both runs print the same
JSON, byte for byte. Never asserts on time.

Run: `.venv/bin/python benchmarks/bench_cohort.py [--n 200] [--lab t0-toy]`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infralab.grading._course import find_course, write_notebook_text  # noqa: E402
from infralab.grading._grade import GradeOptions, Submission, prepare_submission  # noqa: E402
from infralab.grading._lab import load_lab, make_submission, reference_solutions  # noqa: E402
from infralab.grading._sandbox import bwrap_problem  # noqa: E402
from infralab.grading.cohort import Ledger, LedgerKey  # noqa: E402

INFRALAB = str(Path(sys.executable).parent / "infralab")


def _course(tmp: Path, name: str, lab: str) -> Path:
    src = ROOT / "tests" / "fixtures" / "course" if lab == "t0-toy" else ROOT
    dest = tmp / name
    if lab == "t0-toy":
        shutil.copytree(src, dest)
        shutil.copy(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    else:  # a real lab: only what grading reads
        dest.mkdir()
        for part in ("solutions", "nbgrader_config.py", "datasets"):
            if (src / part).is_dir():
                shutil.copytree(src / part, dest / part, symlinks=True)
            elif (src / part).exists():
                shutil.copy(src / part, dest / part)
    return dest


def _write_submissions(course_root: Path, lab: str, n: int, out: Path) -> None:
    spec = load_lab(find_course(course_root), lab)
    ref = reference_solutions(spec)
    ids = sorted(ref)
    kinds = [ref, {}, *({gid: ref[gid]} for gid in ids)]
    for i in range(n):
        code = {gid: f"# learner {i}\n{src}" for gid, src in kinds[i % len(kinds)].items()}
        path = out / f"learner-{i:03d}" / lab / f"{lab}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(write_notebook_text(make_submission(spec, code)))


def _grade(course_root: Path, submitted: Path, mode: list[str]) -> tuple[float, str, str]:
    t0 = time.monotonic()
    proc = subprocess.run(
        [
            INFRALAB,
            "--course",
            str(course_root),
            "grade",
            str(submitted),
            "--json",
            "--no-gradebook",
            *mode,
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - t0
    if proc.returncode != 0:
        sys.exit(f"grading failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, proc.stdout, proc.stderr


def _judge_seconds(course_root: Path) -> list[float]:
    with Ledger(f"sqlite:///{course_root / 'grader' / 'ledger.db'}") as ledger:
        return [e.grading_seconds for e in ledger.entries() if e.grading_seconds is not None]


def _serial_part(course_root: Path, submitted: Path, lab: str, n: int) -> tuple[float, float]:
    """Seconds per submission of the grader's main-thread work: intake+lab, ledger write."""
    course = find_course(course_root)
    options = GradeOptions()
    learners = sorted(p.name for p in submitted.iterdir())[:n]
    t0 = time.perf_counter()
    for learner in learners:
        base = submitted / learner / lab
        sub = Submission(base / f"{lab}.ipynb", learner, lab, base, (f"{lab}.ipynb",), True)
        prepare_submission(course, sub, options).intake.cleanup()
    prepare = (time.perf_counter() - t0) / len(learners)
    with tempfile.TemporaryDirectory() as tmp, Ledger(f"sqlite:///{tmp}/bench.db") as ledger:
        t0 = time.perf_counter()
        for i in range(len(learners)):
            key = LedgerKey(f"l{i}", lab, "a" * 64, "b" * 64, "0", 0, "c" * 64)
            ledger.record(key, {"score": 1.0, "tasks": [], "flags": []})
        write = (time.perf_counter() - t0) / len(learners)
    return prepare, write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--lab", default="t0-toy")
    args = parser.parse_args()
    problem = bwrap_problem()
    if problem:
        sys.exit(f"needs bubblewrap: {problem}")
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench-cohort-") as tmp_name:
        tmp = Path(tmp_name)
        base_course = _course(tmp, "threads-course", args.lab)
        dask_course = _course(tmp, "dask-course", args.lab)
        submitted = tmp / "submitted"
        _write_submissions(base_course, args.lab, args.n, submitted)
        print(f"{args.n} submissions of {args.lab}, {cores} cores, sandbox on, gradebook off")

        base_wall, base_out, base_err = _grade(base_course, submitted, ["--workers", "2"])
        dask_wall, dask_out, dask_err = _grade(dask_course, submitted, ["--cluster", "local:2"])
        same = base_out == dask_out and len(base_out.splitlines()) == args.n

        def inner(err: str) -> float:  # the summary's seconds: grading only, no startup
            m = re.search(r"; ([0-9.]+) s, [0-9.]+ graded/min", err)
            return float(m.group(1)) if m else float("nan")

        base_judge = _judge_seconds(base_course)
        dask_judge = _judge_seconds(dask_course)
        prepare, write = _serial_part(base_course, submitted, args.lab, min(args.n, 50))

        rows = [
            ("", "--workers 2 (baseline)", "--cluster local:2"),
            ("wall time, whole command (s)", f"{base_wall:.1f}", f"{dask_wall:.1f}"),
            ("grading loop only (s)", f"{inner(base_err):.1f}", f"{inner(dask_err):.1f}"),
            (
                "throughput (submissions/min)",
                f"{args.n / base_wall * 60:.1f}",
                f"{args.n / dask_wall * 60:.1f}",
            ),  # fmt: skip
            (
                "mean judging per submission (s)",
                f"{statistics.mean(base_judge):.2f}",
                f"{statistics.mean(dask_judge):.2f}",
            ),  # fmt: skip
        ]
        width = max(len(r[0]) for r in rows)
        for label, a, b in rows:
            print(f"  {label:<{width}}  {a:>22}  {b:>18}")
        ratio = dask_wall / base_wall
        loop_ratio = inner(dask_err) / inner(base_err)
        print(f"ratio Dask / baseline, whole command: {ratio:.3f} ({(ratio - 1) * 100:+.1f}%)")
        print(f"ratio Dask / baseline, grading loop:  {loop_ratio:.3f} "
              f"({(loop_ratio - 1) * 100:+.1f}%)")  # fmt: skip
        engine = statistics.mean(dask_judge) - statistics.mean(base_judge)
        print(f"Dask cost per submission (scheduling, transfer, worker staging): {engine:+.3f} s")
        print(
            f"grader's serial part per submission: intake and lab {prepare * 1000:.1f} ms, "
            f"ledger write (SQLite WAL, synchronous=FULL) {write * 1000:.1f} ms"
        )
        print(f"same JSON from both runs, byte for byte: {same}")

        # Scale-out model: W single-threaded workers, each on a core of its own, keep W
        # gradings in flight; the grader's serial part (intake, ledger write) caps the rate.
        judge = statistics.mean(dask_judge)
        serial = prepare + write
        print(
            "scale-out model (W workers, one core each): throughput = "
            "min(W / judge, 1 / serial) per second"
        )
        print(f"  judge = {judge:.2f} s (measured, Dask), serial = {serial * 1000:.1f} ms")
        print(f"  share of a worker's time outside grading (Dask's cost): {engine / judge:.1%}")
        for w in (1, 2, 4, 8, 16, 32, 64, 128, 256):
            rate = min(w / judge, 1 / serial)
            capped = "  (capped by the grader's serial part)" if w / judge >= 1 / serial else ""
            print(f"  W={w:>3}: {rate * 60:8.0f} submissions/min{capped}")
        if not same:
            sys.exit("the two runs printed different results")


if __name__ == "__main__":
    main()
