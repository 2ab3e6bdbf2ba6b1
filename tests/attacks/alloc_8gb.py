# attack: allocates 8 GB
# kind: cell
_block = bytearray(8 * 1024**3)
