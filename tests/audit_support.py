"""Run the real CLI in a subprocess under a Python audit hook (PEP 578) and report what it
did: every file or folder it opened or listed, every socket, every process it started.

The hook sees what the interpreter does, not what the output says: a test can assert that
nothing outside the lint root was opened even when nothing leaked into the output.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

# The child installs the hook before importing overlay_lint, then runs the CLI. Events go
# to an inherited descriptor with os.write (which raises no audit event of its own).
_CHILD = r"""
import json, os, sys
fd = int(sys.argv[1])
WATCH = ("open", "os.listdir", "os.scandir", "os.chdir", "socket.", "subprocess.Popen",
         "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
         "ctypes.dlopen", "urllib.Request", "http.client.connect", "webbrowser.open")
def hook(event, args):
    if event.startswith(WATCH):
        arg = args[0] if args else None
        if isinstance(arg, bytes):
            arg = os.fsdecode(arg)
        elif not isinstance(arg, (str, int)) or isinstance(arg, bool):
            arg = repr(arg)[:200]
        mode = args[1] if event == "open" and len(args) > 1 and isinstance(args[1], str) else ""
        os.write(fd, (json.dumps([event, arg, mode]) + "\n").encode("utf-8", "surrogateescape"))
sys.addaudithook(hook)
argv = sys.argv[2:]
if os.environ.get("OVERLAY_LINT_AUDIT_SRC"):   # audit another checkout (before/after a fix)
    sys.path.insert(0, os.environ["OVERLAY_LINT_AUDIT_SRC"])
from overlay_lint.cli import main
code = main(argv)
sys.stdout.flush()
sys.exit(code)
"""


@dataclass
class Audit:
    proc: subprocess.CompletedProcess
    opened: list[tuple[str, str]] = field(default_factory=list)    # (real path, mode)
    listed: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)

    def outside(self, root: Path) -> list[str]:
        """Files and folders opened or listed outside ``root`` and outside the Python
        installation running the CLI (its modules, the package itself)."""
        allowed = [os.path.realpath(p) for p in _python_dirs()]
        top = os.path.realpath(root)
        out = []
        for path in [p for p, _ in self.opened] + self.listed:
            if _under(path, top) or any(_under(path, a) for a in allowed):
                continue
            out.append(path)
        return out

    def writes(self) -> list[str]:
        return [p for p, mode in self.opened if any(c in mode for c in "wax+")]


def _under(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def _python_dirs() -> list[str]:
    import overlay_lint
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
            os.path.dirname(os.path.dirname(os.path.abspath(overlay_lint.__file__)))}
    dirs.update(p for p in sysconfig.get_paths().values())
    dirs.add(os.devnull)
    if os.environ.get("OVERLAY_LINT_AUDIT_SRC"):
        dirs.add(os.environ["OVERLAY_LINT_AUDIT_SRC"])
    return sorted(dirs)


def audited(args: list[str], cwd: Path, env: dict | None = None,
            timeout: float = 120) -> Audit:
    """Run ``overlay-lint ARGS`` in ``cwd`` under the audit hook."""
    r, w = os.pipe()
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("OVERLAY_LINT_DEBUG", None)
    full_env.pop("PYTHONPATH", None)
    try:
        proc = subprocess.Popen([sys.executable, "-I", "-c", _CHILD, str(w), *args], cwd=cwd,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=full_env, pass_fds=(w,))
        os.close(w)
        w = -1
        with os.fdopen(r, "rb") as events_in:
            r = -1
            # read events while the child runs (a full pipe would block it)
            import threading
            chunks: list[bytes] = []
            t = threading.Thread(target=lambda: chunks.append(events_in.read()))
            t.start()
            out, err = proc.communicate(timeout=timeout)
            t.join()
    finally:
        for fd in (r, w):
            if fd >= 0:
                os.close(fd)
    audit = Audit(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    for line in b"".join(chunks).decode("utf-8", "surrogateescape").splitlines():
        event, arg, mode = json.loads(line)
        if event == "open":
            if isinstance(arg, str):
                audit.opened.append((os.path.realpath(os.path.join(cwd, arg)), mode))
        elif event in ("os.listdir", "os.scandir"):
            if isinstance(arg, str):
                audit.listed.append(os.path.realpath(os.path.join(cwd, arg)))
            elif arg is None:
                audit.listed.append(os.path.realpath(cwd))
        elif event.startswith(("socket.", "urllib.", "http.", "webbrowser.")):
            audit.sockets.append(f"{event} {arg}")
        elif event != "os.chdir":
            audit.processes.append(f"{event} {arg}")
    return audit
