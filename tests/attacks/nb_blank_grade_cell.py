# attack: blanks a grade cell
# kind: notebook
# expect: task1-visible=tampered


def edit(nb):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "task1-visible":
            cell.source = ""
