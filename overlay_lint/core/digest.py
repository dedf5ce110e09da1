"""SHA-256 without importing :mod:`hashlib`.

``import hashlib`` loads OpenSSL's binding (~3.5 ms of a process, more than the hashing a
lint does: generator name suffixes, finding fingerprints, parse-cache keys). CPython's own
SHA-256 module is built in and gives the same digests; hashlib stands in where a build
lacks it.
"""
from __future__ import annotations

try:                                    # Python 3.12+
    from _sha2 import sha256            # type: ignore[import-not-found]
except ImportError:
    try:                                # Python 3.10, 3.11
        from _sha256 import sha256      # type: ignore[import-not-found,no-redef]
    except ImportError:                 # a build without the built-in hashes
        from hashlib import sha256      # type: ignore[no-redef]

__all__ = ["sha256"]
