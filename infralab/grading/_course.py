"""The course on disk: where labs live, how notebooks are read, what a cell's metadata says.

Shared by ``build``, ``check`` and ``grade``. Nothing here imports nbgrader, so the learner
side (``infralab check``) stays light.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

__all__ = [
    "CourseError",
    "Course",
    "NbCell",
    "find_course",
    "read_notebook",
    "read_notebook_text",
    "write_notebook_text",
    "cells_of",
    "task_of",
    "lab_of_notebook",
    "HIDDEN_BEGIN",
    "HIDDEN_END",
    "SOLUTION_BEGIN",
    "SOLUTION_END",
]

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
COURSE_ENV = "INFRALAB_COURSE"


class CourseError(Exception):
    """Unusable input: a file that is not a notebook, an unknown lab, a bad course layout.

    The message always names the file (and the line or field when there is one), so the
    command line can print it as is.
    """


@dataclass(frozen=True)
class Course:
    """A course root laid out as nbgrader_config.py says (see docs/architecture.md)."""

    root: Path

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def labs(self) -> Path:
        return self.root / "labs"

    @property
    def grader(self) -> Path:
        return self.root / "grader"

    @property
    def gradebook(self) -> Path:
        return self.grader / "gradebook.db"

    @property
    def datasets(self) -> Path:
        return self.root / "datasets"

    def lab_ids(self) -> list[str]:
        """Every lab with a source notebook ``solutions/<lab>/<lab>.ipynb``, sorted."""
        if not self.solutions.is_dir():
            return []
        return sorted(
            p.name
            for p in self.solutions.iterdir()
            if p.is_dir() and (p / f"{p.name}.ipynb").is_file()
        )

    def source_path(self, lab: str) -> Path:
        path = self.solutions / lab / f"{lab}.ipynb"
        if not path.is_file():
            known = ", ".join(self.lab_ids()) or "none"
            raise CourseError(f"unknown lab {lab!r}: {path} does not exist (labs: {known})")
        return path

    def release_path(self, lab: str) -> Path:
        return self.labs / lab / f"{lab}.ipynb"


def find_course(root: str | os.PathLike[str] | None = None, *, from_cwd: bool = True) -> Course:
    """Locate the course root.

    Order: the ``root`` argument, ``$INFRALAB_COURSE``, (with ``from_cwd``) the nearest
    directory above the current one that holds ``nbgrader_config.py`` and ``solutions/``,
    then the checkout this package was installed from (``Path(infralab.__file__).parents[1]``).
    ``infralab grade`` passes ``from_cwd=False``: a grader started inside a learner's folder
    must never take that folder (and its ``nbgrader_config.py``) for the course.
    """
    explicit = root if root is not None else os.environ.get(COURSE_ENV)
    if explicit:
        path = Path(explicit).resolve()
        if not path.is_dir():
            raise CourseError(f"course root {path} is not a directory")
        return Course(path)
    here = Path.cwd().resolve()
    if from_cwd:
        for candidate in (here, *here.parents):
            if (candidate / "nbgrader_config.py").is_file() and (candidate / "solutions").is_dir():
                return Course(candidate)
    package_root = Path(__file__).resolve().parents[2]
    if (package_root / "nbgrader_config.py").is_file():
        return Course(package_root)
    if not from_cwd:
        raise CourseError(
            f"no course found: {package_root} (the checkout infralab runs from) holds no "
            f"nbgrader_config.py; pass --course DIR or set {COURSE_ENV}"
        )
    raise CourseError(
        f"no course found above {here}: expected nbgrader_config.py and solutions/ "
        f"(or set {COURSE_ENV})"
    )


def read_notebook_text(path: str | os.PathLike[str], max_bytes: int | None = None) -> str:
    """The raw text of a notebook file, with a clear error when it cannot be read.

    The file is opened without following a symlink and without blocking (a FIFO is refused,
    not waited on), must be a regular file, and at most ``max_bytes`` long (default: the
    intake's notebook cap). Submissions are read by ``_intake`` (which also refuses hard links
    and walks every directory without following links); this is for course files and a
    learner's own notebook.
    """
    from infralab.grading.grade._intake import NOTEBOOK_MAX_BYTES, display, read_path

    p = Path(path)
    data = read_path(p, NOTEBOOK_MAX_BYTES if max_bytes is None else max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CourseError(f"{display(p)}: not UTF-8 text (byte {exc.start})") from None


def read_notebook(path: str | os.PathLike[str], text: str | None = None) -> NotebookNode:
    """Read a notebook (nbformat 4), or raise :class:`CourseError` naming the file and line."""
    p = Path(path)
    if text is None:
        text = read_notebook_text(p)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CourseError(
            f"{p}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict) or "cells" not in data or "nbformat" not in data:
        raise CourseError(f"{p}: not a Jupyter notebook (no 'cells' / 'nbformat' field)")
    if data.get("nbformat") != 4:
        raise CourseError(f"{p}: nbformat {data.get('nbformat')!r} is not supported (need 4)")
    if not isinstance(data["cells"], list):
        raise CourseError(f"{p}: field 'cells' is not a list")
    for i, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise CourseError(f"{p}: cell {i} has no valid 'cell_type'")
        source = cell.get("source", "")
        if isinstance(source, list):
            if not all(isinstance(s, str) for s in source):
                raise CourseError(f"{p}: cell {i}: field 'source' is not text")
            cell["source"] = "".join(source)
        elif not isinstance(source, str):
            raise CourseError(f"{p}: cell {i}: field 'source' is not text")
        meta = cell.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise CourseError(f"{p}: cell {i}: field 'metadata' is not an object")
    nb = nbformat.from_dict(data)
    if not isinstance(nb.get("metadata"), dict):
        nb["metadata"] = nbformat.from_dict({})
    return nb


def write_notebook_text(nb: NotebookNode) -> str:
    """Deterministic notebook text: sorted keys, one-space indent, a final newline."""
    return nbformat.writes(nb, version=4) + "\n"


@dataclass(frozen=True)
class NbCell:
    """What nbgrader's metadata says about one cell (all ``None``/``False`` when absent)."""

    index: int
    cell_type: str
    source: str
    grade_id: str | None
    grade: bool
    solution: bool
    locked: bool
    points: float | None
    checksum: str | None
    recorded_type: str | None
    raw_meta: Any

    @property
    def is_graded(self) -> bool:
        return self.grade

    @property
    def task(self) -> str | None:
        return task_of(self.grade_id) if self.grade_id else None

    @property
    def hidden(self) -> bool:
        """A hidden test cell: its source holds hidden tests, or its id says so."""
        return HIDDEN_BEGIN in self.source or bool(self.grade_id and "-hidden" in self.grade_id)


def _as_bool(value: Any) -> bool:
    return value is True


def cells_of(nb: NotebookNode) -> list[NbCell]:
    """Every cell of ``nb`` with its nbgrader metadata, read defensively (learner input)."""
    out: list[NbCell] = []
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader")
        if not isinstance(meta, dict):
            meta = None
        grade_id = meta.get("grade_id") if meta else None
        points = meta.get("points") if meta else None
        try:
            points_f = float(points) if points is not None else None
        except (TypeError, ValueError):
            points_f = float("nan")
        out.append(
            NbCell(
                index=i,
                cell_type=str(cell.get("cell_type")),
                source=cell.get("source", ""),
                grade_id=grade_id if isinstance(grade_id, str) and grade_id else None,
                grade=_as_bool(meta.get("grade")) if meta else False,
                solution=_as_bool(meta.get("solution")) if meta else False,
                locked=_as_bool(meta.get("locked")) if meta else False,
                points=points_f,
                checksum=meta.get("checksum") if meta else None,
                recorded_type=meta.get("cell_type") if meta else None,
                raw_meta=meta,
            )
        )
    return out


def task_of(grade_id: str) -> str:
    """``task3-hidden2`` -> ``task3``: the task a grade id belongs to (docs/authoring.md)."""
    return grade_id.split("-", 1)[0]


def lab_of_notebook(nb: NotebookNode) -> str | None:
    """The lab id a notebook declares in its metadata (``infralab.lab``), if any."""
    meta = nb.get("metadata", {}).get("infralab")
    if isinstance(meta, dict) and isinstance(meta.get("lab"), str) and meta["lab"]:
        return meta["lab"]
    return None
