"""Records: ``@dataclass`` classes without importing :mod:`dataclasses`.

``import dataclasses`` costs ~9 ms of every process (it pulls in ``inspect``, ``ast``,
``dis``, ``tokenize``), and ``@dataclass`` compiles its methods from source text for every
class: ~0.4 ms a class, ~0.15 ms even when it only did the bookkeeping. overlay-lint defines
~110 such classes, and every process pays for them (a pre-commit hook, one ``render`` per
folder). Here a decorator reads the fields itself and attaches shared methods, so a class
definition costs ~10 microseconds. A class's first instantiations bind their arguments
generically; after a few dozen its ``__init__`` is compiled as dataclasses writes it and
installed on the class, so hot constructors are as fast as dataclasses' and classes built
a few times per run (most) never pay for a compile.

The same semantics as :mod:`dataclasses` for what overlay-lint uses: fields from the
class's own ``__annotations__`` (``ClassVar`` ones skipped) after those of record bases,
defaults from class attributes or :func:`field` (``default``, ``default_factory``,
``repr``, ``compare``), positional or keyword construction with the same errors,
``__post_init__``, equality by the tuple of compared fields (same class only), hashing for
frozen records (a mutable record with ``eq`` is unhashable), ``order=True``, ``repr``,
:class:`FrozenInstanceError` on assignment to a frozen record; a method the class body
writes itself wins. :func:`fields`, :func:`replace`, :func:`asdict` and :func:`is_record`
stand for their :mod:`dataclasses` namesakes.

Type checkers see :mod:`dataclasses` itself (the ``TYPE_CHECKING`` branch at the end).
"""
from __future__ import annotations

from operator import attrgetter
TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any, Callable


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class _HasFactory:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


_HAS_FACTORY = _HasFactory()


class FrozenInstanceError(AttributeError):
    """Assignment to (or deletion of) a field of a frozen record."""


class Field:
    """One field: its name, default or default factory, and whether ``repr`` and the
    comparisons (``==``, ``hash``, ordering) include it."""

    __slots__ = ("name", "type", "default", "default_factory", "repr", "compare")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING,
                 repr: bool = True, compare: bool = True) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name: str = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare

    def __repr__(self) -> str:
        return (f"Field(name={self.name!r},type={self.type!r},default={self.default!r},"
                f"default_factory={self.default_factory!r},repr={self.repr!r},"
                f"compare={self.compare!r})")


def _field(*, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True,
           compare: bool = True) -> Any:
    return Field(default, default_factory, repr, compare)


def _is_classvar(annotation: Any) -> bool:
    if isinstance(annotation, str):
        a = annotation.strip()
        return (a.startswith(("ClassVar", "typing.ClassVar", "t.ClassVar"))
                and a.partition("[")[0].rstrip().rpartition(".")[2] == "ClassVar")
    import typing
    return annotation is typing.ClassVar or getattr(annotation, "__origin__", None) is \
        typing.ClassVar


# --- the shared methods --------------------------------------------------------------------

def _owner(cls: type, name: str, stub: Any) -> type:
    """The class in ``cls``'s MRO whose own ``name`` is ``stub`` (the record it stands in
    for)."""
    for c in cls.__mro__:
        if c.__dict__.get(name) is stub:
            return c
    raise AssertionError(f"{stub!r} not found on {cls!r}")


def _make_init(cls: Any) -> Callable[..., None]:
    """``cls.__init__`` compiled for its fields, as dataclasses writes it."""
    fields = list(cls.__record_fields__.values())
    frozen = cls.__record_params__[0]
    names = {f.name for f in fields}
    self_name = "__record_self__" if "self" in names else "self"
    ns: dict[str, Any] = {"__record_set__": object.__setattr__, "__record_factory__": _HAS_FACTORY}
    params, body = [self_name], []
    for f in fields:
        n = f.name
        if f.default is not MISSING:
            ns[f"__record_dflt_{n}__"] = f.default
            params.append(f"{n}=__record_dflt_{n}__")
            value = n
        elif f.default_factory is not MISSING:
            ns[f"__record_dflt_{n}__"] = f.default_factory
            params.append(f"{n}=__record_factory__")
            value = f"__record_dflt_{n}__() if {n} is __record_factory__ else {n}"
        else:
            params.append(n)
            value = n
        body.append(f"__record_set__({self_name}, {n!r}, {value})" if frozen
                    else f"{self_name}.{n} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append(f"{self_name}.__post_init__()")
    src = f"def __init__({', '.join(params)}):\n    " + "\n    ".join(body or ["pass"])
    exec(src, ns)
    fn = ns["__init__"]
    fn.__qualname__ = f"{cls.__qualname__}.__init__"
    fn.__module__ = cls.__module__
    return fn


_COMPILE_AFTER = 32     # instantiations of a class before its __init__ is compiled
_CALLS: dict[type, int] = {}


def _lazy_init(self: Any, /, *args: Any, **kwargs: Any) -> None:
    """A record's ``__init__`` until it is compiled: the first instantiations of a class
    bind the arguments here (compiling costs as much as ~30 of them; most classes are
    built a few times per run); after ``_COMPILE_AFTER`` of them, and on any error (its
    message is Python's own, as for ``@dataclass``), the compiled ``__init__`` is installed
    on the class and runs."""
    cls = _owner(type(self), "__init__", _lazy_init)
    calls = _CALLS.get(cls, 0) + 1
    if calls < _COMPILE_AFTER and _bind(cls, self, args, kwargs):
        _CALLS[cls] = calls
        return
    init = _make_init(cls)
    type.__setattr__(cls, "__init__", init)
    init(self, *args, **kwargs)


_PLANS: dict[type, tuple] = {}


def _plan(cls: Any) -> tuple:
    """What :func:`_bind` needs of a class: field names, defaults (``_HAS_FACTORY`` for a
    default factory), factories, the setter, whether it has ``__post_init__``."""
    fields = list(cls.__record_fields__.values())
    plan = _PLANS[cls] = (
        tuple(f.name for f in fields),
        tuple(_HAS_FACTORY if f.default_factory is not MISSING else f.default for f in fields),
        tuple(f.default_factory for f in fields),
        object.__setattr__ if cls.__record_params__[0] else setattr,
        hasattr(cls, "__post_init__"))
    return plan


def _bind(cls: Any, self: Any, args: tuple, kwargs: dict) -> bool:
    """Sets the fields from the arguments as the compiled ``__init__`` would; False, with
    nothing run, when the arguments do not fit (the compiled one then raises)."""
    names, defaults, factories, set_, post = _PLANS.get(cls) or _plan(cls)
    given = len(args)
    if given > len(names):
        return False
    values = list(args)
    used = 0
    for i in range(given, len(names)):
        name = names[i]
        if name in kwargs:
            values.append(kwargs[name])
            used += 1
        else:
            default = defaults[i]
            if default is MISSING:
                return False
            values.append(default)
    if used != len(kwargs):      # an unknown name, or one also given by position
        return False
    for name, value, factory in zip(names, values, factories):
        set_(self, name, factory() if value is _HAS_FACTORY else value)
    if post:
        self.__post_init__()
    return True


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__class__.__record_key__
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__class__.__record_key__(self))


def _lt(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__class__.__record_key__
        return key(self) < key(other)
    return NotImplemented


def _le(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__class__.__record_key__
        return key(self) <= key(other)
    return NotImplemented


def _gt(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__class__.__record_key__
        return key(self) > key(other)
    return NotImplemented


def _ge(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__class__.__record_key__
        return key(self) >= key(other)
    return NotImplemented


def _repr(self: Any) -> str:
    inner = ", ".join(f"{f.name}={getattr(self, f.name)!r}"
                      for f in self.__class__.__record_fields__.values() if f.repr)
    return f"{self.__class__.__qualname__}({inner})"


def _frozen_field(self: Any, name: str) -> bool:
    cls = type(self)
    return "__record_params__" in cls.__dict__ or name in cls.__record_fields__


def _setattr(self: Any, name: str, value: Any) -> None:
    if _frozen_field(self, name):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)


def _delattr(self: Any, name: str) -> None:
    if _frozen_field(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")
    object.__delattr__(self, name)


def _key(names: list[str]) -> Callable[[Any], tuple]:
    """The tuple of a record's compared fields (``attrgetter`` for two or more)."""
    if len(names) >= 2:
        return attrgetter(*names)
    if names:
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    return lambda obj: ()


# --- the decorator -------------------------------------------------------------------------

def _collect(cls: Any, frozen: bool) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    any_frozen = any_mutable = False
    for base in cls.__mro__[-1:0:-1]:
        base_fields = base.__dict__.get("__record_fields__")
        if base_fields is not None:
            fields.update(base_fields)
            if base.__record_params__[0]:
                any_frozen = True
            else:
                any_mutable = True
    if any_mutable and frozen:
        raise TypeError("cannot inherit frozen dataclass from a non-frozen one")
    if any_frozen and not frozen:
        raise TypeError("cannot inherit non-frozen dataclass from a frozen one")
    own = cls.__dict__
    for name, annotation in own.get("__annotations__", {}).items():
        if _is_classvar(annotation):
            continue
        default = own.get(name, MISSING)
        if isinstance(default, Field):
            f = default
            if f.default is MISSING:
                type.__delattr__(cls, name)
            else:
                type.__setattr__(cls, name, f.default)
        else:
            f = Field(default)
        if f.default is not MISSING and f.default.__class__.__hash__ is None:
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not "
                             f"allowed: use default_factory")
        f.name, f.type = name, annotation
        fields[name] = f
    seen_default = None
    for f in fields.values():
        if f.default is not MISSING or f.default_factory is not MISSING:
            seen_default = f
        elif seen_default is not None:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
    return fields


def _process(cls: Any, frozen: bool, eq: bool, order: bool, repr: bool) -> Any:
    own = cls.__dict__
    class_hash = own.get("__hash__", MISSING)
    explicit_hash = class_hash is not MISSING and not (class_hash is None and "__eq__" in own)
    fields = _collect(cls, frozen)
    compared = [f.name for f in fields.values() if f.compare]
    setattr_ = type.__setattr__
    setattr_(cls, "__record_fields__", fields)
    setattr_(cls, "__record_params__", (frozen, eq, order))
    setattr_(cls, "__record_key__", _key(compared))
    methods: list[tuple[str, Any]] = [("__init__", _lazy_init)]
    if repr:
        methods.append(("__repr__", _repr))
    if eq:
        methods.append(("__eq__", _eq))
    if order:
        if not eq:
            raise ValueError("eq must be true if order is true")
        methods += [("__lt__", _lt), ("__le__", _le), ("__gt__", _gt), ("__ge__", _ge)]
    if frozen:
        methods += [("__setattr__", _setattr), ("__delattr__", _delattr)]
    for name, fn in methods:
        if name not in own:          # a method the class writes itself wins
            setattr_(cls, name, fn)
    if eq and not explicit_hash:
        setattr_(cls, "__hash__", _hash if frozen else None)
    return cls


def _dataclass(cls: Any = None, /, *, frozen: bool = False, eq: bool = True,
               order: bool = False, repr: bool = True) -> Any:
    def wrap(c: Any) -> Any:
        return _process(c, frozen, eq, order, repr)
    return wrap if cls is None else wrap(cls)


def _frozen_dataclass(cls: Any = None, /, *, frozen: bool = True) -> Any:
    if not frozen:
        raise TypeError("frozen_dataclass makes frozen classes only")
    return _dataclass(cls, frozen=True)


# --- the module functions ------------------------------------------------------------------

def _fields(obj: Any) -> tuple[Field, ...]:
    try:
        return tuple(obj.__record_fields__.values())
    except AttributeError:
        raise TypeError("must be called with a dataclass type or instance") from None


def _is_record(obj: Any) -> bool:
    cls = obj if isinstance(obj, type) else type(obj)
    return hasattr(cls, "__record_fields__")


def _replace(obj: Any, /, **changes: Any) -> Any:
    if isinstance(obj, type) or not hasattr(obj, "__record_fields__"):
        raise TypeError("replace() should be called on dataclass instances")
    for name in obj.__record_fields__:
        if name not in changes:
            changes[name] = getattr(obj, name)
    return obj.__class__(**changes)


_ATOMIC = frozenset({type(None), bool, int, float, str, complex, bytes})


def _asdict_inner(obj: Any) -> Any:
    cls = type(obj)
    if cls in _ATOMIC:
        return obj
    if hasattr(cls, "__record_fields__") and not isinstance(obj, type):
        return {name: _asdict_inner(getattr(obj, name)) for name in cls.__record_fields__}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return cls(*[_asdict_inner(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return cls(_asdict_inner(v) for v in obj)
    if isinstance(obj, dict):
        return cls((_asdict_inner(k), _asdict_inner(v)) for k, v in obj.items())
    import copy
    return copy.deepcopy(obj)


def _asdict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, type) or not hasattr(obj, "__record_fields__"):
        raise TypeError("asdict() should be called on dataclass instances")
    return _asdict_inner(obj)


if TYPE_CHECKING:
    from dataclasses import asdict, dataclass, field, fields, replace
    from dataclasses import dataclass as frozen_dataclass
    from dataclasses import is_dataclass as is_record
else:
    dataclass = _dataclass
    frozen_dataclass = _frozen_dataclass
    field = _field
    fields = _fields
    replace = _replace
    asdict = _asdict
    is_record = _is_record
