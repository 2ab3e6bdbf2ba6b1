"""``infralab export``: the cohort's current results as CSV, Gradescope JSON, feedback, report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "handlers", "FORMATS"]

FORMATS = ("csv", "gradescope", "feedback", "report")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "export",
        help="write the ledger's current results as CSV, Gradescope results.json, "
        "per-learner HTML feedback and an instructor report",
    )
    p.add_argument("formats", nargs="*", metavar="FORMAT",
                   help=f"any of {', '.join(FORMATS)} (default: all)")  # fmt: skip
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output directory (default grader/exports/)")  # fmt: skip
    p.add_argument("--ledger", metavar="URL", default=None,
                   help="the grading ledger (default sqlite:///<course>/grader/ledger.db)")  # fmt: skip
    p.add_argument("--lab", action="append", default=[], metavar="LAB",
                   help="only this lab (repeatable)")  # fmt: skip


def _cmd_export(args: argparse.Namespace) -> int:
    from infralab.grading._course import CourseError, find_course
    from infralab.grading.cohort import Ledger, LedgerError, default_ledger_url
    from infralab.grading.export import (
        ExportError,
        write_csv,
        write_feedback,
        write_gradescope,
        write_report,
    )

    unknown = [f for f in args.formats if f not in FORMATS]
    if unknown:
        raise CourseError(f"export: unknown format {', '.join(unknown)} (use {', '.join(FORMATS)})")
    course = find_course(args.course, from_cwd=False)
    for lab in args.lab:
        course.source_path(lab)  # unknown lab: CourseError naming it
    url = args.ledger or default_ledger_url(course.grader)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        raise CourseError(f"export: no ledger at {url[len('sqlite:///') :]} (grade first)")
    try:
        with Ledger(url) as ledger:
            entries = [e for e in ledger.current() if not args.lab or e.key.lab in args.lab]
    except LedgerError as exc:
        raise CourseError(str(exc)) from None
    out = Path(args.out) if args.out else course.grader / "exports"
    written: list[Path] = []
    try:
        for fmt in args.formats or FORMATS:
            if fmt == "csv":
                written.append(write_csv(entries, out / "cohort.csv"))
            elif fmt == "gradescope":
                written += write_gradescope(entries, out / "gradescope")
            elif fmt == "feedback":
                written += write_feedback(entries, out / "feedback")
            elif fmt == "report":
                written.append(write_report(entries, out / "report.html"))
    except ExportError as exc:
        raise CourseError(str(exc)) from None
    learners = len({e.key.learner for e in entries})
    print(f"exported {len(entries)} results of {learners} learners: {len(written)} files "
          f"in {out}", file=sys.stderr)  # fmt: skip
    return 0


def handlers() -> dict[str, Any]:
    return {"export": _cmd_export}
