"""Frozen dataclasses that cost a tenth of ``@dataclass(frozen=True)`` to define.

``dataclasses`` compiles six methods per frozen class from source text (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``): about 0.4 ms
each class, 20 ms of start-up for the renderer's typed configurations, paid by every
process (a pre-commit hook, one ``render`` per folder). :func:`frozen` lets
``dataclasses`` do only its bookkeeping (fields, defaults, inheritance: ``fields()``,
``is_dataclass()`` and ``replace()`` work as before) and attaches shared methods with the
same behaviour: keyword or positional construction with defaults, equality and hashing
by the tuple of fields, the same ``repr``, and ``FrozenInstanceError`` on assignment.
Type checkers see ``@dataclass(frozen=True)`` (the ``TYPE_CHECKING`` branch).
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

_MISSING = dataclasses.MISSING


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    fields = type(self)._record_fields
    if len(args) > len(fields):
        raise TypeError(f"{type(self).__name__}() takes {len(fields)} positional arguments "
                        f"but {len(args)} were given")
    for f, value in zip(fields, args):
        if f.name in kwargs:
            raise TypeError(f"{type(self).__name__}() got multiple values for argument "
                            f"'{f.name}'")
        object.__setattr__(self, f.name, value)
    for f in fields[len(args):]:
        if f.name in kwargs:
            value = kwargs.pop(f.name)
        elif f.default is not _MISSING:
            value = f.default
        elif f.default_factory is not _MISSING:
            value = f.default_factory()
        else:
            raise TypeError(f"{type(self).__name__}() missing required argument: '{f.name}'")
        object.__setattr__(self, f.name, value)
    if kwargs:
        raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument "
                        f"'{next(iter(kwargs))}'")
    post = getattr(self, "__post_init__", None)
    if post is not None:
        post()


def _values(self: Any) -> tuple:
    return tuple([getattr(self, f.name) for f in type(self)._record_fields])


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        return _values(self) == _values(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(_values(self))


def _repr(self: Any) -> str:
    inner = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in type(self)._record_fields
                      if f.repr)
    return f"{type(self).__qualname__}({inner})"


def _setattr(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _frozen(cls: type) -> type:
    cls = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(cls)
    cls._record_fields = fields            # type: ignore[attr-defined]
    written = {k for k, v in cls.__dict__.items() if v is not None}   # by the class body
    # a class body defining __eq__ gets __hash__ = None from Python: not a hash it wrote
    for name, fn in (("__init__", _init), ("__repr__", _repr), ("__eq__", _eq),
                     ("__hash__", _hash), ("__setattr__", _setattr), ("__delattr__", _delattr)):
        if name not in written:         # a method the class writes itself wins, as in dataclasses
            setattr(cls, name, fn)
    return cls


if TYPE_CHECKING:
    from dataclasses import dataclass as frozen_dataclass
else:
    def frozen_dataclass(cls=None, /, *, frozen=True):
        """``@frozen_dataclass(frozen=True)``: :func:`dataclasses.dataclass` for type
        checkers, the shared methods above at run time."""
        if not frozen:
            raise TypeError("frozen_dataclass makes frozen classes only")
        return _frozen if cls is None else _frozen(cls)
