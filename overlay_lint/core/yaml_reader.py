"""Read YAML (and JSON) into ``Node`` trees that remember file, line and column.

Parsing uses libyaml through ruamel.yaml's C extension when present (about 15x faster
than the pure-Python parser: a pre-commit hook pays this on every commit) and the
pure-Python composer otherwise. Scalars resolve as Kustomize resolves them (go-yaml v3,
YAML 1.2 core schema) and are normalised as Kustomize's JSON round trip does
(``1e3`` is the integer 1000, ``012`` is 10, ``yes`` stays a string).
"""
from __future__ import annotations

import math
import os
import re
import stat
import sys
TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any

from .errors import OverlayLintError
from .go_number import go_float_text, go_number, json_float as _json_float
from .go_time import go_timestamp
from .node import Node, Origin
from .paths import read_head
from .record import dataclass

_new_origin = tuple.__new__  # Origin(...) without the keyword-handling wrapper: hot path


def _load_c_parser() -> Any:
    """libyaml's event parser (ruamel.yaml.clib's ``CParser``), or None without the binding.

    Only the event parser is used (scalars are typed by :func:`resolve_plain`), yet
    ``import ruamel.yaml`` runs the package's ``__init__`` (the YAML class, constructors,
    representers, emitter) and the binding imports the error class of every pure-Python
    stage: ~15 ms of CPU that every run paid. So, unless ruamel.yaml is imported already,
    the binding is imported with the package made from its spec and its ``__init__`` not
    run yet (see :class:`_InitOnFirstUse`), and the stages it imports only for their
    error classes stood in while it imports: the event parser raises only the reader's,
    the scanner's and the parser's errors, made here as ruamel.yaml makes them. The
    modules it imports for real (error, tokens, events, nodes) stay, so a later user of
    ruamel.yaml gets the very classes the binding uses. Anything unexpected (another
    binding version): the plain import.
    """
    if "ruamel.yaml" not in sys.modules and "_ruamel_yaml" not in sys.modules:
        try:
            return _bare_c_parser()
        except Exception:  # pragma: no cover - another ruamel.yaml.clib: import normally
            pass
    try:
        from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - exercised where ruamel.yaml.clib is missing
        return None
    return CParser


class _InitOnFirstUse(type(sys)):  # type: ignore[misc]
    """The ruamel.yaml package while its ``__init__`` has not run: the first look-up of a
    name the package does not hold yet runs it, in place (``import ruamel.yaml`` then
    ``ruamel.yaml.YAML``, or ``from ruamel.yaml import __version__``, work as usual)."""

    def __getattr__(self, name: str) -> Any:
        self.__class__ = type(sys)  # first, so that the __init__'s own look-ups are plain
        self.__spec__.loader.exec_module(self)
        return getattr(self, name)


def _bare_c_parser() -> Any:
    import importlib.util
    kept = set(sys.modules)
    spec = importlib.util.find_spec("ruamel.yaml")
    if spec is None or spec.loader is None:
        return None
    package = importlib.util.module_from_spec(spec)
    sys.modules["ruamel.yaml"] = package
    sys.modules["ruamel"].yaml = package  # find_spec imported the parent, as import does
    stand_ins: list[str] = []
    try:
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        class ReaderError(YAMLError):  # ruamel.yaml.reader's, whose module needs more
            def __init__(self, name: Any, position: Any, character: Any, encoding: Any,
                         reason: Any) -> None:
                self.name = name
                self.character = character
                self.position = position
                self.encoding = encoding
                self.reason = reason

            def __str__(self) -> str:
                if isinstance(self.character, bytes):
                    return (f"'{self.encoding!s}' codec can't decode byte "
                            f"#x{ord(self.character):02x}: {self.reason!s}\n"
                            f'  in "{self.name!s}", position {self.position:d}')
                return (f"unacceptable character #x{self.character:04x}: {self.reason!s}\n"
                        f'  in "{self.name!s}", position {self.position:d}')

        ReaderError.__module__ = "ruamel.yaml.reader"
        classes: list[type] = [ReaderError]
        for stage, base in (("scanner", MarkedYAMLError), ("parser", MarkedYAMLError),
                            ("composer", MarkedYAMLError), ("constructor", MarkedYAMLError),
                            ("emitter", YAMLError), ("serializer", YAMLError),
                            ("representer", YAMLError)):
            classes.append(type(stage.capitalize() + "Error", (base,),
                                {"__module__": "ruamel.yaml." + stage}))
        for cls in classes:
            module = type(sys)(cls.__module__)
            setattr(module, cls.__name__, cls)
            sys.modules[module.__name__] = module
            stand_ins.append(module.__name__)
        from _ruamel_yaml import CParser  # type: ignore[import-not-found]
    except BaseException:
        for name in set(sys.modules) - kept:
            if name.startswith("ruamel.yaml"):
                del sys.modules[name]
        if getattr(sys.modules.get("ruamel"), "yaml", None) is package:
            del sys.modules["ruamel"].yaml
        raise
    finally:
        for name in stand_ins:
            sys.modules.pop(name, None)
    package.__class__ = _InitOnFirstUse
    return CParser


_CParser = _load_c_parser()
_C = _CParser is not None  # libyaml binding: optional, much faster


@dataclass
class Limits:
    """Bounds that keep hostile input from exhausting time or memory."""

    max_file_bytes: int = 8 * 1024 * 1024
    max_nodes: int = 2_000_000      # nodes produced per file, aliases expanded
    max_depth: int = 200            # nesting depth per document
    max_alias_nodes: int = 100_000  # nodes produced by expanding aliases, per file


MAX_DEPTH_CAP = 400  # deeper trees would exhaust Python's recursion in later stages


def _limits_from_env() -> Limits:
    """Limits, each overridable by an environment variable (e.g. for huge CRD bundles)."""
    lim = Limits()
    for name in ("max_file_bytes", "max_nodes", "max_depth", "max_alias_nodes"):
        raw = os.environ.get("OVERLAY_LINT_" + name.upper())
        if raw and raw.strip().isdigit() and int(raw) > 0:
            setattr(lim, name, int(raw))
    lim.max_depth = min(lim.max_depth, MAX_DEPTH_CAP)
    return lim


LIMITS = _limits_from_env()

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_TS_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_DROPPED = object()  # the key of a repeated key's value that is not kept (keep_first)
_BINARY_TAG = "tag:yaml.org,2002:binary"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"

# Plain scalars that YAML 1.1 (go-yaml v2, used by sigs.k8s.io/yaml) reads as booleans
# while YAML 1.2 keeps them strings; marked on the node so JSON6902 ops can be read as 1.1.
YAML11_BOOLS = {t: True for t in ("y", "Y", "yes", "Yes", "YES", "on", "On", "ON")}
YAML11_BOOLS.update({t: False for t in ("n", "N", "no", "No", "NO", "off", "Off", "OFF")})

def read_text(path: str, st: os.stat_result | None = None) -> str:
    """A file's text, checked: size bound, UTF-8 (a BOM is dropped), no binary content
    (``st``: the file's ``os.stat``, when the caller has it)."""
    return decode(read_raw(path, st), path)


# Whether each file read this run holds "overlay-lint:", which every suppression comment
# does: the suppression audit (lint/suppress.py) reads again only the files that do.
HOLDS_MARK: dict[str, bool] = {}


def read_raw(path: str, st: os.stat_result | None = None) -> bytes:
    """A file's bytes, checked: a regular file within the size bound (``st``: the file's
    ``os.stat``, when the caller has it; the read itself stops past the bound)."""
    try:
        if st is None:
            st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
            raise OverlayLintError("not a regular file; refused", path)
        if st.st_size > LIMITS.max_file_bytes:
            raise OverlayLintError(
                f"file is {st.st_size} bytes, over the {LIMITS.max_file_bytes}-byte limit "
                "(OVERLAY_LINT_MAX_FILE_BYTES raises it)", path)
        raw = read_head(path, LIMITS.max_file_bytes + 1)  # one byte over: it grew since
        if len(raw) > LIMITS.max_file_bytes:
            raise OverlayLintError(
                f"file is over the {LIMITS.max_file_bytes}-byte limit", path)
    except OverlayLintError:
        raise
    except IsADirectoryError:
        raise OverlayLintError("is a directory, expected a file", path) from None
    except OSError as exc:
        raise OverlayLintError(f"cannot read file: {exc.strerror or exc}", path) from None
    HOLDS_MARK[path] = b"overlay-lint:" in raw
    return raw


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text (BOM dropped); UTF-16 with a BOM is accepted as go-yaml accepts it."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise OverlayLintError("not valid UTF-16 (after a UTF-16 byte order mark)",
                                   path) from None
        if "\x00" in text:
            raise OverlayLintError("binary file (NUL character), expected YAML text", path)
        return text
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise OverlayLintError("binary file (NUL byte), expected YAML text", path, line)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise OverlayLintError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", path, line) from None


# The implicit tags of plain scalars, as ruamel.yaml's (YAML 1.2) Resolver gives them to
# the C parser's loader, by first character; numbers and times are go-yaml's instead
# (core/go_number.py, core/go_time.py), decided before these for their first characters.
_IMPLICIT = (
    (_BOOL_TAG, r"^(?:true|True|TRUE|false|False|FALSE)$", 0, "tTfF"),
    (_MERGE_TAG, r"^(?:<<)$", 0, "<"),
    (_NULL_TAG, r"""^(?: ~
        |null|Null|NULL
        | )$""", re.X, ("~", "n", "N", "")),
    ("tag:yaml.org,2002:value", r"^(?:=)$", 0, "="),
    ("tag:yaml.org,2002:yaml", r"^(?:!|&|\*)$", 0, "!&*"),
)
_RX: dict[str, Any] = {}  # tag -> its compiled pattern, compiled on first use
_FIRSTS: dict[str, tuple[str, ...]] = {}  # first character -> tags tried, in order
for _tag, _pattern, _flags, _chars in _IMPLICIT:
    for _ch in _chars:
        _FIRSTS[_ch] = _FIRSTS.get(_ch, ()) + (_tag,)
for _ch in "-+.0123456789":
    _FIRSTS[_ch] = (_FLOAT_TAG,)  # go-yaml's numbers and times: see resolve_plain
_BOOL_WORDS = frozenset(("true", "True", "TRUE", "false", "False", "FALSE"))
_NULL_WORDS = frozenset(("~", "null", "Null", "NULL", ""))
# go-yaml's words for the infinities and NaN (``+.nan`` is text)
_FLOAT_WORDS = {w: v for ws, v in (((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"),
                                     math.inf), (("-.inf", "-.Inf", "-.INF"), -math.inf),
                                    ((".nan", ".NaN", ".NAN"), math.nan)) for w in ws}
_NUMBER_CHARS = frozenset("0123456789_+-.eExXoObBabcdfABCDF")  # every number's letters


def resolve_plain(value: str, implicit: Any) -> str:
    """The tag of an untagged scalar event (``implicit``: the event's pair of flags): a
    quoted scalar is a string; numbers and times as go-yaml reads them (Kustomize reads
    with go-yaml v3; :func:`go_number`, :func:`go_timestamp`), which YAML 1.2's patterns
    are not (``.5e3`` is a float, ``._5`` text, ``2020-1-1`` a time, ``0X1F`` an int);
    the other words as ruamel.yaml's Resolver resolves them for its C loader.

    The usual cases are decided without patterns: booleans and nulls are words, up to 18
    ASCII digits without a leading zero an int, and a number is looked for only in text
    made of a number's letters: fewer than one in ten scalars."""
    if not implicit[0]:
        return _STR_TAG
    tags = _FIRSTS.get(value[:1])
    if tags is None:
        return _STR_TAG
    if tags[0] == _FLOAT_TAG:
        if value.isdigit() and value.isascii() and value[0] != "0" and len(value) < 19:
            return _INT_TAG  # int64 (``018``: no octal, a float; 20 digits: maybe a float)
        if value[4:5] == "-" and go_timestamp(value) is not None:
            return _TS_TAG
        if value in _FLOAT_WORDS:
            return _FLOAT_TAG
        if not _NUMBER_CHARS.issuperset(value):
            return _STR_TAG
        n = go_number(value)
        if n is None:
            return _STR_TAG
        return _INT_TAG if type(n) is int else _FLOAT_TAG
    word = value[:-1] if value[-1:] == "\n" else value
    if tags[0] == _BOOL_TAG:
        return _BOOL_TAG if word in _BOOL_WORDS else _STR_TAG
    if tags[0] == _NULL_TAG:
        return _NULL_TAG if word in _NULL_WORDS else _STR_TAG
    for tag in tags:
        rx = _RX.get(tag)
        if rx is None:
            for t, pattern, flags, _ in _IMPLICIT:
                if t == tag:
                    rx = _RX[tag] = re.compile(pattern, flags)
        if rx.match(value):
            return tag
    return _STR_TAG


def go_folded(text: str) -> str:
    """A folded (``>``) scalar as go-yaml, and so Kustomize, reads it: the line break before
    a more-indented line that follows a line that is not is doubled. The YAML specification
    (libyaml, PyYAML) reads ``a`` / ``  b`` as ``a\n  b``; kubectl renders ``a\n\n  b``.
    A line of blanks only gets no extra break (checked against kubectl case by case)."""
    if "\n " not in text and "\n\t" not in text:
        return text
    lines = text.split("\n")
    out = [lines[0]]
    prev = lines[0]                     # the last line that is not empty
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and line.strip(" \t") and prev \
                and prev[:1] not in (" ", "\t"):
            out.append("")
        out.append(line)
        if line:
            prev = line
    return "\n".join(out)


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
        ts = go_timestamp(text)
        return text if ts is None else ts
    if tag == _BINARY_TAG:
        try:
            import base64  # here: a !!binary scalar is rare
            return base64.b64decode("".join(text.split())).decode("utf-8")
        except Exception:
            return text
    return text


def canonical_text(v: Any) -> str:
    """How a resolved scalar prints when no source text is kept."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v) if type(v) is int else go_float_text(v)


def _parse_int(text: str) -> Any:
    """An int-tagged scalar's value: go-yaml's number (an int within 64 bits, else a float
    as Kustomize's JSON round trip leaves it), else the text."""
    n = go_number(text)
    if n is None:
        return text
    return n if type(n) is int else _json_float(n)


def _parse_float(text: str) -> Any:
    """A float-tagged scalar's value: the infinities and NaN by their words, else go-yaml's
    number as Kustomize's JSON round trip leaves it, else the text (``1e400``: Go's
    ParseFloat refuses out-of-range numbers)."""
    word = _FLOAT_WORDS.get(text)
    if word is not None:
        return word
    n = go_number(text)
    if n is None:
        return text
    return _json_float(float(n))


class _Shadow:
    """A repeated key's value not kept in the mapping (``shadow``), set aside for the
    mapping's ``parts["dups"]``: Kustomize's kyaml keeps every occurrence in its nodes."""

    __slots__ = ("key", "origin", "node")

    def __init__(self, key: str, origin: Origin) -> None:
        self.key = key
        self.origin = origin
        self.node: Node | None = None


# A plain key that go-yaml reads as no string: a boolean, null, a number, a time. kyaml
# keeps the key's node, and its text: Kustomize prints such a key at the top of a resource
# as written (``0x1F`` stays "0x1F"), and fails on one anywhere else ("json: unsupported
# type"), unless the build removes it. So the key is kept as written, and listed in its
# mapping's ``parts[TYPED_KEYS]`` (the kustomize package's ``printable.PLAIN_KEYS``: keys
# refused where they are left at the end of a build).
TYPED_KEYS = "plain_keys"
FLOW = "flow"  # parts key of a flow collection ({...} or [...]), as written or merged
_KEY_TAGS = frozenset((_INT_TAG, _FLOAT_TAG, _BOOL_TAG, _NULL_TAG, _TS_TAG))


class _TypedKey(str):
    """A plain key read as no string, noted in ``_Frame.merges`` (rare: no slot of its own)."""


def _typed_key(frame: _Frame, tag: str, text: str) -> str:
    """The text of a plain key of tag ``tag``: as written and noted when go-yaml reads it
    as no string (a number too large for Go stays a string; the timestamp tag is a valid
    time), else resolved as before (an explicit ``!!binary``...)."""
    if tag == _TS_TAG and frame.flow and ":" in text:
        return text  # a flow mapping's: Kustomize writes it quoted, a string (core/yaml_writer)
    value = resolve_scalar(tag, text, None)
    if tag in _KEY_TAGS and (type(value) is not str or tag == _TS_TAG):
        frame.merges.append(_TypedKey(text))
        return text
    return _key_text(value)


class _Frame:
    """An open mapping or sequence while events stream in."""

    __slots__ = ("is_map", "v", "origin", "anchor", "start_count", "key", "seen", "merges",
                 "flow")

    def __init__(self, is_map: bool, origin: tuple, anchor: str | None, start_count: int,
                 flow: bool = False):
        self.is_map = is_map
        self.flow = flow  # a flow collection ({...} or [...])
        self.v: Any = {} if is_map else []
        self.origin = origin
        self.anchor = anchor
        self.start_count = start_count
        self.key: tuple | None = None       # (text, origin, is_merge) awaiting its value
        self.seen: dict[str, Origin] = {}
        self.merges: list[Any] = []  # ``<<`` mappings (Node), repeats set aside (_Shadow)


class _Builder:
    """Builds ``Node`` trees straight from parser events, without recursion.

    Composing from events (instead of letting the C composer build a node graph) keeps
    hostile input bounded: nesting depth is a stack length (the recursive C composer
    crashes the interpreter on ``[[[[...`` 100,000 deep), and an alias is expanded only
    after its size has been checked against the limits (an alias bomb fails at once).
    """

    def __init__(self, path: str, line_offset: int, col_offset: int, flat_origin: Origin | None,
                 lines: list[str], resolve: Any,
                 duplicates: list[tuple[str, Origin, Origin]] | None = None,
                 keep_first: bool = False, shadow: bool = False):
        self.path = path
        # None: a repeated key is an error; a list: repeats go here, and the last value
        # wins (the first with ``keep_first``, as Kustomize's strategic merge reads patches)
        self.duplicates = duplicates
        self.keep_first = keep_first
        # with keep_first: each later occurrence's value is kept aside, in its mapping's
        # parts["dups"] as (key, value node, key origin), in the order written
        self.shadow = shadow
        self.lines = lines
        self.line_offset = line_offset
        self.col_offset = col_offset
        self.flat_origin = flat_origin  # every node gets this origin (non-literal inline text)
        self.resolve = resolve
        self.count = 0
        self.alias_count = 0

    def origin(self, mark: Any) -> Origin:
        if self.flat_origin is not None:
            return self.flat_origin
        return _new_origin(Origin, (self.path, mark.line + 1 + self.line_offset,
                                    mark.column + 1 + self.col_offset))

    def _error(self, mark: Any, message: str) -> OverlayLintError:
        o = self.origin(mark)
        return OverlayLintError(message, o[0], o[1], o[2])

    def _tick(self, mark: Any, n: int = 1) -> None:
        self.count += n
        if self.count > LIMITS.max_nodes:
            raise self._error(mark, f"document has more than {LIMITS.max_nodes} nodes; "
                                    "split the file or raise the limit")

    def documents(self, get_event: Any) -> list[Node | None]:
        docs: list[Node | None] = []
        anchors: dict[str, tuple[Node, int]] = {}   # anchor -> (node, subtree size)
        stack: list[_Frame] = []
        root: Node | None = None
        while True:
            ev = get_event()
            if ev is None:
                break
            cls = type(ev).__name__
            if cls == "ScalarEvent":
                self._tick(ev.start_mark)
                tag = ev.tag
                if tag is None or tag == "!":
                    tag = self.resolve(ev.value, ev.implicit)
                if stack and stack[-1].is_map and stack[-1].key is None:
                    self._key(stack[-1], tag, ev)
                    continue
                value = go_folded(ev.value) if ev.style == ">" else ev.value
                node = Node(resolve_scalar(tag, value, ev.style), self.origin(ev.start_mark))
                if ev.style == "|" and self.flat_origin is None:
                    node.parts = {"block": self._block_start(ev)}
                elif node.v is None and ev.value == "" and not ev.style:
                    # `key:` with no value; Kustomize's strategic merge drops it, keeps `null`
                    node.parts = {"empty": True}
                elif not ev.style and ev.value in YAML11_BOOLS and type(node.v) is str:
                    # a YAML 1.1 boolean (yes/on/y...): Kustomize reads JSON6902 ops that way
                    node.parts = {"yaml11": YAML11_BOOLS[ev.value]}
                elif tag == _TS_TAG and node.v is not value:
                    _time(node, value)
                elif type(node.v) is not str and ev.value != canonical_text(node.v):
                    # `1e3`, `1.50`, `~`, `True`: Kustomize prints annotation values as the
                    # source text, so keep it where the resolved value would print otherwise
                    node.parts = {"text": ev.value}
                if ev.anchor:
                    anchors[ev.anchor] = (node, 1)
                root = self._place(stack, node, root)
            elif cls == "AliasEvent":
                hit = anchors.get(ev.anchor)
                if hit is None:
                    raise self._error(ev.start_mark, f"unknown YAML alias '*{ev.anchor}'")
                src, size = hit
                if stack and stack[-1].is_map and stack[-1].key is None:
                    if not src.is_scalar:
                        raise self._error(ev.start_mark, "mapping keys must be scalars")
                    stack[-1].key = (_key_text(src.v), self.origin(ev.start_mark), False)
                    self._check_dup(stack[-1])
                    continue
                self._expand(size, ev.start_mark)
                root = self._place(stack, src.clone(), root)
            elif cls in ("SequenceStartEvent", "MappingStartEvent"):
                if stack and stack[-1].is_map and stack[-1].key is None:
                    raise self._error(ev.start_mark, "mapping keys must be scalars")
                if len(stack) >= LIMITS.max_depth:
                    raise self._error(ev.start_mark,
                                      f"nesting deeper than {LIMITS.max_depth} levels")
                self._tick(ev.start_mark)
                stack.append(_Frame(cls == "MappingStartEvent", self.origin(ev.start_mark),
                                    ev.anchor, self.count, ev.flow_style))
            elif cls in ("SequenceEndEvent", "MappingEndEvent"):
                frame = stack.pop()
                node = self._collection(frame, ev)
                if frame.anchor:
                    anchors[frame.anchor] = (node, self.count - frame.start_count + 1)
                root = self._place(stack, node, root)
            elif cls == "DocumentStartEvent":
                anchors = {}
                root = None
            elif cls == "DocumentEndEvent":
                docs.append(None if root is None or root.v is None else root)
                root = None
            elif cls == "StreamEndEvent":
                break
        return docs

    def _collection(self, frame: _Frame, ev: Any) -> Node:
        """The node of a finished mapping or sequence. A flow collection ({...}, [...]) is
        marked: Kustomize writes a time holding ':' quoted there (see core/yaml_writer.py)."""
        parts = self._merge(frame, ev) if frame.is_map and frame.merges else None
        if frame.flow:
            parts = {**parts, FLOW: True} if parts else {FLOW: True}
        return Node(frame.v, frame.origin, parts)

    def _expand(self, size: int, mark: Any) -> None:
        """Account for an alias expansion before it happens."""
        self.alias_count += size
        if self.alias_count > LIMITS.max_alias_nodes:
            raise self._error(mark, f"YAML aliases expand to more than {LIMITS.max_alias_nodes}"
                                    " nodes (an alias bomb?); refused")
        self._tick(mark, size)

    def _key(self, frame: _Frame, tag: str, ev: Any) -> None:
        korigin = self.origin(ev.start_mark)
        if tag == _STR_TAG or ev.style:  # nearly every key: its text
            frame.key = (ev.value, korigin, False)
        elif tag == _MERGE_TAG:
            frame.key = ("<<", korigin, True)
            return
        else:
            frame.key = (_typed_key(frame, tag, ev.value), korigin, False)
        self._check_dup(frame)

    def _check_dup(self, frame: _Frame) -> None:
        key, korigin, _ = frame.key  # type: ignore[misc]
        if key in frame.seen:
            if self.duplicates is not None:
                self.duplicates.append((key, korigin, frame.seen[key]))
                if self.keep_first:  # the repeat's value is read, then dropped (or set aside)
                    frame.key = (_Shadow(key, korigin) if self.shadow else _DROPPED,
                                 korigin, False)
                    return
                frame.seen[key] = korigin
                return
            raise OverlayLintError(f'duplicate key "{key}" (first at line {frame.seen[key][1]})',
                                   *korigin)
        frame.seen[key] = korigin

    def _place(self, stack: list[_Frame], node: Node, root: Node | None) -> Node | None:
        """Attach a finished node to the open container (or make it the document root)."""
        if not stack:
            return node
        top = stack[-1]
        if not top.is_map:
            top.v.append(node)
            return root
        key, korigin, is_merge = top.key  # type: ignore[misc]
        top.key = None
        if is_merge:
            top.merges.append(node)
            return root
        if type(key) is not str:  # a repeat's value: dropped, or set aside (shadow)
            if key is not _DROPPED:
                node.o = korigin
                key.node = node
                top.merges.append(key)
            return root
        node.o = korigin  # a mapping value is located at its key
        top.v[key] = node
        return root

    def _merge(self, frame: _Frame, ev: Any) -> dict | None:
        """``<<`` merge keys: explicit keys win, earlier merged mappings over later ones.
        Returns the mapping's parts: ``{"dups": [(key, node, key origin), ...]}`` when
        repeats were set aside (``shadow``), ``{TYPED_KEYS: keys}`` for plain keys read as
        no string; None without either."""
        shadows = [m for m in frame.merges if type(m) is _Shadow]
        typed = frozenset(str(m) for m in frame.merges if type(m) is _TypedKey)
        for m in frame.merges:
            if type(m) is not Node:
                continue
            sources = m.v if m.is_seq else [m]
            for src in sources:
                if not src.is_map:
                    raise OverlayLintError("merge key << needs a mapping", *(src.o or ()))
                for k, v in src.v.items():
                    if k not in frame.v:
                        self._expand(1, ev.start_mark)
                        frame.v[k] = v.clone()
        parts: dict[str, Any] = {TYPED_KEYS: typed} if typed else {}
        if shadows:
            parts["dups"] = [(m.key, m.node, m.origin) for m in shadows]
        return parts or None

    def _block_start(self, ev: Any) -> tuple[int, int]:
        """(1-based file line, indent) of the first content line of a literal block."""
        first = ev.start_mark.line + 1  # 0-based index of the line after the indicator
        indent = 0
        for text in self.lines[first:ev.end_mark.line + 1]:
            if text.strip():
                indent = len(text) - len(text.lstrip(" "))
                break
        return (first + 1 + self.line_offset, indent + self.col_offset)


def _time(node: Node, text: str) -> None:
    """A scalar go-yaml reads as a time: it prints normalised (``node.v``), and its text is
    kept for what Kustomize reads as text (annotations, JSON6902 values, replacements);
    in a flow collection, text holding ``:`` prints as that text (see core/yaml_writer.py)."""
    node.parts = {"text": text}


def _key_text(key: Any) -> str:
    if key is None:
        return "null"
    if key is True:
        return "true"
    if key is False:
        return "false"
    return str(key)


def parse_documents(text: str, path: str, line_offset: int = 0, col_offset: int = 0,
                    flat_origin: Origin | None = None,
                    counts: list[int] | None = None,
                    duplicates: list[tuple[str, Origin, Origin]] | None = None,
                    keep_first: bool = False, shadow: bool = False) -> list[Node | None]:
    """Every document of a YAML stream; an empty document is None.

    ``line_offset``/``col_offset`` place text embedded in another file (an inline patch);
    ``flat_origin`` gives every node one origin when positions inside cannot be mapped.
    ``duplicates``: None makes a repeated key an error; a list collects each repeat as
    (key, repeat's origin, first origin), and the last value wins (the first with
    ``keep_first``; ``shadow`` also keeps the later values aside in their mapping's
    ``parts["dups"]``, as Kustomize's nodes hold every occurrence).
    """
    seen = len(duplicates) if duplicates is not None else 0
    try:
        get_event, resolve = _event_source(text)
        builder = _Builder(path, line_offset, col_offset, flat_origin, text.split("\n"),
                           resolve, duplicates, keep_first, shadow)
        docs = builder.documents(get_event)
        if counts is not None:
            counts.append(builder.count)  # nodes built, aliases expanded (for run budgets)
        return docs
    except OverlayLintError:
        raise
    except RecursionError:
        raise OverlayLintError(f"nesting deeper than {LIMITS.max_depth} levels", path) from None
    except Exception as exc:  # ruamel's MarkedYAMLError and friends
        if _C and _libyaml_colon_gap(exc):
            if duplicates is not None:
                del duplicates[seen:]  # the pure parser records them again
            try:
                docs = _reparse_pure(text, path, line_offset, col_offset, flat_origin, counts,
                                     duplicates, keep_first, shadow)
            except OverlayLintError:
                raise
            except Exception as pure_exc:  # the text is broken elsewhere: say where
                exc = pure_exc
            else:
                if docs is not None:
                    return docs
        raise _yaml_error(exc, path, line_offset, flat_origin, text) from None


def _event_source(text: str, pure: bool = False) -> tuple[Any, Any]:
    """(get_event, resolve): libyaml's event parser when available. The bare parser holds
    no reference cycle (ruamel's C loader was its own composer, constructor and resolver,
    which kept libyaml's buffers alive until the cyclic collector ran). Either parser's
    scalars are typed by :func:`resolve_plain` (go-yaml's timestamps, not YAML 1.2's)."""
    if _C and not pure:
        return _CParser(text).get_event, resolve_plain
    from ruamel.yaml import YAML
    y = YAML(typ="safe", pure=True)
    events = iter(y.parse(text))
    return lambda: next(events, None), resolve_plain


def _libyaml_colon_gap(exc: Exception) -> bool:
    """The libyaml 0.1.7 bundled with ruamel.yaml.clib refuses a ``:`` inside a plain
    scalar in a flow collection (``args: [--bind=:8081]``), which go-yaml (kubectl) and
    libyaml 0.2 accept."""
    return getattr(exc, "problem", None) == "found unexpected ':'"


class _GoYamlRefuses(Exception):
    pass


def _reparse_pure(text: str, path: str, line_offset: int, col_offset: int,
                  flat_origin: tuple | None,
                  counts: list[int] | None = None,
                  duplicates: list[tuple[str, Origin, Origin]] | None = None,
                  keep_first: bool = False, shadow: bool = False) -> list[Node | None] | None:
    """The documents as the pure-Python parser reads them; None when it reads something
    go-yaml refuses (a plain scalar starting with ``:`` inside a flow collection): then the
    C parser's error stands. The pure parser's own error propagates."""
    get_event, resolve = _event_source(text, pure=True)
    flow: list[bool] = []

    def checked() -> Any:
        ev = get_event()
        cls = type(ev).__name__
        if cls in ("SequenceStartEvent", "MappingStartEvent"):
            flow.append(bool(getattr(ev, "flow_style", False)))
        elif cls in ("SequenceEndEvent", "MappingEndEvent"):
            flow.pop()
        elif cls == "ScalarEvent" and not ev.style and flow and flow[-1] \
                and ev.value.startswith(":"):
            raise _GoYamlRefuses()
        return ev

    builder = _Builder(path, line_offset, col_offset, flat_origin, text.split("\n"), resolve,
                       duplicates, keep_first, shadow)
    try:
        docs = builder.documents(checked)
        if counts is not None:
            counts.append(builder.count)
        return docs
    except _GoYamlRefuses:
        return None


def _yaml_error(exc: Exception, path: str, line_offset: int,
                flat_origin: Origin | None, text: str) -> OverlayLintError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
    context = getattr(exc, "context", None)
    msg = f"invalid YAML: {problem}"
    if context and "while" not in problem:
        msg += f" ({context})"
    line0: int | None = None  # 0-based line in ``text``
    if mark is not None:
        line0 = mark.line
    elif isinstance(getattr(exc, "position", None), int):  # ReaderError: bad character
        line0 = text.count("\n", 0, exc.position)  # type: ignore[attr-defined]
    if line0 is not None:
        lines = text.split("\n", line0 + 1)
        bad = lines[line0] if line0 < len(lines) else ""
        if "\t" in bad[: len(bad) - len(bad.lstrip(" \t"))] or \
                (mark is not None and bad[mark.column:mark.column + 1] == "\t"):
            msg = "invalid YAML: tab character in indentation; YAML indents with spaces only"
    if flat_origin is not None:
        return OverlayLintError(msg, flat_origin[0], flat_origin[1])
    line = line0 + 1 + line_offset if line0 is not None else None
    return OverlayLintError(msg, path, line)


_CACHE: dict[str, tuple[float, int, list, int]] = {}
# kustomization files: read with repeated keys allowed (Kustomize keeps the last value)
_KCACHE: dict[str, tuple[float, int, list, list, int]] = {}
# A file read both ways (a kustomization file discovery reads too) is parsed once: a plain
# read that succeeded found no repeated key, and a kustomization read that found none built
# the very documents a plain read builds.


# files whose documents came from the parse cache (core/parse_cache.py): path -> (mtime,
# size, stored entry). Decoding the entry again gives a copy of the documents that no
# other caller holds, at about the cost of cloning them (see load_file_owned)
_STORED: dict[str, tuple[float, int, bytes]] = {}


def _stat(path: str) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError as exc:
        raise OverlayLintError(f"cannot read file: {exc.strerror or exc}", path) from None


def load_kustomization_file(path: str) -> tuple[list[Node | None],
                                                 list[tuple[str, Origin, Origin]]]:
    """A kustomization file's documents and its repeated keys (key, repeat, first): as
    Kustomize decodes these files, a repeated key's last value wins."""
    st = _stat(path)
    hit = _KCACHE.get(path)
    if hit is not None and hit[0] == st.st_mtime and hit[1] == st.st_size:
        return hit[2], hit[3]
    plain = _CACHE.get(path)
    if plain is not None and plain[0] == st.st_mtime and plain[1] == st.st_size:
        return plain[2], []
    docs, count, dups = _parse_file(path, st, True)
    _KCACHE[path] = (st.st_mtime, st.st_size, docs, dups, count)
    return docs, dups


def load_file(path: str) -> list[Node | None]:
    """Documents of a file, parsed once per process (callers clone before mutating)."""
    return load_file_counted(path)[0]


def load_file_counted(path: str) -> tuple[list[Node | None], int, int]:
    """``load_file`` plus the file's node count and size in bytes (what a use of it costs)."""
    st = _stat(path)
    hit = _shared(path, st)
    if hit is not None:
        return hit[0], hit[1], st.st_size
    docs, count = _fresh(path, st) or _parse_file(path, st, False)[:2]
    _CACHE[path] = (st.st_mtime, st.st_size, docs, count)
    return docs, count, st.st_size


def load_file_owned(path: str) -> tuple[list[Node | None], int, int]:
    """``load_file_counted``, with documents that are the caller's own to change: a copy
    of the shared ones, or, where the run's parse cache held the file and no other caller
    has its documents, the decoded entry itself (a hook run then copies nothing)."""
    st = _stat(path)
    hit = _shared(path, st)
    if hit is None:
        fresh = _fresh(path, st)
        if fresh is not None:
            return fresh[0], fresh[1], st.st_size
        docs, count, _ = _parse_file(path, st, False)
        if _fresh_known(path, st):
            return docs, count, st.st_size     # decoded from the cache for this caller alone
        _CACHE[path] = (st.st_mtime, st.st_size, docs, count)
        hit = docs, count
    return [d.clone() if d is not None else None for d in hit[0]], hit[1], st.st_size


def _shared(path: str, st: os.stat_result) -> tuple[list[Node | None], int] | None:
    """The documents and node count this process holds for the unchanged file (a plain
    read, or a kustomization read that found no repeated key), or None."""
    hit = _CACHE.get(path)
    if hit is not None and hit[0] == st.st_mtime and hit[1] == st.st_size:
        return hit[2], hit[3]
    kust = _KCACHE.get(path)
    if kust is not None and kust[0] == st.st_mtime and kust[1] == st.st_size and not kust[3]:
        return kust[2], kust[4]
    return None


def _fresh_known(path: str, st: os.stat_result) -> bool:
    stored = _STORED.get(path)
    return stored is not None and stored[0] == st.st_mtime and stored[1] == st.st_size


def _fresh(path: str, st: os.stat_result) -> tuple[list[Node | None], int] | None:
    """New documents decoded from the parse cache's entry read earlier in this process,
    or None (no such entry, the file changed since, or it has repeated keys)."""
    if not _fresh_known(path, st):
        return None
    from .parse_cache import decode_file
    docs, count, dups = decode_file(_STORED[path][2], path)
    return None if dups else (docs, count)


def _parse_file(path: str, st: os.stat_result, repeats: bool
                ) -> tuple[list[Node | None], int, list[tuple[str, Origin, Origin]]]:
    """(documents, node count, repeated keys) of a file: from the on-disk cache when the
    command has one (core/parse_cache.py) and it holds this very file, else parsed.
    ``repeats``: a repeated key is recorded (the last value wins), else an error."""
    # the cache is on only inside parse_cache.enabled(): not imported, it cannot be
    parse_cache = sys.modules.get(__package__ + ".parse_cache")
    cache = parse_cache.active((LIMITS, _C)) if parse_cache is not None else None
    if cache is None:
        dups: list[tuple[str, Origin, Origin]] = []
        counts: list[int] = []
        docs = parse_documents(read_text(path, st), path, counts=counts,
                               duplicates=dups if repeats else None)
        return docs, counts[0], dups
    raw = read_raw(path, st)
    key = cache.key(path, raw, st)
    found = cache.get(key)
    if found is not None:
        try:
            docs, count, dups = parse_cache.decode_file(found, path)
            if repeats or not dups:
                _STORED[path] = (st.st_mtime, st.st_size, found)
                return docs, count, dups
        except Exception:   # not what this version stored, cut short: parse
            pass
    dups = []
    counts = []
    docs = parse_documents(decode(raw, path), path, counts=counts,
                           duplicates=dups if repeats else None)
    cache.put(key, parse_cache.encode_file(docs, counts[0], dups, path))
    return docs, counts[0], dups


def parse_embedded(text: str, holder: Node,
                   duplicates: list[tuple[str, Origin, Origin]] | None = None,
                   keep_first: bool = False, shadow: bool = False) -> list[Node | None]:
    """Parse YAML held in a string scalar (an inline patch) so its origins point into the
    enclosing file: exact lines for a literal block (``|``), else the holder's line
    (``duplicates``, ``keep_first``, ``shadow``: see :func:`parse_documents`)."""
    path = holder.o[0]
    parts = holder.parts or {}
    block = parts.get("block")
    if block is not None:
        first_line, indent = block
        return parse_documents(text, path, first_line - 1, indent, duplicates=duplicates,
                               keep_first=keep_first, shadow=shadow)
    return parse_documents(text, path, flat_origin=holder.o, duplicates=duplicates,
                           keep_first=keep_first, shadow=shadow)
