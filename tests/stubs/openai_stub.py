"""A tiny OpenAI-compatible server for tests: ``POST /v1/chat/completions`` on 127.0.0.1.

It answers every request with one canned completion (or a server-sent-event stream of it when
the request asks for ``stream``), and records the JSON bodies it received. It never touches
the internet; it exists so that the bring-your-own-model path (``INFRALAB_MODEL``) can be
tested against the real ``langchain-openai`` client.

Example:
    >>> with serve(reply="Hi from the stub") as stub:
    ...     stub.base_url  # e.g. "http://127.0.0.1:40123/v1"
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Stub", "serve"]


@dataclass
class Stub:
    """A running stub: where it listens and what it has received."""

    base_url: str
    reply: str
    requests: list[dict[str, Any]] = field(default_factory=list)


def _completion(body: dict[str, Any], reply: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub-1",
        "object": "chat.completion",
        "created": 1767225600,
        "model": body.get("model", "stub-model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 7, "completion_tokens": 5, "total_tokens": 12},
    }


def _stream_events(body: dict[str, Any], reply: str) -> Iterator[bytes]:
    base = {
        "id": "chatcmpl-stub-1",
        "object": "chat.completion.chunk",
        "created": 1767225600,
        "model": body.get("model", "stub-model"),
    }
    words = reply.split(" ")
    for i, word in enumerate(words):
        piece = word if i == 0 else " " + word
        delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        yield f"data: {json.dumps(chunk)}\n\n".encode()
    done = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    yield f"data: {json.dumps(done)}\n\n".encode()
    yield b"data: [DONE]\n\n"


@contextmanager
def serve(reply: str = "Hello from the stub.") -> Iterator[Stub]:
    """Run the stub on a free port of 127.0.0.1 for the duration of the block."""
    stub_holder: list[Stub] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self.send_error(400, "body is not JSON")
                return
            if self.path.rstrip("/") != "/v1/chat/completions":
                self.send_error(404, f"no route {self.path}")
                return
            stub = stub_holder[0]
            stub.requests.append(body)
            if body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for event in _stream_events(body, stub.reply):
                    self.wfile.write(event)
                return
            data = json.dumps(_completion(body, stub.reply)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    stub_holder.append(Stub(base_url=f"http://{host}:{port}/v1", reply=reply))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub_holder[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
