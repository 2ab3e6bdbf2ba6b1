# attack: duplicates a solution cell (two cells with one grade id)
# kind: notebook
# expect: task2-visible=tampered task2-hidden=tampered
import copy


def edit(nb):
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "task2-solution":
            nb.cells.insert(i + 1, copy.deepcopy(cell))
            return
