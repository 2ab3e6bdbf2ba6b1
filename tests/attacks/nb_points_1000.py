# attack: sets a grade cell's points to 1000 in its metadata
# kind: notebook
# expect: task1-visible=tampered


def edit(nb):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "task1-visible":
            meta["points"] = 1000
