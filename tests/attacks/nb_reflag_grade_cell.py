# attack: clears the grade flag of a grade cell (and makes it a solution cell)
# kind: notebook
# expect: task2-visible=tampered


def edit(nb):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "task2-visible":
            meta["grade"] = False
            meta["solution"] = True
            meta["locked"] = False
