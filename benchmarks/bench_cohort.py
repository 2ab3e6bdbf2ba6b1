"""Cohort grading: `infralab grade --cluster local:2` (Dask) against `--workers 2` (threads).

Side by side in one run, on the same N submissions (default 200) of one lab (default the
fixture course's toy lab, which grades in about a second, so the engine's own cost is not
hidden behind long notebooks), the bubblewrap sandbox on, the gradebook off (its writes cost
the same in both modes), each run on a fresh copy of the course with its own ledger:

1. baseline: `infralab grade SUBMITTED --json --workers 2`;
2. Dask: `infralab grade SUBMITTED --json --cluster local:2` (a LocalCluster of 2 worker
   processes on 127.0.0.1, started and stopped by the command, included in its wall time).

The machine is shared, so load drifts during a run: the N submissions are graded in two
halves, in the order baseline, Dask, Dask, baseline, and each mode's figures are the sums of
its two halves. Besides wall time, the CPU time of each command and the processes it waited
for (the grader, its judges, Dask's scheduler, nannies and workers; the kernel's accounting
of waited-for children) is the engine's cost that contention does not change. The learner
code's CPU in the sandboxes is not counted there (the figures show it: a few CPU seconds for
a hundred gradings, whose processes bubblewrap starts in a pid namespace of their own); it is
the same in both modes by construction (same judge, same notebooks).

Prints wall and CPU times, throughputs, the ratios Dask/baseline (target: within 10%), the
mean time a submission spends in the judge from each ledger (for Dask that includes
scheduling and transfer), the grader's serial part per submission (intake and lab
recognition, ledger write), and a scale-out model from those figures. Checks that both modes
print the same JSON, byte for byte. Never asserts on time.

Run: `.venv/bin/python benchmarks/bench_cohort.py [--n 200] [--lab t0-toy]`.
"""

from __future__ import annotations

import argparse
import os
import resource
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
from infralab.grading._lab import load_lab, make_submission, reference_solutions  # noqa: E402
from infralab.grading.cohort import Ledger, LedgerKey  # noqa: E402
from infralab.grading.grade._grade import GradeOptions, Submission, prepare_submission  # noqa: E402
from infralab.grading.sandbox._sandbox import bwrap_problem  # noqa: E402

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


def _grade(course_root: Path, submitted: Path, mode: list[str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (the command and all it waited for), stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        sys.exit(f"grading failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, cpu, proc.stdout


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
        half = args.n // 2
        submitted = tmp / "submitted"
        _write_submissions(_course(tmp, "source-course", args.lab), args.lab, half, submitted)
        print(f"{2 * half} submissions of {args.lab} (two halves of {half}), {cores} cores, "
              "sandbox on, gradebook off")  # fmt: skip
        modes = {"base": ["--workers", "2"], "dask": ["--cluster", "local:2"]}
        wall = {"base": 0.0, "dask": 0.0}
        cpu = {"base": 0.0, "dask": 0.0}
        judged: dict[str, list[float]] = {"base": [], "dask": []}
        outputs: dict[str, str] = {}
        for i, mode in enumerate(("base", "dask", "dask", "base")):
            course = _course(tmp, f"course-{i}-{mode}", args.lab)
            w, c, out = _grade(course, submitted, modes[mode])
            wall[mode] += w
            cpu[mode] += c
            judged[mode] += _judge_seconds(course)
            outputs.setdefault(mode, out)
            shutil.rmtree(course)
            print(f"  run {i + 1} {modes[mode]}: {w:.1f} s wall, {c:.1f} s CPU", flush=True)
        same = outputs["base"] == outputs["dask"] and len(outputs["base"].splitlines()) == half
        # Dask's fixed cost (scheduler, nannies, workers starting and stopping): one submission
        # graded each way; the difference is startup plus one submission's share.
        one = tmp / "one"
        shutil.copytree(submitted / sorted(p.name for p in submitted.iterdir())[0],
                        one / "learner-000")  # fmt: skip
        fixed = {}
        for mode in ("base", "dask"):
            course = _course(tmp, f"course-one-{mode}", args.lab)
            fixed[mode] = _grade(course, one, modes[mode])[:2]
            shutil.rmtree(course)
        startup_wall = fixed["dask"][0] - fixed["base"][0]
        startup_cpu = fixed["dask"][1] - fixed["base"][1]
        prepare, write = _serial_part(_course(tmp, "serial-course", args.lab), submitted,
                                      args.lab, min(half, 50))  # fmt: skip
        n = 2 * half
        rows = [
            ("", "--workers 2 (baseline)", "--cluster local:2"),
            ("wall time, whole commands (s)", f"{wall['base']:.1f}", f"{wall['dask']:.1f}"),
            (
                "throughput (submissions/min)",
                f"{n / wall['base'] * 60:.1f}",
                f"{n / wall['dask'] * 60:.1f}",
            ),  # fmt: skip
            ("CPU outside the sandboxes (s)", f"{cpu['base']:.1f}", f"{cpu['dask']:.1f}"),
            ("  per submission (s)", f"{cpu['base'] / n:.3f}", f"{cpu['dask'] / n:.3f}"),
            (
                "mean time in the judge (s)",
                f"{statistics.mean(judged['base']):.2f}",
                f"{statistics.mean(judged['dask']):.2f}",
            ),  # fmt: skip
        ]
        width = max(len(r[0]) for r in rows)
        for label, a, b in rows:
            print(f"  {label:<{width}}  {a:>22}  {b:>18}")
        for what, figures in (("wall", wall), ("CPU outside the sandboxes", cpu)):
            ratio = figures["dask"] / figures["base"]
            print(f"ratio Dask / baseline, {what}: {ratio:.3f} ({(ratio - 1) * 100:+.1f}%)")
        engine_cpu = (cpu["dask"] - cpu["base"] - 2 * startup_cpu) / n
        print(f"Dask's fixed cost per command (start and stop a LocalCluster of 2): "
              f"{startup_wall:.1f} s wall, {startup_cpu:.1f} s CPU")  # fmt: skip
        print(f"Dask's CPU per submission beyond that (scheduling, transfer, staging, "
              f"heartbeats): {engine_cpu:+.3f} s")  # fmt: skip
        # Model: a lab whose grading takes J core-seconds per submission; Dask adds its
        # startup once per command and engine_cpu per submission.
        for label, j in (("1 s (the toy lab, idle machine)", 1.0),
                         ("2.5 s (00-orientation)", 2.5), ("35 s (a1-topologies)", 35.0)):  # fmt: skip
            model = 1 + (startup_cpu / n + max(engine_cpu, 0.0)) / j
            print(f"  model, {n} submissions of J = {label}: Dask/baseline = {model:.3f}")
        print(f"grader's serial part per submission: intake and lab {prepare * 1000:.1f} ms, "
              f"ledger write (SQLite WAL, synchronous=FULL) {write * 1000:.1f} ms")  # fmt: skip
        print(f"same JSON from both modes, byte for byte: {same}")

        # Scale-out model: W single-threaded workers, each on a core of its own, keep W
        # gradings in flight; the grader's serial part (intake, ledger write) caps the rate.
        judge = 1.0 + max(engine_cpu, 0.0)  # the toy lab's ~1 s plus Dask's share per task
        serial = prepare + write
        print(
            "scale-out model (W workers, one core each): throughput = "
            "min(W / judge, 1 / serial) per second"
        )
        print(
            f"  judge = {judge:.2f} s of a core per submission (1 s of grading, assumed, "
            f"plus Dask's measured share), serial = {serial * 1000:.1f} ms (measured)"
        )
        print(f"  share of a worker's time outside grading (Dask's CPU): "
              f"{max(engine_cpu, 0.0) / judge:.1%}")  # fmt: skip
        for w in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512):
            rate = min(w / judge, 1 / serial)
            capped = "  (capped by the grader's serial part)" if w / judge >= 1 / serial else ""
            print(f"  W={w:>3}: {rate * 60:8.0f} submissions/min{capped}")
        if not same:
            sys.exit("the two modes printed different results")


if __name__ == "__main__":
    main()
