"""Key/value sources of ConfigMap and Secret generators, as Kustomize reads them (api/kv):
``literals`` (``key=value``), ``files`` (``path`` or ``key=path``) and env files
(``envs``, ``env``); pairs come from env files, then literals, then files, and a key may
appear once."""
from __future__ import annotations

import os
import posixpath

from ..core.errors import at
from ..core.node import Origin
from ..core.yaml_reader import LIMITS
from .loader import Loader
from .types import ConfigMapArgs, Str

# Go's unicode.IsSpace for the characters an env line may start with.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007" \
            "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def load_pairs(args: ConfigMapArgs, what: str, loader: Loader, kdir: str
               ) -> dict[str, tuple[str | bytes, Origin | None]]:
    """Key -> (value, origin), in Kustomize's order: envs, literals, files (``what``
    names the entry in errors); a file that is not UTF-8 is bytes."""
    envs = list(args.envs)
    if args.env is not None and args.env.v:
        envs.append(args.env)
    out: dict[str, tuple[str | bytes, Origin | None]] = {}

    def add(key: str, value: str | bytes, origin: Origin | None) -> None:
        if key in out:
            raise at(origin, f"{what} repeats the key '{key}'; each key may appear once")
        out[key] = (value, origin)

    for item in envs:
        raw = _read_bytes(loader, kdir, item, "env file")
        for key, text in parse_env(raw, item.o):
            add(key, text, item.o)
    for item in args.literals:
        key, text = parse_literal(item.v, item.o)
        add(key, text, item.o)
    for item in args.files:
        key, rel = parse_file_source(item.v, item.o)
        raw = _read_bytes(loader, kdir, Str(rel, item.o), "file")
        value: str | bytes
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw  # not UTF-8: ConfigMaps keep it under binaryData
        add(key, value, item.o)
    return out


def _read_bytes(loader: Loader, kdir: str, item: Str, what: str) -> bytes:
    path = loader.file(kdir, item.v, item.o, what)
    try:
        if os.path.getsize(path) > LIMITS.max_file_bytes:
            raise at(item.o, f"{what} '{item.v}' is over the "
                             f"{LIMITS.max_file_bytes}-byte limit")
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise at(item.o, f"cannot read {what} '{item.v}': {exc.strerror or exc}") from None


def parse_literal(source: str, origin: Origin | None) -> tuple[str, str]:
    """``key=value`` (the value may hold ``=``); surrounding matching quotes are dropped."""
    if source.startswith("=") or "=" not in source:
        raise at(origin, f"invalid literal source '{source}', expected key=value")
    key, value = source.split("=", 1)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return key, value


def parse_file_source(source: str, origin: Origin | None) -> tuple[str, str]:
    """``path`` (key = file name) or ``key=path``."""
    n = source.count("=")
    if n == 0:
        return posixpath.basename(source), source
    if n == 1 and source.startswith("="):
        raise at(origin, f"missing key name for file path '{source[1:]}' in '{source}'")
    if n == 1 and source.endswith("="):
        raise at(origin, f"missing file path for key name '{source[:-1]}' in '{source}'")
    if n > 1:
        raise at(origin, f"file source '{source}': key name or file path contains '='")
    key, path = source.split("=")
    return key, path


def parse_env(raw: bytes, origin: Origin | None) -> list[tuple[str, str]]:
    """Env-file pairs as Kustomize reads them: ``KEY=value``, ``KEY`` (empty value),
    blank lines and ``#`` comments skipped, leading whitespace dropped, nothing else trimmed."""
    out = []
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # bufio.ScanLines yields no token after a final newline
    for i, line in enumerate(lines):
        if line.endswith(b"\r"):
            line = line[:-1]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise at(origin, f"env file line {i + 1} is not valid UTF-8") from None
        if i == 0 and text.startswith("\ufeff"):
            text = text[1:]
        text = text.lstrip(_GO_SPACE)
        if not text or text[0] == "#":
            continue
        key, _, value = text.partition("=")
        if key:  # Kustomize drops a line with an empty key ("=value") like a comment
            out.append((key, value))
    return out


def encode_base64(value: "str | bytes") -> str:
    """Base64 as Kustomize writes it: in 70-character lines, each ending in a newline, once
    the encoding is 70 characters or longer."""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")
    import base64  # here: only secrets and binary ConfigMap data are encoded
    enc = base64.b64encode(raw).decode("ascii")
    if len(enc) < 70:
        return enc
    return "".join(enc[i:i + 70] + "\n" for i in range(0, len(enc), 70))
