# attack: claims another lab and full marks in the notebook metadata
# kind: notebook
# expect:


def edit(nb):
    nb.metadata["infralab"]["score"] = 1000
    nb.metadata.setdefault("nbgrader", {})["score"] = 1000
