"""A declarative rule's ``message``: a format string with field names only.

The template comes from the repository, so it is untrusted. Python's ``str.format`` would
let it walk objects (``{error.__class__.__mro__}``), index values, and allocate gigabytes
(``{kind:>3000000000}``). Here a field is a name (letters, digits, ``_``, ``-``), with an
optional ``!r``/``!s``/``!a`` and a standard format spec whose width and precision are at
most :data:`MAX_WIDTH`; ``{{`` and ``}}`` are literal braces. Anything else is refused when
the rule is loaded. Every substituted value is cut at :data:`MAX_VALUE` characters.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from ..core.record import dataclass

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

MAX_WIDTH = 200
MAX_VALUE = 500

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_FIELD = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_-]*)(?:!(?P<conv>[rsa]))?"
                    r"(?::(?P<spec>[^{}]*))?\Z")
_SPEC = re.compile(r"(?:.?[<>=^])?[+\- ]?z?#?0?(?P<width>\d+)?[_,]?(?:\.(?P<prec>\d+))?"
                   r"[bcdeEfFgGnosxX%]?\Z", re.DOTALL)


class TemplateError(ValueError):
    """Why a template is refused (the caller locates it at the ``message:`` line)."""


@dataclass(frozen=True)
class _Field:
    name: str
    conv: str | None
    spec: str


def parse(template: str) -> list[str | _Field]:
    """The template as literal text and fields; :class:`TemplateError` if refused."""
    parts: list[str | _Field] = []
    pos = 0
    for m in _TOKEN.finditer(template):
        if m.start() > pos:
            parts.append(template[pos:m.start()])
        pos = m.end()
        tok = m.group()
        if tok in ("{{", "}}"):
            parts.append(tok[0])
            continue
        if m.group(1) is None:
            raise TemplateError(f"unmatched '{tok}' at character {m.start() + 1} (write "
                                "'{{' or '}}' for a literal brace)")
        f = _FIELD.match(m.group(1))
        if f is None:
            raise TemplateError(f"'{{{m.group(1)[:60]}}}' is not a field: write a field "
                                "name, e.g. {name}, optionally with a format such as "
                                "{name:>20} (no attributes, indexes or nested fields)")
        spec = f.group("spec") or ""
        s = _SPEC.match(spec)
        if s is None:
            raise TemplateError(f"'{{{m.group(1)[:60]}}}' has an invalid format spec")
        for what in ("width", "prec"):
            if s.group(what) and int(s.group(what)) > MAX_WIDTH:
                raise TemplateError(f"'{{{m.group(1)[:60]}}}': width and precision are at "
                                    f"most {MAX_WIDTH}")
        parts.append(_Field(f.group("name"), f.group("conv"), spec))
    if pos < len(template):
        parts.append(template[pos:])
    return parts


def render(parts: list[str | _Field], values: Mapping[str, Any]) -> str:
    """The message: each field's value (cut at :data:`MAX_VALUE`), formatted; a name
    without a value stays as written (``{name}``)."""
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
            continue
        if p.name not in values:
            out.append("{" + p.name + ("!" + p.conv if p.conv else "")
                       + (":" + p.spec if p.spec else "") + "}")
            continue
        v = values[p.name]
        if p.conv:
            v = {"r": repr, "s": str, "a": ascii}[p.conv](v)
        if isinstance(v, str) and len(v) > MAX_VALUE:
            v = v[:MAX_VALUE] + "…"
        try:
            text = format(v, p.spec)
        except (ValueError, TypeError):   # e.g. {found:d} on a string: print it plainly
            text = format(str(v), "")
        out.append(text if len(text) <= MAX_VALUE + MAX_WIDTH else
                   text[:MAX_VALUE] + "…")
    return "".join(out)
