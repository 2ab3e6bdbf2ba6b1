"""Do probe failures tell a learner what to do, in one line?"""

import pytest

from infralab.grading import ProbeError, probe
from infralab.grading.grade._probe import describe_exception


def test_an_unimplemented_task_says_so_in_plain_words():
    text = describe_exception(NotImplementedError())
    assert text.startswith("NotImplementedError: not implemented yet")
    assert "raise NotImplementedError()" in text


def test_other_errors_keep_type_and_message_and_are_capped():
    assert describe_exception(ValueError("bad route")) == "ValueError: bad route"
    assert describe_exception(KeyError()) == "KeyError"
    assert describe_exception(NotImplementedError("later")) == "NotImplementedError: later"
    assert len(describe_exception(ValueError("x" * 5000), limit=100)) == 100


def test_an_exception_whose_str_raises_is_still_described():
    class Nasty(Exception):
        def __str__(self):
            raise RuntimeError("no")

    assert describe_exception(Nasty()) == "Nasty"


def test_probe_reports_the_learners_exception():
    def todo():
        raise NotImplementedError()

    import __main__  # outside IPython, probe evaluates in __main__'s namespace

    __main__.todo = todo
    try:
        with pytest.raises(ProbeError, match="not implemented yet"):
            probe("todo()")
    finally:
        del __main__.todo
