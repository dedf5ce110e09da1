"""core/record.py: a frozen_dataclass behaves as @dataclass(frozen=True) does."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from overlay_lint.core.record import frozen_dataclass
from overlay_lint.kustomize import types as T


def _pair():
    """The same class body twice: once compiled by dataclasses, once with shared methods."""
    made = []
    for deco in (dataclass(frozen=True), frozen_dataclass(frozen=True)):
        @deco
        class Base:
            a: int
            b: str = "x"
            c: tuple = field(default_factory=tuple)

        @deco
        class Sub(Base):
            d: int = 0
        made.append((Base, Sub))
    return made


CALLS = [((1,), {}), ((1, "y"), {}), ((), {"a": 2, "c": (1,)}), ((3,), {"d": 4}),
         ((), {}), ((1,), {"a": 2}), ((1,), {"zz": 1}), ((1, "b", (), 5, 6), {})]


@pytest.mark.parametrize("args,kwargs", CALLS)
def test_construction_equality_hash_repr_match_dataclasses(args, kwargs):
    (base_dc, sub_dc), (base_fr, sub_fr) = _pair()
    for dc, fr in ((base_dc, base_fr), (sub_dc, sub_fr)):
        try:
            want = dc(*args, **kwargs)
        except TypeError:
            with pytest.raises(TypeError):
                fr(*args, **kwargs)
            continue
        got = fr(*args, **kwargs)
        assert repr(got) == repr(want)
        assert dataclasses.astuple(got) == dataclasses.astuple(want)
        assert got == fr(*args, **kwargs) and hash(got) == hash(fr(*args, **kwargs))
        assert hash(got) == hash(want)          # both hash the tuple of field values
        assert got != want                      # different classes are never equal
        assert [f.name for f in dataclasses.fields(got)] == \
            [f.name for f in dataclasses.fields(want)]
        with pytest.raises(dataclasses.FrozenInstanceError):
            got.a = 9                           # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            del got.a                           # type: ignore[misc]
        assert dataclasses.replace(got, a=7) == fr(7, *args[1:], **{k: v for k, v in kwargs.items() if k != "a"})


def test_a_method_the_class_writes_wins():
    @frozen_dataclass(frozen=True)
    class Named:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

    assert repr(Named("n")) == "<n>" and Named("n") == Named("n")


def test_the_typed_configurations_are_dataclasses_to_the_decoder():
    spec = T.FieldSpec(path="spec/replicas", kind="Deployment")
    assert dataclasses.is_dataclass(spec) and spec == T.FieldSpec("spec/replicas", kind="Deployment")
    assert {spec: 1}[T.FieldSpec(path="spec/replicas", kind="Deployment")] == 1
    assert [f.name for f in dataclasses.fields(T.SecretArgs)][:2] == ["namespace", "name"]
