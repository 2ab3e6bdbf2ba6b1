# attack: never finishes
# kind: cell
while True:
    pass
