"""Does the worker's channel to the trusted environment survive requests from many threads?

LangChain runs a RunnableParallel's branches in a thread pool, and traced runs stamp their
spans from the environment's clock in each branch, so learner code sends environment requests
from several threads at once. Each request is a frame out and a frame in on one pipe pair: two
threads interleaving them corrupt the stream (a garbage frame length, found grading
c1-prompt-systems with tracing on).
"""

from __future__ import annotations

import os
import threading

from infralab.grading.sandbox import _env_client
from infralab.grading.sandbox._protocol import read_frame_blocking, write_frame
from infralab.grading.sandbox._worker import _connect_environment


def test_concurrent_environment_requests_each_get_their_own_reply():
    to_judge_r, to_judge_w = os.pipe()
    to_worker_r, to_worker_w = os.pipe()
    requests = 400

    def judge() -> None:
        # Answers one request at a time, as the judge does while it waits for a probe; the
        # reply echoes the request's payload so a crossed answer is visible.
        for _ in range(requests):
            message = read_frame_blocking(to_judge_r)
            assert message is not None and message["op"] == "env"
            write_frame(
                to_worker_w,
                {"op": "env_reply", "ok": True, "echo": message["payload"] * 1000},
            )

    answered: dict[int, str] = {}
    errors: list[BaseException] = []

    def learner_thread(k: int) -> None:
        try:
            for i in range(requests // 8):
                payload = f"{k}-{i}"
                reply = _env_client._call("env-x", {"op": "clock.time_ns", "payload": payload})
                answered[k * 1000 + i] = reply["echo"] == payload * 1000
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    _connect_environment(to_worker_r, to_judge_w)
    judge_thread = threading.Thread(target=judge, daemon=True)
    judge_thread.start()
    try:
        threads = [threading.Thread(target=learner_thread, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        judge_thread.join(timeout=60)
    finally:
        _env_client.set_channel(None)
        for fd in (to_judge_r, to_judge_w, to_worker_r, to_worker_w):
            os.close(fd)
    assert not errors, errors
    assert len(answered) == requests and all(answered.values()), (
        "a thread got another thread's reply"
    )
