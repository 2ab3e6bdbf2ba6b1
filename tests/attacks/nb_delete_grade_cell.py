# attack: deletes a hidden grade cell
# kind: notebook
# expect: task1-hidden=missing


def edit(nb):
    nb.cells = [c for c in nb.cells if _grade_id(c) != "task1-hidden"]


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")
