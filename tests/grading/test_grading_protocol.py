"""The judge <-> worker frame protocol, on plain pipes."""

from __future__ import annotations

import os
import struct
import time

import pytest

from infralab.grading.sandbox._protocol import (
    MAX_FRAME,
    FrameReader,
    ProtocolError,
    WorkerDied,
    WorkerTimeout,
    read_frame_blocking,
    write_frame,
)


@pytest.fixture
def pipe():
    r, w = os.pipe()
    yield r, w
    for fd in (r, w):
        try:
            os.close(fd)
        except OSError:
            pass


def test_round_trip(pipe):
    r, w = pipe
    write_frame(w, {"id": 1, "json": "[1, 2]"})
    write_frame(w, {"id": 2, "ok": True})
    reader = FrameReader(r)
    deadline = time.monotonic() + 5
    assert reader.read(deadline) == {"id": 1, "json": "[1, 2]"}
    assert reader.read(deadline) == {"id": 2, "ok": True}


def test_worker_side_reads_blocking(pipe):
    r, w = pipe
    write_frame(w, {"op": "run", "code": "x = 1"})
    os.close(w)
    assert read_frame_blocking(r) == {"op": "run", "code": "x = 1"}
    assert read_frame_blocking(r) is None


def test_timeout(pipe):
    r, _ = pipe
    with pytest.raises(WorkerTimeout):
        FrameReader(r).read(time.monotonic() + 0.05)


def test_closed_pipe_is_a_dead_worker(pipe):
    r, w = pipe
    os.write(w, struct.pack(">I", 10) + b"{")
    os.close(w)
    with pytest.raises(WorkerDied):
        FrameReader(r).read(time.monotonic() + 5)


@pytest.mark.parametrize(
    "payload",
    [
        struct.pack(">I", MAX_FRAME + 1),
        struct.pack(">I", 3) + b"\xff\xfe\xfd",
        struct.pack(">I", 5) + b"[1,2]",
        struct.pack(">I", 4) + b"nope",
    ],
    ids=["oversized", "not-utf8", "not-an-object", "not-json"],
)
def test_malformed_frames_are_protocol_errors(pipe, payload):
    r, w = pipe
    os.write(w, payload)
    with pytest.raises(ProtocolError):
        FrameReader(r).read(time.monotonic() + 5)
