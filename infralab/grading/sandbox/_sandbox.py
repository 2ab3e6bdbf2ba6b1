"""Start, talk to and kill the sandboxed worker that runs a learner's cells.

The worker is ``python -m infralab.grading.sandbox._worker`` under bubblewrap:

- namespaces: no network (loopback only, in its own net namespace), own pid, ipc and uts
  namespaces, ``--die-with-parent``, ``--new-session``;
- filesystem: a fresh root with read-only binds of the system dirs, the Python installation
  and the virtualenv, the ``infralab`` package and ``datasets/`` (or, when
  ``SandboxConfig.data_dir`` is set, that directory instead, named by ``INFRALAB_DATA_DIR``
  in the worker's environment); a size-capped private
  ``/tmp`` and a size-capped tmpfs work dir that holds a copy of the submission and nothing
  else. The course's solutions/, grader/ (gradebook, keys), tests/, .git and other submissions
  do not exist in there;
- identity: when the grader runs as root, bubblewrap sets the sandbox up and ``setpriv``
  drops to an unprivileged uid of its own (one per worker, so RLIMIT_NPROC counts only that
  worker's processes, and every process of that uid can be killed at the end), with no
  capabilities and ``no_new_privs``;
- rlimits (set before exec): CPU seconds, address space (2 GiB), processes, file size, open
  files, no core files;
- limits for the sandbox as a whole, in a cgroup of its own (v2 where a cgroup2 hierarchy has
  the memory, pids and cpu controllers, else v1) that the process joins before it execs
  bubblewrap: memory (3 GiB, all processes and tmpfs together, no swap), tasks (256) and a CPU
  quota of one fair share of the machine (cores / parallel workers). The per-cell timeout
  counts the cgroup's CPU time, with a wall-clock backstop (:class:`_CpuClockReader`). The
  cgroup is emptied (every task killed) and removed with the worker. Where no cgroup is
  writable (the grader is not root), the flags say ``no cgroup: per-process rlimits only``.

No silent fallback: a worker that should run under bubblewrap (``use_bwrap`` ``None`` or
``True``) refuses to start where bubblewrap does not work. Only ``use_bwrap=False`` (the
``--no-sandbox`` of ``infralab grade``/``check``) runs without it: the rlimits, its own session
and (as root) its own uid still apply, and :class:`SandboxInfo` lists what is missing.
"""

from __future__ import annotations

import itertools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from infralab.grading.sandbox._protocol import (
    FrameReader,
    ProtocolError,
    WorkerDied,
    WorkerTimeout,
    write_frame,
)

__all__ = [
    "Cgroup",
    "CgroupSite",
    "SandboxConfig",
    "SandboxError",
    "SandboxInfo",
    "Worker",
    "bwrap_problem",
    "bwrap_required_message",
    "cgroup_site",
    "fair_cpu_share",
    "sandbox_info",
    "worker_uid_range",
]

GiB = 1024**3
MiB = 1024**2
_UID_BASE = 1_000_000_000
_uid_counter = itertools.count()
_uid_lock = threading.Lock()

# /etc entries a Python process may read; nothing else from /etc is visible.
_ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",
    "/etc/hosts",
    "/etc/alternatives",
    "/etc/fonts",
    "/etc/mime.types",
)
SANDBOX_HOME = "/home/learner"
SANDBOX_SUBMISSION = "/submission"


class SandboxError(Exception):
    """The sandbox a command needs is missing or was refused (``infralab`` exits 2)."""


@dataclass(frozen=True)
class SandboxConfig:
    """Limits for one worker. Defaults follow design.md ("Grading trust model")."""

    # None or True: bubblewrap, required (a worker refuses to start without it);
    # False: no bubblewrap (``--no-sandbox``), said in the result's flags.
    use_bwrap: bool | None = None
    drop_uid: bool = True  # when the grader runs as root
    cpu_seconds: int = 900
    memory_bytes: int = 2 * GiB
    nproc: int = 64
    fsize_bytes: int = 64 * MiB
    nofile: int = 256
    tmp_bytes: int = 256 * MiB
    home_bytes: int = 256 * MiB
    output_cap: int = 64 * 1024  # learner stdout/stderr kept for diagnostics
    # The sandbox as a whole (a cgroup per worker), where a writable cgroup exists:
    cgroup: bool = True
    sandbox_memory_bytes: int = 3 * GiB
    sandbox_pids: int = 256
    sandbox_cpus: float | None = None  # CPU quota in cores; None: every core (one worker)
    # Bound read-only instead of the course's datasets/, named by $INFRALAB_DATA_DIR.
    data_dir: Path | None = None


@dataclass
class SandboxInfo:
    """What protected a worker, for the result's ``sandbox`` field and its flags."""

    kind: str  # "bubblewrap" or "none"
    uid: int | None
    limits: dict[str, float]
    missing: list[str] = field(default_factory=list)
    cgroup: str | None = None  # "v1" or "v2": the sandbox-wide limits hold; None: they do not

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "uid_dropped": self.uid is not None,
            "network_isolated": self.kind == "bubblewrap",
            "filesystem_isolated": self.kind == "bubblewrap",
            "cgroup": self.cgroup,
            "limits": dict(self.limits),
            "missing": list(self.missing),
        }

    def flags(self) -> list[str]:
        return [f"sandbox: {m}" for m in self.missing]


def _is_root() -> bool:
    return os.geteuid() == 0


@cache
def _tool(name: str) -> str | None:
    return shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin:" + os.environ.get("PATH", ""))


@cache
def bwrap_problem() -> str | None:
    """``None`` when bubblewrap works on this machine, else why not (cached per process)."""
    bwrap = _tool("bwrap")
    if bwrap is None:
        return "bubblewrap missing: no network or filesystem isolation"
    args = [bwrap, *_namespace_args(), "--ro-bind", "/", "/", "--proc", "/proc", "true"]
    try:
        proc = subprocess.run(args, capture_output=True, timeout=30, text=True)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap unusable ({exc}): no network or filesystem isolation"
    if proc.returncode != 0:
        reason = (proc.stderr or "").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        return f"bubblewrap unusable ({reason[0]}): no network or filesystem isolation"
    return None


def bwrap_required_message(command: str) -> str | None:
    """``None`` when bubblewrap works here; else the error ``infralab COMMAND`` exits 2 with."""
    problem = bwrap_problem()
    if problem is None:
        return None
    what = problem.split(":", 1)[0]  # "bubblewrap missing" / "bubblewrap unusable (...)"
    own = " on your own notebook" if command == "check" else ""
    return (
        f"{what}: `infralab {command}` runs learner code only inside its bubblewrap sandbox. "
        "Install bubblewrap (`apt-get install bubblewrap`, as root), or pass --no-sandbox to "
        f"run{own} without network, filesystem or process isolation"
    )


def _namespace_args() -> list[str]:
    if _is_root():
        # Root needs no user namespace; setpriv drops the uid inside (see module docstring).
        return [
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-net",
            "--unshare-uts",
            "--unshare-cgroup-try",
        ]
    return ["--unshare-all"]


def sandbox_info(config: SandboxConfig) -> SandboxInfo:
    """What a worker started with ``config`` would get here (without starting one)."""
    limits: dict[str, float] = {
        "cpu_seconds": config.cpu_seconds,
        "memory_bytes": config.memory_bytes,
        "nproc": config.nproc,
        "fsize_bytes": config.fsize_bytes,
        "nofile": config.nofile,
    }
    missing: list[str] = []
    kind = "none"
    if config.use_bwrap is False:
        missing.append("bubblewrap disabled: no network or filesystem isolation (--no-sandbox)")
    else:
        problem = bwrap_problem()
        if problem is None:
            kind = "bubblewrap"
        else:
            missing.append(f"{problem}; a worker will not start without it")
    cgroup = None
    if not config.cgroup:
        missing.append("no cgroup: per-process rlimits only (cgroup disabled)")
    else:
        site, why = cgroup_site()
        if site is None:
            missing.append(f"no cgroup: per-process rlimits only ({why})")
        else:
            cgroup = site.version
            limits["sandbox_memory_bytes"] = config.sandbox_memory_bytes
            limits["sandbox_pids"] = config.sandbox_pids
            limits["sandbox_cpus"] = round(_cpu_share(config), 3)
    if not _is_root():
        missing.append("grader is not root: learner code runs as the grader's uid")
    elif not config.drop_uid:
        missing.append("uid drop disabled: learner code runs as root")
    elif _tool("setpriv") is None:
        missing.append("setpriv missing: learner code runs as root")
    return SandboxInfo(kind=kind, uid=None, limits=limits, missing=missing, cgroup=cgroup)


def worker_uid_range(pid: int | None = None) -> range:
    """The uids this grader process gives its workers (one per worker, reused after 256)."""
    base = _UID_BASE + (((os.getpid() if pid is None else pid) & 0x3FFFFF) << 8)
    return range(base, base + 256)


def _next_uid() -> int:
    with _uid_lock:
        n = next(_uid_counter) & 0xFF
    return worker_uid_range()[n]


def _tasks_of_uid(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return count


def _kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid`` (a worker's own uid: nothing else runs as it)."""
    for _ in range(3):
        found = False
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
                    found = True
            except (OSError, ValueError):
                continue
        if not found:
            return
        time.sleep(0.01)


def _python_paths() -> list[Path]:
    """The Python installation and the virtualenv, resolved through symlinks."""
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    exe = Path(sys.executable)
    paths.add(exe.resolve().parent.parent)
    # A venv's bin/python may be a symlink chain; bind every directory it passes through.
    link = exe
    for _ in range(10):
        if not link.is_symlink():
            break
        target = Path(os.readlink(link))
        link = target if target.is_absolute() else (link.parent / target)
        paths.add(link.parent.parent.resolve())
    return sorted(p for p in paths if str(p) not in ("/", "/usr"))


def _package_paths(config: SandboxConfig) -> list[Path]:
    import infralab

    pkg = Path(infralab.__file__).resolve().parent
    paths = [pkg]
    datasets = pkg.parent / "datasets"
    if config.data_dir is not None:
        paths.append(Path(config.data_dir).resolve())  # instead of datasets/, never beside it
    elif datasets.is_dir():
        paths.append(datasets)
    return paths


def _mkdirs_args(dest: Path, made: set[str]) -> list[str]:
    """``--dir`` every missing parent of ``dest`` with mode 0755 (bwrap's default is 0700)."""
    args: list[str] = []
    for parent in reversed(dest.parents):
        p = str(parent)
        if p == "/" or p in made:
            continue
        made.add(p)
        args += ["--perms", "0755", "--dir", p]
    return args


def _bwrap_args(config: SandboxConfig, staging: Path) -> list[str]:
    args = [_tool("bwrap") or "bwrap", *_namespace_args(), "--die-with-parent", "--new-session"]
    made: set[str] = set()
    # NB: the private /tmp comes first: bwrap mounts in order, and a course checked out under
    # /tmp (CI clones, pytest dirs) must stay visible through the binds made after it.
    args += ["--perms", "1777", "--size", str(config.tmp_bytes), "--tmpfs", "/tmp"]
    made.add("/tmp")
    for top in ("usr", "bin", "lib", "lib32", "lib64", "sbin"):
        host = Path("/") / top
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    for etc in _ETC_FILES:
        if os.path.exists(etc):
            args += _mkdirs_args(Path(etc), made) + ["--ro-bind", etc, etc]
    for path in [*_python_paths(), *_package_paths(config)]:
        if str(path).startswith("/usr/"):
            continue
        args += _mkdirs_args(path, made) + ["--ro-bind", str(path), str(path)]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += _mkdirs_args(Path(SANDBOX_HOME), made)
    args += ["--perms", "0777", "--size", str(config.home_bytes), "--tmpfs", SANDBOX_HOME]
    args += ["--ro-bind", str(staging), SANDBOX_SUBMISSION]
    args += ["--chdir", SANDBOX_HOME]
    return args


def _setpriv_args(uid: int) -> list[str]:
    return [
        _tool("setpriv") or "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
    ]


def _worker_env(home: str, data_dir: Path | None = None) -> dict[str, str]:
    # A clean environment: no API keys, no INFRALAB_MODEL (grading always uses the simulator).
    extra = {} if data_dir is None else {"INFRALAB_DATA_DIR": str(Path(data_dir).resolve())}
    return {
        **extra,
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": "/tmp" if home == SANDBOX_HOME else home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join("/tmp" if home == SANDBOX_HOME else home, ".mpl"),
        "IPYTHONDIR": os.path.join("/tmp" if home == SANDBOX_HOME else home, ".ipython"),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "INFRALAB_GRADING": "1",
        # Lets a test find every process a grader started, whatever uid it runs as.
        "INFRALAB_GRADER_PID": str(os.getpid()),
    }


# ------------------------------------------------------------------------------ cgroups
# One cgroup per worker, under an ``infralab`` parent, limits the sandbox AS A WHOLE: memory
# (all its processes together, tmpfs included), the number of tasks, and CPU (a quota of one
# fair share of the machine). cgroup v2 when a cgroup2 hierarchy has the memory, pids and cpu
# controllers; else cgroup v1 (one hierarchy per controller, or co-mounted ones).
_CG_PARENT = "infralab"
_CG_V1 = ("memory", "pids", "cpu", "cpuacct")
_CG_V2 = ("memory", "pids", "cpu")
_CFS_PERIOD_US = 100_000
_cg_counter = itertools.count()
_cg_lock = threading.Lock()


@dataclass(frozen=True)
class CgroupSite:
    """Where this grader makes its workers' cgroups (see :func:`cgroup_site`)."""

    version: str  # "v1" or "v2"
    # controller -> the ``infralab`` parent dir for it (v2: every controller, one dir)
    parents: dict[str, Path]


def _unescape_mount(path: str) -> str:
    return path.replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")


def _cgroup_mounts() -> list[tuple[Path, str, str, set[str]]]:
    """(mount point, mount root, fstype, super options) of every cgroup mount."""
    try:
        text = Path("/proc/self/mountinfo").read_text()
    except OSError:
        return []
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        fields, rest = left.split(), right.split()
        if not sep or len(fields) < 5 or len(rest) < 3 or rest[0] not in ("cgroup", "cgroup2"):
            continue
        opts = set(rest[2].split(","))
        mounts.append((Path(_unescape_mount(fields[4])), fields[3], rest[0], opts))
    return mounts


def _write(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def _rmdir_quietly(path: Path) -> None:
    try:
        os.rmdir(path)
    except OSError:
        pass


def _try_site(site: CgroupSite) -> str | None:
    """Make, limit and remove a probe cgroup under ``site``: ``None`` when that works.

    Another grader may remove the empty ``infralab`` parent between our ``mkdir`` of it and of
    the probe (it cleans up after itself): that race is retried, never taken for "no cgroup".
    """
    problem: str | None = None
    for _ in range(10):
        problem = _try_site_once(site)
        if problem is None or "No such file" not in problem:
            return problem
    return problem


def _try_site_once(site: CgroupSite) -> str | None:
    name = f"probe-{os.getpid()}-{next(_cg_counter)}"
    made: list[Path] = []
    try:
        for parent in dict.fromkeys(site.parents.values()):
            parent.mkdir(exist_ok=True)
            if site.version == "v2":
                _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in _CG_V2))
            (parent / name).mkdir()
            made.append(parent / name)
        _write(site.parents["pids"] / name / "pids.max", "64")
    except OSError as exc:
        return f"{exc.strerror or exc} ({exc.filename or ''})".strip()
    finally:
        for path in made:
            _rmdir_quietly(path)
        for parent in dict.fromkeys(site.parents.values()):
            _rmdir_quietly(parent)  # only when empty: another grader may be using it
    return None


@cache
def cgroup_site() -> tuple[CgroupSite | None, str]:
    """Where worker cgroups go here, or ``(None, why not)`` (cached per process).

    cgroup v2 is used when a cgroup2 hierarchy offers the memory, pids and cpu controllers;
    otherwise cgroup v1 (a hierarchy for each of memory, pids, cpu and cpuacct). The
    ``infralab`` parent goes under the root of each hierarchy as mounted here (in a container
    with its own cgroup namespace, the container's cgroup), not under the grader's own
    cgroup: in v2 that one holds processes and so cannot delegate controllers, and in both a
    grader killed before it cleaned up must not leave dirs in a cgroup someone else manages
    (the next worker removes them, see :func:`_sweep_stale`).
    """
    mounts = _cgroup_mounts()
    reasons: list[str] = []
    for mount, _root, fstype, _opts in mounts:
        if fstype != "cgroup2":
            continue
        try:
            available = set((mount / "cgroup.controllers").read_text().split())
        except OSError:
            continue
        if not set(_CG_V2) <= available:
            lacking_v2 = " ".join(sorted(set(_CG_V2) - available))
            reasons.append(f"cgroup v2 at {mount} lacks {lacking_v2}")
            continue
        try:
            enabled = set((mount / "cgroup.subtree_control").read_text().split())
            if not set(_CG_V2) <= enabled:
                _write(mount / "cgroup.subtree_control", " ".join(f"+{c}" for c in _CG_V2))
        except OSError as exc:
            reasons.append(f"cgroup v2 at {mount}: cannot enable controllers ({exc.strerror})")
            continue
        parent = mount / _CG_PARENT
        site = CgroupSite("v2", {c: parent for c in (*_CG_V2, "cpuacct")})
        problem = _try_site(site)
        if problem is None:
            return site, ""
        reasons.append(f"cgroup v2 at {mount}: {problem}")
    parents: dict[str, Path] = {}
    for controller in _CG_V1:
        for mount, _root, fstype, opts in mounts:
            if fstype == "cgroup" and controller in opts:
                parents[controller] = mount / _CG_PARENT
                break
    lacking = [c for c in _CG_V1 if c not in parents]
    if lacking:
        reasons.append(f"no cgroup v1 hierarchy for {' '.join(lacking)}")
    else:
        site = CgroupSite("v1", parents)
        problem = _try_site(site)
        if problem is None:
            return site, ""
        reasons.append(f"cgroup v1: {problem}")
    if not _is_root():
        reasons.insert(0, "grader is not root")
    return None, "; ".join(reasons) or "no cgroup file system"


def _cpu_share(config: SandboxConfig) -> float:
    if config.sandbox_cpus is not None:
        return max(0.01, float(config.sandbox_cpus))
    return float(_cores())


def fair_cpu_share(workers: int) -> float:
    """One fair share of this machine's CPUs for one of ``workers`` parallel sandboxes."""
    return round(_cores() / max(1, workers), 3)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _procs(dirs: Sequence[Path]) -> set[int]:
    """The process ids in the cgroups ``dirs`` (a cgroup that cannot be read counts empty)."""
    found: set[int] = set()
    for d in dirs:
        try:
            found.update(int(x) for x in (d / "cgroup.procs").read_text().split())
        except (OSError, ValueError):
            continue
    return found


def _kill_until_empty(dirs: Sequence[Path], *, seconds: float, pause: float) -> None:
    """SIGKILL every process in the cgroups ``dirs`` until none is left or ``seconds`` pass
    (a fork between reading the list and the kill is caught on the next pass)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = _procs(dirs)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(pause)


def _sweep_stale(parent: Path) -> None:
    """Remove the cgroups a dead grader left under ``parent`` (killed before it cleaned up).

    Worker cgroups are named ``w<grader pid>-<n>``; one whose grader is gone is emptied (its
    tasks killed) and removed.
    """
    try:
        children = [d for d in parent.iterdir() if d.is_dir()]
    except OSError:
        return
    for d in children:
        head = d.name.split("-", 1)[0]
        if not (head.startswith("w") and head[1:].isdigit()):
            continue
        if os.path.exists(f"/proc/{head[1:]}"):
            continue
        _kill_until_empty([d], seconds=1.0, pause=0.05)
        _rmdir_quietly(d)


class Cgroup:
    """One worker's cgroup: made before the worker starts, removed with it."""

    def __init__(self, site: CgroupSite, config: SandboxConfig) -> None:
        self.version = site.version
        name = f"w{os.getpid()}-{next(_cg_counter)}"
        self.dirs: dict[str, Path] = {c: p / name for c, p in site.parents.items()}
        self._made: list[Path] = []
        try:
            with _cg_lock:
                for parent in dict.fromkeys(site.parents.values()):
                    for _ in range(5):  # another grader may remove an empty parent meanwhile
                        try:
                            parent.mkdir(exist_ok=True)
                            if site.version == "v2":
                                _write(parent / "cgroup.subtree_control", "+memory +pids +cpu")
                            _sweep_stale(parent)
                            (parent / name).mkdir()
                            break
                        except FileNotFoundError:
                            continue
                    else:
                        raise OSError(f"cannot make {parent / name}")
                    self._made.append(parent / name)
            self._limit(config)
        except BaseException:
            self.remove()
            raise

    def _limit(self, config: SandboxConfig) -> None:
        memory = str(config.sandbox_memory_bytes)
        quota = max(1000, int(_cpu_share(config) * _CFS_PERIOD_US))
        if self.version == "v2":
            d = self.dirs["memory"]
            _write(d / "memory.max", memory)
            if (d / "memory.swap.max").exists():
                _write(d / "memory.swap.max", "0")
            _write(d / "pids.max", str(config.sandbox_pids))
            _write(d / "cpu.max", f"{quota} {_CFS_PERIOD_US}")
            return
        mem = self.dirs["memory"]
        _write(mem / "memory.limit_in_bytes", memory)
        if (mem / "memory.memsw.limit_in_bytes").exists():  # memory + swap: no swapping out
            try:
                _write(mem / "memory.memsw.limit_in_bytes", memory)
            except OSError:
                pass
        _write(self.dirs["pids"] / "pids.max", str(config.sandbox_pids))
        cpu = self.dirs["cpu"]
        _write(cpu / "cpu.cfs_period_us", str(_CFS_PERIOD_US))
        _write(cpu / "cpu.cfs_quota_us", str(quota))

    @property
    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files a process writes its pid to, to join this cgroup."""
        return [str(d / "cgroup.procs") for d in self._made]

    def cpu_seconds(self) -> float | None:
        """CPU time used by every process of the sandbox so far, or ``None`` if unreadable."""
        try:
            if self.version == "v2":
                for line in (self.dirs["cpu"] / "cpu.stat").read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "usage_usec":
                        return int(value) / 1e6
                return None
            return int((self.dirs["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
        except (OSError, ValueError):
            return None

    def pids(self) -> set[int]:
        return _procs(self._made)

    def kill_all(self) -> None:
        """SIGKILL every process in the cgroup until none is left (a few seconds at most)."""
        if self.version == "v2" and self._made and (self._made[0] / "cgroup.kill").exists():
            try:
                _write(self._made[0] / "cgroup.kill", "1")
            except OSError:
                pass
        _kill_until_empty(self._made, seconds=5.0, pause=0.02)

    def remove(self) -> None:
        """Kill what is left in it, then remove the worker's dirs (and empty parents)."""
        if not self._made:
            return
        self.kill_all()
        for d in self._made:
            for _ in range(100):  # a killed task leaves the cgroup when it is reaped
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)
            with _cg_lock:
                _rmdir_quietly(d.parent)  # only when empty: other workers may still be there
        self._made = []


def _backstop(budget: float, share: float) -> float:
    """The wall-clock limit of a request given ``budget`` CPU seconds at ``share`` cores."""
    return 3 * budget / min(1.0, share) + 10.0


class _CpuClockReader(FrameReader):
    """Frames with deadlines counted in the sandbox's CPU time, with a wall-clock backstop.

    ``read(deadline)`` gives the worker ``deadline - now`` seconds of CPU time (all of the
    sandbox's processes together, from its cgroup) and at most
    ``3 * budget / min(1, cpu share) + 10`` seconds of wall-clock time (for a cell that waits,
    or a host overloaded by others than the grader's own sandboxes), and never goes past the
    worker's ``wall_deadline`` (the notebook's). A busy neighbour cannot turn a cell into a
    timeout: its CPU quota keeps it to its share, and a cell's own budget only counts its own
    CPU. Until ``cpu_clock`` is switched on (after the worker said ready) it reads by wall clock.
    """

    def __init__(self, fd: int, cgroup: Cgroup, share: float, worker: Worker) -> None:
        super().__init__(fd)
        self.cgroup = cgroup
        self.share = share
        self.worker = worker
        self.cpu_clock = False
        self._key: float | None = None
        self._cpu0 = 0.0
        self._budget = 0.0
        self._wall_end = 0.0

    def _fill(self, want: int, deadline: float) -> None:
        if not self.cpu_clock or len(self._buf) >= want:
            return super()._fill(want, deadline)
        now = time.monotonic()
        if deadline != self._key:  # a new request (one request reads with one deadline)
            cpu0 = self.cgroup.cpu_seconds()
            if cpu0 is None:
                return super()._fill(want, deadline)
            self._key, self._cpu0 = deadline, cpu0
            self._budget = max(0.0, deadline - now)
            self._wall_end = now + _backstop(self._budget, self.share)
            hard = self.worker.wall_deadline
            if hard is not None:
                self._wall_end = min(self._wall_end, max(hard, now))
        while len(self._buf) < want:
            now = time.monotonic()
            used = self.cgroup.cpu_seconds()
            if now >= self._wall_end or (used is not None and used - self._cpu0 >= self._budget):
                raise WorkerTimeout("no answer in time")
            try:  # wait a little, then look at the CPU clock again
                super()._fill(want, min(now + 0.2, self._wall_end))
            except WorkerTimeout:
                continue


class _Sink(threading.Thread):
    """Drains the worker's stdout+stderr, keeping the first ``cap`` bytes."""

    def __init__(self, stream: Any, cap: int) -> None:
        super().__init__(daemon=True, name="infralab-sink")
        self.stream = stream
        self.cap = cap
        self.kept = bytearray()
        self.total = 0

    def run(self) -> None:
        fd = self.stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 1 << 20)
            except OSError:
                return
            if not chunk:
                return
            self.total += len(chunk)
            room = self.cap - len(self.kept)
            if room > 0:
                self.kept.extend(chunk[:room])


class Worker:
    """One sandboxed learner process. Not thread-safe: one judge drives one worker."""

    def __init__(self, config: SandboxConfig, files: dict[str, Path]) -> None:
        """Prepare a worker whose work dir will hold copies of ``files`` (name -> host path).

        Nothing runs until :meth:`start`.
        """
        self.config = config
        self.info = sandbox_info(config)
        self.uid: int | None = None
        self.cgroup: Cgroup | None = None
        # When set (the judge sets the notebook's deadline), no request waits past it.
        self.wall_deadline: float | None = None
        self._ids = itertools.count(1)
        self.proc: subprocess.Popen[bytes] | None = None
        # <private 0700 dir>/submission: only the inner dir is bound into the sandbox, and
        # it must be readable by the worker's uid; the outer dir keeps other host users out.
        self._private = Path(tempfile.mkdtemp(prefix="infralab-sub-"))
        self._staging = self._private / "submission"
        self._closed = False
        try:
            self._staging.mkdir(mode=0o755)
            for name, src in sorted(files.items()):
                target = self._staging / name
                if target.parent != self._staging:
                    target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
                shutil.copyfile(src, target)
                target.chmod(0o644)
        except OSError:
            shutil.rmtree(self._private, ignore_errors=True)
            raise

    # ---- lifecycle -------------------------------------------------------------------
    def start(self, timeout: float) -> None:
        """Launch the process and wait for its ``ready`` frame."""
        cfg = self.config
        use_bwrap = self.info.kind == "bubblewrap"
        if cfg.use_bwrap is not False and not use_bwrap:
            # No silent fallback: only an explicit use_bwrap=False (--no-sandbox) runs bare.
            raise WorkerDied(
                f"{bwrap_problem()}; the worker runs only inside bubblewrap "
                "(apt-get install bubblewrap, or --no-sandbox)"
            )
        if cfg.cgroup and self.info.cgroup is not None:
            site, _ = cgroup_site()
            assert site is not None
            try:
                self.cgroup = Cgroup(site, cfg)
            except OSError as exc:
                raise WorkerDied(f"cannot make the sandbox's cgroup: {exc}") from None
        procs = self.cgroup.procs_files if self.cgroup is not None else []
        drop = _is_root() and cfg.drop_uid and _tool("setpriv") is not None
        uid = _next_uid() if drop else None
        self.uid = self.info.uid = uid
        judge_r, worker_w = os.pipe()
        worker_r, judge_w = os.pipe()
        os.set_inheritable(worker_r, True)
        os.set_inheritable(worker_w, True)
        python = [sys.executable, "-s", "-P", "-m", "infralab.grading.sandbox._worker"]
        fds = ["--rfd", str(worker_r), "--wfd", str(worker_w)]
        if use_bwrap:
            home = SANDBOX_HOME
            cmd = _bwrap_args(cfg, self._staging)
            if uid is not None:
                cmd += _setpriv_args(uid)
            cmd += [*python, *fds, "--copy-from", SANDBOX_SUBMISSION, "--home", home]
        else:
            # No isolation: the work dir is the staging copy itself, owned by the worker uid.
            home = str(self._staging)
            if uid is not None:
                for root, dirs, files in os.walk(self._staging):
                    for name in [*dirs, *files]:
                        os.lchown(os.path.join(root, name), uid, uid)
                os.chown(self._staging, uid, uid)
                os.chmod(self._staging, 0o700)
                os.chmod(self._private, 0o711)  # traversable, not listable
            cmd = _setpriv_args(uid) if uid is not None else []
            cmd += [*python, *fds, "--home", home]
        nproc = cfg.nproc
        if not drop:
            # RLIMIT_NPROC counts every task of the real uid, the grader's own included.
            nproc += _tasks_of_uid(os.getuid())
        limits = [
            (resource.RLIMIT_CPU, cfg.cpu_seconds),
            (resource.RLIMIT_AS, cfg.memory_bytes),
            (resource.RLIMIT_NPROC, nproc),
            (resource.RLIMIT_FSIZE, cfg.fsize_bytes),
            (resource.RLIMIT_NOFILE, cfg.nofile),
            (resource.RLIMIT_CORE, 0),
        ]

        def _limit() -> None:  # runs in the child between fork and exec: syscalls only
            if procs:  # join the sandbox's cgroup before anything of the sandbox runs
                pid = str(os.getpid()).encode()
                for path in procs:
                    fd = os.open(path, os.O_WRONLY)
                    try:
                        os.write(fd, pid)
                    finally:
                        os.close(fd)
            for which, value in limits:
                resource.setrlimit(which, (value, value))

        try:
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(worker_r, worker_w),
                env=_worker_env(home, cfg.data_dir),
                cwd="/" if use_bwrap else home,
                start_new_session=True,
                preexec_fn=_limit,
                close_fds=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            for fd in (judge_r, judge_w):
                os.close(fd)
            if self.cgroup is not None:
                self.cgroup.remove()
            raise WorkerDied(f"the worker did not start: {exc}") from None
        finally:
            os.close(worker_r)
            os.close(worker_w)
        self._wfd = judge_w
        self._rfd = judge_r
        self._reader: FrameReader = (
            _CpuClockReader(judge_r, self.cgroup, _cpu_share(cfg), self)
            if self.cgroup is not None
            else FrameReader(judge_r)
        )
        self._sink = _Sink(self.proc.stdout, cfg.output_cap)
        self._sink.start()
        deadline = time.monotonic() + timeout
        try:
            hello = self._reader.read(deadline)
        except WorkerDied:
            self._reap(0.5)
            raise WorkerDied(f"the worker did not start: {self.output_tail(400)}") from None
        if hello.get("op") != "ready":
            raise ProtocolError("the worker did not say ready")
        if isinstance(self._reader, _CpuClockReader):
            self._reader.cpu_clock = True  # from now on, requests are timed in CPU seconds

    def request(
        self,
        message: dict[str, Any],
        timeout: float,
        on_env: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Send one request and wait for the reply with the same id.

        While it waits, the worker may ask the trusted environment for something (a model
        call, a tool call, a sleep): frames with ``op == "env"`` are answered with
        ``on_env(frame)`` (see :mod:`infralab.grading.grade._env`), within the same deadline.

        Raises:
            WorkerDied, WorkerTimeout, ProtocolError: the worker is lost; call :meth:`kill`.
        """
        if self.proc is None or self._closed:
            raise WorkerDied("the worker is not running")
        msg_id = next(self._ids)
        deadline = time.monotonic() + max(0.0, timeout)
        try:
            write_frame(self._wfd, {**message, "id": msg_id})
        except OSError as exc:
            raise WorkerDied(f"cannot write to the worker: {exc.strerror}") from None
        while True:
            try:
                reply = self._reader.read(deadline)
            except WorkerDied:
                code = self._reap(1.0)
                raise WorkerDied(_describe_exit(code, self.info.kind == "bubblewrap")) from None
            except WorkerTimeout:
                raise
            if reply.get("op") == "env" and on_env is not None:
                try:
                    write_frame(self._wfd, {"op": "env_reply", **on_env(reply)})
                except (OSError, ValueError) as exc:
                    raise WorkerDied(f"cannot answer the worker: {exc}") from None
                continue
            if reply.get("id") == msg_id:
                return reply
            # Stale or forged frames (learner code can write to the pipe) are skipped.

    def output_tail(self, n: int = 2000) -> str:
        if not hasattr(self, "_sink"):
            return ""
        return bytes(self._sink.kept[-n:]).decode("utf-8", "replace")

    @property
    def output_bytes(self) -> int:
        return self._sink.total if hasattr(self, "_sink") else 0

    def _reap(self, timeout: float) -> int | None:
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """Kill the worker and everything it started; remove its files. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            if self.uid is not None:
                _kill_uid(self.uid)
            self._reap(10.0)
            if self.uid is not None:
                _kill_uid(self.uid)
            for fd in (self._wfd, self._rfd):
                try:
                    os.close(fd)
                except OSError:
                    pass
            if self.proc.stdout is not None:
                self._sink.join(timeout=2.0)
                self.proc.stdout.close()
        if self.cgroup is not None:
            self.cgroup.remove()  # kills whatever is still in it first
        shutil.rmtree(self._private, ignore_errors=True)

    def close(self, timeout: float = 2.0) -> None:
        """Ask the worker to exit, then make sure it is gone."""
        if not self._closed and self.proc is not None and self.proc.poll() is None:
            try:
                write_frame(self._wfd, {"op": "exit", "id": 0})
            except OSError:
                pass
            self._reap(timeout)
        self.kill()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()


def _describe_exit(code: int | None, via_bwrap: bool) -> str:
    if code is None:
        return "the worker stopped answering"
    # bubblewrap reports a child killed by signal N as exit status 128 + N, like a shell.
    signum = -code if code < 0 else (code - 128 if via_bwrap and 128 < code < 160 else 0)
    if signum:
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        return f"the worker was killed by {name}"
    return f"the worker exited with status {code}"
