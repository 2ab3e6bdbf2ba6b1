"""``python -m infralab.lab`` (make lab): real Phoenix and JupyterLab, stopped with no orphan.

The slow tests start real servers on free 127.0.0.1 ports with Phoenix's store in a temporary
directory; the fast ones check the port and error handling with tiny child processes.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from servers import free_port

from infralab import lab

REPO = Path(__file__).resolve().parents[1]


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


def _group_pids(pgid: int) -> set[int]:
    """Every process in process group ``pgid`` (a server and the children it started)."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if int(fields[2]) == pgid:  # fields after "pid (comm)": state, ppid, pgrp
            pids.add(int(stat.parent.name))
    return pids


def _listening_sockets(pids: set[int]) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state that one of ``pids`` holds."""
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            local, state, inode = cols[1], cols[3], cols[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            addr_hex, port_hex = local.split(":")
            raw = bytes.fromhex(addr_hex)
            # /proc/net prints each 32-bit word in host (little-endian) order.
            words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            family = socket.AF_INET if width == 8 else socket.AF_INET6
            found.add((socket.inet_ntop(family, words), int(port_hex, 16)))
    return found


def _launch(*args: str, tmp_path: Path) -> tuple[list[str], int, int]:
    phoenix_port, lab_port = free_port(), free_port()
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
    assert "the Formgrader and the Assignment List (course agent-infra-lab) list" in out
    assert "Phoenix stored span 'SimChatModel'" in out and "the catalog's price" in out
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
def test_both_listen_on_loopback_only_and_a_signal_stops_both(tmp_path, sig):
    cmd, phoenix_port, lab_port = _launch(tmp_path=tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PHOENIX_COLLECTOR_ENDPOINT"}
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    ready = ("JupyterLab: http://127.0.0.1", "Phoenix:    http://127.0.0.1")
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if all(any(r in seen for seen in lines) for r in ready):
                break
        text = "".join(lines)
        assert all(r in text for r in ready), text
        pids = [int(p) for p in re.findall(r"pid (\d+)", text)]
        assert len(pids) == 2, text
        # Everything either server listens on (Phoenix's gRPC collector included, which it
        # would open on every interface) is on 127.0.0.1: here, just the two web ports.
        sockets = _listening_sockets(_group_pids(pids[0]) | _group_pids(pids[1]))
        assert sockets == {("127.0.0.1", lab_port), ("127.0.0.1", phoenix_port)}, sockets
        proc.send_signal(sig)
        rest, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = "".join(lines) + rest
    assert "stopped JupyterLab and Phoenix" in out, out
    # Ctrl-C is the normal way to end `make lab` (make must not report "Error 130").
    assert proc.returncode == (0 if sig == signal.SIGINT else 143), out
    assert all(_group_gone(pid) for pid in pids), f"left running: {pids}\n{out}"
    assert not _listening(phoenix_port) and not _listening(lab_port)


def test_the_price_table_matches_every_simulator_model_name_and_no_other():
    """Is each profile priced as the catalog prices it, under every name a span may carry?"""
    import re as regex

    from infralab.llm import get_profile, list_profiles

    rows = lab._simulator_price_rows()
    assert [r["name"] for r in rows] == [p.id for p in list_profiles()]

    def priced(model_name):
        hits = [r for r in rows if regex.search(r["namePattern"], model_name)]
        assert len(hits) <= 1, (model_name, hits)
        return hits[0] if hits else None

    for profile in list_profiles():
        row = priced(profile.id)
        assert row is not None and row["name"] == profile.id
        prices = {c["tokenType"]: c["costPerMillionTokens"] for c in row["costs"]}
        per_mtok = profile.cost(1_000_000, 0), profile.cost(0, 1_000_000)
        assert (prices["input"], prices["output"]) == per_mtok
        # A bare family name is priced as the version get_profile resolves it to.
        assert priced(profile.name)["name"] == get_profile(profile.name).id
    for other in ("gpt-4o-mini", "sim-large@2027-01", "xsim-large", "sim-large@2026-06x"):
        assert priced(other) is None, other


@pytest.mark.slow
@pytest.mark.phoenix
def test_ctrl_c_in_a_terminal_ends_make_lab_without_an_error(tmp_path):
    """Does Ctrl-C in a real terminal stop both servers, with no "make: *** Error" line?

    ``make lab`` runs in a pseudo-terminal; the ^C byte makes the terminal send SIGINT to its
    foreground process group (make and the launcher), exactly as a keyboard does. make
    (GNU) then ends by the same signal, which a shell reports as a plain interrupt.
    """
    import pty
    import select

    lab_port, phoenix_port = free_port(), free_port()
    make = [
        "make",
        "-o",
        ".venv/.installed",  # never reinstall the venv from a test
        "lab",
        f"LAB_PORT={lab_port}",
        f"PHOENIX_PORT={phoenix_port}",
        f"PHOENIX_DIR={tmp_path / 'phoenix'}",
        "NO_BROWSER=1",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PHOENIX_", "MAKE"))}
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.chdir(REPO)
        os.execvpe("make", make, env)
    out = b""
    sent = False
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 1.0)[0]:
                try:
                    data = os.read(fd, 4096)
                except OSError:  # EIO: the terminal's last process has gone
                    break
                if not data:
                    break
                out += data
            if not sent and b"JupyterLab: http" in out and b"Phoenix:    http" in out:
                os.write(fd, b"\x03")
                sent = True
        _, status = os.waitpid(pid, 0)
    finally:
        with contextlib.suppress(ChildProcessError, ProcessLookupError):
            if os.waitpid(pid, os.WNOHANG) == (0, 0):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        os.close(fd)
    text = out.decode(errors="replace")
    assert sent, text
    assert "stopped JupyterLab and Phoenix" in text, text
    assert "make: ***" not in text, text
    assert (
        os.WIFSIGNALED(status)
        and os.WTERMSIG(status) == signal.SIGINT
        or (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0)
    ), (status, text)
    assert not _listening(phoenix_port) and not _listening(lab_port)
    assert (tmp_path / "phoenix" / "phoenix.log").is_file()  # PHOENIX_DIR reached the launcher


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
