# attack: records every probe snippet and carries the hidden ones out in a later visible test's message
# kind: cell
import infralab.grading.grade._probe as _probe_module

_seen_snippets = []
_real_evaluate = _probe_module.evaluate_snippet


def _spying_evaluate(code, namespace):
    _seen_snippets.append(code)
    # task2's visible probe comes after task1's hidden ones: fail it with what they were.
    if "count_words('to be" in code and any("mean([])" in s for s in _seen_snippets):
        raise RuntimeError(" || ".join(_seen_snippets))
    return _real_evaluate(code, namespace)


_probe_module.evaluate_snippet = _spying_evaluate
