"""The judge <-> worker pipe protocol: length-prefixed JSON frames on dedicated fds.

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON (an object). The
worker's stdout and stderr are not part of it: learner prints go to a capped sink, so nothing a
learner prints can be mistaken for an answer. The judge reads with a deadline and a size cap,
and treats anything malformed as a broken worker.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

__all__ = [
    "MAX_FRAME",
    "WorkerLost",
    "WorkerDied",
    "WorkerTimeout",
    "ProtocolError",
    "write_frame",
    "read_frame_blocking",
    "FrameReader",
]

MAX_FRAME = 16 * 1024 * 1024
_HEADER = struct.Struct(">I")


class WorkerLost(BaseException):
    """The worker can no longer answer.

    A ``BaseException`` on purpose: a grade cell's ``except Exception`` must not swallow it.
    """


class WorkerDied(WorkerLost):
    """The worker process ended (exit, signal, crash) or closed its pipe."""


class WorkerTimeout(WorkerLost):
    """The worker did not answer within the cell's or the notebook's time limit."""


class ProtocolError(WorkerLost):
    """The worker sent something that is not a well-formed frame."""


def write_frame(fd: int, message: dict[str, Any]) -> None:
    """Write one frame (blocking). Raises ``OSError`` (e.g. ``BrokenPipeError``) as is."""
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(body) > MAX_FRAME:
        raise ValueError(f"frame of {len(body)} bytes exceeds {MAX_FRAME}")
    data = _HEADER.pack(len(body)) + body
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_exact_blocking(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame_blocking(fd: int) -> dict[str, Any] | None:
    """Worker side: read one frame, or ``None`` at end of file."""
    header = _read_exact_blocking(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes exceeds {MAX_FRAME}")
    body = _read_exact_blocking(fd, size)
    if body is None:
        return None
    message = json.loads(body.decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError("frame is not a JSON object")
    return message


class FrameReader:
    """Judge side: read frames from an untrusted fd with a deadline and a size cap."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buf = bytearray()

    def _fill(self, want: int, deadline: float) -> None:
        while len(self._buf) < want:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerTimeout("no answer in time")
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, max(65536, want - len(self._buf)))
            except OSError as exc:
                raise WorkerDied(f"pipe error: {exc}") from None
            if not chunk:
                raise WorkerDied("the worker closed its pipe")
            self._buf.extend(chunk)

    def read(self, deadline: float) -> dict[str, Any]:
        """The next frame as a dict; raises a :class:`WorkerLost` subclass otherwise."""
        self._fill(_HEADER.size, deadline)
        (size,) = _HEADER.unpack(bytes(self._buf[: _HEADER.size]))
        if size > MAX_FRAME:
            raise ProtocolError(f"frame of {size} bytes exceeds {MAX_FRAME}")
        self._fill(_HEADER.size + size, deadline)
        body = bytes(self._buf[_HEADER.size : _HEADER.size + size])
        del self._buf[: _HEADER.size + size]
        try:
            message = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ProtocolError(f"malformed frame: {type(exc).__name__}") from None
        if not isinstance(message, dict):
            raise ProtocolError("frame is not a JSON object")
        return message
