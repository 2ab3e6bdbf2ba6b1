"""nbgrader configuration for Agent Infra Lab.

The course root is this directory (the repository). Each lab is one nbgrader assignment with
one notebook: ``solutions/<lab>/<lab>.ipynb`` is the source, ``labs/<lab>/<lab>.ipynb`` the
release (``infralab build`` writes it). Everything created while grading lives under
``grader/`` and is git-ignored. ``infralab grade`` writes its results into the same gradebook,
so ``nbgrader export`` and the formgrader see them.

``make lab`` makes this a working local course in JupyterLab's nbgrader panels: it puts this
directory on Jupyter's config path (so the panels find this file from any directory) and
releases each lab into the exchange below, where the Assignment List finds it; the learner's
copy of a lab is ``labs/<lab>`` (``Exchange.assignment_dir``), already "downloaded".
"""

import os

c = get_config()  # noqa: F821 - injected by traitlets when nbgrader loads this file

_root = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "agent-infra-lab"
c.CourseDirectory.root = _root
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
c.CourseDirectory.submitted_directory = os.path.join("grader", "submitted")
c.CourseDirectory.autograded_directory = os.path.join("grader", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("grader", "feedback")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_root, "grader", "gradebook.db")
c.Exchange.root = os.path.join(_root, "grader", "exchange")
c.Exchange.assignment_dir = os.path.join(_root, "labs")
# `nbgrader export` writes here (git-ignored), not grades.csv in whatever directory it ran in.
c.CsvExportPlugin.to = os.path.join(_root, "grader", "grades.csv")

# The released solution stub, as docs/authoring.md promises it.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
