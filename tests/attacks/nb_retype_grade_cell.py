# attack: turns a grade cell into a markdown cell
# kind: notebook
# expect: task2-hidden=tampered


def edit(nb):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "task2-hidden":
            cell.cell_type = "markdown"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
