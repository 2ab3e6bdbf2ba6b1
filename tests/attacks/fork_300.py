# attack: starts 300 child processes that linger
# kind: cell
import subprocess
import sys

_children = []
for _ in range(300):
    try:
        _children.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]))
    except OSError:
        break
