"""What the exports share: a page skeleton (no script, no network) and safe file names."""

from __future__ import annotations

import html

from infralab.grading.grade._intake import learner_problem

__all__ = ["ExportError", "page", "safe_name", "PAGE_CSS"]


class ExportError(Exception):
    """An export cannot be written (no ledger, an unsafe learner id): exit 2."""


def safe_name(learner: str) -> str:
    """``learner`` as a file name, refused when it could leave the output directory."""
    problem = learner_problem(learner)
    if problem:
        raise ExportError(f"learner id {learner!r} {problem}: not used as a file name")
    return learner


PAGE_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 64em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
tr.pass td:nth-child(4) { color: #176c2e; }
tr.fail td:nth-child(4), tr.error td:nth-child(4), tr.timeout td:nth-child(4),
tr.tampered td:nth-child(4), tr.missing td:nth-child(4) { color: #a11; }
pre { margin: 0; white-space: pre-wrap; }
.meta { color: #666; font-size: 0.9em; }
img { max-width: 100%; }
"""


def page(title: str, body: str, css: str) -> str:
    """A standalone HTML page: inline style and data: images only, no script runs."""
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        f"<title>{html.escape(title)}</title><style>{css}</style></head>"
        f"<body>{body}</body></html>\n"
    )
