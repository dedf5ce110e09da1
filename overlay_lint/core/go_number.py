"""go-yaml's numbers: which plain scalars it reads as an int or a float, and how Go prints
a float.

Learnt from go-yaml's resolver (v2, which writes kubectl's output, and v3, which Kustomize
reads with, share this code) and Go's strconv, and checked form by form against kubectl
v5.5.0 (tests/test_yaml_numbers.py). A plain scalar starting with ``.`` is a float when
Go's ``ParseFloat`` takes the text as written (``.5e3``, ``.5_0``; not ``._5``); one
starting with a digit or a sign loses its underscores, then is an int when Go's
``ParseInt`` (base from the prefix: ``0x``, ``0o``, ``0b`` in either case, a leading zero
octal) fits it in int64, or ``ParseUint`` in uint64, else a float when it matches go-yaml's
float pattern (``1e3``, ``-.5e3``, ``1.``) and is finite. Anything else is text (the words
``.inf``, ``.nan`` are the callers').
"""
from __future__ import annotations

from .lazy_pattern import LazyPattern

_INT = LazyPattern(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_FLOAT = LazyPattern(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
# ParseFloat's decimal form with Go's underscores (each between two digits)
_DOT_FLOAT = LazyPattern(r"\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?")
_STARTS = frozenset("+-.0123456789")
INT64_MIN, INT64_MAX, UINT64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1


def go_number(text: str) -> int | float | None:
    """The int or float go-yaml reads from the plain scalar ``text``, or None for text."""
    c = text[:1]
    if c not in _STARTS:
        return None
    if c == ".":
        if _DOT_FLOAT.fullmatch(text) is None:
            return None
        return _finite(float(text))
    plain = text.replace("_", "") if "_" in text else text
    m = _INT.fullmatch(plain)
    if m is not None:
        sign, body = m.groups()
        prefix = body[1:2].lower()
        digits = body[2:] if prefix in ("x", "o", "b") else body
        digits = digits.lstrip("0")
        if len(digits) <= 64:  # longer is past 64 bits in any base (and int() stays cheap)
            n = int(digits or "0", {"x": 16, "o": 8, "b": 2}.get(
                prefix, 8 if body[:1] == "0" else 10))
            if sign == "-":
                n = -n
            if INT64_MIN <= n <= INT64_MAX or (not sign and n <= UINT64_MAX):
                return n
    if _FLOAT.fullmatch(plain) is not None:
        return _finite(float(plain))
    return None


def _finite(f: float) -> float | None:
    """``f``, or None where Go's ParseFloat fails (out of range: the text stays text)."""
    return f if f - f == 0 else None


def json_float(f: float) -> int | float:
    """A float after Kustomize's JSON round trip (Go's JSON encoder, then go-yaml v2, kubectl's
    writer): an integral float under 1e21 prints in full (shortest digits padded with
    zeros), which reads back as an int where that fits 64 bits (``1e3`` is 1000,
    ``-9223372036854775809`` stays a float: -9223372036854776000 does not fit); any other
    float stays one."""
    if f.is_integer() and abs(f) < 1e21:
        n = _shortest_digits_int(f)
        if INT64_MIN <= n <= UINT64_MAX:
            return n
    return f


def _shortest_digits_int(f: float) -> int:
    """The integer the shortest repr of an integral float spells, padded with zeros."""
    mantissa, _, exp = repr(f).partition("e")
    whole, _, frac = mantissa.partition(".")
    shift = (int(exp) if exp else 0) - len(frac)
    digits = int(whole + frac)
    return digits * 10 ** shift if shift >= 0 else digits // 10 ** -shift


def go_float_text(f: float) -> str:
    """Go's ``strconv.FormatFloat(f, 'g', -1, 64)``, as go-yaml prints a float: the shortest
    digits, exponent form from 1e+06 up and below 1e-04 (``1.2345675e+06``, ``1e-05``)."""
    if f != f:
        return "NaN"
    if f - f != 0:
        return "+Inf" if f > 0 else "-Inf"
    return _g_format(repr(f))


def go_float32_text(f: float) -> str:
    """Go's ``strconv.FormatFloat(f, 'g', -1, 32)``: ``f`` rounded to 32 bits, in the
    shortest digits that read back as that float32 (how sigs.k8s.io/yaml's YAMLToJSON
    writes a float mapping key: -9223372036854775809 is the key "-9.223372e+18")."""
    import struct  # here: float keys in JSON6902 patches are rare
    try:
        x = struct.unpack("f", struct.pack("f", f))[0]
    except OverflowError:
        return "+Inf" if f > 0 else "-Inf"
    if x != x or x - x != 0:
        return go_float_text(x)
    for digits in range(1, 10):
        text = f"{x:.{digits - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == x:
            return _g_format(text)
    return _g_format(repr(x))  # pragma: no cover - nine digits always read back


def _g_format(text: str) -> str:
    """Go's 'g' layout of the decimal ``text`` (Python's repr or %e of a float)."""
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    point = len(whole) + (int(exp) if exp else 0)  # the point after this many digits
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    if not digits:
        return sign + "0"
    e = point - 1
    if e < -4 or e >= 6:
        tail = "." + digits[1:] if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{tail}e{'-' if e < 0 else '+'}{abs(e):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"
