"""The course pipeline: build labs, let learners check themselves, grade, certify.

Grade cells import :func:`probe` from here, and :class:`Environment` when they judge
behaviour (runs, drills, evaluations) from a trusted simulator, desk, fault plan and clock;
everything else is reached through the ``infralab`` command line
(``infralab build | check | grade | validity``).
"""

from infralab.grading.grade._env import Environment
from infralab.grading.grade._probe import ProbeError, probe, reference, variant_rng, variant_seed

__all__ = ["probe", "reference", "variant_rng", "variant_seed", "ProbeError", "Environment"]
