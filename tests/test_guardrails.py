"""Guard rails that keep the code base in shape, checked with the tests (so in CI):

- the import layers: cli > report > lint > diff > kustomize > core; a module imports only
  its own layer or lower ones (function-local and ``TYPE_CHECKING`` imports included), and
  no module imports itself back through others (no cycles, typing-only imports excepted);
- ruff: no unused imports or variables, no undefined names, a complexity bound (pyproject);
- mypy on the public renderer API and the model rules see (the files listed in pyproject).
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "overlay_lint"

# Lowest first. ``overlay_lint/__init__.py`` (the version) sits below everything;
# ``__main__`` is the CLI.
LAYERS = ["core", "kustomize", "diff", "lint", "report", "cli"]


def _modules() -> dict[str, Path]:
    out = {}
    for p in PACKAGE.rglob("*.py"):
        parts = p.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = p
    return out


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return -1  # overlay_lint itself
    if parts[1] == "__main__":
        return LAYERS.index("cli")
    return LAYERS.index(parts[1])


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Line numbers of statements inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                for sub in ast.walk(stmt):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def _imports(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, int, bool]]:
    """(imported overlay_lint module, line, typing only) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_lines(tree)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                targets.append(sub if sub in modules else mod)
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        for t in targets:
            if t.startswith("overlay_lint") and t != name:
                while t not in modules and "." in t:
                    t = t.rsplit(".", 1)[0]
                out.append((t, node.lineno, node.lineno in typing_only))
    return out


def test_import_layers() -> None:
    modules = _modules()
    bad = []
    for name, path in sorted(modules.items()):
        mine = _layer(name)
        for target, line, _typing in _imports(name, path, modules):
            if _layer(target) > mine:
                bad.append(f"{path.relative_to(REPO)}:{line}: {name} imports {target}, "
                           "a higher layer")
    assert not bad, "imports against the layers " + " > ".join(reversed(LAYERS)) + ":\n" \
        + "\n".join(bad)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


# Cycles allowed to exist. Empty since the renderer restructure (issue 10); it may only
# stay empty: a new cycle fails.
KNOWN_CYCLES: list[list[str]] = []


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {name: {t for t, _line, typing in _imports(name, path, modules) if not typing}
             for name, path in modules.items()}
    cycles = sorted(_cycles(graph))
    new = [c for c in cycles if c not in KNOWN_CYCLES]
    assert not new, "import cycles (break them; a function-local import hides one):\n" + \
        "\n".join(" <-> ".join(c) for c in new)
    gone = [c for c in KNOWN_CYCLES if c not in cycles]
    assert not gone, f"cycles removed, take them off KNOWN_CYCLES: {gone}"


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def test_ruff() -> None:
    """Unused imports and variables, undefined names, complexity (see [tool.ruff])."""
    p = subprocess.run([_tool("ruff"), "check", "--no-cache", "--quiet", "overlay_lint", "tests",
                        "benchmarks", "scripts"], cwd=REPO, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr


def test_mypy() -> None:
    """Types of the public renderer API and of the model rules see (see [tool.mypy])."""
    p = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", "/dev/null"], cwd=REPO,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
