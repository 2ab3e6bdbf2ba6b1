"""Reading fault plans from YAML / JSON text, with line numbers for error messages."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from infralab.faults._schema import FaultPlanError

__all__ = ["INCIDENTS_DIR", "parse_text", "incident_path", "incident_names", "display_path"]

# datasets/ sits next to the package in the repo (labs run from a checkout, see README).
_REPO_ROOT = Path(__file__).resolve().parents[2]
# $INFRALAB_DATA_DIR (as for the scenarios) moves it: the grading sandbox gets its own copy.
INCIDENTS_DIR = (
    Path(os.environ["INFRALAB_DATA_DIR"]) / "incidents"
    if os.environ.get("INFRALAB_DATA_DIR")
    else _REPO_ROOT / "datasets" / "incidents"
)

LineOf = Callable[[str], "int | None"]
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _split(path: str) -> list[str | int]:
    return [int(i) if i else key for key, i in _PART.findall(path)]


def _yaml_line_of(text: str) -> LineOf:
    """A function from a field path (``rules[1].error_rate``) to its 1-based line in ``text``."""

    def line_of(path: str) -> int | None:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            return None
        line = None if node is None else node.start_mark.line + 1
        for part in _split(path):
            if isinstance(node, yaml.MappingNode):
                match = [(k, v) for k, v in node.value if k.value == str(part)]
                if not match:
                    break
                key, node = match[-1]
                line = key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line

    return line_of


def parse_text(text: str, fmt: str, source: str | None) -> tuple[Any, LineOf]:
    """Parse ``text`` as ``"yaml"`` or ``"json"``; syntax errors become FaultPlanError."""
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise FaultPlanError(
                f"invalid JSON: {e.msg} (column {e.colno})",
                source=source or "<json>",
                line=e.lineno,
            ) from None
        # JSON is valid YAML, so the same node walk finds lines for field paths.
        return data, _yaml_line_of(text)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        raise FaultPlanError(
            f"invalid YAML: {problem}",
            source=source or "<yaml>",
            line=None if mark is None else mark.line + 1,
        ) from None
    return data, _yaml_line_of(text)


def incident_names() -> list[str]:
    return sorted(p.stem for p in INCIDENTS_DIR.glob("*.yaml"))


def incident_path(name: str) -> Path:
    names = incident_names()
    if name not in names:  # also keeps "../x" and other paths out
        raise FaultPlanError(
            f"unknown incident {name!r}; available: {', '.join(names) or '(none)'}",
            source=display_path(INCIDENTS_DIR),
        )
    return INCIDENTS_DIR / f"{name}.yaml"


def display_path(path: Path) -> str:
    """``path`` relative to the repo when inside it (short, same on every machine)."""
    try:
        return str(path.resolve().relative_to(_REPO_ROOT))
    except ValueError:
        return str(path)
