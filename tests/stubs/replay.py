"""The "answer table" attack: a solution cell that answers every probe from a recorded table.

Installed as a solution cell (``REPLAY.format(table=json.dumps({sha256(snippet): json}))``),
it patches the worker's snippet evaluation so any probe whose snippet is in the table gets
the recorded answer: the notebook needs no code of its own.
"""

REPLAY = """\
import hashlib, json
import infralab.grading.grade._probe as _p
_TABLE = json.loads({table!r})
_orig = _p.evaluate_snippet
def _replay(code, namespace):
    key = hashlib.sha256(code.encode()).hexdigest()
    if key in _TABLE:
        return json.loads(_TABLE[key])
    return _orig(code, namespace)
_p.evaluate_snippet = _replay
"""
