# attack: marks a solution cell as a grade cell worth 1000 points
# kind: notebook
# expect: task1-visible=tampered task1-hidden=tampered


def edit(nb):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "task1-solution":
            meta["grade"] = True
            meta["points"] = 1000
