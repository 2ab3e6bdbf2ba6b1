# attack: ends the kernel process at once
# kind: cell
import os

os._exit(0)
