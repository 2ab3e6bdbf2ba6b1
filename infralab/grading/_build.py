"""``infralab build``: labs/<lab>/ from solutions/<lab>/ with nbgrader's own preprocessors.

We run the preprocessors of nbgrader's ``GenerateAssignment`` in its order, minus the two that
need a gradebook or a kernel (``SaveCells``, ``InstantiateTests``), so a build never creates or
touches a gradebook. The gradebook learns the cells when ``infralab grade`` records a result
(``_gradebook.py`` runs ``SaveCells`` there, as ``nbgrader generate_assignment`` would).
"""

from __future__ import annotations

import copy
import filecmp
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode

from infralab.grading._course import (
    Course,
    CourseError,
    read_notebook,
    write_notebook_text,
)

__all__ = ["release_notebook", "build_lab", "stale_labs", "nbgrader_config", "Stale"]

# Files in solutions/<lab>/ that are never part of a release.
_SKIP_NAMES = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}
# Cell metadata that records when or how a cell was last run in JupyterLab: not content.
_VOLATILE_CELL_META = ("execution", "ExecuteTime", "collapsed", "scrolled")


def nbgrader_config(course: Course):  # -> traitlets Config
    """The course's ``nbgrader_config.py`` as a traitlets Config (empty when absent)."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    path = course.root / "nbgrader_config.py"
    if not path.is_file():
        return Config()
    try:
        return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    except Exception as exc:  # noqa: BLE001 - a broken config file is input, name it
        raise CourseError(f"{path}: cannot load ({type(exc).__name__}: {exc})") from None


def _preprocessors(config):
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearHiddenTests,
        ClearMarkScheme,
        ClearOutput,
        ClearSolutions,
        ComputeChecksums,
        IncludeHeaderFooter,
        LockCells,
    )

    # nbgrader GenerateAssignment.preprocessors, without SaveCells and InstantiateTests.
    classes = [
        IncludeHeaderFooter,
        LockCells,
        ClearSolutions,
        ClearOutput,
        CheckCellMetadata,
        ComputeChecksums,
        ClearHiddenTests,
        ClearMarkScheme,
        ComputeChecksums,
        CheckCellMetadata,
    ]
    return [cls(config=config) for cls in classes]


def release_notebook(source: NotebookNode, config=None, *, name: str = "notebook") -> NotebookNode:
    """The learner's version of a source notebook: solutions and hidden tests removed.

    Args:
        source: the source notebook (not modified).
        config: traitlets Config (``nbgrader_config(course)``); nbgrader defaults if None.
        name: the file name, for error messages.

    Raises:
        CourseError: nbgrader rejected the notebook's cell metadata.
    """
    from traitlets.config import Config

    nb = copy.deepcopy(source)
    resources: dict = {"nbgrader": {"notebook": name}}
    try:
        for pre in _preprocessors(config if config is not None else Config()):
            nb, resources = pre.preprocess(nb, resources)
    except Exception as exc:  # noqa: BLE001 - nbgrader raises bare RuntimeError/ValueError
        raise CourseError(f"{name}: nbgrader cannot release it: {exc}") from None
    for cell in nb.cells:
        for key in _VOLATILE_CELL_META:
            cell.metadata.pop(key, None)
    return nb


@dataclass(frozen=True)
class Stale:
    """A lab whose release differs from a fresh build, and why."""

    lab: str
    reason: str


def _copy_extra_files(src_dir: Path, dest_dir: Path, notebook_name: str) -> None:
    for item in sorted(src_dir.iterdir()):
        if item.name in _SKIP_NAMES or item.name == notebook_name or item.is_symlink():
            continue
        target = dest_dir / item.name
        if item.is_dir():
            shutil.copytree(
                item, target, ignore=shutil.ignore_patterns(*_SKIP_NAMES), dirs_exist_ok=True
            )
        else:
            shutil.copy2(item, target)


def build_lab(course: Course, lab: str, dest: Path | None = None, config=None) -> Path:
    """Write the release of ``lab`` to ``dest`` (default ``labs/``); return the notebook path.

    ``dest/<lab>/`` is replaced as a whole, so files removed from the source disappear.
    """
    source_path = course.source_path(lab)
    config = config if config is not None else nbgrader_config(course)
    released = release_notebook(read_notebook(source_path), config, name=str(source_path))
    root = dest if dest is not None else course.labs
    out_dir = root / lab
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{lab}-", dir=root))
    try:
        staging.chmod(0o755)  # mkdtemp makes it 0700; a release is for everyone to read
        _copy_extra_files(source_path.parent, staging, source_path.name)
        (staging / source_path.name).write_text(write_notebook_text(released), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        shutil.move(str(staging), str(out_dir))
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out_dir / source_path.name


def _tree_diff(fresh: Path, current: Path) -> str | None:
    if not current.is_dir():
        return f"{current} is missing"
    cmp = filecmp.dircmp(fresh, current, ignore=sorted(_SKIP_NAMES))
    todo = [(cmp, Path("."))]
    while todo:
        d, rel = todo.pop()
        if d.left_only:
            return f"{current / rel / d.left_only[0]} is missing"
        if d.right_only:
            return f"{current / rel / d.right_only[0]} is not in the source"
        for name in d.common_files:
            if (fresh / rel / name).read_bytes() != (current / rel / name).read_bytes():
                return f"{current / rel / name} differs from a fresh build"
        todo.extend((sub, rel / name) for name, sub in d.subdirs.items())
    return None


def stale_labs(course: Course, labs: list[str] | None = None) -> list[Stale]:
    """Labs whose ``labs/<lab>/`` is not byte-identical to a fresh build (built in a temp dir).

    Also reports ``labs/<lab>/`` directories that have no source any more.
    """
    wanted = labs if labs is not None else course.lab_ids()
    config = nbgrader_config(course)
    stale: list[Stale] = []
    with tempfile.TemporaryDirectory(prefix="infralab-build-") as tmp:
        for lab in wanted:
            build_lab(course, lab, Path(tmp), config)
            diff = _tree_diff(Path(tmp) / lab, course.labs / lab)
            if diff:
                stale.append(Stale(lab, diff))
    if labs is None and course.labs.is_dir():
        known = set(wanted)
        for d in sorted(course.labs.iterdir()):
            if d.is_dir() and d.name not in known and d.name not in _SKIP_NAMES:
                if any(d.glob("*.ipynb")):
                    stale.append(Stale(d.name, f"{d} has no source in {course.solutions}"))
    return stale
