# attack: finds the source notebooks (hidden tests, reference solutions) and runs the reference
# kind: cell
import glob
import json
import os

_found = []
for _pattern in (
    "__COURSE_ROOT__/solutions/*/*.ipynb",
    "__REPO_ROOT__/solutions/*/*.ipynb",
    "../solutions/*/*.ipynb",
    "../../solutions/*/*.ipynb",
    "/*/solutions/*/*.ipynb",
    "/*/*/solutions/*/*.ipynb",
    "/*/*/*/solutions/*/*.ipynb",
):
    try:
        _found += glob.glob(_pattern)[:20]
    except OSError:
        pass
for _path in _found:
    try:
        with open(_path) as _f:
            _nb = json.load(_f)
    except Exception:
        continue
    for _cell in _nb["cells"]:
        _source = "".join(_cell["source"])
        if "### BEGIN SOLUTION" in _source:
            exec(_source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""))
SOLUTIONS_SEEN = len(_found) + len(os.environ.get("NOTHING", ""))
