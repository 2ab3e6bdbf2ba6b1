# attack: answers with always-equal objects that also pretend to be floats and dicts
# kind: cell


class _Anything(dict):
    __class__ = float

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 0


def mean(xs):
    return _Anything()


def count_words(text):
    return _Anything()
