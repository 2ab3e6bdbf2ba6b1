"""The course pipeline: build labs, let learners check themselves, grade, certify.

Grade cells import :func:`probe` from here; everything else is reached through the
``infralab`` command line (``infralab build | check | grade | certify | verify``).
"""

from infralab.grading._probe import ProbeError, probe

__all__ = ["probe", "ProbeError"]
