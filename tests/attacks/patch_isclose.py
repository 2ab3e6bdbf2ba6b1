# attack: patches math.isclose (and friends) to always be true
# kind: cell
import math
import sys

math.isclose = lambda *args, **kwargs: True
sys.modules["math"].isclose = math.isclose
