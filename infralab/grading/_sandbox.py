"""Start, talk to and kill the sandboxed worker that runs a learner's cells.

The worker is ``python -m infralab.grading._worker`` under bubblewrap:

- namespaces: no network (loopback only, in its own net namespace), own pid, ipc and uts
  namespaces, ``--die-with-parent``, ``--new-session``;
- filesystem: a fresh root with read-only binds of the system dirs, the Python installation
  and the virtualenv, the ``infralab`` package and ``datasets/``; a size-capped private
  ``/tmp`` and a size-capped tmpfs work dir that holds a copy of the submission and nothing
  else. The course's solutions/, grader/ (gradebook, keys), tests/, .git and other submissions
  do not exist in there;
- identity: when the grader runs as root, bubblewrap sets the sandbox up and ``setpriv``
  drops to an unprivileged uid of its own (one per worker, so RLIMIT_NPROC counts only that
  worker's processes, and every process of that uid can be killed at the end), with no
  capabilities and ``no_new_privs``;
- rlimits (set before exec): CPU seconds, address space (2 GiB), processes, file size, open
  files, no core files.

Without bubblewrap the worker still runs with the rlimits, its own session and (as root) its
own uid, and :class:`SandboxInfo` lists what is missing; the result carries those flags.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from infralab.grading._protocol import (
    FrameReader,
    ProtocolError,
    WorkerDied,
    WorkerTimeout,
    write_frame,
)

__all__ = [
    "SandboxConfig",
    "SandboxInfo",
    "Worker",
    "bwrap_problem",
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


@dataclass(frozen=True)
class SandboxConfig:
    """Limits for one worker. Defaults follow design.md ("Grading trust model")."""

    use_bwrap: bool | None = None  # None: use it when it works here
    drop_uid: bool = True  # when the grader runs as root
    cpu_seconds: int = 900
    memory_bytes: int = 2 * GiB
    nproc: int = 64
    fsize_bytes: int = 64 * MiB
    nofile: int = 256
    tmp_bytes: int = 256 * MiB
    home_bytes: int = 256 * MiB
    output_cap: int = 64 * 1024  # learner stdout/stderr kept for diagnostics


@dataclass
class SandboxInfo:
    """What protected a worker, for the result's ``sandbox`` field and its flags."""

    kind: str  # "bubblewrap" or "none"
    uid: int | None
    limits: dict[str, int]
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "uid_dropped": self.uid is not None,
            "network_isolated": self.kind == "bubblewrap",
            "filesystem_isolated": self.kind == "bubblewrap",
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
    limits = {
        "cpu_seconds": config.cpu_seconds,
        "memory_bytes": config.memory_bytes,
        "nproc": config.nproc,
        "fsize_bytes": config.fsize_bytes,
        "nofile": config.nofile,
    }
    missing: list[str] = []
    kind = "none"
    if config.use_bwrap is False:
        missing.append("bubblewrap disabled: no network or filesystem isolation")
    else:
        problem = bwrap_problem()
        if problem is None:
            kind = "bubblewrap"
        else:
            missing.append(problem)
    if not _is_root():
        missing.append("grader is not root: learner code runs as the grader's uid")
    elif not config.drop_uid:
        missing.append("uid drop disabled: learner code runs as root")
    elif _tool("setpriv") is None:
        missing.append("setpriv missing: learner code runs as root")
    return SandboxInfo(kind=kind, uid=None, limits=limits, missing=missing)


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


def _package_paths() -> list[Path]:
    import infralab

    pkg = Path(infralab.__file__).resolve().parent
    paths = [pkg]
    datasets = pkg.parent / "datasets"
    if datasets.is_dir():
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
    for path in [*_python_paths(), *_package_paths()]:
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


def _worker_env(home: str) -> dict[str, str]:
    # A clean environment: no API keys, no INFRALAB_MODEL (grading always uses the simulator).
    return {
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
        drop = _is_root() and cfg.drop_uid and _tool("setpriv") is not None
        uid = _next_uid() if drop else None
        self.uid = self.info.uid = uid
        judge_r, worker_w = os.pipe()
        worker_r, judge_w = os.pipe()
        os.set_inheritable(worker_r, True)
        os.set_inheritable(worker_w, True)
        python = [sys.executable, "-s", "-P", "-m", "infralab.grading._worker"]
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
            for which, value in limits:
                resource.setrlimit(which, (value, value))

        try:
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(worker_r, worker_w),
                env=_worker_env(home),
                cwd="/" if use_bwrap else home,
                start_new_session=True,
                preexec_fn=_limit,
                close_fds=True,
            )
        finally:
            os.close(worker_r)
            os.close(worker_w)
        self._wfd = judge_w
        self._rfd = judge_r
        self._reader = FrameReader(judge_r)
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

    def request(
        self,
        message: dict[str, Any],
        timeout: float,
        on_env: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Send one request and wait for the reply with the same id.

        While it waits, the worker may ask the trusted environment for something (a model
        call, a tool call, a sleep): frames with ``op == "env"`` are answered with
        ``on_env(frame)`` (see :mod:`infralab.grading._env`), within the same deadline.

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
