"""An on-disk cache of parsed YAML files: a pre-commit run parses only what changed.

A hook run renders the envs a commit touches, and each of them reads the whole base: most
of those files have not changed since the previous run. Their ``Node`` trees are kept
here, one small file per parsed file, and rebuilt from it (about a third of the cost of
parsing).

It can only make a run faster, never different:

- An entry is found by a key of everything the parse depends on: the path as given (the
  origins name it) and its real path, size, modification time and the SHA-256 of the
  bytes read (the file is read every run; a hit replaces the parse, not the read); the
  reader's limits and whether libyaml parses; the code of the reader and of ``Node``;
  the versions of Python, ruamel.yaml and overlay-lint. A file that does not parse is
  never stored (the parse says why, every run).
- Only a folder the user controls is used: ``$OVERLAY_LINT_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/overlay-lint``, else ``~/.cache/overlay-lint``; it must be a real
  folder (no symlink), owned by the user and writable by nobody else, and lie in no git
  work tree and not under the current folder (a checkout whose files a pull request
  controls could otherwise plant entries). Otherwise, or where nothing can be written
  there, or with ``OVERLAY_LINT_NO_CACHE=1``, the cache is off: every file is parsed.
- Entries are written to a temporary file and renamed (concurrent runs never see half an
  entry); one that cannot be read back is a miss.
- Its size is bounded: ``$OVERLAY_LINT_CACHE_MAX_MB`` (default 64) MiB over all its
  entries, of every version. A run that stored entries prunes when it is due (at most
  once an hour, a stamp file's time says when the last prune was; at once when the run
  alone wrote an eighth of the bound): it sums the entries' sizes and, past the bound,
  deletes the oldest written until three quarters of it are left. Pruning never fails a
  run: an entry another run deleted first, or a folder that cannot be written, is passed
  over; a reader whose entry vanished parses the file.

Which runs use it: ``overlay-lint --pre-commit`` (the hook: a developer's machine, commit
after commit, where a run should cost what changed) and any lint run with
``OVERLAY_LINT_CACHE_DIR`` set. Other runs (CI, the GitHub Action, a plain
``overlay-lint``) write nothing and read nothing outside the lint root; library use parses
as before.
"""
from __future__ import annotations

import marshal
import os
import stat
import sys

from .digest import sha256
from .node import Node, Origin

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

FORMAT = "1"
_active: list[Any] = [None]     # the open cache of the running command, or None
MAX_MB = 64                     # default bound of the whole cache folder, in MiB
PRUNE_EVERY = 3600              # seconds between two prunes (unless a run wrote much)
PRUNED = "pruned"               # the stamp file: its modification time is the last prune

_new_origin = tuple.__new__


def cache_dir() -> str | None:
    """The folder the cache would use (not yet checked)."""
    if os.environ.get("OVERLAY_LINT_NO_CACHE", "") not in ("", "0"):
        return None
    given = os.environ.get("OVERLAY_LINT_CACHE_DIR")
    if given:
        return os.path.abspath(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = xdg if xdg and os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"),
                                                                ".cache")
    return os.path.join(base, "overlay-lint") if os.path.isabs(base) else None


def _usable(folder: str) -> str | None:
    """``folder`` (created if missing) as a real path when the user alone controls it."""
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        st = os.lstat(folder)
    except (OSError, ValueError):
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_mode & 0o022 or \
            (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        return None
    real = os.path.realpath(folder)
    cwd = os.path.realpath(os.getcwd())
    if real == cwd or real.startswith(cwd.rstrip(os.sep) + os.sep):
        return None
    d = real
    while True:                       # inside a git work tree: a checkout's files
        if os.path.lexists(os.path.join(d, ".git")):
            return None
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return real


def _stamp(limits: Any) -> bytes:
    """What every parse depends on besides the file: code, versions, limits."""
    from .. import __version__
    h = sha256(f"{FORMAT}|{__version__}|{sys.version}|{limits!r}".encode())
    # the reader's code: every module of overlay_lint.core, where the reader and all it
    # imports live (the layers allow core no import from above; tests check it), so a
    # helper module added later is covered too (~140 KB read when the cache opens)
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        sources = sorted(os.path.join(here, n) for n in os.listdir(here) if n.endswith(".py"))
    except OSError:
        sources = []
    h.update(f"|{len(sources)}".encode())
    # ruamel.yaml's version: the text of its __init__ (which states it), not
    # ``ruamel.yaml.__version__``: that runs the package's __init__ (~9 ms of CPU, the
    # YAML class, constructors, emitter), which a run whose files all hit never needs
    ruamel = _origin("ruamel.yaml")
    h.update(b"?" if ruamel is None else ruamel.encode("utf-8", "surrogatepass"))
    if ruamel is not None:
        sources.append(ruamel)
    for path in sources:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            data = b"?"
        h.update(f"|{os.path.basename(path)}|{len(data)}|".encode("utf-8", "surrogatepass"))
        h.update(data)
    binding = _origin("_ruamel_yaml")     # libyaml's binding: its file's size and time
    try:
        st = os.stat(binding) if binding else None
        h.update(f"|{binding}|{st.st_size}|{st.st_mtime_ns}".encode("utf-8", "surrogatepass")
                 if st else b"|-")
    except OSError:
        h.update(b"|?")
    return h.digest()


def _origin(name: str) -> str | None:
    """The file a module is (or would be) loaded from, without running it."""
    mod = sys.modules.get(name)
    spec = getattr(mod, "__spec__", None) if mod is not None else None
    if spec is None:
        try:
            import importlib.util
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
    origin = getattr(spec, "origin", None)
    return origin if isinstance(origin, str) and os.path.isabs(origin) else None


def max_bytes() -> int:
    """The bound of the cache folder: ``$OVERLAY_LINT_CACHE_MAX_MB`` MiB, else MAX_MB."""
    try:
        mb = float(os.environ.get("OVERLAY_LINT_CACHE_MAX_MB", "") or MAX_MB)
        return max(0, int(mb * 1024 * 1024))
    except (ValueError, OverflowError):     # not a number, nan, inf: the default
        return MAX_MB * 1024 * 1024


class _Cache:
    def __init__(self, folder: str, stamp: bytes) -> None:
        from .paths import real
        self.top = folder
        self.folder = os.path.join(folder, "parsed-" + stamp.hex()[:16])
        self.stamp = stamp
        self.writable = True
        self.written = 0            # bytes this run stored (a prune may be due)
        self.made: set[str] = set()
        self._keyed = sha256(stamp)     # copied for every key
        self._sha256 = sha256
        self._real = real

    def key(self, path: str, raw: bytes, st: os.stat_result) -> str:
        h = self._keyed.copy()
        h.update(f"\0{path}\0{self._real(path)}\0{st.st_size}\0{st.st_mtime_ns}\0"
                 .encode("utf-8", "surrogatepass"))
        h.update(self._sha256(raw).digest())
        return h.hexdigest()

    def _file(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], key[2:])

    def get(self, key: str) -> bytes | None:
        """The stored entry (for :func:`decode_file`), or None."""
        try:
            fd = os.open(self._file(key), os.O_RDONLY)
        except OSError:     # missing (never stored, or pruned): parse instead
            return None
        try:
            # one read of the size (a short read is a broken entry: decode_file fails)
            return os.read(fd, os.fstat(fd).st_size)
        except OSError:     # unreadable: parse instead
            return None
        finally:
            os.close(fd)

    def put(self, key: str, value: Any) -> None:
        if not self.writable or value is None:
            return
        try:
            data = marshal.dumps(value)
        except ValueError:          # a value marshal cannot hold: not cached
            return
        target = self._file(key)
        sub = os.path.dirname(target)
        tmp = f"{target}.{os.getpid()}.tmp"
        try:
            if sub not in self.made:
                os.makedirs(sub, mode=0o700, exist_ok=True)
                self.made.add(sub)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
            self.written += len(data)
        except OSError:
            self.writable = False   # read-only, full, gone: parse without storing
            try:
                os.unlink(tmp)
            except OSError:
                pass

    def close(self) -> None:
        """At the end of the run: prune when due (see the module's rules)."""
        if not self.written:
            return              # nothing grew
        bound = max_bytes()
        stamp = os.path.join(self.top, PRUNED)
        if self.written * 8 < bound:
            import time
            try:
                if 0 <= time.time() - os.stat(stamp).st_mtime < PRUNE_EVERY:
                    return
            except OSError:     # never pruned (or the stamp is unreadable): prune
                pass
        try:                    # first, so that concurrent runs do not all prune
            fd = os.open(stamp, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                         0o600)
            os.close(fd)
            os.utime(stamp)
        except OSError:
            pass
        prune(self.top, bound)


def prune(top: str, bound: int) -> int:
    """Delete the oldest-written entries of the cache folder ``top`` (every version's)
    while they hold more than ``bound`` bytes, down to three quarters of it; also
    temporary files older than an hour (their writer died). Returns the bytes deleted.
    Anything that cannot be read or deleted is passed over (another run may be pruning or
    writing at the same time)."""
    import time
    entries: list[tuple[int, int, str]] = []     # (mtime ns, size, path)
    old_tmp = time.time_ns() - 3600 * 10**9
    total = freed = 0
    try:
        versions = [e.path for e in os.scandir(top)
                    if e.name.startswith("parsed-") and e.is_dir(follow_symlinks=False)]
    except OSError:
        return 0
    for version in versions:
        try:
            subs = [e.path for e in os.scandir(version) if e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        for sub in subs:
            try:
                with os.scandir(sub) as it:
                    for e in it:
                        try:
                            st = e.stat(follow_symlinks=False)
                        except OSError:
                            continue
                        if e.name.endswith(".tmp"):
                            if st.st_mtime_ns < old_tmp:
                                _unlink(e.path)
                            continue
                        entries.append((st.st_mtime_ns, st.st_size, e.path))
                        total += st.st_size
            except OSError:
                continue
    if total <= bound:
        return 0
    entries.sort()
    goal = total - bound * 3 // 4
    for _, size, path in entries:
        if freed >= goal:
            break
        if _unlink(path):
            freed += size
    return freed


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
        return True
    except OSError:         # gone already (another run pruned it), or not ours to delete
        return False


_PENDING = object()     # on, not opened yet: opened when the first file is parsed


class enabled:
    """The cache on for the duration (when ``wanted``), where it can be (see the module's
    rules). Nothing is checked or imported until a file is parsed: a run that parses
    nothing pays nothing."""

    def __init__(self, wanted: bool = True) -> None:
        self.wanted = wanted

    def __enter__(self) -> None:
        self.outer = _active[0]
        if self.outer is None and self.wanted:
            _active[0] = _PENDING

    def __exit__(self, *exc: object) -> None:
        cache, _active[0] = _active[0], self.outer
        if self.outer is None and isinstance(cache, _Cache):
            try:
                cache.close()
            except Exception:   # a prune never fails a run
                pass


def active(limits: Any) -> Any:
    """The running command's cache, or None; ``limits``: what else the reader's results
    depend on (its limits, whether libyaml parses), part of every key."""
    cache = _active[0]
    if cache is _PENDING:
        cache = _active[0] = _open(limits)
    return cache


def _open(limits: Any) -> Any:
    folder = cache_dir()
    real = _usable(folder) if folder else None
    if real is None:
        return None
    try:
        return _Cache(real, _stamp(limits))
    except OSError:
        return None


def encode_file(docs: list[Node | None], count: int, dups: list, path: str) -> Any:
    """What is stored for a parsed file: its documents, node count and repeated keys."""
    try:
        return (FORMAT, [encode(d, path) for d in docs], count,
                [(k, a[1], a[2], b[1], b[2]) for k, a, b in dups])
    except (ValueError, RecursionError):
        return None


def decode_file(entry: bytes, path: str) -> tuple[list[Node | None], int, list]:
    """A stored entry's documents (new nodes each call), node count and repeated keys;
    an exception for an entry this version did not store or that is cut short."""
    version, docs, count, dups = marshal.loads(entry)
    if version != FORMAT:
        raise ValueError("another format")
    nodes = [None if d is None else decode(d, path) for d in docs]
    return nodes, count, [(k, _new_origin(Origin, (path, l1, c1)),
                           _new_origin(Origin, (path, l2, c2))) for k, l1, c1, l2, c2 in dups]


# --- Node trees as marshal data ------------------------------------------------------------
# A node is a tuple (kind, line, col, parts, value): kind 0 a mapping (value: keys and
# children alternating), 1 a sequence, 2 a scalar. Origins are rebuilt with the path.

def encode(node: Node | None, path: str) -> Any:
    if node is None:
        return None
    o = node.o
    if o is None or o[0] != path:
        raise ValueError("an origin outside the file")
    v = node.v
    t = type(v)
    if t is dict:
        flat: list[Any] = []
        for k, c in v.items():
            flat.append(k)
            flat.append(encode(c, path))
        return (0, o[1], o[2], node.parts, flat)
    if t is list:
        return (1, o[1], o[2], node.parts, [encode(c, path) for c in v])
    return (2, o[1], o[2], node.parts, v)


def decode(data: Any, path: str) -> Node:
    """The tree ``encode`` gave. Scalars, most of the nodes, are made in their parent's
    loop (a call less each: decoding is most of what a hit costs)."""
    kind, line, col, parts, v = data
    o = _new_origin(Origin, (path, line, col))
    if kind == 2:
        return Node(v, o, parts)
    if kind == 0:
        d = {}
        for i in range(0, len(v), 2):
            c = v[i + 1]
            d[v[i]] = Node(c[4], _new_origin(Origin, (path, c[1], c[2])), c[3]) \
                if c[0] == 2 else decode(c, path)
        return Node(d, o, parts)
    return Node([Node(c[4], _new_origin(Origin, (path, c[1], c[2])), c[3]) if c[0] == 2
                 else decode(c, path) for c in v], o, parts)
