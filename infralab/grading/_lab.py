"""A lab as the grader sees it: the source notebook, its release, its grade cells, its mutants.

Also builds submissions from a release (reference, released, mutants), which the validity
harness, the attack corpus and the benchmark all use.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode

from infralab.grading._course import (
    HIDDEN_BEGIN,
    SOLUTION_BEGIN,
    SOLUTION_END,
    Course,
    CourseError,
    NbCell,
    cells_of,
    read_notebook,
    task_of,
)

__all__ = [
    "LabSpec",
    "Mutant",
    "load_lab",
    "reference_solutions",
    "make_submission",
    "load_mutants",
    "recognise_lab",
]


@dataclass(frozen=True)
class LabSpec:
    """One lab: the source (with hidden tests), the release, and what is graded."""

    lab: str
    source_path: Path
    source: NotebookNode
    release: NotebookNode
    source_cells: tuple[NbCell, ...]
    release_cells: tuple[NbCell, ...]

    @property
    def grade_cells(self) -> list[NbCell]:
        """The source's grade cells, in notebook order (hidden test bodies included)."""
        return [c for c in self.source_cells if c.grade]

    @property
    def solution_cells(self) -> list[NbCell]:
        return [c for c in self.source_cells if c.solution]

    @property
    def max_score(self) -> float:
        return float(sum(c.points or 0.0 for c in self.grade_cells))

    @property
    def hidden_points(self) -> float:
        return float(sum(c.points or 0.0 for c in self.grade_cells if c.hidden))

    @property
    def tasks(self) -> list[str]:
        seen: dict[str, None] = {}
        for c in self.grade_cells:
            seen[c.task or ""] = None
        return list(seen)

    @property
    def grade_ids(self) -> set[str]:
        return {c.grade_id for c in self.source_cells if c.grade_id}


_cache: dict[tuple[str, int, int], LabSpec] = {}
_cache_lock = threading.Lock()


def load_lab(course: Course, lab: str) -> LabSpec:
    """Read and validate ``solutions/<lab>/<lab>.ipynb`` and build its release in memory.

    The release is built with nbgrader (as ``infralab build`` does), so grading compares a
    learner's notebook with exactly what ``labs/`` should hold. Cached per process.

    Raises:
        CourseError: unknown lab, or a source that breaks the conventions of
            docs/authoring.md (named with the cell).
    """
    path = course.source_path(lab)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    from infralab.grading._build import nbgrader_config, release_notebook

    source = read_notebook(path)
    release = release_notebook(source, nbgrader_config(course), name=str(path))
    spec = LabSpec(
        lab=lab,
        source_path=path,
        source=source,
        release=release,
        source_cells=tuple(cells_of(source)),
        release_cells=tuple(cells_of(release)),
    )
    _validate(spec)
    with _cache_lock:
        _cache[key] = spec
    return spec


def _validate(spec: LabSpec) -> None:
    where = spec.source_path
    if len(spec.source_cells) != len(spec.release_cells):
        raise CourseError(f"{where}: the release has a different number of cells")
    seen: set[str] = set()
    for cell in spec.source_cells:
        if cell.grade_id is None:
            if cell.grade or cell.solution:
                raise CourseError(f"{where}: cell {cell.index} is graded but has no grade_id")
            continue
        if cell.grade_id in seen:
            raise CourseError(f"{where}: grade_id {cell.grade_id!r} is used twice")
        seen.add(cell.grade_id)
        if cell.grade and cell.solution:
            raise CourseError(
                f"{where}: cell {cell.grade_id!r} is both a solution and a grade cell "
                "(manually graded answers are not supported by infralab grade)"
            )
        if cell.grade and cell.cell_type != "code":
            raise CourseError(f"{where}: grade cell {cell.grade_id!r} is not a code cell")
        if cell.grade and not (cell.points is not None and cell.points >= 0):
            raise CourseError(f"{where}: grade cell {cell.grade_id!r} has no valid points")
    if not spec.grade_cells:
        raise CourseError(f"{where}: no grade cells")


def recognise_lab(course: Course, grade_ids: set[str]) -> str | None:
    """The one lab whose grade ids overlap ``grade_ids`` most, or ``None`` if not clear."""
    best: list[tuple[int, str]] = []
    for lab in course.lab_ids():
        try:
            spec = load_lab(course, lab)
        except CourseError:
            continue
        overlap = len(spec.grade_ids & grade_ids)
        if overlap:
            best.append((overlap, lab))
    best.sort(reverse=True)
    if not best or (len(best) > 1 and best[0][0] == best[1][0]):
        return None
    return best[0][1]


_MARKER = re.compile(r"^[ \t]*(### BEGIN SOLUTION|### END SOLUTION)[ \t]*\n?", re.MULTILINE)


def reference_solutions(spec: LabSpec) -> dict[str, str]:
    """``{solution grade_id: the reference code}``: the source cell without the markers."""
    out = {}
    for cell in spec.solution_cells:
        assert cell.grade_id is not None
        if SOLUTION_BEGIN in cell.source and SOLUTION_END in cell.source:
            out[cell.grade_id] = _MARKER.sub("", cell.source)
        else:
            out[cell.grade_id] = cell.source
    return out


def make_submission(spec: LabSpec, replacements: dict[str, str] | None = None) -> NotebookNode:
    """The release with some solution cells filled in, as a learner would hand it in.

    Args:
        spec: the lab.
        replacements: ``{solution grade_id: code}``; other solution cells keep the stub.

    Raises:
        CourseError: a replacement names a cell that is not a solution cell of the lab.
    """
    nb = copy.deepcopy(spec.release)
    ids = {c.grade_id: c.index for c in spec.release_cells if c.solution}
    for grade_id, code in (replacements or {}).items():
        if grade_id not in ids:
            raise CourseError(f"{spec.lab}: {grade_id!r} is not a solution cell")
        nb.cells[ids[grade_id]].source = code
    return nb


@dataclass(frozen=True)
class Mutant:
    """A plausible learner mistake (tests/mutants/<lab>/<name>.py, docs/authoring.md).

    ``code`` is the whole solution cell the mistake produces. A mutant file holds either that
    whole cell, or ``EDITS = [(old, new), ...]``: replacements applied, in order, to the
    reference cell, each ``old`` occurring exactly once (so the mistake reads at a glance).
    """

    path: Path
    name: str
    description: str
    replaces: str
    loses: str
    code: str
    edits: tuple[tuple[str, str], ...] | None = None


_HEADER = re.compile(r"^#\s*(mutant|replaces|loses)\s*:\s*(.*?)\s*$")


def _parse_mutant(path: Path) -> Mutant:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseError(f"{path}: cannot read ({exc})") from None
    lines = text.splitlines(keepends=True)
    fields: dict[str, str] = {}
    body_start = 0
    for i, line in enumerate(lines):
        m = _HEADER.match(line)
        if m and m.group(1) not in fields:
            fields[m.group(1)] = m.group(2)
            body_start = i + 1
            continue
        if line.strip() == "" and not fields:
            continue
        break
    for name in ("mutant", "replaces", "loses"):
        if not fields.get(name):
            raise CourseError(
                f"{path}: line {body_start + 1}: missing '# {name}: ...' header "
                "(see docs/authoring.md, Mutants)"
            )
    code = "".join(lines[body_start:]).strip("\n") + "\n"
    return Mutant(
        path=path,
        name=path.stem,
        description=fields["mutant"],
        replaces=fields["replaces"],
        loses=fields["loses"],
        code=code,
        edits=_edits_of(path, code, body_start),
    )


def _edits_of(path: Path, code: str, body_start: int) -> tuple[tuple[str, str], ...] | None:
    """The ``EDITS = [(old, new), ...]`` of an edit-style mutant, else None (a whole cell)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None  # a whole cell may be deliberately broken code
    if not (
        len(tree.body) == 1
        and isinstance(tree.body[0], ast.Assign)
        and [getattr(t, "id", None) for t in tree.body[0].targets] == ["EDITS"]
    ):
        return None
    where = f"{path}: line {body_start + tree.body[0].lineno}: EDITS"
    try:
        value = ast.literal_eval(tree.body[0].value)
    except ValueError:
        raise CourseError(f"{where} must be a literal list of (old, new) strings") from None
    if not (
        isinstance(value, list | tuple)
        and value
        and all(
            isinstance(e, list | tuple) and len(e) == 2 and all(isinstance(x, str) for x in e)
            for e in value
        )
    ):
        raise CourseError(f"{where} must be a non-empty list of (old, new) string pairs")
    return tuple((old, new) for old, new in value)


def apply_edits(mutant: Mutant, reference: str) -> str:
    """The reference cell with ``mutant.edits`` applied (each ``old`` exactly once).

    Raises:
        CourseError: an ``old`` text is missing from, or ambiguous in, the cell at that point.
    """
    code = reference
    for i, (old, new) in enumerate(mutant.edits or ()):
        found = code.count(old)
        if found != 1:
            raise CourseError(
                f"{mutant.path}: EDITS[{i}]: the old text occurs {found} times in "
                f"{mutant.replaces} (it must occur exactly once): {old[:80]!r}"
            )
        code = code.replace(old, new)
    return code


def load_mutants(mutants_dir: Path, spec: LabSpec) -> list[Mutant]:
    """Every mutant of ``spec`` in ``mutants_dir`` (sorted), checked against the lab.

    Raises:
        CourseError: a header is missing, or names a cell or task the lab does not have.
    """
    out = []
    solutions = {c.grade_id for c in spec.solution_cells}
    tasks = set(spec.tasks)
    references = reference_solutions(spec)
    for path in sorted(mutants_dir.glob("*.py")):
        mutant = _parse_mutant(path)
        if mutant.replaces not in solutions:
            raise CourseError(
                f"{path}: '# replaces: {mutant.replaces}' is not a solution cell of "
                f"{spec.lab} ({', '.join(sorted(s for s in solutions if s))})"
            )
        if mutant.loses not in tasks:
            raise CourseError(
                f"{path}: '# loses: {mutant.loses}' is not a task of {spec.lab} "
                f"({', '.join(sorted(tasks))})"
            )
        if mutant.edits is not None:
            code = apply_edits(mutant, references[mutant.replaces])
            if code == references[mutant.replaces]:
                raise CourseError(f"{path}: EDITS leave the reference unchanged")
            mutant = dataclasses.replace(mutant, code=code)
        out.append(mutant)
    return out


def hidden_cells_are_marked(spec: LabSpec) -> list[str]:
    """Grade ids whose hidden-ness by source and by name disagree (authoring convention)."""
    bad = []
    for cell in spec.grade_cells:
        by_source = HIDDEN_BEGIN in cell.source
        by_name = "-hidden" in (cell.grade_id or "")
        if by_source != by_name:
            bad.append(cell.grade_id or "?")
    return bad


def task_ids_ok(spec: LabSpec) -> list[str]:
    """Grade ids that do not start with their task id (``taskN-...``)."""
    return [
        c.grade_id or "?"
        for c in spec.source_cells
        if (c.grade or c.solution) and not re.fullmatch(r"task\d+", task_of(c.grade_id or ""))
    ]
