"""core/record.py: a record behaves as the same class body under @dataclass does.

Each test builds one class body twice, once with :mod:`dataclasses` and once with
:mod:`overlay_lint.core.record`, and compares construction (and its errors), equality,
hashing, ordering, repr, fields, replace, asdict and frozenness.
"""
from __future__ import annotations

import dataclasses
import re
from typing import ClassVar

import pytest

from overlay_lint.core import record as R
from overlay_lint.kustomize import types as T

DC = (dataclasses.dataclass, dataclasses.field)
RC = (R.dataclass, R.field)


def _pair(frozen: bool):
    """The same class bodies twice: (dataclasses', record's)."""
    made = []
    for dataclass, field in (DC, RC):
        @dataclass(frozen=frozen)
        class Base:
            a: int
            b: str = "x"
            c: tuple = field(default_factory=tuple)
            K: ClassVar[int] = 5

        @dataclass(frozen=frozen)
        class Sub(Base):
            d: int = 0
            b: str = "y"            # redefined: keeps its place, new default
            hidden: object = field(default=None, repr=False, compare=False)
        made.append((Base, Sub))
    return made


CALLS = [((1,), {}), ((1, "y"), {}), ((), {"a": 2, "c": (1,)}), ((3,), {"d": 4}),
         ((), {}), ((1,), {"a": 2}), ((1,), {"zz": 1}), ((1, "b", (), 5, 6), {}),
         ((1, "b", (), 5, 6, 7), {}), ((), {"b": "q"}), ((1,), {"hidden": [1]})]


def _message(err: Exception) -> str:
    # the qualified name holds the test's own locals: the same path for both
    return re.sub(r"\S*\.__init__\(\)", "__init__()", str(err))


@pytest.mark.parametrize("compile_after", [1, 1000])
@pytest.mark.parametrize("frozen", [True, False])
@pytest.mark.parametrize("args,kwargs", CALLS)
def test_construction_equality_hash_repr_match_dataclasses(args, kwargs, frozen, compile_after,
                                                           monkeypatch):
    """With the generic binding of the first instantiations and with the compiled
    ``__init__`` (``compile_after=1``)."""
    monkeypatch.setattr(R, "_COMPILE_AFTER", compile_after)
    (base_dc, sub_dc), (base_rc, sub_rc) = _pair(frozen)
    for dc, rc in ((base_dc, base_rc), (sub_dc, sub_rc)):
        try:
            want = dc(*args, **kwargs)
        except TypeError as e:
            with pytest.raises(TypeError) as got_err:
                rc(*args, **kwargs)
            assert _message(got_err.value) == _message(e)
            continue
        got = rc(*args, **kwargs)
        assert repr(got).replace(rc.__qualname__, "") == repr(want).replace(dc.__qualname__, "")
        assert R.asdict(got) == dataclasses.asdict(want)
        assert [f.name for f in R.fields(got)] == [f.name for f in dataclasses.fields(want)]
        assert [f.name for f in R.fields(rc)] == [f.name for f in dataclasses.fields(dc)]
        again = rc(*args, **kwargs)
        assert got == again and not got != again
        assert got != want                      # different classes are never equal
        assert (got == 1) is False
        assert got.K == 5 and "K" not in [f.name for f in R.fields(rc)]
        if frozen:
            assert hash(got) == hash(again) == hash(want)   # the tuple of compared fields
            with pytest.raises(R.FrozenInstanceError):
                got.a = 9                       # type: ignore[misc]
            with pytest.raises(R.FrozenInstanceError):
                del got.a                       # type: ignore[misc]
            with pytest.raises(AttributeError):
                got.new = 1                     # type: ignore[attr-defined]
        else:
            assert rc.__hash__ is None and dc.__hash__ is None
            with pytest.raises(TypeError):
                hash(got)
            got.a = 9
            assert got != again and repr(got).startswith(f"{rc.__qualname__}(a=9,")
        changed = R.replace(got, a=7)
        assert R.asdict(changed) == dataclasses.asdict(dataclasses.replace(want, a=7))
        with pytest.raises(TypeError):
            R.replace(got, nope=1)


def test_compare_false_and_repr_false_fields():
    (_, sub_dc), (_, sub_rc) = _pair(True)
    a, b = sub_rc(1, hidden="x"), sub_rc(1, hidden="y")
    assert a == b and hash(a) == hash(b) and "hidden" not in repr(a)
    assert (sub_dc(1, hidden="x") == sub_dc(1, hidden="y")) is True


def test_default_factory_runs_per_instance_and_class_attributes_match():
    for dataclass, field in (DC, RC):
        @dataclass
        class Bag:
            items: list = field(default_factory=list)
            label: str = field(default="l")
            n: int = 3

        one, two = Bag(), Bag()
        one.items.append(1)
        assert two.items == [] and Bag.label == "l" and Bag.n == 3
        assert not hasattr(Bag, "items")


def test_order():
    made = []
    for dataclass, _ in (DC, RC):
        @dataclass(frozen=True, order=True)
        class Key:
            kind: str
            ns: str | None
            name: str
        made.append(Key)
    values = [("b", "x", "n"), ("a", "y", "n"), ("a", "x", "z"), ("a", "x", "a")]
    for dc, rc in [made]:
        assert [(k.kind, k.ns, k.name) for k in sorted(rc(*v) for v in values)] == \
            [(k.kind, k.ns, k.name) for k in sorted(dc(*v) for v in values)]
        a, b = rc("a", "x", "n"), rc("b", "x", "n")
        assert a < b and a <= b and b > a and b >= a and a <= a and not a < a
        with pytest.raises(TypeError):
            a < dc("b", "x", "n")               # type: ignore[operator]


def test_post_init_runs_after_the_fields_are_set():
    seen = []
    for dataclass, field in (DC, RC):
        @dataclass(frozen=True)
        class Checked:
            n: int
            tags: tuple = field(default_factory=tuple)

            def __post_init__(self) -> None:
                seen.append((self.n, self.tags))
                if self.n < 0:
                    raise ValueError("negative")
                object.__setattr__(self, "tags", tuple(sorted(self.tags)))

        assert Checked(1, ("b", "a")).tags == ("a", "b")
        with pytest.raises(ValueError):
            Checked(-1)
    assert seen == [(1, ("b", "a")), (-1, ())] * 2


def test_methods_the_class_writes_win():
    for dataclass, _ in (DC, RC):
        @dataclass(frozen=True)
        class Named:
            name: str

            def __repr__(self) -> str:
                return f"<{self.name}>"

        @dataclass(frozen=True)
        class Hashed:
            name: str

            def __hash__(self) -> int:
                return 42

        @dataclass
        class Equal:
            name: str

            def __eq__(self, other: object) -> bool:
                return True

        assert repr(Named("n")) == "<n>" and Named("n") == Named("n")
        assert hash(Hashed("a")) == 42 and Hashed("a") != Hashed("b")
        assert Equal("a") == Equal("b") and Equal.__hash__ is None


def test_eq_false_keeps_identity():
    for dataclass, _ in (DC, RC):
        @dataclass(eq=False)
        class Ident:
            n: int

        a = Ident(1)
        assert a != Ident(1) and {a: 1}[a] == 1 and hash(a) == object.__hash__(a)


def test_a_field_named_self_and_a_plain_subclass():
    for dataclass, _ in (DC, RC):
        @dataclass
        class Odd:
            self: int
            other: str = "o"

        assert Odd(1).self == 1 and Odd(self=2, other="p").other == "p"

        @dataclass(frozen=True)
        class Rec:
            a: int

        class Plain(Rec):           # not decorated: inherits the record's methods
            def __init__(self, a: int) -> None:
                super().__init__(a * 2)

        p = Plain(2)
        assert p.a == 4 and p != Rec(4) and p == Plain(2)
        p.extra = 1                 # not a field: a plain subclass may set it
        with pytest.raises(AttributeError):
            p.a = 1                 # type: ignore[misc]


def test_init_is_compiled_after_a_few_instantiations():
    """The first instantiations bind the arguments generically; then the class gets a
    compiled ``__init__``: the same fields either way."""
    @R.dataclass(frozen=True)
    class Lazy:
        a: int
        b: int = 2
        c: list = R.field(default_factory=list)

    @R.dataclass(frozen=True)
    class LazySub(Lazy):
        d: int = 0

    assert Lazy.__dict__["__init__"] is R._lazy_init
    made = [Lazy(i) for i in range(R._COMPILE_AFTER + 1)]
    init = Lazy.__dict__["__init__"]
    assert init is not R._lazy_init and init.__qualname__.endswith("Lazy.__init__")
    assert all(m == Lazy(i, 2, []) for i, m in enumerate(made))
    assert len({id(m.c) for m in made}) == len(made)       # a new list each time
    assert Lazy.__dict__["__init__"] is init
    assert LazySub.__dict__["__init__"] is R._lazy_init    # each class its own
    assert LazySub(1, 2, [3], 4).d == 4 and LazySub(1, d=5).d == 5


@pytest.mark.parametrize("compiled", [False, True])
def test_argument_errors_before_and_after_compiling(compiled):
    @R.dataclass(frozen=True)
    class Lazy:
        a: int
        b: int = 2

    @R.dataclass(frozen=True)
    class LazySub(Lazy):
        c: int = 0

    if compiled:
        for _ in range(R._COMPILE_AFTER):
            LazySub(1)
        assert LazySub.__dict__["__init__"] is not R._lazy_init
    with pytest.raises(TypeError, match=r"LazySub.__init__\(\) missing 1 required "
                                        r"positional argument: 'a'"):
        LazySub()
    with pytest.raises(TypeError, match=r"got multiple values for argument 'a'"):
        LazySub(1, a=1)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'z'"):
        LazySub(1, z=1)
    with pytest.raises(TypeError, match=r"takes from 2 to 4 positional arguments but 5"):
        LazySub(1, 2, 3, 4)
    assert LazySub(b=3, a=1) == LazySub(1, 3, 0)


def test_definition_errors_match_dataclasses():
    for dataclass, field in (DC, RC):
        with pytest.raises(TypeError, match="non-default argument 'b' follows default"):
            @dataclass
            class Order:
                a: int = 1
                b: int          # type: ignore[misc]
            Order()
        with pytest.raises(ValueError, match="mutable default"):
            @dataclass
            class Mutable:
                a: list = []    # type: ignore[misc]

        @dataclass(frozen=True)
        class Frozen:
            a: int

        with pytest.raises(TypeError, match="cannot inherit non-frozen"):
            @dataclass
            class Thawed(Frozen):
                b: int = 0


def test_fields_replace_asdict_refuse_what_is_no_record():
    with pytest.raises(TypeError):
        R.fields(object())
    with pytest.raises(TypeError):
        R.replace(T.FieldSpec, path="x")        # the class, not an instance
    with pytest.raises(TypeError):
        R.asdict(1)
    assert R.is_record(T.FieldSpec) and R.is_record(T.FieldSpec(path="p"))
    assert not R.is_record(int) and not R.is_record(1)


def test_asdict_recurses_as_dataclasses_does():
    made = []
    for dataclass, field in (DC, RC):
        @dataclass
        class Leaf:
            v: object

        @dataclass
        class Tree:
            leaves: list = field(default_factory=list)
            by: dict = field(default_factory=dict)
            pair: tuple = ()
        made.append((Leaf, Tree))
    (dl, dt), (rl, rt) = made
    shared = {"k": [1, {2}]}
    want = dataclasses.asdict(dt([dl(1), dl(shared)], {"a": dl("x")}, (dl(None), 2)))
    got = R.asdict(rt([rl(1), rl(shared)], {"a": rl("x")}, (rl(None), 2)))
    assert got == want and got["leaves"][1]["v"] is not shared


def test_the_typed_configurations_are_records_to_the_decoder():
    spec = T.FieldSpec(path="spec/replicas", kind="Deployment")
    assert R.is_record(spec) and spec == T.FieldSpec("spec/replicas", kind="Deployment")
    assert {spec: 1}[T.FieldSpec(path="spec/replicas", kind="Deployment")] == 1
    assert [f.name for f in R.fields(T.SecretArgs)][:2] == ["namespace", "name"]
