"""Read pod templates, containers and image references out of rendered resources.

Rules share these helpers so that every rule agrees on where a pod spec lives
(Deployment, StatefulSet, CronJob, ...) and on how an image reference splits.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..core.node import Node, Origin
from ..core.record import dataclass

# kind -> path from the resource root to its pod spec
POD_SPEC_PATHS: dict[str, tuple] = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
}

CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def pod_spec(res_node: Node, kind: str) -> tuple[tuple, Node] | None:
    """``(path, pod spec node)`` of a workload, or None for other kinds."""
    path = POD_SPEC_PATHS.get(kind)
    if path is None:
        return None
    n = res_node.path(*path)
    if n is None or not n.is_map:
        return None
    return path, n


_PATCH_KEYS = ("$patch", "$setElementOrder", "$retainKeys", "$deleteFromPrimitiveList")
_SELECTED = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")


def is_patch_fragment(doc: Node) -> bool:
    """A document that is a patch, not a manifest (a ``kubectl patch`` file or a strategic
    merge patch nothing names): a ``$patch``-style directive anywhere, or a workload whose
    containers lack an image or, for controllers, without a selector. Loose YAML like this
    is not checked as the kind it names."""
    for _, n in doc.walk():
        if n.is_map and any(k.startswith(_PATCH_KEYS) for k in n.v):
            return True
    kind = doc.str_at("kind") or ""
    found = pod_spec(doc, kind)
    if found is None:
        return False
    if kind in _SELECTED and doc.path("spec", "selector") is None:
        return True
    cs = list(containers(*found))
    return not cs or any(c.get("image") is None for _, c in cs)


def containers(spec_path: tuple, spec: Node) -> Iterator[tuple[tuple, Node]]:
    """Every container mapping of a pod spec with its path from the resource root."""
    for list_name in CONTAINER_LISTS:
        lst = spec.get(list_name)
        if lst is None or not lst.is_seq:
            continue
        for i, c in enumerate(lst.v):
            if c.is_map:
                yield spec_path + (list_name, i), c


@dataclass
class ImageRef:
    """An image reference ``name[:tag][@digest]``, split as the container runtime reads it
    (a ``:`` before the last ``/`` is a registry port, not a tag)."""

    name: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, text: str) -> "ImageRef":
        digest = None
        if "@" in text:
            text, digest = text.split("@", 1)
        tag = None
        colon = text.rfind(":")
        if colon > text.rfind("/"):  # a ':' before the last '/' is a registry port
            text, tag = text[:colon], text[colon + 1:]
        return cls(text, tag, digest)

    def components(self) -> list[str]:
        """Registry, organisation and repository parts of the name (ports stripped)."""
        out = []
        for i, part in enumerate(self.name.split("/")):
            out.append(part.split(":", 1)[0] if i == 0 else part)
        return out


def image_origin(node: Node, part: str) -> Origin | None:
    """Where one piece (``name``, ``tag``, ``digest``) of an image value came from.

    An ``images:`` transformer records each piece it set in ``node.parts``; a piece it
    did not touch comes from the line that holds the whole value.
    """
    parts = node.parts
    if parts and part in parts and isinstance(parts[part], tuple):
        return parts[part]
    return node.o


def images(res_node: Node, kind: str) -> Iterator[tuple[tuple, Node, ImageRef]]:
    """``(path, image node, parsed ref)`` for every container image of a workload."""
    found = pod_spec(res_node, kind)
    if found is None:
        return
    spath, spec = found
    for cpath, c in containers(spath, spec):
        img = c.get("image")
        if img is not None and isinstance(img.v, str) and img.v:
            yield cpath + ("image",), img, ImageRef.parse(img.v)


def field_path(path: tuple, root: Node | None = None) -> str:
    """A dotted path; list items named by their ``name`` when they have one (stable ids)."""
    out = ""
    n = root
    for k in path:
        if type(k) is int:
            item = n.path(k) if n is not None else None
            name = item.str_at("name") if item is not None and item.is_map else None
            out += f"[name={name}]" if name else f"[{k}]"
            n = item
        else:
            out += f".{k}" if out else str(k)
            n = n.path(k) if n is not None else None
    return out
