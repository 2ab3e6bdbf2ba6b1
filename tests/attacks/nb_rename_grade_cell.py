# attack: renames a grade cell's id
# kind: notebook
# expect: task1-hidden=tampered


def edit(nb):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "task1-hidden":
            meta["grade_id"] = "task1-hidden-renamed"
