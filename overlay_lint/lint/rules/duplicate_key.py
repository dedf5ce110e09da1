"""No key is repeated in a kustomization file, a patch or a resource's annotations.

Why: Kustomize reads kustomization files leniently: a key written twice in one mapping is
no error, the last one wins and the first is silently dead. Two ``patches:`` blocks (one
added by a merge, one by hand), or a ``newTag:`` repeated in an ``images:`` entry, look
like both apply; only one does. Field names of the kustomization format also match
regardless of case (``nameprefix`` is ``namePrefix``), and there the spelling that sorts
last (``nameprefix``), not the last line, wins.

Checked: every mapping of every kustomization and Component file the linted envs (and bases
checked alone) render, keys compared as Kustomize compares them: exactly in maps of your
own (``commonLabels``, ``pairs``, ...), ignoring case for the format's field names (the
renderer reads these files as Kustomize does and records the repeats); and every patch
they apply, inline or from a file, where Kustomize keeps the first value in a strategic
merge patch and the last in JSON6902 operations; and the ``metadata.annotations`` of every
resource they render, where Kustomize keeps the last value of a key written twice and
merges an ``annotations`` mapping written twice into one (a key both set takes the first
mapping's value, unless the second writes it twice). A key repeated anywhere else in a
resource is not this rule's: Kustomize refuses it, and so does the render. The finding
points at the second occurrence (each later one when there are more) and names the line
whose value Kustomize uses (for a repeated ``annotations``, that the two are merged).

Failing::

    images:
      - name: ghcr.io/acme/api
        newTag: 1.4.0
        newTag: 1.5.0       # Kustomize uses this one; line 3 is dead

Passing::

    images:
      - name: ghcr.io/acme/api
        newTag: 1.5.0

Fix: keep one occurrence, with the value you mean, and delete the other (merge the two
lists when the key holds a list, such as ``resources:`` or ``patches:``).
"""
from __future__ import annotations

from collections.abc import Iterator

from ...core.node import Origin
from ..model import Problem, RuleContext

ID = "duplicate-key"
SEVERITY = "error"
PARAMETERS: dict = {}


def check(ctx: RuleContext) -> Iterator[Problem]:
    from ..noops import generated
    for t in ctx.targets:
        dups = getattr(t.result, "duplicates", None) if not t.failed else None
        if not dups:
            continue
        kept = _kept(dups)
        for d in dups:
            if d.origin is None or generated(d.file):
                continue
            yield Problem(d.origin, _message(d, kept), t, value=d.key)


def _losing(d) -> Origin | None:
    """The occurrence of a repeat whose value Kustomize drops."""
    return d.first if d.kept == d.origin else d.origin


def _kept(dups) -> dict:
    """Each repeat's finally kept occurrence: in ``a: 1, a: 2, a: 3`` the second
    occurrence wins over the first, then loses to the third."""
    beaten = {_losing(d): d.kept for d in dups}
    out = {}
    for d in dups:
        k, seen = d.kept, set()
        while k in beaten and k not in seen:
            seen.add(k)
            k = beaten[k]
        out[d.origin] = k
    return out


def _message(d, kept: dict) -> str:
    first = d.first[1] if d.first is not None else "?"
    if d.kept is None:  # a resource's metadata.annotations written twice: merged
        return (f"'{d.key}' is set twice in this mapping (also at line {first}); Kustomize "
                "merges the two mappings into one (a key both set takes the first one's "
                "value): write one")
    at = kept.get(d.origin)
    line = at[1] if at is not None else "?"
    here, there = _key_at(d.origin) or d.key, _key_at(d.first) or d.key
    if here == there:
        what = f"'{here}' is set twice in this mapping (also at line {first})"
    else:
        what = (f"'{here}' repeats '{there}' (line {first}): Kustomize matches field names "
                "ignoring case")
    return (f"{what}; Kustomize keeps only the value at line {line} and ignores the "
            "other: keep one")


def _key_at(o: Origin | None) -> str | None:
    """The key as written at ``o`` (its source line, from column ``o.col``)."""
    if o is None:
        return None
    import linecache
    text = linecache.getline(o[0], o[1])[max(o[2] - 1, 0):]
    key = text.split(":", 1)[0].strip().strip("\"'")
    return key or None
