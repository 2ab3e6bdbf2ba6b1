# attack: rebinds NotImplementedError so the released stubs no longer raise it
# kind: cell
import builtins


class _Quiet(Exception):
    pass


builtins.NotImplementedError = _Quiet
