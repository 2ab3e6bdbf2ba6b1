"""The sandboxed worker: an IPython shell that runs cells and answers probes, nothing more.

Started by :class:`infralab.grading.sandbox._sandbox.Worker` as ``python -m infralab.grading.sandbox._worker``.
It holds an IPython ``InteractiveShell`` (no kernel, no ZMQ: magics and ``display()`` work,
matplotlib uses Agg) and reads requests from a private pipe (``--rfd``), answering on another
(``--wfd``), in the frames of :mod:`infralab.grading.sandbox._protocol`. Learner output goes to
stdout/stderr, which the judge drains into a capped sink.

Everything here is untrusted once the first learner cell ran: learner code can patch this
module, the shell, the pipe. The judge only ever takes plain JSON data from it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import Any

from infralab.grading.grade._probe import describe_exception

__all__ = ["main"]

_MAX_ERROR = 2000


def _describe(exc: BaseException) -> str:
    return describe_exception(exc, _MAX_ERROR)


def _make_shell() -> Any:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.autocall = 0
    shell = InteractiveShell.instance(config=config)
    shell.user_ns["__name__"] = "__main__"
    return shell


def _copy_submission(src: str, dest: str) -> None:
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        target = dest if rel == "." else os.path.join(dest, rel)
        os.makedirs(target, exist_ok=True)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                shutil.copyfile(path, os.path.join(target, name))
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]


def _handle(shell: Any, message: dict[str, Any]) -> dict[str, Any]:
    from infralab.grading.grade._probe import ProbeError, evaluate_snippet, to_plain_json

    op = message.get("op")
    reply: dict[str, Any] = {"id": message.get("id")}
    code = message.get("code")
    if not isinstance(code, str):
        return {**reply, "ok": False, "error": "request without code"}
    if op == "run":
        result = shell.run_cell(code, store_history=True)
        error = result.error_in_exec or result.error_before_exec
        reply["ok"] = bool(result.success)
        if error is not None:
            reply["error"] = _describe(error)
        return reply
    if op == "probe":
        try:
            value = evaluate_snippet(code, shell.user_ns)
            text = to_plain_json(value)
        except ProbeError as exc:
            return {**reply, "ok": False, "error": _describe(exc)}
        except BaseException as exc:  # noqa: BLE001 - learner code may raise anything
            return {**reply, "ok": False, "error": _describe(exc)}
        return {**reply, "ok": True, "json": text}
    return {**reply, "ok": False, "error": f"unknown op {op!r}"}


def _connect_environment(rfd: int, wfd: int) -> None:
    """Route trusted-environment requests (model and tool calls, sleeps) to the judge.

    The judge answers them while it waits for the reply to a run or probe request, so a
    request here is one frame out and the next frame in (see ``Worker.request``).
    """
    import threading

    from infralab.grading.sandbox._env_client import EnvError, set_channel
    from infralab.grading.sandbox._protocol import read_frame_blocking, write_frame

    # Learner code calls the environment from several threads at once (LangChain runs a
    # RunnableParallel's branches in a thread pool, and traced runs stamp their spans from the
    # environment's clock in each branch): one request and its reply at a time, or two frames
    # interleave on the pipe and the next read sees a garbage length.
    one_at_a_time = threading.Lock()

    def channel(request: dict[str, Any]) -> dict[str, Any]:
        with one_at_a_time:
            write_frame(wfd, {**request, "op": "env", "req": request.get("op")})
            reply = read_frame_blocking(rfd)
        if reply is None or reply.get("op") != "env_reply":
            raise EnvError("the trusted environment is not reachable")
        return reply

    set_channel(channel)


def main(argv: list[str] | None = None) -> int:
    """Serve requests until the judge closes the pipe or says ``exit``."""
    parser = argparse.ArgumentParser(prog="infralab-worker")
    parser.add_argument("--rfd", type=int, required=True)
    parser.add_argument("--wfd", type=int, required=True)
    parser.add_argument("--home", required=True)
    parser.add_argument("--copy-from")
    args = parser.parse_args(argv)

    from infralab.grading.sandbox._protocol import MAX_FRAME, read_frame_blocking, write_frame

    # Learner subprocesses must not inherit the pipe.
    os.set_inheritable(args.rfd, False)
    os.set_inheritable(args.wfd, False)
    if args.copy_from:
        _copy_submission(args.copy_from, args.home)
    _connect_environment(args.rfd, args.wfd)
    os.chdir(args.home)
    sys.argv = ["infralab-worker"]
    shell = _make_shell()
    write_frame(args.wfd, {"op": "ready", "id": 0})
    while True:
        message = read_frame_blocking(args.rfd)
        if message is None or message.get("op") == "exit":
            break
        reply = _handle(shell, message)
        try:
            write_frame(args.wfd, reply)
        except ValueError:
            write_frame(
                args.wfd,
                {"id": reply.get("id"), "ok": False, "error": f"answer over {MAX_FRAME} bytes"},
            )
        sys.stdout.flush()
        sys.stderr.flush()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
