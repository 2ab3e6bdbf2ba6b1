# attack: rewrites a visible test so it cannot fail
# kind: notebook
# expect: task2-visible=tampered


def edit(nb):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "task2-visible":
            cell.source = cell.source.replace("assert ", "assert True or ")
