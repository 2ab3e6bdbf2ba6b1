"""``python -m infralab.lab`` (make lab): real Phoenix and JupyterLab, stopped with no orphan.

The slow tests start real servers on free 127.0.0.1 ports with Phoenix's store in a temporary
directory; the fast ones check the port and error handling with tiny child processes.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infralab import lab

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _launch(*args: str, tmp_path: Path) -> tuple[list[str], int, int]:
    phoenix_port, lab_port = _free_port(), _free_port()
    cmd = [
        sys.executable,
        "-m",
        "infralab.lab",
        "--no-browser",
        "--phoenix-port",
        str(phoenix_port),
        "--lab-port",
        str(lab_port),
        "--phoenix-dir",
        str(tmp_path / "phoenix"),
        *args,
    ]
    return cmd, phoenix_port, lab_port


@pytest.mark.slow
@pytest.mark.phoenix
def test_smoke_starts_both_stores_a_trace_and_leaves_nothing_behind(tmp_path):
    cmd, phoenix_port, lab_port = _launch("--smoke", tmp_path=tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PHOENIX_COLLECTOR_ENDPOINT"}
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "JupyterLab /api answered" in out
    assert "Phoenix stored span 'infralab-smoke'" in out
    pids = [int(p) for p in re.findall(r"pid (\d+)", out)]
    assert len(pids) == 2, out
    assert all(_group_gone(pid) for pid in pids), f"left running: {pids}"
    assert not _listening(phoenix_port) and not _listening(lab_port)
    assert (tmp_path / "phoenix" / "phoenix.log").is_file()
    # Phoenix kept its SQLite store where we told it to.
    assert list((tmp_path / "phoenix").glob("*.db")), list((tmp_path / "phoenix").iterdir())


@pytest.mark.slow
@pytest.mark.phoenix
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_stops_both_servers(tmp_path, sig):
    cmd, phoenix_port, lab_port = _launch(tmp_path=tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PHOENIX_COLLECTOR_ENDPOINT"}
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "JupyterLab: http://127.0.0.1" in line:
                break
        assert any("JupyterLab: http://127.0.0.1" in line for line in lines), "".join(lines)
        assert _listening(lab_port)
        pids = [int(p) for p in re.findall(r"pid (\d+)", "".join(lines))]
        assert len(pids) == 2, "".join(lines)
        proc.send_signal(sig)
        rest, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = "".join(lines) + rest
    assert "stopped JupyterLab and Phoenix" in out, out
    assert proc.returncode == (130 if sig == signal.SIGINT else 143), out
    assert all(_group_gone(pid) for pid in pids), f"left running: {pids}\n{out}"
    assert not _listening(phoenix_port) and not _listening(lab_port)


def test_an_explicit_busy_port_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        with pytest.raises(lab.LabError, match=rf"port {busy} .*--phoenix-port.* in use"):
            lab._choose_port(busy, 6006, "phoenix")
        # The default being busy is not an error: another free port is used.
        port = lab._choose_port(None, busy, "phoenix")
        assert port != busy and lab._port_is_free(port)


def test_a_server_that_dies_names_its_log(tmp_path):
    log = tmp_path / "server.log"
    child = lab.Child(
        "fake",
        [sys.executable, "-c", "print('boom: no database'); raise SystemExit(3)"],
        dict(os.environ),
        log,
    )
    try:
        with pytest.raises(lab.LabError) as info:
            lab._wait_until(lambda: False, child, "Phoenix", timeout=60)
    finally:
        child.stop()
    message = str(info.value)
    assert "Phoenix exited with status 3" in message
    assert str(log) in message and "boom: no database" in message


def test_a_server_that_never_answers_times_out_and_is_stopped(tmp_path):
    child = lab.Child(
        "sleeper",
        [sys.executable, "-c", "import time; time.sleep(600)"],
        dict(os.environ),
        tmp_path / "sleeper.log",
    )
    with pytest.raises(lab.LabError, match=r"did not answer within 0 s.*sleeper\.log"):
        lab._wait_until(lambda: False, child, "JupyterLab", timeout=0.3)
    child.stop()
    assert child.proc.returncode is not None and _group_gone(child.pid)


def test_stop_kills_the_whole_process_group(tmp_path, monkeypatch):
    # A server that starts a grandchild (like JupyterLab starting kernels) and ignores SIGTERM.
    code = (
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "print('ready', flush=True)\n"
        "time.sleep(600)\n"
    )
    child = lab.Child(
        "stubborn", [sys.executable, "-c", code], dict(os.environ), tmp_path / "s.log"
    )
    deadline = time.monotonic() + 30
    while "ready" not in (tmp_path / "s.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    monkeypatch.setattr(lab, "STOP_TIMEOUT_S", 0.5)
    child.stop()
    assert _group_gone(child.pid)
