# attack: writes outside its directory: into solutions/, over the source notebook, into grader/
# kind: cell
import glob

_targets = [
    "__COURSE_ROOT__/solutions/pwned.txt",
    "__COURSE_ROOT__/grader/pwned.txt",
    "__REPO_ROOT__/solutions/pwned.txt",
    "/tmp/pwned.txt",
    *glob.glob("__COURSE_ROOT__/solutions/*/*.ipynb"),
]
for _path in _targets:
    try:
        with open(_path, "w") as _f:
            _f.write("pwned")
    except OSError:
        pass
