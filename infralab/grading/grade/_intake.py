"""Safe intake of submissions: what ``infralab grade`` reads from the learners' folders.

Everything under a submissions path is learner-controlled, so it is read like hostile input:

- every directory below the path an instructor named is opened from its parent's descriptor
  with ``O_NOFOLLOW`` (never by path string), so a symlink planted or swapped in between
  discovery and read is refused, not followed;
- every file is opened ``O_NOFOLLOW | O_NONBLOCK`` (a FIFO never blocks), then ``fstat``-ed:
  a regular file, one link (``st_nlink == 1``: no hard link to someone else's file), within
  the size caps;
- the bytes are copied into a grader-owned staging directory (0700), and only those copies
  reach the sandbox or the gradebook; no host path the learner controls is handed on.

A refused file is the learner's bad input (:class:`IntakeError`, a :class:`CourseError`):
its submission gets an error status (exit 2), never an exception that stops the batch.
Names are reported with :func:`display`: any byte sequence comes out as printable text.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from infralab.grading._course import Course, CourseError

__all__ = [
    "NOTEBOOK_MAX_BYTES",
    "CELL_SOURCE_MAX_BYTES",
    "FOLDER_MAX_BYTES",
    "FOLDER_MAX_FILES",
    "IntakeLimits",
    "IntakeError",
    "Intake",
    "display",
    "learner_problem",
    "open_dir",
    "scan_dir",
    "read_regular",
    "read_path",
    "take_in",
    "check_cell_sizes",
    "check_course_paths",
]

MiB = 1024 * 1024
NOTEBOOK_MAX_BYTES = 20 * MiB  # one submitted notebook
CELL_SOURCE_MAX_BYTES = 1 * MiB  # the source of any one cell of it
FOLDER_MAX_BYTES = 50 * MiB  # the notebook plus the other files of its <learner>/<lab>/ dir
FOLDER_MAX_FILES = 1000  # files handed to the sandbox from one <learner>/<lab>/ dir
FOLDER_MAX_DEPTH = 8  # directory levels below <learner>/<lab>/
SKIP_DIRS = frozenset({".ipynb_checkpoints", "__pycache__", ".git"})

_FILE_FLAGS = (
    os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_CHUNK = 1024 * 1024

# Test hook: called with (dir_fd, name) after a file was checked with lstat and before it is
# opened, so tests can swap it for a symlink in exactly that window.
_before_open: Callable[[int, str], None] | None = None


@dataclass(frozen=True)
class IntakeLimits:
    """Size caps for one submission (defaults: the module constants)."""

    notebook_bytes: int = NOTEBOOK_MAX_BYTES
    cell_source_bytes: int = CELL_SOURCE_MAX_BYTES
    folder_bytes: int = FOLDER_MAX_BYTES
    folder_files: int = FOLDER_MAX_FILES


class IntakeError(CourseError):
    """A submission file was refused (a link, not a regular file, too big): learner input."""


class _TooBig(IntakeError):
    pass


# --------------------------------------------------------------------------- names
def display(name: str | bytes | os.PathLike[str]) -> str:
    """Any file name as printable, valid UTF-8 text.

    Bytes that are not UTF-8 (``os.fsdecode`` keeps them as lone surrogates) come out as
    ``\\xNN``, other non-printable characters as ``\\xNN`` / ``\\uNNNN``.
    """
    text = os.fsdecode(name) if isinstance(name, bytes) else os.fspath(name)
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a raw byte kept by surrogateescape
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif ch.isprintable():
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def safe_text(text: str) -> str:
    """A message with every line made printable (newlines kept)."""
    return "\n".join(display(line) for line in text.split("\n"))


def learner_problem(name: str) -> str | None:
    """Why ``name`` cannot be a learner id (``None`` when it can).

    A learner id is a folder name recorded in the gradebook and used as a directory name:
    printable UTF-8 text, no path separator, not starting with a dot.
    """
    if not name:
        return "is empty"
    if display(name) != name:
        return "is not printable UTF-8 text"
    if "/" in name or "\\" in name:
        return "holds a path separator"
    if name.startswith("."):
        return "starts with a dot"
    return None


# --------------------------------------------------------------------------- low level
def _refusal(where: str, exc: OSError) -> IntakeError:
    if exc.errno in (errno.ELOOP, errno.EMLINK):
        why = "a symbolic link (not followed)"
    elif exc.errno == errno.ENOTDIR:
        why = "not a directory (a link or a file where a directory was expected)"
    elif exc.errno == errno.ENOENT:
        why = "no such file (removed or renamed while grading?)"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why = "permission denied"
    elif exc.errno in (errno.ENXIO, errno.ENODEV, errno.EWOULDBLOCK):
        why = "not a regular file"
    else:
        why = f"cannot read ({exc.strerror or exc})"
    return IntakeError(f"{where}: {why}")


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISLNK, "a symbolic link (not followed)"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO, not a regular file"),
        (stat.S_ISSOCK, "a socket, not a regular file"),
        (stat.S_ISCHR, "a device, not a regular file"),
        (stat.S_ISBLK, "a device, not a regular file"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def open_dir(path: str | os.PathLike[str]) -> int:
    """Open a directory an instructor named (resolved once), one component at a time.

    Each component is opened with ``O_NOFOLLOW`` from its parent's descriptor, so a component
    swapped for a symlink after the path was resolved is refused. Returns a new descriptor.
    """
    real = os.path.realpath(path)
    top = os.open("/", _DIR_FLAGS)
    try:
        return open_below(top, Path(real).parts[1:], "/")
    finally:
        os.close(top)


def open_below(base_fd: int, parts: tuple[str, ...], where: str) -> int:
    """A new descriptor for directory ``parts`` below ``base_fd``, no link followed."""
    fd = os.dup(base_fd)
    try:
        for part in parts:
            where = os.path.join(where, part)
            try:
                nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                raise _refusal(display(where), exc) from None
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def scan_dir(fd: int) -> list[tuple[str, str]]:
    """``(name, kind)`` for every entry of an open directory, sorted; links never followed.

    ``kind`` is ``dir``, ``file``, ``link`` or ``other``.
    """
    out = []
    with os.scandir(fd) as it:
        for entry in it:
            try:
                if entry.is_symlink():
                    kind = "link"
                elif entry.is_dir(follow_symlinks=False):
                    kind = "dir"
                elif entry.is_file(follow_symlinks=False):
                    kind = "file"
                else:
                    kind = "other"
            except OSError:
                kind = "other"
            out.append((entry.name, kind))
    return sorted(out)


def read_regular(
    dir_fd: int | None, name: str, where: str, max_bytes: int, *, single_link: bool = True
) -> bytes:
    """The bytes of one regular file, opened without following links and never blocking.

    Refuses (:class:`IntakeError` naming ``where``) a symlink, anything not a regular file,
    a file with more than one hard link (unless ``single_link`` is off), or one larger than
    ``max_bytes``.
    """
    shown = display(where)
    try:
        before = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError as exc:
        raise _refusal(shown, exc) from None
    if not stat.S_ISREG(before.st_mode):
        raise IntakeError(f"{shown}: {_kind(before.st_mode)}")
    if _before_open is not None:
        _before_open(dir_fd if dir_fd is not None else -1, name)
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        raise _refusal(shown, exc) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise IntakeError(f"{shown}: {_kind(st.st_mode)}")
        if single_link and st.st_nlink != 1:
            raise IntakeError(
                f"{shown}: a hard link ({st.st_nlink} names for one file); "
                "submit a plain copy of the file"
            )
        if st.st_size > max_bytes:
            raise _TooBig(f"{shown}: {st.st_size} bytes, over the {_size(max_bytes)} cap")
        chunks = []
        total = 0
        while True:
            try:
                chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            except BlockingIOError:
                raise IntakeError(f"{shown}: not a regular file") from None
            except OSError as exc:
                raise _refusal(shown, exc) from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise _TooBig(f"{shown}: grew past the {_size(max_bytes)} cap while read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_path(
    path: str | os.PathLike[str], max_bytes: int = NOTEBOOK_MAX_BYTES, *, single_link: bool = False
) -> bytes:
    """One file by path: its directory resolved as an instructor named it, the file itself
    opened without following a link (see :func:`read_regular`)."""
    p = Path(path)
    parent = os.path.realpath(p.parent)
    try:
        fd = os.open(parent, _DIR_FLAGS)
    except OSError as exc:
        raise _refusal(display(p.parent), exc) from None
    try:
        return read_regular(fd, p.name, str(p), max_bytes, single_link=single_link)
    finally:
        os.close(fd)


def _size(n: int) -> str:
    return f"{n / MiB:g} MiB" if n >= MiB else f"{n} bytes"


# --------------------------------------------------------------------------- intake
@dataclass
class Intake:
    """A submission's files, copied into a grader-owned staging directory."""

    staging: Path
    notebook: Path  # the staged copy of the notebook
    text: str
    files: dict[str, Path] = field(default_factory=dict)  # name in the sandbox -> staged copy

    def cleanup(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _stage(staging: Path, rel: tuple[str, ...], data: bytes) -> Path:
    target = staging.joinpath("files", *rel)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return target


def _walk_extras(
    fd: int, where: str, rel: tuple[str, ...], depth: int
) -> Iterator[tuple[int, str, str, tuple[str, ...]]]:
    """Every non-notebook entry below an open lab dir: (dir fd, name, where, rel path).

    Subdirectories are opened ``O_NOFOLLOW`` from ``fd``; a link or a special file is
    yielded too, so :func:`read_regular` refuses it by name.
    """
    for name, kind in scan_dir(fd):
        here = os.path.join(where, name)
        if kind == "dir":
            if name in SKIP_DIRS:
                continue
            if depth >= FOLDER_MAX_DEPTH:
                raise IntakeError(f"{display(here)}: nested more than {FOLDER_MAX_DEPTH} deep")
            try:
                sub = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                raise _refusal(display(here), exc) from None
            try:
                yield from _walk_extras(sub, here, (*rel, name), depth + 1)
            finally:
                os.close(sub)
        elif name.endswith(".ipynb"):
            continue  # another submission (graded, or refused, on its own): never handed over
        else:
            yield fd, name, here, (*rel, name)


def take_in(
    base: Path,
    parts: tuple[str, ...],
    shown: str,
    limits: IntakeLimits,
    *,
    with_folder: bool,
    workdir: Path | None = None,
) -> Intake:
    """Copy one submission into a fresh grader-owned staging directory.

    ``base`` is a resolved directory the instructor named; ``parts`` the notebook's path
    below it (directories then the file name), each opened without following links.
    With ``with_folder``, the other regular files of the notebook's directory go along
    (a ``<learner>/<lab>/`` dir). Raises :class:`IntakeError` naming the refused file.
    """
    staging = Path(tempfile.mkdtemp(prefix="infralab-intake-", dir=workdir))
    try:
        base_fd = open_dir(base)
        try:
            dir_fd = open_below(base_fd, parts[:-1], str(base))
        finally:
            os.close(base_fd)
        try:
            name = parts[-1]
            data = read_regular(dir_fd, name, shown, limits.notebook_bytes)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise IntakeError(f"{shown}: not UTF-8 text (byte {exc.start})") from None
            notebook = _stage(staging, (name,), data)
            files = {name: notebook}
            total = len(data)
            if with_folder:
                lab_dir = os.path.dirname(shown) or "."
                for fd, fname, where, rel in _walk_extras(dir_fd, lab_dir, (), 0):
                    if len(files) >= limits.folder_files:
                        raise IntakeError(
                            f"{display(lab_dir)}: more than {limits.folder_files} files"
                        )
                    room = max(0, limits.folder_bytes - total)
                    try:
                        blob = read_regular(fd, fname, where, room)
                    except _TooBig:
                        raise IntakeError(
                            f"{display(lab_dir)}: the submission folder is over the "
                            f"{_size(limits.folder_bytes)} cap"
                        ) from None
                    total += len(blob)
                    files["/".join(rel)] = _stage(staging, rel, blob)
        finally:
            os.close(dir_fd)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Intake(staging=staging, notebook=notebook, text=text, files=files)


def check_cell_sizes(cells: list, shown: str, max_bytes: int) -> None:
    """Refuse a notebook any of whose cells has a source over ``max_bytes`` (UTF-8)."""
    for i, cell in enumerate(cells):
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        size = len(source.encode("utf-8", "surrogatepass")) if isinstance(source, str) else 0
        if size > max_bytes:
            raise IntakeError(
                f"{shown}: cell {i}: a source of {size} bytes, over the {_size(max_bytes)} cap"
            )


# --------------------------------------------------------------------------- course paths
def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def check_course_paths(course: Course, paths: list[str | os.PathLike[str]]) -> None:
    """Refuse (:class:`CourseError`, exit 2) submissions paths that overlap the course.

    The course root must not be inside a submissions path (learners would own the grader's
    config, hidden tests and gradebook), and no submissions path may be inside the course's
    ``solutions/`` or ``grader/`` (except ``grader/submitted/``, nbgrader's collect target).
    A file argument is checked without following its last component (intake refuses a link).
    """
    root = Path(os.path.realpath(course.root))
    solutions = root / "solutions"
    grader = root / "grader"
    submitted = grader / "submitted"
    for raw in paths:
        p = Path(raw)
        if os.path.isdir(p):  # (a link to a directory named by the instructor is followed)
            real = Path(os.path.realpath(p))
        else:
            real = Path(os.path.realpath(p.parent)) / p.name
        shown = display(p)
        if _inside(root, real):
            raise CourseError(
                f"{shown}: the course root {display(root)} is inside this submissions path; "
                "grade a submissions directory outside the course (e.g. grader/submitted)"
            )
        if _inside(real, solutions) or (_inside(real, grader) and not _inside(real, submitted)):
            where = "solutions/" if _inside(real, solutions) else "grader/"
            raise CourseError(
                f"{shown}: inside the course's {where} ({display(real)}); submissions must "
                "live outside it (grader/submitted/ is the place for them)"
            )
