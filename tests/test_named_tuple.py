"""core/named_tuple.py makes from a class statement what typing.NamedTuple makes."""
from __future__ import annotations

import pickle
import typing

import pytest

from overlay_lint.core import named_tuple
from overlay_lint.core.node import Origin

_BODY = '''
class Point(NT):
    """A point."""
    x: int
    y: "int | None" = None
    label: str = "p"

    def norm(self) -> int:
        return self.x + (self.y or 0)

    @property
    def twice(self) -> int:
        return 2 * self.x

class Bare(NT):
    a: str
    b: tuple[int, int] | None
'''


def _classes(nt: object) -> dict:
    ns: dict = {"NT": nt, "__name__": "sample_module"}
    exec(compile("from __future__ import annotations\n" + _BODY, "<sample>", "exec"), ns)
    return ns


def test_a_class_statement_makes_the_named_tuple_typing_makes() -> None:
    ours, theirs = _classes(named_tuple.NamedTuple), _classes(typing.NamedTuple)
    for name in ("Point", "Bare"):
        a, b = ours[name], theirs[name]
        assert a.__bases__ == b.__bases__ == (tuple,)
        for attr in ("__name__", "__qualname__", "__module__", "__doc__", "_fields",
                     "_field_defaults", "__match_args__"):
            assert getattr(a, attr) == getattr(b, attr), (name, attr)
        assert sorted(vars(a)) == sorted(vars(b))
        assert {k: str(v) for k, v in a.__annotations__.items()} == \
            {k: v.__forward_arg__ for k, v in b.__annotations__.items()}
    p, q = ours["Point"](1), theirs["Point"](1)
    assert (repr(p), p, p.norm(), p.twice, p._asdict(), p._replace(y=2)) == \
        (repr(q), q, q.norm(), q.twice, q._asdict(), q._replace(y=2))
    for cls in (ours["Point"], theirs["Point"]):
        with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
            cls()
    with pytest.raises(TypeError, match="Non-default namedtuple field b"):
        exec("class Bad(NT):\n    a: int = 1\n    b: int\n", {"NT": named_tuple.NamedTuple,
                                                            "__name__": "m"})
    with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _make"):
        exec("class Bad(NT):\n    a: int\n    def _make(self): pass\n",
             {"NT": named_tuple.NamedTuple, "__name__": "m"})


def test_the_renderers_named_tuples_pickle_and_compare_as_tuples() -> None:
    o = Origin("a.yaml", 3, 1)
    assert pickle.loads(pickle.dumps(o)) == o == ("a.yaml", 3, 1)
    assert o.line == 3 and repr(o) == "Origin(file='a.yaml', line=3, col=1)"
