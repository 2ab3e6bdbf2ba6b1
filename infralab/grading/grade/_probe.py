"""``probe``: how a grade cell reads the learner's results, as plain data.

A grade cell never looks at learner objects directly. It asks ``probe(code)`` to evaluate a
snippet in the learner's namespace and gets back the value of the snippet's last expression,
converted to strict JSON data (dict with str keys, list, str, int, float, bool, None).

- In the learner's own kernel (JupyterLab, ``infralab check``, nbval) the snippet runs right
  there and the value makes a JSON round trip, so an object that fakes ``__eq__`` never
  reaches an assertion.
- Under ``infralab grade`` the judge process installs a transport (:func:`set_transport`):
  the snippet is sent to the sandboxed worker that ran the learner's cells, and only the JSON
  text comes back. The assertions run in the judge, where learner code never ran.
"""

from __future__ import annotations

import ast
import contextvars
import json
import random
import sys
from collections.abc import Callable
from typing import Any

__all__ = [
    "probe",
    "reference",
    "variant_rng",
    "variant_seed",
    "ProbeError",
    "set_transport",
    "set_reference_transport",
    "set_variant_seed",
    "evaluate_snippet",
    "to_plain_json",
    "describe_exception",
]


class ProbeError(AssertionError):
    """The snippet failed in the learner's namespace, or its value is not plain data.

    An ``AssertionError`` on purpose: a grade cell whose probe fails has failed.
    """


Transport = Callable[[str], str]
# A context variable, not a global: ``infralab grade --workers N`` judges N notebooks in N
# threads at once, each with its own worker behind its probes.
_transport: contextvars.ContextVar[Transport | None] = contextvars.ContextVar(
    "infralab_probe_transport", default=None
)


# Where ``reference`` evaluates (the judge's reference worker), and the variant seed of the
# submission being judged. Both per thread, like the transport.
_reference: contextvars.ContextVar[Transport | None] = contextvars.ContextVar(
    "infralab_reference_transport", default=None
)
_variant: contextvars.ContextVar[int] = contextvars.ContextVar("infralab_variant", default=0)


def set_reference_transport(transport: Transport | None) -> None:
    """Route :func:`reference` to the reference solution's worker (the judge does this)."""
    _reference.set(transport)


def set_variant_seed(seed: int) -> None:
    """Set the variant seed grade cells draw inputs from (the judge does this per submission)."""
    _variant.set(int(seed))


def variant_seed() -> int:
    """The seed of this grading run's input variant.

    0 in a learner's kernel and in ordinary grading; under certification grading it is bound to
    the candidate, the lab and the attempt, so inputs drawn from it differ per candidate and a
    table of answers copied from someone else is worth nothing.
    """
    return _variant.get()


def variant_rng(label: str) -> random.Random:
    """A ``random.Random`` for one grade cell's inputs: seeded by :func:`variant_seed` and
    ``label`` (use the cell's grade id), the same in every process."""
    return random.Random(f"infralab-variant/{variant_seed()}/{label}")


def set_transport(transport: Transport | None) -> None:
    """Route probes elsewhere (the grader's judge does this). ``None`` restores in-kernel.

    The setting is per thread (a context variable): each judge thread routes its own probes.
    """
    _transport.set(transport)


def _learner_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython ships with every kernel
        shell = None
    if shell is not None:
        return shell.user_ns
    return sys.modules["__main__"].__dict__


def evaluate_snippet(code: str, namespace: dict[str, Any]) -> Any:
    """Run ``code`` in a shallow copy of ``namespace``; return its last expression's value.

    A copy, so that names a snippet defines never leak into the learner's notebook.
    """
    tree = ast.parse(code, mode="exec")
    scope = dict(namespace)
    last = None
    final = tree.body[-1] if tree.body else None
    if isinstance(final, ast.Expr):
        tree.body.pop()
        last = ast.Expression(final.value)
    exec(compile(tree, "<probe>", "exec"), scope)
    if last is None:
        return None
    return eval(compile(last, "<probe>", "eval"), scope)


def to_plain_json(value: Any) -> str:
    """Serialise ``value`` as strict JSON text, or raise :class:`ProbeError` naming the type."""
    try:
        return json.dumps(value, allow_nan=True, default=_refuse)
    except (TypeError, ValueError) as exc:
        raise ProbeError(str(exc)) from None


def _refuse(obj: Any) -> Any:
    if isinstance(obj, tuple | set | frozenset):  # pragma: no cover - json handles tuples
        return list(obj)
    raise TypeError(
        f"the probed value contains a {type(obj).__name__}, which is not plain data "
        "(use str, int, float, bool, None, lists and dicts with str keys)"
    )


def describe_exception(exc: BaseException, limit: int = 2000) -> str:
    """One line a learner can act on: ``"Type: message"``, never more than ``limit`` chars.

    A task that is still ``raise NotImplementedError()`` says so in plain words, because that
    is what every learner sees first.
    """
    if type(exc) is NotImplementedError and not exc.args:
        return (
            "NotImplementedError: not implemented yet; replace `raise NotImplementedError()` "
            "in this task's solution cell with your code"
        )
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - a learner exception whose __str__ raises
        message = ""
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text[:limit]


def reference(code: str) -> Any:
    """Evaluate ``code`` against the REFERENCE solution and return plain data, like :func:`probe`.

    For hidden grade cells that compare the learner's answers with the reference's on many
    generated inputs (differential tests). Under ``infralab grade`` the snippet runs in a
    separate sandboxed worker that ran the lab's source notebook (reference solutions),
    never in the learner's process, and answers are cached per lab source and snippet. In a
    kernel running the source notebook (nbval of solutions/) it evaluates right there, since
    that kernel holds the reference. Never use it in a visible test: in a learner's kernel it
    would evaluate the learner's own code.

    Raises:
        ProbeError: the snippet failed on the reference, or its value is not plain data.
    """
    if not isinstance(code, str):
        raise TypeError("reference takes the code to evaluate as a string")
    transport = _reference.get()
    if transport is None:
        if _transport.get() is not None:
            raise ProbeError("no reference solution is available to this grade cell")
        return json.loads(_evaluate_here(code))
    text = transport(code)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProbeError(
            f"the reference's answer is not plain JSON ({type(exc).__name__})"
        ) from None


def _evaluate_here(code: str) -> str:
    """Evaluate in this process's learner namespace; the value as strict JSON text."""
    try:
        value = evaluate_snippet(code, _learner_namespace())
    except ProbeError:
        raise
    except BaseException as exc:  # noqa: BLE001 - report any failure as a failed probe
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ProbeError(describe_exception(exc)) from exc
    return to_plain_json(value)


def probe(code: str) -> Any:
    """Evaluate ``code`` where the learner's code lives and return the result as plain data.

    Args:
        code: Python statements; the value of the last one (if an expression) is returned.

    Returns:
        The value after a JSON round trip: tuples become lists, and nothing but plain data
        comes back.

    Raises:
        ProbeError: the snippet raised, or the value is not plain data.
    """
    if not isinstance(code, str):
        raise TypeError("probe takes the code to evaluate as a string")
    transport = _transport.get()
    if transport is not None:
        text = transport(code)
        if not isinstance(text, str):
            raise ProbeError("the worker's answer is not JSON text")
    else:
        text = _evaluate_here(code)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # a hostile worker can send anything
        raise ProbeError(f"the answer is not plain JSON data ({type(exc).__name__})") from None
