# attack: crashes the interpreter with a segmentation fault (ctypes)
# kind: cell
import ctypes

ctypes.string_at(0)
