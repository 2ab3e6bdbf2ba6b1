# attack: raises SystemExit
# kind: cell
import sys

sys.exit(0)
