"""go-yaml's timestamps: which plain scalars it reads as a time, and the text Kustomize
prints for them (its JSON round trip: Go's RFC 3339 with nanoseconds).

Learnt from go-yaml's resolver (v2 and v3 share it: four ``time.Parse`` layouts after a
quick check for four digits and ``-``) and Go's time package, and checked form by form
against kubectl v5.5.0 (tests/test_yaml_timestamps.py). Used by the YAML reader (which
scalars are times) and writer (which strings kubectl quotes).
"""
from __future__ import annotations

from .lazy_pattern import LazyPattern

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# Go's layouts at once: each field of one or two digits is followed by a non-digit (or the
# end), so the pattern takes two digits exactly where time.Parse does
_LAYOUTS = LazyPattern(
    r"([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)(?:([Tt]| +)([0-9][0-9]?):([0-9][0-9]?)"
    r":([0-9][0-9]?)(?:[.,]([0-9]+))?(Z|[-+][0-9][0-9]:[0-9][0-9])?)?")
_last: tuple[str, str | None] = ("", None)  # the reader asks twice per time: once is work


def go_timestamp(s: str) -> str | None:
    """The RFC 3339 text of ``s`` as go-yaml reads it as a timestamp, or None when go-yaml
    reads it as something else (text).

    go-yaml (v3, and v2, which writes kubectl's output) takes a plain scalar starting with
    four digits and ``-`` for a timestamp when Go's ``time.Parse`` accepts it in one of four
    layouts: date ``T`` or ``t`` time with ``Z`` or a ``+hh:mm``/``-hh:mm`` zone, date and
    time separated by spaces with no zone, or a date alone. Month, day, hour, minute and
    second take one or two digits; the month 1-12, the day as the month has it, hours
    0-23, minutes and seconds 0-59; fractional seconds after ``.`` or ``,``, any number of
    digits (nine kept); a zone's hours up to 24 and minutes up to 60 (``+01:60`` is
    ``+02:00``). Kustomize's JSON round trip then prints it as Go's RFC3339Nano: zeros
    padded, fraction trimmed, ``Z`` for a zero offset. Checked against kubectl v5.5.0
    (tests/test_yaml_timestamps.py)."""
    global _last
    if _last[0] == s:
        return _last[1]
    out = _parse(s)
    _last = (s, out)
    return out


def _parse(s: str) -> str | None:
    m = _LAYOUTS.fullmatch(s)
    if m is None:
        return None
    year, month, day, sep, hour, minute, second, frac, zone = m.groups()
    mo, d = int(month), int(day)
    if not 1 <= mo <= 12 or d < 1:
        return None
    days = _MONTH_DAYS[mo - 1]
    if mo == 2:
        y = int(year)
        if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0):
            days = 29
    if d > days:
        return None
    if sep is None:
        return f"{year}-{mo:02d}-{d:02d}T00:00:00Z"
    if (sep in "Tt") != (zone is not None):  # T needs a zone, spaces take none
        return None
    h, mi, sec = int(hour), int(minute), int(second)
    if h > 23 or mi > 59 or sec > 59:
        return None
    out = f"{year}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}"
    if frac:
        frac = frac[:9].rstrip("0")  # Go keeps nine digits, drops the rest
        if frac:
            out += "." + frac
    if zone is None or zone == "Z":
        return out + "Z"
    hh, mm = int(zone[1:3]), int(zone[4:6])
    if hh > 24 or mm > 60:
        return None
    offset = hh * 60 + mm
    if not offset:
        return out + "Z"
    return f"{out}{zone[0]}{offset // 60:02d}:{offset % 60:02d}"


def time_printable(rfc3339: str) -> bool:
    """Whether Go's JSON encoder prints this time (from :func:`go_timestamp`): it refuses
    a zone offset of 24 hours or more ("timezone hour outside of range [0,23]")."""
    zone = rfc3339[-6:]
    return not (zone[:1] in ("+", "-") and zone[1:3].isdigit() and int(zone[1:3]) >= 24)
