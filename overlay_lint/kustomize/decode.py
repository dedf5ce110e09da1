"""The one decoder: YAML value trees into the typed configurations of ``types.py``.

Kustomize reads its files with sigs.k8s.io/yaml (YAML 1.1 turned into JSON, then Go's
``encoding/json``), and so does this decoder:

- field names match case-insensitively (``fieldpath`` is ``fieldPath``); of two spellings
  of one field the one sorting last wins (Go decodes JSON object keys in sorted order);
- ``strict`` (kustomization files, ``configurations:`` files: Kustomize's UnmarshalStrict)
  refuses an unknown field; lenient (builtin plugin configurations) ignores it;
- null is Go's zero value; any other value of the wrong type is an error, and so is a
  plain ``yes``/``no``/``on``/``off``/``y``/``n`` in a string field of a file Kustomize
  decodes from its bytes (``yaml11``: YAML 1.1 reads a boolean there). Plugin
  configurations are loaded as resources and written out again first, which quotes
  such strings: no YAML 1.1 reading there.

Every such error is one line, located at the offending value, worded here and nowhere
else: ``'patches[0].target.kind' must be a string, not the number 5; quote it``,
``unknown field 'bogus' in 'patches[0]' (Kustomize rejects it)``.
"""
from __future__ import annotations

import builtins
import collections.abc
import sys
import types as pytypes

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any, Callable, TypeVar

from ..core.errors import at
from ..core.node import Node, Origin
from ..core.record import dataclass, fields, is_record
from . import types as T
from .touched import DuplicateKey

if TYPE_CHECKING:
    C = TypeVar("C")


def decode(node: Node, cls: type[C], *, strict: bool, where: str | None = None,
           dups: list[DuplicateKey] | None = None, doc: str = "kustomization",
           yaml11: bool | None = None) -> C:
    """``node`` (a mapping) as an instance of the dataclass ``cls``.

    ``where`` names the node in messages (None: the top of a ``doc`` file);
    ``dups`` collects the spellings of one field that lost (a lint finding), strict mode
    only. In strict mode the mapping's keys are also renamed to their canonical spelling
    in place, so ``node.get("namespace")`` finds a ``Namespace:``. ``yaml11`` (default:
    as ``strict``) refuses YAML 1.1 booleans in string fields."""
    return _Decoder(strict, dups, doc, strict if yaml11 is None else yaml11).struct(
        node, _plan(cls), where)


def camel(name: str) -> str:
    """A Python field name as its YAML name: ``name_prefix`` -> ``namePrefix``."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


# --- plans: what each dataclass expects, computed once per class ---------------------------

# A spec: ("str"|"int"|"bool"|"Str"|"Int"|"Bool"|"node"|"strmap",) or ("list", spec,
# optional) or ("map", spec) or ("struct", plan).
Spec = tuple


@dataclass
class _Plan:
    """How to decode one dataclass: its fields by YAML key, the keys case-folded, and
    whether it takes the origin of the mapping."""

    cls: type
    fields: dict[str, tuple[str, Spec]]   # YAML key -> (attribute, spec)
    folded: dict[str, str]                # lower-cased YAML key -> YAML key
    has_o: bool


_PLANS: dict[type, _Plan] = {}
_SCALARS: dict[Any, str] = {str: "str", int: "int", bool: "bool", T.Str: "Str", T.Int: "Int",
                            T.Bool: "Bool", Node: "node", T.StrMap: "strmap"}


def _plan(cls: type) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is not None:
        return plan
    plan = _PLANS[cls] = _Plan(cls, {}, {}, False)  # registered first: types may nest
    hints = None
    for f in fields(cls):
        if f.name == "o":
            plan.has_o = True
            continue
        key = camel(f.name)
        spec = _text_spec(f.type, cls, f.name) if isinstance(f.type, str) else None
        if spec is None:  # a form the reader below does not know: typing evaluates it
            if hints is None:
                import typing  # here: only an annotation form _text_spec does not read
                hints = typing.get_type_hints(cls)
            spec = _spec(hints[f.name])
        plan.fields[key] = (f.name, spec)
        plan.folded[key.lower()] = key
    return plan


_UNKNOWN = object()


def _text_spec(text: str, cls: type, name: str) -> Spec | None:
    """The spec of the annotation ``text`` of field ``name``, read from the text (no eval:
    typing.get_type_hints compiles every annotation of every class, ~3 ms of a render)
    for the forms the typed configurations use: a name, ``tuple[X, ...]``,
    ``Mapping[K, V]`` and ``X | None``; None for any other form. Names resolve as
    get_type_hints resolves them: the module of the class that annotates the field, that
    class's namespace, the builtins."""
    text = text.strip()
    optional = text.endswith("| None")
    if optional:
        text = text[:-6].rstrip()
    if "|" in text:
        return None
    if text.endswith("]"):
        head, _, args = text[:-1].partition("[")
        origin = _resolve(head.strip(), cls, name)
        if origin is tuple and args.endswith(", ..."):
            item = _text_spec(args[:-5], cls, name)
            return None if item is None else ("list", item, optional)
        if origin is collections.abc.Mapping or \
                getattr(origin, "__origin__", None) is collections.abc.Mapping:  # typing's
            key, comma, value = args.partition(",")
            if not comma or "[" in key:
                return None
            item = _text_spec(value, cls, name)
            return None if item is None else ("map", item)
        return None
    hint = _resolve(text, cls, name)
    if hint is _UNKNOWN:
        return None
    if hint in _SCALARS:
        return (_SCALARS[hint],)
    if is_record(hint):
        return ("struct", _plan(hint))  # type: ignore[arg-type]
    return None


def _resolve(word: str, cls: type, name: str) -> Any:
    if not word.isidentifier():
        return _UNKNOWN
    owner = next((c for c in cls.__mro__ if name in c.__dict__.get("__annotations__", {})),
                 cls)
    module = sys.modules.get(owner.__module__)
    for space in (vars(module) if module is not None else {}, owner.__dict__,
                  vars(builtins)):
        if word in space:
            return space[word]
    return _UNKNOWN


def _spec(hint: Any) -> Spec:
    import typing  # the hints of get_type_hints (see _plan)
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    optional = False
    if origin in (typing.Union, pytypes.UnionType):
        inner = [a for a in args if a is not type(None)]
        hint, optional = inner[0], True
        args, origin = typing.get_args(hint), typing.get_origin(hint)
    if hint in _SCALARS:
        return (_SCALARS[hint],)
    if origin is tuple:
        return ("list", _spec(args[0]), optional)
    if origin is collections.abc.Mapping:
        return ("map", _spec(args[1]))
    if is_record(hint):
        return ("struct", _plan(hint))  # type: ignore[arg-type]
    raise TypeError(f"decode: unsupported field type {hint!r}")


# --- decoding ----------------------------------------------------------------------------

_TYPE_WORDS = {"str": "a string", "int": "an integer", "bool": "true or false"}


class _Decoder:
    def __init__(self, strict: bool, dups: list[DuplicateKey] | None, doc: str,
                 yaml11: bool) -> None:
        self.strict = strict
        self.dups = dups
        self.doc = doc
        self.yaml11 = yaml11
        self.kinds: dict[str, Callable[[Node, Spec, str], Any]] = {
            "str": self._str, "Str": self._str, "int": self._int, "Int": self._int,
            "bool": self._bool, "Bool": self._bool, "node": lambda n, s, w: n,
            "strmap": self._strmap, "list": self._list, "map": self._map,
            "struct": lambda n, s, w: self.struct(n, s[1], w)}

    def value(self, node: Node, spec: Spec, where: str) -> Any:
        if node.v is None:  # Go's zero value
            kind = spec[0]
            if kind == "str":
                return ""
            if kind == "int":
                return 0
            if kind == "bool":
                return False
            if kind == "list":
                return None if spec[2] else ()
            return node if kind == "node" else None
        return self.kinds[spec[0]](node, spec, where)

    def _str(self, node: Node, spec: Spec, where: str) -> Any:
        v = node.v
        if type(v) is not str:
            hint = "; quote it" if type(v) in (int, float, bool) else ""
            raise at(node.o, f"'{where}' must be a string, not {describe(v)}{hint}")
        parts = node.parts
        if parts:
            if "text" in parts:  # a time: the field holds its text (``2020-1-1``)
                v = parts["text"]
            if "yaml11" in parts and self.yaml11:
                # Kustomize reads these files as YAML 1.1: a plain yes/no/on/off/y/n is a
                # boolean there, so kubectl refuses it in a string field
                raise at(node.o, f"'{where}' must be a string, but Kustomize reads the plain "
                                 f"'{v}' as a YAML 1.1 boolean; quote it: \"{v}\"")
            if spec[0] == "Str":
                return T.Str(v, node.o, parts.get("block"))
        return T.Str(v, node.o) if spec[0] == "Str" else v

    def _int(self, node: Node, spec: Spec, where: str) -> Any:
        v = node.v
        if type(v) is not int:  # bool is not int here: type() is exact
            raise at(node.o, f"'{where}' must be an integer, not {describe(v)}")
        if not -(1 << 63) <= v < (1 << 63):  # a Go int: kubectl fails on a wider one
            raise at(node.o, f"'{where}' must be an integer within 64 bits (signed), not {v}")
        return T.Int(v, node.o) if spec[0] == "Int" else v

    def _bool(self, node: Node, spec: Spec, where: str) -> Any:
        v = node.v
        if type(v) is not bool:
            raise at(node.o, f"'{where}' must be true or false, not {describe(v)}")
        return T.Bool(v, node.o) if spec[0] == "Bool" else v

    def _list(self, node: Node, spec: Spec, where: str) -> Any:
        if type(node.v) is not list:
            raise at(node.o, f"'{where}' must be a list, not {describe(node.v)}")
        item = spec[1]
        return tuple(self.value(c, item, f"{where}[{i}]") if c.v is not None
                     else _zero(c, item) for i, c in enumerate(node.v))

    def _map(self, node: Node, spec: Spec, where: str) -> Any:
        if type(node.v) is not dict:
            raise at(node.o, f"'{where}' must be a mapping, not {describe(node.v)}")
        item = spec[1]
        return {k: self.value(c, item, f"{where}.{k}") if c.v is not None else _zero(c, item)
                for k, c in node.v.items()}

    def _strmap(self, node: Node, spec: Spec, where: str) -> Any:
        return T.StrMap(self._map(node, ("map", ("Str",)), where), node.o)

    def struct(self, node: Node, plan: _Plan, where: str | None) -> Any:
        if type(node.v) is not dict:
            raise at(node.o, f"'{where}' must be a mapping, not {describe(node.v)}")
        fields = plan.fields
        items = node.v
        if not all(k in fields for k in items):
            items = self._canonical(node, plan, where)
        kwargs: dict[str, Any] = {}
        for key, child in items.items():
            attr, spec = fields[key]
            kwargs[attr] = self.value(child, spec, f"{where}.{key}" if where else key)
        if plan.has_o:
            kwargs["o"] = node.o
        return plan.cls(**kwargs)

    def _canonical(self, node: Node, plan: _Plan, where: str | None) -> dict[str, Node]:
        """The mapping's items under their canonical names (see the module docstring);
        renamed in the node itself in strict mode."""
        out: dict[str, Node] = {}
        spelled: dict[str, str] = {}
        for k, item in node.v.items():
            name = k if k in plan.fields else plan.folded.get(k.lower())
            if name is None:
                if not self.strict:
                    continue
                what = f"unknown field '{k}' in '{where}'" if where else \
                    f"unknown {self.doc} field '{k}'"
                raise at(item.o, f"{what} (Kustomize rejects it)")
            if name in out:
                other, other_key = out[name], spelled[name]
                win_key, win, lose_key = (k, item, other_key) if k > other_key \
                    else (other_key, other, k)
                if self.dups is not None:
                    later, earlier = (item, other) if _after(item.o, other.o) else (other, item)
                    self.dups.append(DuplicateKey(_file(item.o), lose_key, later.o, earlier.o,
                                                  win.o))
                out[name], spelled[name] = win, win_key
                continue
            out[name] = item
            spelled[name] = k
        if self.strict:
            node.v = out
        return out


def _zero(node: Node, spec: Spec) -> Any:
    """Go's zero value of a null list item or map value (a field that is null is absent,
    see ``_Decoder.value``): ``""`` for a string, an empty struct, ..."""
    kind = spec[0]
    if kind in ("str", "int", "bool", "list", "map", "node"):
        return {"str": "", "int": 0, "bool": False, "list": (), "map": {}, "node": node}[kind]
    if kind == "Str":
        return T.Str("", node.o)
    if kind == "Int":
        return T.Int(0, node.o)
    if kind == "Bool":
        return T.Bool(False, node.o)
    if kind == "strmap":
        return T.StrMap({}, node.o)
    plan = spec[1]
    return plan.cls(o=node.o) if plan.has_o else plan.cls()


def _after(a: Origin | None, b: Origin | None) -> bool:
    return a is not None and b is not None and (a[1], a[2]) > (b[1], b[2])


def _file(o: Origin | None) -> str:
    return o[0] if o is not None else ""


def describe(v: object) -> str:
    """A value as a message names it: ``a mapping``, ``the number 5``, ``'text'``."""
    if type(v) is dict:
        return "a mapping"
    if type(v) is list:
        return "a list"
    if type(v) is bool:
        return f"the boolean {str(v).lower()}"
    if type(v) in (int, float):
        return f"the number {v}"
    text = str(v)
    return f"'{text[:60]}...'" if len(text) > 63 else f"'{text}'"
