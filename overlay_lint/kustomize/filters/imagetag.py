"""Rewriting container image references (Kustomize's filters/imagetag).

Each ``images:`` entry runs twice, first over every ``containers``/``initContainers`` list
found anywhere in an object (the legacy filter), then over the ``images`` field specs;
CustomResourceDefinitions are left alone.
An entry matches an image whose name equals ``name`` (a regular expression, anchored,
as in Kustomize) optionally followed by ``:tag`` and/or ``@sha256:digest``.

Provenance: the new value points at the entry's ``newTag:`` line when the tag changed,
else ``digest:``, else ``newName:``; ``node.parts`` keeps the origin of each piece.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any

from ...core.errors import at
from ...core.node import Node, Origin, Path
from ...core.record import frozen_dataclass
from ..regex import go_regex
from ..resmap import ResMap
from ..resource import Resource
from ..touched import Touched
from ..types import FieldSpec, Image, Str
from .fieldspec import apply_fieldspecs

_TAG_CHARS = r"[a-zA-Z0-9_.{}-]"


@frozen_dataclass(frozen=True)
class ImageEntry:
    """One ``images:`` entry compiled: its name pattern and the fields given."""

    name: str
    nodes: dict[str, Str]  # field -> value (only fields given with a non-empty value)
    origin: Origin | None
    pattern: Any  # a compiled RE2 pattern (regex.go_regex), or re's for plain names


def apply_images(resmap: ResMap, entries: list[tuple[ImageEntry, Touched]],
                 specs: tuple[FieldSpec, ...]) -> None:
    """Apply ``entries`` in order, each with its record; ``specs``: the image field specs
    (besides the legacy containers walk)."""
    if not entries:
        return
    # The image fields are found once; every entry then visits them in Kustomize's order
    # (legacy pass, then field-spec pass). Updates change values in place, never nodes.
    legacy: list[Node] = []
    by_spec: list[Node] = []
    where: dict[int, Resource] = {}  # id(image node) -> its resource
    paths: dict[int, Path] = {}      # id(image node) -> its path (found by the legacy walk)
    for res in resmap:
        if res.kind == "CustomResourceDefinition":
            continue
        start, start_spec = len(legacy), len(by_spec)
        _legacy_walk(res.node, legacy, [], paths)
        if specs:
            apply_fieldspecs(res.node, specs, lambda node, _path: by_spec.append(node),
                             res.gvk())
        for node in legacy[start:]:
            where[id(node)] = res
        for node in by_spec[start_spec:]:
            where[id(node)] = res
    _apply_in_order(entries, legacy + by_spec, where, paths)


# A name made only of these characters matches exactly len(name) characters of an image
# ("." is its only wildcard), so a cheap key lookup finds the entries that may match.
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_/:@=,;%~\-.]*$")


def path_of(root: Node, target: Node) -> Path | None:
    """The path of ``target`` (by identity) in ``root``'s tree, or None."""
    stack: list[tuple[Node, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        v = node.v
        if type(v) is dict:
            stack.extend((c, path + (k,)) for k, c in v.items())
        elif type(v) is list:
            stack.extend((c, path + (i,)) for i, c in enumerate(v))
    return None


def _apply_in_order(entries: list[tuple[ImageEntry, Touched]], occurrences: list[Node],
                    where: dict[int, Resource], paths: dict[int, Path]) -> None:
    """Same result as "for each entry, for each occurrence: update_image", without
    testing every entry against every image (quadratic on big trees).

    Distinct nodes are independent; a node found by both passes is visited twice in a row
    per entry. Per node, entries are taken in order, each found through an index keyed by
    the node's current text (it changes as entries apply); update_image still decides.
    """
    times: dict[int, list] = {}
    for node in occurrences:
        hit = times.get(id(node))
        if hit is None:
            times[id(node)] = [node, 1]
        else:
            hit[1] += 1
    groups: dict[tuple, dict[str, list[int]]] = {}  # (len, '.' positions) -> name -> idx
    always: list[int] = []                           # regex names: always candidates
    for j, (e, _rec) in enumerate(entries):
        if _PLAIN_NAME.match(e.name):
            key = (len(e.name), tuple(i for i, c in enumerate(e.name) if c == "."))
            groups.setdefault(key, {}).setdefault(e.name, []).append(j)
        else:
            always.append(j)

    def next_entry(text: str, start: int) -> int:
        best = len(entries)
        k = bisect.bisect_left(always, start)
        if k < len(always):
            best = always[k]
        for (length, dots), names in groups.items():
            if len(text) < length:
                continue
            head = text[:length]
            if dots:
                chars = list(head)
                for i in dots:
                    chars[i] = "."
                head = "".join(chars)
            idx = names.get(head)
            if idx:
                k = bisect.bisect_left(idx, start)
                if k < len(idx) and idx[k] < best:
                    best = idx[k]
        return best

    for node, count in times.values():
        if not node.is_scalar:
            update_image(node, entries[0][0])  # raises the usual error
        j = 0
        while True:
            v = node.v
            j = next_entry("" if v is None else v if type(v) is str else str(v), j)
            if j >= len(entries):
                break
            entry, rec = entries[j]
            for k in range(count):  # a node both passes found: recorded once
                update_image(node, entry, where.get(id(node)) if k == 0 else None,
                             paths.get(id(node)), rec)
            j += 1


class _PlainName:
    """``^name(:tag)?(@sha256:digest)?$`` for a name of plain characters, matched without
    compiling a regular expression (re.compile costs a third of a millisecond per name,
    paid for every entry of every overlay): '.' is any character but a newline, the other
    characters are themselves, so the name covers exactly its length of the text."""

    __slots__ = ("name", "dots")
    _TAIL = re.compile(f"(:{_TAG_CHARS}*)?(@sha256:{_TAG_CHARS}*)?\\Z")

    def __init__(self, name: str) -> None:
        self.name = name
        self.dots = [i for i, c in enumerate(name) if c == "."]

    def search(self, text: str) -> Any:
        name = self.name
        head = text[:len(name)]
        if len(head) < len(name):
            return None
        if self.dots:
            chars = list(head)
            for i in self.dots:
                if chars[i] == "\n":
                    return None
                chars[i] = "."
            head = "".join(chars)
        return self._TAIL.match(text, len(name)) if head == name else None


@lru_cache(maxsize=1 << 16)
def _plain_pattern(name: str) -> Any:
    return _PlainName(name)


def compile_entry(image: Image) -> ImageEntry:
    """An ``images:`` entry ready to match: Kustomize's image.IsImageMatched, with Go's
    RE2 (``$`` is the end of the text)."""
    nodes = {key: value for key, value in (
        ("name", image.name), ("newName", image.new_name), ("newTag", image.new_tag),
        ("digest", image.digest), ("tagSuffix", image.tag_suffix)) if value and value.v}
    name = nodes["name"].v if "name" in nodes else ""
    # A name of plain characters ('.' its only operator) makes a pattern Python's re runs
    # in linear time with the same answers: the common case skips the RE2 call overhead.
    if _PLAIN_NAME.match(name):
        pattern: Any = _plain_pattern(name)
    else:
        pattern = go_regex(f"^{name}(:{_TAG_CHARS}*)?(@sha256:{_TAG_CHARS}*)?$",
                           nodes["name"].o if "name" in nodes else image.o, "image name")
    return ImageEntry(name, nodes, image.o, pattern)


def _legacy_walk(node: Node, out: list, path: list, paths: dict[int, Path]) -> None:
    """Every ``containers``/``initContainers`` sequence anywhere; their items' ``image``
    (and, in ``paths``, each image's path: ``path`` is the walk's current one)."""
    v = node.v
    if type(v) is dict:
        for key, child in v.items():
            cv = child.v
            if type(cv) is dict or type(cv) is list:
                path.append(key)
                _legacy_walk(child, out, path, paths)
                path.pop()
            if key in ("containers", "initContainers") and type(cv) is list:
                for i, item in enumerate(cv):
                    img = item.get("image")
                    if img is not None and img.v is not None:
                        out.append(img)
                        paths[id(img)] = (*path, key, i, "image")
    elif type(v) is list:
        for i, child in enumerate(v):
            cv = child.v
            if type(cv) is dict or type(cv) is list:
                path.append(i)
                _legacy_walk(child, out, path, paths)
                path.pop()


def split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) as Kustomize splits an image reference (a registry port is
    part of the name)."""
    slash = image.find("/")
    start = slash if slash > 0 else 0
    search = image[start:]
    di, ci = search.find("@"), search.find(":")
    if ci < 0 and di < 0:
        return image, "", ""
    if di >= 0 and (di < ci or ci < 0):
        di += start
        return image[:di], "", image[di + 1:]
    if di >= 0 and ci >= 0:
        di += start
        ci += start
        return image[:ci], image[ci + 1:di], image[di + 1:]
    ci += start
    return image[:ci], image[ci + 1:], ""


def update_image(node: Node, entry: ImageEntry, where: Resource | None = None,
                 path: Path | None = None, rec: Touched | None = None) -> None:
    """Rewrite the image reference held by ``node`` when ``entry`` matches it (``where``:
    its resource and path, for the entry's touched record ``rec``)."""
    if not node.is_scalar:
        raise at(node.o, "an image field must hold a string")
    value = node.v
    text = "" if value is None else value if type(value) is str else str(value)
    if not entry.pattern.search(text):
        return
    if rec is not None and where is not None:
        rec.select(where)
    name, tag, digest = split_image(text)
    old_parts = node.parts or {}
    parts = {"name": old_parts.get("name", node.o)}
    if tag:
        parts["tag"] = old_parts.get("tag", node.o)
    if digest:
        parts["digest"] = old_parts.get("digest", node.o)
    nn, nt, nd, ns = (entry.nodes.get(k) for k in ("newName", "newTag", "digest", "tagSuffix"))
    if nn is not None:
        name = nn.v
        parts["name"] = nn.o
    if nt is not None and nd is not None:
        tag, digest = nt.v, nd.v
        parts["tag"], parts["digest"] = nt.o, nd.o
    elif nt is not None:
        tag, digest = nt.v, ""
        parts["tag"] = nt.o
        parts.pop("digest", None)
    elif nd is not None:
        tag, digest = "", nd.v
        parts["digest"] = nd.o
        parts.pop("tag", None)
    elif ns is not None:
        tag, digest = tag + ns.v, ""
        parts["tag"] = ns.o
        parts.pop("digest", None)
    new = name + (":" + tag if tag else "") + ("@" + digest if digest else "")
    changer = nt or ns or nd or nn
    if changer is None:
        return  # the entry names the image but changes nothing
    if rec is not None and where is not None:
        if path is None:  # an image only a configured field spec finds
            path = path_of(where.node, node) or ()
        rec.set(where, path, value, new, changer.o)
    node.v = new
    node.o = changer.o
    node.parts = parts
