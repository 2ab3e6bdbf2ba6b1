"""The ``infralab`` command: ``build``, ``check``, ``grade`` and ``validity``.

Exit codes: 0 done (whatever the scores), 1 ``build --check`` found stale labs, 2 unusable input
(the message names the file) or no sandbox (``check``/``grade`` without bubblewrap and without
``--no-sandbox``), 3 the grader itself failed on some submission (e.g. the sandbox did not
start). Other submissions are graded and printed either way. ``validity`` exits 1 when a task
is below ``--min-kill-rate`` or a listed equivalent mutant is stale (``--check-equivalents``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace

from infralab.grading._course import CourseError, find_course
from infralab.grading.certify import _cli as certify_cli
from infralab.grading.export import _cli as export_cli

__all__ = ["main"]

EXIT_OK = 0
EXIT_STALE = 1
EXIT_INPUT = 2
EXIT_PARTIAL = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="infralab",
        description="Agent Infra Lab course pipeline: build labs, check a notebook, grade.",
    )
    parser.add_argument(
        "--course",
        metavar="DIR",
        help="course root (default: $INFRALAB_COURSE, else the nearest nbgrader_config.py; "
        "for grade: else the checkout infralab runs from, never the current directory)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="regenerate labs/<lab>/ from solutions/<lab>/")
    p.add_argument("labs", nargs="*", metavar="LAB", help="labs to build (default: all)")
    p.add_argument(
        "--check",
        action="store_true",
        help="build into a temp dir and exit 1 naming every lab whose labs/ copy is stale",
    )

    p = sub.add_parser("check", help="run your notebook and report the visible tests per task")
    p.add_argument("notebook", metavar="NOTEBOOK")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--timeout", type=float, default=300.0, metavar="S", help="per-cell timeout (300)"
    )
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run your own notebook in a local Jupyter kernel instead of the bubblewrap sandbox",
    )

    p = sub.add_parser("grade", help="grade submissions against the hidden tests, sandboxed")
    p.add_argument(
        "submissions",
        nargs="+",
        metavar="SUBMISSION",
        help="a notebook, or a directory laid out <learner>/<lab>/<notebook>.ipynb",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per submission per line")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="parallel sandboxes (1)")
    p.add_argument("--lab", help="grade every notebook as this lab (default: recognise it)")
    p.add_argument(
        "--learner",
        help="learner id for a single notebook (default: a folder name: <learner> in "
        "<learner>/<lab>/<notebook>.ipynb, so 'labs' for labs/<lab>/<lab>.ipynb; else the "
        "notebook's own folder)",
    )
    p.add_argument(
        "--cell-timeout", type=float, default=None, metavar="S", help="per-cell timeout (60)"
    )
    p.add_argument(
        "--notebook-timeout",
        type=float,
        default=None,
        metavar="S",
        help="per-notebook timeout (600)",
    )
    p.add_argument(
        "--no-gradebook",
        action="store_true",
        help="do not record the results in grader/gradebook.db",
    )
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="grade without bubblewrap: no network, filesystem or process isolation "
        "(recorded with every result)",
    )

    p.add_argument(
        "--certification",
        action="store_true",
        help="certification grading: hidden inputs drawn from a seed bound to the candidate, "
        "lab and attempt; only hidden tests count; results kept in grader/results/ for "
        "`infralab certify`; never without the sandbox",
    )
    p.add_argument(
        "--variant-key",
        metavar="FILE",
        default=None,
        help="the secret key variant seeds derive from (default grader/keys/variant.key; "
        "created by `infralab keys init`)",
    )
    p.add_argument("--attempt", type=int, default=1, metavar="N", help="attempt number (1)")
    p.add_argument("--results", metavar="DIR", default=None, help="where certification results go")
    _cohort_args(p)

    p = sub.add_parser("validity", help="mutation score of a lab's tests, per task (--mutate)")
    _validity_args(p)
    certify_cli.add_parsers(sub)  # certify, verify, revoke, keys (exit codes in certify/_cli.py)
    export_cli.add_parser(sub)  # export: CSV, Gradescope, feedback, report (docs/cohorts.md)
    return parser


def _cohort_args(p: argparse.ArgumentParser) -> None:
    """Options of ``grade`` for cohorts: the ledger, a Dask cluster, progress (docs/cohorts.md)."""
    p.add_argument(
        "--ledger",
        metavar="URL",
        default=None,
        help="grading ledger, a SQLAlchemy URL (default sqlite:///<course>/grader/ledger.db)",
    )
    p.add_argument(
        "--no-ledger", action="store_true", help="keep no ledger: grade everything again"
    )
    p.add_argument(
        "--force", action="store_true", help="regrade submissions the ledger already holds"
    )
    p.add_argument(
        "--cluster",
        metavar="local:N|ADDRESS",
        default=None,
        help="judge on Dask: local:N starts N worker processes on 127.0.0.1; ADDRESS is a "
        "running scheduler (tcp://host:8786)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")


def _validity_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("labs", nargs="*", metavar="LAB", help="labs to measure (default: all)")
    p.add_argument(
        "--mutate",
        action="store_true",
        help="generate first-order mutants of the reference solutions and grade them",
    )
    p.add_argument("--sample", type=int, metavar="N", help="grade N mutants per task (all)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the sample (0)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="parallel sandboxes (1)")
    p.add_argument(
        "--timeout", type=float, metavar="S", help="per-mutant limit (from the reference's time)"
    )
    p.add_argument(
        "--mutant",
        action="append",
        default=[],
        metavar="ID",
        help="also grade this mutant id (repeatable; sampled or not)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--min-kill-rate",
        type=float,
        metavar="X",
        help="exit 1 when a task's kill rate is below X (0.9 or 90)",
    )
    p.add_argument(
        "--check-equivalents",
        action="store_true",
        help="grade every listed equivalent; exit 1 when one is stale (killed or gone)",
    )
    p.add_argument(
        "--write-doc", metavar="FILE", help="write the figures table into FILE (docs/validity.md)"
    )
    p.add_argument("--survivors", metavar="DIR", help="write DIR/survivors-<lab>.txt for each lab")
    p.add_argument(
        "--journal",
        metavar="DIR",
        help="keep each outcome in DIR/journal-<lab>.jsonl as it comes; a rerun with the same "
        "DIR grades only what is missing for the lab's current source (resume a long run)",
    )


def _err(message: str) -> None:
    print(f"infralab: error: {message}", file=sys.stderr)


def _cmd_build(args: argparse.Namespace) -> int:
    from infralab.grading._build import build_lab, stale_labs

    course = find_course(args.course)
    labs = args.labs or course.lab_ids()
    for lab in labs:
        course.source_path(lab)  # unknown lab -> CourseError naming it
    if args.check:
        stale = stale_labs(course, args.labs or None)
        for s in stale:
            print(f"stale: {s.lab}: {s.reason}", file=sys.stderr)
        if stale:
            names = " ".join(s.lab for s in stale)
            print(f"run `infralab build {names}` and commit labs/", file=sys.stderr)
            return EXIT_STALE
        print(f"labs/ is up to date ({len(labs)} lab{'s' if len(labs) != 1 else ''})")
        return EXIT_OK
    for lab in labs:
        path = build_lab(course, lab)
        print(f"built {path.relative_to(course.root)}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from infralab.grading._check import check_notebook, format_report
    from infralab.grading.sandbox._sandbox import SandboxError, bwrap_required_message

    missing = None if args.no_sandbox else bwrap_required_message("check")
    if missing:
        raise SandboxError(missing)
    report = check_notebook(
        args.notebook, timeout=args.timeout, sandbox=not args.no_sandbox, course=args.course
    )
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        print(format_report(report))
    return EXIT_OK


def _cmd_grade(args: argparse.Namespace) -> int:
    from infralab.grading.grade._grade import GradeOptions, grade_paths

    if args.workers < 1:
        raise CourseError(f"--workers must be at least 1, got {args.workers}")
    from infralab.grading.sandbox._sandbox import SandboxError, bwrap_required_message

    missing = None if args.no_sandbox else bwrap_required_message("grade")
    if missing:  # no silent fallback: grading without the sandbox needs --no-sandbox
        raise SandboxError(missing)
    course = find_course(args.course, from_cwd=False)  # never a learner's folder
    if args.certification and args.variant_key is None:
        args.variant_key = str(course.grader / "keys" / "variant.key")
    if args.attempt < 1:
        raise CourseError(f"--attempt must be at least 1, got {args.attempt}")
    from infralab.grading.cohort import Progress

    # A bar on a terminal only; none when --json output is piped (docs/cohorts.md).
    bar = not args.no_progress and not (args.json and not sys.stdout.isatty())
    progress = Progress(sys.stderr, bar=bar)
    options = replace(GradeOptions.from_args(args), progress=progress)
    code = EXIT_OK
    for outcome in grade_paths(course, args.submissions, options):
        if outcome.error is not None:
            code = max(code, EXIT_PARTIAL if outcome.grader_fault else EXIT_INPUT)
            _err(outcome.error)
            continue
        result = outcome.result
        if args.json:
            print(json.dumps(result, sort_keys=True), flush=True)
        else:
            line = outcome.summary()
            if result and result.get("ledger"):
                line += f"  (recorded {result['ledger']['graded_at']}; not regraded)"
            print(line, flush=True)
    print(progress.summary.line(), file=sys.stderr, flush=True)
    return code


def _cmd_validity(args: argparse.Namespace) -> int:
    from infralab.grading.validity._validity import run_validity

    return run_validity(args, find_course(args.course))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``infralab`` command line; returns the exit code (see module docstring)."""
    args = _parser().parse_args(argv)
    handlers = {
        "build": _cmd_build,
        "check": _cmd_check,
        "grade": _cmd_grade,
        "validity": _cmd_validity,
        **certify_cli.handlers(),
        **export_cli.handlers(),
    }
    from infralab.grading.sandbox._sandbox import SandboxError

    try:
        return handlers[args.command](args)
    except (CourseError, SandboxError) as exc:
        _err(str(exc))
        return EXIT_INPUT
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
