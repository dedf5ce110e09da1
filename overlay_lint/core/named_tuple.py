"""``class X(NamedTuple)`` without typing's cost at import.

``typing.NamedTuple`` turns each field's annotation into a ``ForwardRef``, which compiles
the annotation's text: ~0.3 ms a class, ~2 ms of every render for the eight named tuples
it imports (origins, located strings, touched-value records). This ``NamedTuple`` makes the
same class from the same statement, ``collections.namedtuple`` with the fields, defaults,
module, docstring and methods the class body gives, as typing's NamedTupleMeta does, but
keeps the annotations as the text they are (nothing here reads them). Only the class form;
type checkers see ``typing.NamedTuple`` itself.
"""
from __future__ import annotations

import collections

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any
    from typing import NamedTuple as NamedTuple
else:
    # as typing.NamedTupleMeta: what a class body may not set, and what it sets that is not
    # copied onto the named tuple
    _PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
                             "_field_defaults", "_make", "_replace", "_asdict", "_source"})
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _NamedTupleMeta(type):
        def __new__(mcls, typename: str, bases: tuple, ns: dict[str, Any]) -> Any:
            for base in bases:
                if base is not _NamedTuple:
                    raise TypeError("can only inherit from a NamedTuple type")
            types = ns.get("__annotations__", {})
            default_names: list[str] = []
            for field_name in types:
                if field_name in ns:
                    default_names.append(field_name)
                elif default_names:
                    raise TypeError(f"Non-default namedtuple field {field_name} cannot "
                                    f"follow default field"
                                    f"{'s' if len(default_names) > 1 else ''} "
                                    f"{', '.join(default_names)}")
            nm_tpl = collections.namedtuple(typename, list(types),
                                            defaults=[ns[n] for n in default_names],
                                            module=ns["__module__"])
            nm_tpl.__annotations__ = nm_tpl.__new__.__annotations__ = dict(types)
            for key in ns:
                if key in _PROHIBITED:
                    raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
                if key not in _SPECIAL and key not in nm_tpl._fields:
                    setattr(nm_tpl, key, ns[key])
            return nm_tpl

    _NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})

    def NamedTuple(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("overlay_lint.core.named_tuple.NamedTuple: use the class form")

    NamedTuple.__mro_entries__ = lambda bases: (_NamedTuple,)
