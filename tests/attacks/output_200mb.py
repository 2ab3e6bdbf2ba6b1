# attack: prints 200 MB
# kind: cell
import sys

_chunk = "x" * (1 << 20)
for _ in range(200):
    sys.stdout.write(_chunk)
sys.stdout.flush()
