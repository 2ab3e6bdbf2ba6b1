"""Helpers for tests that start real local servers (Phoenix, JupyterLab, Redis, nbgrader).

Imported by test modules as ``from servers import ...`` (tests/ is on sys.path through
tests/conftest.py); the ``phoenix_url`` fixture in tests/conftest.py uses them.
"""

from __future__ import annotations

import socket
import time

from infralab import lab


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spans_in_phoenix(url: str, project: str, want: int, timeout_s: float = 60.0) -> list[dict]:
    """The spans Phoenix stored for ``project``, polled until there are ``want`` (or time is up).

    Phoenix stores spans asynchronously, and the project answers 404 until its first span.
    """
    deadline, data = time.monotonic() + timeout_s, []
    while time.monotonic() < deadline:
        try:
            data = lab._get(f"{url}/v1/projects/{project}/spans?limit=1000", timeout=5)["data"]
        except OSError:  # 404 until the project's first span is stored
            data = []
        if len(data) >= want:
            return data
        time.sleep(0.5)
    return data
