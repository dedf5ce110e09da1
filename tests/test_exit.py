"""The CLI leaves the interpreter's final garbage collection nothing to walk (cli.main):
the collector's generations are frozen at exit, not before, so a process calling main()
many times keeps collecting in between."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def test_generations_are_frozen_at_exit_not_during_the_process(tmp_path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (tmp_path / "base" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n")
    code = textwrap.dedent("""
        import atexit, contextlib, gc, io, sys
        # at exit, handlers run last-registered first: this one runs after main()'s
        atexit.register(lambda: print("at exit", gc.get_freeze_count() > 0))
        from overlay_lint.cli import main
        for _ in range(2):
            with contextlib.redirect_stdout(io.StringIO()):
                main(["base"])
        print("after main", gc.get_freeze_count(), gc.collect() >= 0)
    """)
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split("\n")[:2] == ["after main 0 True", "at exit True"]
