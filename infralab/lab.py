"""``make lab``: JupyterLab on ``labs/`` with a Phoenix server beside it; both stop together.

``python -m infralab.lab`` starts Phoenix (``python -m phoenix.server.main serve``) as its own
process, bound to 127.0.0.1 with its SQLite store in ``<repo>/.phoenix``, and JupyterLab at
the same time (Phoenix takes several seconds to start, JupyterLab should not wait for it).
Notebooks get ``PHOENIX_COLLECTOR_ENDPOINT``, so :func:`infralab.tracing.setup_tracing`
exports there. Ctrl-C, SIGTERM, a closed terminal or JupyterLab's own shutdown stop both.

Options: ``--no-browser``, ``--phoenix-port`` (default 6006, a free one if busy),
``--lab-port`` (default 8888, likewise), ``--phoenix-dir``, and ``--smoke``: start both, check
that JupyterLab's API and Phoenix answer, send one trace through ``setup_tracing`` and read it
back from Phoenix's REST API, stop both, exit 0 (non-zero with a message otherwise).

Introduced in lab ``00-orientation`` (the README's first command).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
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

__all__ = ["main", "start_phoenix", "Child", "LabError"]

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
DEFAULT_PHOENIX_PORT = 6006
DEFAULT_LAB_PORT = 8888
DEFAULT_GRPC_PORT = 4317
SMOKE_PROJECT = "infralab-smoke"
#: Seconds to wait for a server to answer before giving up (Phoenix runs its database
#: migrations on first start; on a busy 2-core machine that has taken half a minute).
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 15.0

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


def start_phoenix(port: int, grpc_port: int, working_dir: Path) -> Child:
    """Start a Phoenix server on 127.0.0.1:``port`` with its store and log in ``working_dir``.

    Returns at once; wait for ``http://127.0.0.1:<port>/healthz`` before sending spans.
    """
    working_dir = Path(working_dir).resolve()
    working_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **_base_env(),
        "PHOENIX_HOST": HOST,
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(grpc_port),
        "PHOENIX_WORKING_DIR": str(working_dir),
        # No telemetry pixels, no web fonts or other public-internet requests.
        "PHOENIX_TELEMETRY_ENABLED": "false",
        "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",
    }
    return Child(
        "phoenix",
        [sys.executable, "-m", "phoenix.server.main", "serve"],
        env,
        working_dir / "phoenix.log",
    )


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
        # Phoenix also opens an OTLP/gRPC port (4317 by default) that cannot be turned off;
        # move it when busy so that two checkouts (or a test) can run side by side.
        self.grpc_port = (
            DEFAULT_GRPC_PORT
            if _port_is_free(DEFAULT_GRPC_PORT) and DEFAULT_GRPC_PORT != self.lab_port
            else _free_port()
        )
        self.phoenix_dir = Path(args.phoenix_dir).resolve()
        self.phoenix_url = f"http://{HOST}:{self.phoenix_port}"
        self.lab_url = f"http://{HOST}:{self.lab_port}"
        self.token = secrets.token_hex(24)
        self.open_browser = not args.no_browser
        self.phoenix: Child | None = None
        self.lab: Child | None = None

    def start(self) -> None:
        python = sys.executable
        _write_offline_lab_settings()
        base = _base_env()
        self.phoenix = start_phoenix(self.phoenix_port, self.grpc_port, self.phoenix_dir)
        lab_env = {
            **base,
            "PHOENIX_COLLECTOR_ENDPOINT": self.phoenix_url,
            # The token through the environment, not argv: other users can read argv in ps.
            "JUPYTER_TOKEN": self.token,
        }
        argv = [
            python,
            "-m",
            "jupyterlab",
            f"--ServerApp.ip={HOST}",
            f"--ServerApp.port={self.lab_port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={REPO / 'labs'}",
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
        self.lab = Child("jupyterlab", argv, lab_env, REPO / ".lab" / "jupyterlab.log")

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

    def report_phoenix() -> None:
        try:
            took = servers.wait_phoenix()
        except LabError as e:
            _say(f"PHOENIX DID NOT START: {e}\nThe labs still work: spans stay in memory.")
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
    assert servers.lab is not None and servers.phoenix is not None
    _say(
        f"smoke: Phoenix pid {servers.phoenix.pid} on {servers.phoenix_url}, "
        f"JupyterLab pid {servers.lab.pid} on {servers.lab_url}"
    )
    took_lab = servers.wait_lab()
    version = _get(f"{servers.lab_url}/api")
    _say(f"smoke: JupyterLab /api answered in {took_lab:.1f} s: {version}")
    took_phoenix = servers.wait_phoenix()
    _say(f"smoke: Phoenix /healthz answered in {took_phoenix:.1f} s")

    from infralab.clock import VirtualClock, use_clock
    from infralab.tracing import setup_tracing

    run_id = secrets.token_hex(6)
    tracing = setup_tracing(SMOKE_PROJECT, endpoint=servers.phoenix_url, instrument_langchain=False)
    try:
        clock = VirtualClock()
        with use_clock(clock):
            with tracing.tracer.start_as_current_span("infralab-smoke") as span:
                span.set_attribute("infralab.smoke.run", run_id)
                with tracing.tracer.start_as_current_span("infralab-smoke-child"):
                    clock.advance(1.5)
        if not tracing.flush(timeout_s=20):
            raise LabError(f"the spans could not be sent to {servers.phoenix_url}/v1/traces")
    finally:
        tracing.shutdown()
    url = f"{servers.phoenix_url}/v1/projects/{SMOKE_PROJECT}/spans?limit=1000"
    deadline = time.monotonic() + 60
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        try:
            data = _get(url, timeout=5)["data"]
        except (OSError, urllib.error.URLError, KeyError, TypeError, ValueError) as e:
            last_error = str(e)  # 404 until the project's first span is stored
        else:
            ours = [s for s in data if s.get("attributes", {}).get("infralab.smoke.run") == run_id]
            if ours:
                stored = ours[0]
                _say(
                    f"smoke: Phoenix stored span {stored['name']!r} (trace "
                    f"{stored['context']['trace_id']}) in project {SMOKE_PROJECT!r}"
                )
                return 0
            last_error = f"{len(data)} spans in the project, none from this run"
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
        help="start both, check they answer and Phoenix stores a trace, stop, exit 0",
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
        return 130 if isinstance(e, KeyboardInterrupt) else 143
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
