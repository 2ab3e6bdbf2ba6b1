"""``make lab``: JupyterLab on the course with a Phoenix server beside it; both stop together.

``python -m infralab.lab`` starts Phoenix as its own process (Phoenix's own ``serve``, bound to
127.0.0.1, its OTLP/gRPC collector switched off, its SQLite store in ``<repo>/.phoenix``) and
JupyterLab at the same time (Phoenix takes several seconds to start, JupyterLab should not wait
for it). Notebooks get ``PHOENIX_COLLECTOR_ENDPOINT``, so :func:`infralab.tracing.setup_tracing`
exports there. Ctrl-C, SIGTERM, a closed terminal or JupyterLab's own shutdown stop both.

What a learner or instructor finds on first open, and why it is set up here:

- JupyterLab's root is the course root (the repository) and its file browser opens on
  ``labs/``: nbgrader's Formgrader only works when the course root lies inside the server
  root. ``nbgrader_config.py`` is found from any directory (``JUPYTER_CONFIG_PATH``), and the
  venv's ``bin/`` leads the server's ``PATH`` (the Formgrader runs the ``alembic`` command).
- nbgrader's Assignment List shows the labs: each ``labs/<lab>`` is released into the local
  exchange (``grader/exchange``, git-ignored) with nbgrader's own release step.
- Phoenix prices the simulator's calls: Phoenix computes a span's cost itself, from its model
  pricing table and the span's token counts (it does not read ``llm.cost.*``), so every
  profile of the simulator's catalog is registered there (:func:`register_simulator_prices`).

Options: ``--no-browser``, ``--phoenix-port`` (default 6006, a free one if busy),
``--lab-port`` (default 8888, likewise), ``--phoenix-dir``, and ``--smoke``: start both, check
that JupyterLab and nbgrader's Formgrader and Assignment List answer with the labs, that Phoenix
stores a simulator call with its cost, stop both, exit 0 (non-zero with a message otherwise).

Introduced in lab ``00-orientation`` (the README's first command).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import fcntl
import filecmp
import json
import os
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "main",
    "start_phoenix",
    "serve_phoenix",
    "register_simulator_prices",
    "release_labs",
    "Child",
    "LabError",
]

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
DEFAULT_PHOENIX_PORT = 6006
DEFAULT_LAB_PORT = 8888
SMOKE_PROJECT = "infralab-smoke"
#: Seconds to wait for a server to answer before giving up (Phoenix runs its database
#: migrations on first start; on a busy 2-core machine that has taken half a minute).
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 15.0
#: Phoenix reloads its model pricing table every 5 s (``GenerativeModelStore``) and prices a
#: span when it stores it: a price registered now applies to spans stored after the next
#: reload. The launcher waits this long after registering before it calls Phoenix ready.
PHOENIX_PRICES_RELOAD_S = 6.0
#: Our name for the simulator in Phoenix's pricing table (the provider column).
SIM_PROVIDER = "infralab-sim"

# Loopback requests must never go through an HTTP proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class LabError(RuntimeError):
    """A server did not start or answer; the message says which and where its log is."""


def _say(message: str) -> None:
    print(f"[infralab lab] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Ports and HTTP


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _choose_port(requested: int | None, default: int, what: str) -> int:
    """``requested`` if free (else an error), else ``default`` if free, else any free port."""
    if requested is not None:
        if not 0 < requested < 65536:
            raise LabError(f"--{what}-port must be between 1 and 65535, got {requested}")
        if not _port_is_free(requested):
            raise LabError(f"port {requested} on {HOST} (--{what}-port) is already in use")
        return requested
    if _port_is_free(default):
        return default
    port = _free_port()
    _say(f"port {default} is busy; {what} uses port {port}")
    return port


def _get(url: str, headers: dict[str, str] | None = None, timeout: float = 2.0) -> Any:
    """GET ``url`` and return its decoded JSON (or text); raises on any error status."""
    request = urllib.request.Request(url, headers=headers or {})
    with _opener.open(request, timeout=timeout) as response:
        body = response.read().decode()
    try:
        return json.loads(body)
    except ValueError:
        return body


# ---------------------------------------------------------------------------------------------
# Child processes


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if this launcher dies (even by SIGKILL): no orphans."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Child:
    """A server process in its own session (so a terminal's Ctrl-C reaches only us)."""

    def __init__(self, name: str, argv: Sequence[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(log, "ab")  # closed in stop()
        self._log_file.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} {name}\n".encode())
        self._log_file.flush()
        self.proc = subprocess.Popen(
            list(argv),
            env=env,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join("    " + line for line in text[-lines:])

    def stop(self) -> None:
        """SIGTERM the whole process group (server and its children), SIGKILL if it lingers."""
        pgid = self.proc.pid
        for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, 5.0)):
            self.proc.poll()  # reap the leader, or its zombie counts as alive
            if not _group_alive(pgid):
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                self.proc.poll()
                if not _group_alive(pgid):
                    break
                time.sleep(0.1)
        self.proc.poll()
        self._log_file.close()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a reused id owned by someone else
        return False
    return True


def _wait_until(
    ready: Callable[[], bool], child: Child, what: str, timeout: float = START_TIMEOUT_S
) -> float:
    """Poll ``ready`` until it is true; seconds taken. Raises LabError if the child dies."""
    start = time.monotonic()
    while True:
        if ready():
            return time.monotonic() - start
        if not child.running():
            raise LabError(
                f"{what} exited with status {child.proc.returncode} before it answered. "
                f"Its log is {child.log}; last lines:\n{child.log_tail()}"
            )
        if time.monotonic() - start > timeout:
            raise LabError(
                f"{what} did not answer within {timeout:.0f} s. Its log is {child.log}; "
                f"last lines:\n{child.log_tail()}"
            )
        time.sleep(0.2)


def _answers(url: str, headers: dict[str, str] | None = None) -> Callable[[], bool]:
    def check() -> bool:
        try:
            _get(url, headers, timeout=1.0)
        except (OSError, urllib.error.URLError, ValueError):
            return False
        return True

    return check


# ---------------------------------------------------------------------------------------------
# The two servers


def _base_env() -> dict[str, str]:
    """This environment without PHOENIX_* settings (ours must not be overridden by stray ones)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PHOENIX_")}


def start_phoenix(port: int, working_dir: Path) -> Child:
    """Start a Phoenix server on 127.0.0.1:``port`` with its store and log in ``working_dir``.

    The child runs :func:`serve_phoenix` (Phoenix's own ``serve``, without its gRPC port).
    Returns at once; wait for ``http://127.0.0.1:<port>/healthz`` before sending spans.
    """
    working_dir = Path(working_dir).resolve()
    working_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **_base_env(),
        "PHOENIX_HOST": HOST,
        "PHOENIX_PORT": str(port),
        "PHOENIX_WORKING_DIR": str(working_dir),
        # No telemetry pixels, no web fonts or other public-internet requests.
        "PHOENIX_TELEMETRY_ENABLED": "false",
        "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",
    }
    return Child(
        "phoenix",
        [sys.executable, "-c", "from infralab.lab import serve_phoenix; serve_phoenix()"],
        env,
        working_dir / "phoenix.log",
    )


def serve_phoenix() -> None:  # pragma: no cover - runs in the Phoenix child process
    """Run ``phoenix serve`` with its OTLP/gRPC collector switched off.

    Phoenix binds that collector to ``[::]:4317``, every interface, whatever ``PHOENIX_HOST``
    says, and has no setting to turn it off (only read-only mode does, which also refuses
    spans). The labs export over OTLP/HTTP to Phoenix's web port, which does honour
    ``PHOENIX_HOST``, so the gRPC server is not needed: we construct it ``disabled`` (its own
    constructor argument). If a Phoenix upgrade drops that argument this fails loudly rather
    than listening on every interface.
    """
    import inspect

    from phoenix.server import grpc_server

    original = grpc_server.GrpcServer.__init__
    if "disabled" not in inspect.signature(original).parameters:
        raise SystemExit(
            "infralab.lab: this Phoenix version's GrpcServer has no 'disabled' argument; "
            "refusing to start a gRPC collector on every interface"
        )

    def without_grpc(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["disabled"] = True
        original(self, *args, **kwargs)

    grpc_server.GrpcServer.__init__ = without_grpc  # type: ignore[method-assign]
    sys.argv = ["phoenix", "serve"]
    runpy.run_module("phoenix.server.main", run_name="__main__", alter_sys=True)


# ---------------------------------------------------------------------------------------------
# Phoenix's pricing table


def _graphql(phoenix_url: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    """POST a GraphQL request to Phoenix; its ``data``, or LabError naming the errors."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"{phoenix_url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with _opener.open(request, timeout=30) as response:
            answer = json.loads(response.read().decode())
    except (OSError, urllib.error.URLError, ValueError) as e:
        raise LabError(f"Phoenix's GraphQL API ({phoenix_url}/graphql) failed: {e}") from None
    if answer.get("errors"):
        messages = "; ".join(str(err.get("message", err)) for err in answer["errors"])
        raise LabError(f"Phoenix's GraphQL API refused the request: {messages}")
    return answer["data"]


_MODELS_QUERY = """
query { generativeModels(first: 1000) { edges { node {
  id name provider namePattern kind tokenPrices { tokenType kind costPerMillionTokens }
} } } }
"""
_CREATE_MODEL = """
mutation($input: CreateModelMutationInput!) { createModel(input: $input) { model { id } } }
"""
_UPDATE_MODEL = """
mutation($input: UpdateModelMutationInput!) { updateModel(input: $input) { model { id } } }
"""


def _simulator_price_rows() -> list[dict[str, Any]]:
    """One pricing-table row per profile of the simulator's catalog, as Phoenix takes them.

    The pattern matches the name a span carries in ``llm.model_name``: the profile id
    (``sim-large@2026-06``); the newest version of a family also matches its bare name
    (``sim-large``), which :func:`infralab.llm.get_profile` resolves to that version.
    """
    import re

    from infralab.llm import get_profile, list_profiles

    rows = []
    for profile in list_profiles():
        pattern = re.escape(profile.id)
        if get_profile(profile.name) == profile:
            pattern = f"{re.escape(profile.name)}(@{re.escape(profile.version)})?"
        rows.append(
            {
                "name": profile.id,
                "provider": SIM_PROVIDER,
                "namePattern": f"^{pattern}$",
                "costs": [
                    {
                        "tokenType": "input",
                        "kind": "PROMPT",
                        "costPerMillionTokens": float(profile.input_price_per_mtok),
                    },
                    {
                        "tokenType": "output",
                        "kind": "COMPLETION",
                        "costPerMillionTokens": float(profile.output_price_per_mtok),
                    },
                ],
            }
        )
    return rows


def register_simulator_prices(phoenix_url: str) -> list[str]:
    """Make Phoenix's pricing table price every simulator profile as the catalog does.

    Phoenix shows a span's cost only if a model in its table matches the span's
    ``llm.model_name``; built-in rows cover hosted models, never ``sim-*``. Rows are created
    as Phoenix's "custom models" (Settings > Models), updated when the catalog's prices
    changed, left alone when they already match. Returns the names created or updated.

    Raises:
        LabError: Phoenix did not answer or refused a row.
    """
    existing = {
        edge["node"]["name"]: edge["node"]
        for edge in _graphql(phoenix_url, _MODELS_QUERY)["generativeModels"]["edges"]
        if edge["node"]["kind"] != "BUILT_IN"
    }
    changed = []
    for row in _simulator_price_rows():
        current = existing.get(row["name"])
        if current is not None:
            same_prices = sorted(
                (p["tokenType"], p["kind"], float(p["costPerMillionTokens"]))
                for p in current["tokenPrices"]
            ) == sorted(
                (c["tokenType"], c["kind"], c["costPerMillionTokens"]) for c in row["costs"]
            )
            if (
                same_prices
                and current["namePattern"] == row["namePattern"]
                and current["provider"] == row["provider"]
            ):
                continue
            _graphql(phoenix_url, _UPDATE_MODEL, {"input": {"id": current["id"], **row}})
        else:
            _graphql(phoenix_url, _CREATE_MODEL, {"input": row})
        changed.append(row["name"])
    return changed


# ---------------------------------------------------------------------------------------------
# Notebooks that open unmodified

try:  # JupyterLab's server is installed with the course; the launcher itself does not need it
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
except ImportError:  # pragma: no cover
    AsyncLargeFileManager = object  # type: ignore[assignment,misc]


class LabContentsManager(AsyncLargeFileManager):  # type: ignore[misc,valid-type]
    """JupyterLab's file manager, serving Python notebooks with this machine's kernel metadata.

    When a kernel starts, JupyterLab writes the kernel's spec and ``language_info`` into the
    notebook; any difference from the file (the display name ``Python 3 (ipykernel)``, the
    Python patch version) marks a notebook modified the moment it opens. No committed file
    can match every learner's Python, so ``make lab`` serves each ``python3`` notebook with the
    metadata its kernel will report (the same venv's Python): opening changes nothing, and a
    learner's save writes what JupyterLab would have written anyway. Files on disk are only
    changed by a save.
    """

    _kernel_metadata: dict[str, Any] | None = None

    @classmethod
    def kernel_metadata(cls) -> dict[str, Any]:
        """``kernelspec`` and ``language_info`` as JupyterLab writes them for a python3 kernel."""
        if cls._kernel_metadata is None:
            from ipykernel.ipkernel import IPythonKernel
            from jupyter_client.kernelspec import get_kernel_spec

            spec = get_kernel_spec("python3")
            cls._kernel_metadata = {
                "kernelspec": {
                    "display_name": spec.display_name,
                    "language": spec.language,
                    "name": "python3",
                },
                # What the kernel's kernel_info reply carries: ipykernel's own dict.
                "language_info": dict(IPythonKernel.language_info),
            }
        return cls._kernel_metadata

    async def get(self, path: str, content: bool = True, type: str | None = None, **kw: Any):  # type: ignore[override]
        model = await super().get(path, content=content, type=type, **kw)
        nb = model.get("content") if model.get("type") == "notebook" else None
        if nb is not None:
            meta = nb.setdefault("metadata", {})
            name = (meta.get("kernelspec") or {}).get("name", "python3")
            language = (meta.get("language_info") or {}).get("name", "python")
            if name == "python3" and language == "python":
                meta.update(copy.deepcopy(self.kernel_metadata()))
        return model


# ---------------------------------------------------------------------------------------------
# nbgrader: the local course


def _same_tree(a: Path, b: Path) -> bool:
    """True if directories ``a`` and ``b`` hold the same files with the same bytes."""
    if not b.is_dir():
        return False
    cmp = filecmp.dircmp(a, b, ignore=[".ipynb_checkpoints", "__pycache__"])
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(_same_tree(a / d, b / d) for d in cmp.common_dirs)


def _ensure_gradebook(root: Path) -> None:
    """Create or upgrade the course's gradebook now, with ``infralab grade``'s own settings.

    Otherwise the Formgrader creates it on its first request, and two servers (or a server
    and a grader) doing that at once can trip over each other. Called under the release lock.
    """
    from nbgrader.api import Gradebook

    from infralab.grading._course import find_course
    from infralab.grading.grade._gradebook import _course_id, _nbgrader_quirks, db_url

    course = find_course(root, from_cwd=False)
    course.gradebook.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _nbgrader_quirks(), Gradebook(db_url(course), course_id=_course_id(course)):
            pass
    except Exception as e:  # noqa: BLE001 - nbgrader and SQLAlchemy raise many kinds
        raise LabError(f"nbgrader could not open the gradebook {course.gradebook}: {e}") from None


def release_labs(root: Path = REPO) -> list[str]:
    """Release every ``labs/<lab>`` into the course's exchange, as ``nbgrader release_assignment``.

    nbgrader's Assignment List lists what is in the exchange (``Exchange.root`` in
    ``nbgrader_config.py``, ``grader/exchange``); with ``Exchange.assignment_dir`` set to
    ``labs/`` it shows each lab as already downloaded, with links to open it and a Submit
    button. nbgrader makes the exchange root world-writable (0777), as its documentation asks
    for a shared exchange. Returns the labs released.

    The course's gradebook is created here too, ready for the Formgrader.

    Raises:
        LabError: nbgrader refused to release a lab (its log is in the message), or could
            not open the gradebook.
    """
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())
    # The exchange copy must follow labs/ when a lab is rebuilt.
    config.ExchangeReleaseAssignment.force = True
    outbound = Path(config.Exchange.root) / config.CourseDirectory.course_id / "outbound"
    api = None  # nbgrader's API takes seconds to import: only when a lab needs releasing
    released = []
    lock_path = root / ".lab" / "release.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    # Two launchers at once (two terminals, parallel tests) must not replace a release while
    # the other copies it; a release already identical to labs/<lab> is left as it is.
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for lab_dir in sorted((root / "labs").iterdir()):
            if not lab_dir.is_dir() or lab_dir.name.startswith("."):
                continue
            if not any(lab_dir.glob("*.ipynb")):
                continue
            if not _same_tree(lab_dir, outbound / lab_dir.name):
                if api is None:
                    from nbgrader.apps import NbGraderAPI
                    from nbgrader.coursedir import CourseDirectory

                    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
                result = api.release_assignment(lab_dir.name)
                if not result or not result.get("success"):
                    detail = (result or {}).get("error") or (result or {}).get("log") or "no log"
                    raise LabError(f"nbgrader could not release {lab_dir.name}: {detail}")
            released.append(lab_dir.name)
        _ensure_gradebook(root)
    return released


def _write_offline_lab_settings() -> None:
    """Tell JupyterLab in this venv never to fetch news or check for updates.

    The server flags stop the requests; this setting also stops the "Would you like to get
    notified about official Jupyter news?" toast that a newcomer would otherwise see first.
    It is written to the venv's application settings (``overrides.json``), merged with what
    is there, so the learner's own user settings stay theirs.
    """
    path = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    key = "@jupyterlab/apputils-extension:notification"
    try:
        current = json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError):
        return  # a hand-edited file we cannot read: leave it alone
    wanted = {"fetchNews": "false", "checkForUpdates": False}
    if current.get(key, {}) == {**current.get(key, {}), **wanted}:
        return
    current[key] = {**current.get(key, {}), **wanted}
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(current, indent=2) + "\n")


class Servers:
    """Phoenix and JupyterLab, started together and stopped together."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.phoenix_port = _choose_port(args.phoenix_port, DEFAULT_PHOENIX_PORT, "phoenix")
        self.lab_port = _choose_port(args.lab_port, DEFAULT_LAB_PORT, "lab")
        if self.lab_port == self.phoenix_port:
            raise LabError("--lab-port and --phoenix-port must differ")
        self.phoenix_dir = Path(args.phoenix_dir).resolve()
        self.phoenix_url = f"http://{HOST}:{self.phoenix_port}"
        self.lab_url = f"http://{HOST}:{self.lab_port}"
        self.token = secrets.token_hex(24)
        self.open_browser = not args.no_browser
        self.phoenix: Child | None = None
        self.lab: Child | None = None
        self.released: list[str] = []
        self.release_error: str | None = None

    def start(self) -> None:
        """Start both children (returns at once), then release the labs into the exchange.

        The release (a second or two of nbgrader) runs while the servers boot.
        """
        python = sys.executable
        _write_offline_lab_settings()
        self.phoenix = start_phoenix(self.phoenix_port, self.phoenix_dir)
        self.lab = Child("jupyterlab", self._lab_argv(python), self._lab_env(), self.lab_log)
        try:
            self.released = release_labs()
        except LabError as e:
            self.release_error = str(e)

    def prepare_phoenix(self) -> float:
        """Wait for Phoenix, then register the simulator's prices; seconds taken.

        Raises:
            LabError: Phoenix did not start, or refused the prices.
        """
        took = self.wait_phoenix()
        if register_simulator_prices(self.phoenix_url):
            # Let Phoenix's pricing cache reload before spans arrive (see the constant).
            time.sleep(PHOENIX_PRICES_RELOAD_S)
            took += PHOENIX_PRICES_RELOAD_S
        return took

    lab_log = REPO / ".lab" / "jupyterlab.log"

    def _lab_env(self) -> dict[str, str]:
        base = _base_env()
        # The venv's scripts first: nbgrader's Formgrader runs `alembic` as a command when
        # it creates the gradebook, and `make lab` does not activate the venv.
        venv_bin = str(Path(sys.executable).parent)
        path = os.pathsep.join(
            [venv_bin, *(p for p in base.get("PATH", "").split(os.pathsep) if p)]
        )
        # nbgrader's panels look for nbgrader_config.py in Jupyter's config path and in the
        # current directory: with the course root on the path they find the course from any
        # directory. (The root holds no jupyter_*_config file that this would also load.)
        config_path = os.pathsep.join(
            [str(REPO), *(p for p in base.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p)]
        )
        return {
            **base,
            "PATH": path,
            "JUPYTER_CONFIG_PATH": config_path,
            "PHOENIX_COLLECTOR_ENDPOINT": self.phoenix_url,
            # The token through the environment, not argv: other users can read argv in ps.
            "JUPYTER_TOKEN": self.token,
        }

    def _lab_argv(self, python: str) -> list[str]:
        argv = [
            python,
            "-m",
            "jupyterlab",
            f"--ServerApp.ip={HOST}",
            f"--ServerApp.port={self.lab_port}",
            "--ServerApp.port_retries=0",
            # The course root: the Formgrader refuses a course outside the server's root.
            # The file browser opens on labs/, where the learner works.
            f"--ServerApp.root_dir={REPO}",
            "--FileContentsManager.preferred_dir=labs",
            "--ServerApp.contents_manager_class=infralab.lab.LabContentsManager",
            # Offline: no news feed, no update check, no PyPI queries from the extension page.
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
        if not self.open_browser:
            argv.append("--no-browser")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # Containers often run as root; JupyterLab refuses to unless told. It still only
            # listens on 127.0.0.1 and asks for the token.
            argv.append("--ServerApp.allow_root=True")
        return argv

    def wait_phoenix(self) -> float:
        assert self.phoenix is not None
        return _wait_until(_answers(f"{self.phoenix_url}/healthz"), self.phoenix, "Phoenix")

    def wait_lab(self) -> float:
        assert self.lab is not None
        headers = {"Authorization": f"token {self.token}"}
        return _wait_until(_answers(f"{self.lab_url}/api/status", headers), self.lab, "JupyterLab")

    def stop(self) -> None:
        """Stop JupyterLab first (it shuts its kernels down), then Phoenix."""
        for child in (self.lab, self.phoenix):
            if child is not None:
                child.stop()

    def alive(self) -> list[str]:
        return [
            f"{c.name} (pid {c.pid})"
            for c in (self.lab, self.phoenix)
            if c is not None and _group_alive(c.pid)
        ]


# ---------------------------------------------------------------------------------------------
# Modes


class _Stop(Exception):
    """Raised in the main thread by SIGTERM / SIGHUP handlers."""


def _install_signal_handlers() -> None:
    def handler(signum: int, _frame: object) -> None:
        raise _Stop(signal.Signals(signum).name)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)
    # Ctrl-C must stop both servers even when SIGINT came in ignored (a shell starts
    # background jobs that way), so restore Python's own handler explicitly.
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _run_interactive(servers: Servers) -> int:
    assert servers.lab is not None and servers.phoenix is not None
    _say(
        f"starting Phoenix (pid {servers.phoenix.pid}, log {servers.phoenix.log}) and "
        f"JupyterLab on labs/ (pid {servers.lab.pid}, log {servers.lab.log}) ..."
    )
    if servers.release_error:
        _say(f"warning: nbgrader's Assignment List will not show the labs: {servers.release_error}")

    def report_phoenix() -> None:
        try:
            took = servers.prepare_phoenix()
        except LabError as e:
            _say(f"PHOENIX IS NOT READY: {e}\nThe labs still work: spans stay in memory.")
            return
        _say(f"Phoenix:    {servers.phoenix_url}  (ready in {took:.1f} s)")

    threading.Thread(target=report_phoenix, daemon=True).start()
    took = servers.wait_lab()
    _say(f"JupyterLab: {servers.lab_url}/lab?token={servers.token}  (ready in {took:.1f} s)")
    _say("Press Ctrl-C to stop both.")
    servers.lab.proc.wait()
    _say(f"JupyterLab exited (status {servers.lab.proc.returncode}); stopping Phoenix.")
    return 0 if servers.lab.proc.returncode in (0, -signal.SIGTERM) else 1


def _run_smoke(servers: Servers) -> int:
    """Start both, check each promise ``make lab`` makes, stop; 0 when all hold."""
    assert servers.lab is not None and servers.phoenix is not None
    _say(
        f"smoke: Phoenix pid {servers.phoenix.pid} on {servers.phoenix_url}, "
        f"JupyterLab pid {servers.lab.pid} on {servers.lab_url}"
    )
    if servers.release_error:
        raise LabError(servers.release_error)
    took_lab = servers.wait_lab()
    version = _get(f"{servers.lab_url}/api")
    _say(f"smoke: JupyterLab /api answered in {took_lab:.1f} s: {version}")
    _check_nbgrader_panels(servers)
    took_phoenix = servers.prepare_phoenix()
    _say(f"smoke: Phoenix answered and took the simulator's prices in {took_phoenix:.1f} s")
    _check_phoenix_prices_a_call(servers.phoenix_url)
    return 0


def _check_nbgrader_panels(servers: Servers) -> None:
    """The APIs behind nbgrader's Formgrader and Assignment List list every released lab."""
    headers = {"Authorization": f"token {servers.token}"}
    labs = set(servers.released)
    if not labs:
        raise LabError("no lab was released into the exchange (is labs/ empty?)")

    def get(path: str) -> Any:
        try:
            return _get(f"{servers.lab_url}{path}", headers, timeout=120)
        except (OSError, urllib.error.URLError, ValueError) as e:
            raise LabError(f"JupyterLab's {path} failed: {e}; log {servers.lab_log}") from None

    # The Formgrader creates the gradebook on first use (where a missing `alembic` command
    # used to hang it).
    graded = get("/formgrader/api/assignments")
    names = {a.get("name") for a in graded} if isinstance(graded, list) else set()
    if not labs <= names:
        raise LabError(f"the Formgrader does not list {sorted(labs - names)}: {graded!r:.300}")
    courses = get("/courses")
    if not isinstance(courses, dict) or not courses.get("success") or not courses.get("value"):
        raise LabError(f"the Assignment List finds no course: {courses!r:.500}")
    course = courses["value"][0]
    listed = get(f"/assignments?course_id={urllib.parse.quote(course)}")
    if not isinstance(listed, dict) or not listed.get("success"):
        raise LabError(f"the Assignment List failed: {listed!r:.500}")
    fetched = {a["assignment_id"] for a in listed["value"] if a.get("status") == "fetched"}
    if not labs <= fetched:
        raise LabError(f"the Assignment List does not show {sorted(labs - fetched)}")
    _say(
        f"smoke: the Formgrader and the Assignment List (course {course}) list "
        f"{', '.join(sorted(labs))}"
    )


_SPAN_COST = """
query($id: ID!) { node(id: $id) { ... on Span { costSummary { total { cost tokens } } } } }
"""


def _check_phoenix_prices_a_call(phoenix_url: str) -> None:
    """One simulator call, traced as in a lab, is stored by Phoenix with the catalog's price."""
    from infralab.clock import VirtualClock, use_clock
    from infralab.llm import SimChatModel, get_profile
    from infralab.tracing import setup_tracing

    run_id = secrets.token_hex(6)
    profile = get_profile("sim-small@2026-11")
    # Passed as a dict, as infralab.llm.get_model does: LangChain's BaseChatModel declares a
    # `profile` field of another type, which a keyword argument would be checked against.
    model_args: dict[str, Any] = {"profile": profile, "seed": 0}
    tracing = setup_tracing(SMOKE_PROJECT, endpoint=phoenix_url)
    try:
        with use_clock(VirtualClock()):
            with tracing.tracer.start_as_current_span("infralab-smoke") as span:
                span.set_attribute("infralab.smoke.run", run_id)
                SimChatModel(**model_args).invoke(f"smoke check {run_id}")
        if not tracing.flush(timeout_s=20):
            raise LabError(f"the spans could not be sent to {phoenix_url}/v1/traces")
    finally:
        tracing.shutdown()
    url = f"{phoenix_url}/v1/projects/{SMOKE_PROJECT}/spans?limit=1000"
    deadline = time.monotonic() + 60
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        try:
            data = _get(url, timeout=5)["data"]
        except (OSError, urllib.error.URLError, KeyError, TypeError, ValueError) as e:
            last_error = str(e)  # 404 until the project's first span is stored
        else:
            roots = [s for s in data if s.get("attributes", {}).get("infralab.smoke.run") == run_id]
            llm = [
                s
                for s in data
                if roots
                and s["context"]["trace_id"] == roots[0]["context"]["trace_id"]
                and s.get("span_kind") == "LLM"
            ]
            if llm:
                attrs = llm[0]["attributes"]
                want = profile.cost(
                    int(attrs["llm.token_count.prompt"]), int(attrs["llm.token_count.completion"])
                )
                node = _graphql(phoenix_url, _SPAN_COST, {"id": llm[0]["id"]})["node"]
                cost = ((node or {}).get("costSummary") or {}).get("total", {}).get("cost")
                if cost is None or abs(cost - want) > 1e-12:
                    raise LabError(
                        f"Phoenix priced the simulator's call at {cost!r}, the catalog at {want}"
                    )
                _say(
                    f"smoke: Phoenix stored span {llm[0]['name']!r} (trace "
                    f"{llm[0]['context']['trace_id']}) in project {SMOKE_PROJECT!r} "
                    f"at ${cost:.8f}, the catalog's price"
                )
                return
            last_error = f"{len(data)} spans in the project, no LLM span from this run"
        time.sleep(0.5)
    raise LabError(f"Phoenix did not store the smoke trace ({url}): {last_error}")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m infralab.lab",
        description="JupyterLab on labs/ with a Phoenix trace server beside it (make lab).",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--phoenix-port", type=int, help="Phoenix port (default 6006, or free)")
    parser.add_argument("--lab-port", type=int, help="JupyterLab port (default 8888, or free)")
    parser.add_argument(
        "--phoenix-dir",
        default=str(REPO / ".phoenix"),
        help="Phoenix's working directory: SQLite store and log (default: <repo>/.phoenix)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="start both, check that they answer, that nbgrader's panels list the labs and that "
        "Phoenix prices a simulator call; stop, exit 0",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``make lab`` (or its ``--smoke`` check); returns the exit status."""
    args = _parse(argv)
    servers: Servers | None = None
    try:
        servers = Servers(args)
        if args.smoke:
            servers.open_browser = False
        _install_signal_handlers()
        servers.start()
        return _run_smoke(servers) if args.smoke else _run_interactive(servers)
    except LabError as e:
        _say(f"error: {e}")
        return 1
    except (KeyboardInterrupt, _Stop) as e:
        _say(f"stopping ({type(e).__name__ if isinstance(e, KeyboardInterrupt) else e}) ...")
        # Ctrl-C is how a learner ends `make lab`: a normal end, not a failure for make to
        # report. A SIGTERM / SIGHUP from elsewhere keeps the conventional 143.
        return 0 if isinstance(e, KeyboardInterrupt) else 143
    finally:
        if servers is not None:
            # Signals during the shutdown itself must not leave a child behind.
            with contextlib.suppress(ValueError):
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
            servers.stop()
            left = servers.alive()
            if left:
                _say(f"warning: still running: {', '.join(left)}")
            else:
                _say("stopped JupyterLab and Phoenix.")


if __name__ == "__main__":
    sys.exit(main())
