# attack: a custom exception handler that swallows every error (set_custom_exc)
# kind: cell
from IPython import get_ipython


def _swallow(shell, etype, evalue, tb, tb_offset=None):
    return None


get_ipython().set_custom_exc((BaseException,), _swallow)
