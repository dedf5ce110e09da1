"""Read YAML (and JSON) into ``Node`` trees that remember file, line and column.

Parsing uses libyaml through ruamel.yaml's C extension when present (about 15x faster
than the pure-Python parser: a pre-commit hook pays this on every commit) and the
pure-Python composer otherwise. Scalars resolve as Kustomize resolves them (go-yaml v3,
YAML 1.2 core schema) and are normalised as Kustomize's JSON round trip does
(``1e3`` is the integer 1000, ``012`` is 10, ``yes`` stays a string).
"""
from __future__ import annotations

import base64
import math
import os
import re
from dataclasses import dataclass
from typing import Any

from .errors import OverlayLintError
from .node import Node

try:  # libyaml binding: optional, much faster
    from ruamel.yaml.cyaml import CSafeLoader as _Loader  # type: ignore[attr-defined]
    _C = True
except Exception:  # pragma: no cover - exercised where ruamel.yaml.clib is missing
    _C = False


@dataclass
class Limits:
    """Bounds that keep hostile input from exhausting time or memory."""

    max_file_bytes: int = 8 * 1024 * 1024
    max_nodes: int = 2_000_000      # nodes produced per file, aliases expanded
    max_depth: int = 200            # nesting depth per document


LIMITS = Limits()

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_TS_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_BINARY_TAG = "tag:yaml.org,2002:binary"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"

_DATE_RE = re.compile(r"^(\d{4})-(\d\d?)-(\d\d?)$")
_TS_RE = re.compile(
    r"^(\d{4})-(\d\d?)-(\d\d?)(?:[Tt]|[ \t]+)(\d\d?):(\d\d):(\d\d)(\.\d*)?"
    r"(?:[ \t]*(Z|[-+]\d\d?(?::?\d\d)?))?$")


def read_text(path: str) -> str:
    """A file's text, checked: size bound, UTF-8 (a BOM is dropped), no binary content."""
    try:
        size = os.path.getsize(path)
        if size > LIMITS.max_file_bytes:
            raise OverlayLintError(
                f"file is {size} bytes, over the {LIMITS.max_file_bytes}-byte limit", path)
        with open(path, "rb") as fh:
            raw = fh.read()
    except OverlayLintError:
        raise
    except IsADirectoryError:
        raise OverlayLintError("is a directory, expected a file", path) from None
    except OSError as exc:
        raise OverlayLintError(f"cannot read file: {exc.strerror or exc}", path) from None
    return decode(raw, path)


def decode(raw: bytes, path: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise OverlayLintError("binary file (NUL byte), expected YAML text", path, line)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise OverlayLintError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", path, line) from None


def resolve_scalar(tag: str, text: str, style: str | None) -> Any:
    """The value of a scalar after Kustomize's YAML -> JSON round trip."""
    if tag == _STR_TAG or style:
        return text
    if tag == _INT_TAG:
        return _parse_int(text)
    if tag == _FLOAT_TAG:
        return _parse_float(text)
    if tag == _BOOL_TAG:
        return text.lower() == "true"
    if tag == _NULL_TAG:
        return None
    if tag == _TS_TAG:
        return _timestamp(text)
    if tag == _BINARY_TAG:
        try:
            return base64.b64decode("".join(text.split())).decode("utf-8")
        except Exception:
            return text
    return text


def _parse_int(text: str) -> Any:
    t = text.replace("_", "")
    sign = -1 if t.startswith("-") else 1
    body = t.lstrip("+-")
    try:
        if len(body) > 1 and body[0] == "0" and body[1].isdigit():
            return sign * int(body, 8)  # go-yaml reads a leading zero as octal
        return sign * int(body, 0)
    except ValueError:
        return text


def _parse_float(text: str) -> Any:
    t = text.replace("_", "").lower()
    if t in (".nan",):
        return math.nan
    if t in (".inf", "+.inf"):
        return math.inf
    if t == "-.inf":
        return -math.inf
    try:
        f = float(t)
    except ValueError:
        return text
    if f.is_integer() and abs(f) < 1e21:
        return int(f)  # Go's JSON encoder prints 1000.0 as 1000, YAML reads it back as int
    return f


def _timestamp(text: str) -> str:
    m = _DATE_RE.match(text)
    if m:
        y, mo, d = m.groups()
        return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T00:00:00Z"
    m = _TS_RE.match(text)
    if not m:
        return text
    y, mo, d, h, mi, s, frac, tz = m.groups()
    out = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(h):02d}:{mi}:{s}"
    if frac and frac.strip(".0"):
        out += frac.rstrip("0")
    if not tz or tz == "Z":
        return out + "Z"
    sign, rest = tz[0], tz[1:].replace(":", "")
    hh = rest[:-2] if len(rest) > 2 else rest
    mm = rest[-2:] if len(rest) > 2 else "00"
    if int(hh) == 0 and int(mm) == 0:
        return out + "Z"
    return f"{out}{sign}{int(hh):02d}:{mm}"


class _Builder:
    """Turns composed YAML nodes into ``Node`` trees, with limits and duplicate-key checks."""

    def __init__(self, path: str, line_offset: int, col_offset: int, flat_origin: tuple | None,
                 lines: list[str]):
        self.path = path
        self.lines = lines
        self.line_offset = line_offset
        self.col_offset = col_offset
        self.flat_origin = flat_origin  # every node gets this origin (non-literal inline text)
        self.count = 0

    def origin(self, mark: Any) -> tuple:
        if self.flat_origin is not None:
            return self.flat_origin
        return (self.path, mark.line + 1 + self.line_offset, mark.column + 1 + self.col_offset)

    def build(self, ynode: Any, origin: tuple | None = None, depth: int = 0) -> Node:
        self.count += 1
        if self.count > LIMITS.max_nodes:
            raise OverlayLintError(
                f"document expands to more than {LIMITS.max_nodes} nodes "
                "(YAML alias bomb?)", *self.origin(ynode.start_mark)[:2])
        if depth > LIMITS.max_depth:
            raise OverlayLintError(
                f"nesting deeper than {LIMITS.max_depth} levels", *self.origin(ynode.start_mark)[:2])
        if origin is None:
            origin = self.origin(ynode.start_mark)
        kind = ynode.id
        if kind == "scalar":
            node = Node(resolve_scalar(ynode.tag, ynode.value, ynode.style), origin)
            if ynode.style == "|" and self.flat_origin is None:
                node.parts = {"block": self._block_start(ynode)}
            return node
        if kind == "sequence":
            return Node([self.build(item, None, depth + 1) for item in ynode.value], origin)
        if kind == "mapping":
            return Node(self._mapping(ynode, depth), origin)
        raise OverlayLintError(f"unsupported YAML node {kind}", *origin[:2])

    def _block_start(self, ynode: Any) -> tuple[int, int]:
        """(1-based file line, indent) of the first content line of a literal block."""
        first = ynode.start_mark.line + 1  # 0-based index of the line after the indicator
        indent = 0
        for text in self.lines[first:ynode.end_mark.line + 1]:
            if text.strip():
                indent = len(text) - len(text.lstrip(" "))
                break
        return (first + 1 + self.line_offset, indent + self.col_offset)

    def _mapping(self, ynode: Any, depth: int) -> dict:
        out: dict[str, Node] = {}
        seen: dict[str, int] = {}
        merges: list[Any] = []
        for knode, vnode in ynode.value:
            if knode.tag == _MERGE_TAG or (knode.id == "scalar" and knode.value == "<<"
                                            and not knode.style):
                merges.append(vnode)
                continue
            if knode.id != "scalar":
                o = self.origin(knode.start_mark)
                raise OverlayLintError("mapping keys must be scalars", o[0], o[1], o[2])
            key = resolve_scalar(knode.tag, knode.value, knode.style)
            key = _key_text(key)
            korigin = self.origin(knode.start_mark)
            if key in seen:
                raise OverlayLintError(
                    f'duplicate key "{key}" (first at line {seen[key]})', *korigin)
            seen[key] = korigin[1]
            out[key] = self.build(vnode, korigin, depth + 1)
        for m in merges:  # explicit keys win over merged ones, earlier merges over later
            sources = m.value if m.id == "sequence" else [m]
            for src in sources:
                if src.id != "mapping":
                    o = self.origin(src.start_mark)
                    raise OverlayLintError("merge key << needs a mapping", *o)
                for k, v in self._mapping(src, depth).items():
                    out.setdefault(k, v)
        return out


def _key_text(key: Any) -> str:
    if key is None:
        return "null"
    if key is True:
        return "true"
    if key is False:
        return "false"
    return str(key)


def parse_documents(text: str, path: str, line_offset: int = 0, col_offset: int = 0,
                    flat_origin: tuple | None = None) -> list[Node | None]:
    """Every document of a YAML stream; an empty document is None.

    ``line_offset``/``col_offset`` place text embedded in another file (an inline patch);
    ``flat_origin`` gives every node one origin when positions inside cannot be mapped.
    """
    builder = _Builder(path, line_offset, col_offset, flat_origin, text.split("\n"))
    docs: list[Node | None] = []
    loader = _make_loader(text)
    try:
        while loader.check_node():
            ynode = loader.get_node()
            docs.append(None if ynode is None else builder.build(ynode))
            if _is_null_doc(docs[-1]):
                docs[-1] = None
    except OverlayLintError:
        raise
    except RecursionError:
        raise OverlayLintError(f"nesting deeper than {LIMITS.max_depth} levels", path) from None
    except Exception as exc:  # ruamel's MarkedYAMLError and friends
        raise _yaml_error(exc, path, line_offset, flat_origin) from None
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose:
            try:
                dispose()
            except Exception:
                pass
    return docs


def _is_null_doc(node: Node | None) -> bool:
    return node is not None and node.v is None


def _make_loader(text: str) -> Any:
    if _C:
        return _Loader(text)
    from ruamel.yaml import YAML  # pragma: no cover
    y = YAML(typ="safe", pure=True)
    return _PureLoader(y, text)


class _PureLoader:  # pragma: no cover - only without the C extension
    def __init__(self, yaml: Any, text: str) -> None:
        self._it = iter(yaml.compose_all(text))
        self._next: Any = _PureLoader

    def check_node(self) -> bool:
        if self._next is _PureLoader:
            self._next = next(self._it, _PureLoader)
        return self._next is not _PureLoader

    def get_node(self) -> Any:
        n, self._next = self._next, _PureLoader
        return n


def _yaml_error(exc: Exception, path: str, line_offset: int,
                flat_origin: tuple | None) -> OverlayLintError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    msg = f"invalid YAML: {problem}"
    if context and "while" not in problem:
        msg += f" ({context})"
    if flat_origin is not None:
        return OverlayLintError(msg, flat_origin[0], flat_origin[1])
    line = mark.line + 1 + line_offset if mark is not None else None
    return OverlayLintError(msg, path, line)


_CACHE: dict[str, tuple[float, int, list]] = {}


def load_file(path: str) -> list[Node | None]:
    """Documents of a file, parsed once per process (callers clone before mutating)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise OverlayLintError(f"cannot read file: {exc.strerror or exc}", path) from None
    hit = _CACHE.get(path)
    if hit is not None and hit[0] == st.st_mtime and hit[1] == st.st_size:
        return hit[2]
    docs = parse_documents(read_text(path), path)
    _CACHE[path] = (st.st_mtime, st.st_size, docs)
    return docs


def parse_embedded(text: str, holder: Node, style: str | None = None) -> list[Node | None]:
    """Parse YAML held in a string scalar (an inline patch) so its origins point into the
    enclosing file: exact lines for a literal block (``|``), else the holder's line."""
    path, line, col = holder.o
    parts = holder.parts or {}
    block = parts.get("block")
    if block is not None:
        first_line, indent = block
        return parse_documents(text, path, first_line - 1, indent)
    return parse_documents(text, path, flat_origin=holder.o)
