"""Property-based robustness tests (issue 5): no input makes overlay-lint raise anything but
``OverlayLintError``, and whatever ``kubectl kustomize`` renders we render identically.

Profiles (hypothesis): ``quick`` (default, a few hundred cases, runs in CI) and ``long``
(14,000 cases: ``OVERLAY_LINT_FUZZ_PROFILE=long``, or ``scripts/fuzz_long.py`` which also
collects every failure instead of stopping at the first and writes the counts;
``OVERLAY_LINT_FUZZ_CASES=N`` / ``fuzz_long.py --cases N`` scales it to about N cases).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzz_support as fz

# quick: deterministic (CI runs the same examples every time); long: random examples
_COMMON = dict(deadline=None, database=None,
               derandomize=os.environ.get("OVERLAY_LINT_FUZZ_PROFILE", "quick") != "long",
               suppress_health_check=list(HealthCheck))
# examples per test: (generated trees, mutated fixtures, raw YAML, random kustomizations)
_PROFILES = {"quick": (50, 60, 150, 80), "long": (2500, 2500, 6000, 3000)}
PROFILE = os.environ.get("OVERLAY_LINT_FUZZ_PROFILE", "quick")
_N = _PROFILES.get(PROFILE, _PROFILES["quick"])
# scripts/fuzz_long.py --cases N: the long profile scaled down (or up) to about N cases
if PROFILE == "long" and os.environ.get("OVERLAY_LINT_FUZZ_CASES"):
    _N = tuple(max(1, round(n * int(os.environ["OVERLAY_LINT_FUZZ_CASES"]) / sum(_N)))
               for n in _N)


@pytest.fixture(scope="module", autouse=True)
def _stats():
    """Write the outcome counts where scripts/fuzz_long.py asks for them."""
    yield
    out = os.environ.get("OVERLAY_LINT_FUZZ_STATS")
    if out:
        fz.dump_stats(out)


@pytest.fixture(scope="module")
def fixture_copy():
    """A private copy of the aether-clean tree: mutations never touch ../shared."""
    if not fz.FIXTURE.is_dir():
        pytest.skip("../shared is not here")
    with tempfile.TemporaryDirectory(prefix="olint-fuzz-") as tmp:
        root = Path(tmp) / "aether"
        shutil.copytree(fz.FIXTURE, root)
        yield root


# Text a file can hold: no lone surrogates (no UTF-8 or UTF-16 file decodes to them).
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**20),
                     st.floats(allow_nan=False), _TEXT,
                     st.sampled_from(["r.yaml", "../base", ".", "..", "/etc/passwd", "~",
                                      "https://x.example/y", "a\x00b", "*", "<<", "-"]))
_DATA = st.recursive(_SCALARS, lambda c: st.one_of(
    st.lists(c, max_size=4), st.dictionaries(_TEXT | st.sampled_from(
        ["resources", "patches", "images", "namespace", "path", "target", "name", "count",
         "literals", "behavior", "pairs", "kind", "apiVersion", "op", "value", "metadata"]),
        c, max_size=4)), max_leaves=12)
_FIELDS = st.sampled_from(["resources", "bases", "components", "patches", "patchesStrategicMerge",
                           "patchesJson6902", "images", "replicas", "namespace", "namePrefix",
                           "commonLabels", "labels", "commonAnnotations", "configMapGenerator",
                           "secretGenerator", "generatorOptions", "vars", "replacements",
                           "crds", "configurations", "transformers", "sortOptions", "kind",
                           "apiVersion", "nameSuffix", "openapi", "buildMetadata"])


@settings(max_examples=_N[3], **_COMMON)
@given(kust=st.dictionaries(_FIELDS, _DATA, max_size=4), as_text=st.booleans())
def test_random_kustomization_fields(kust: dict, as_text: bool) -> None:
    """Arbitrary values in real kustomization fields: located errors, never a crash; what
    we render, kubectl renders the same (what we refuse is not sent to kubectl: most cases)."""
    import yaml
    from overlay_lint.core.errors import OverlayLintError
    with tempfile.TemporaryDirectory(prefix="olint-kf-") as tmp:
        root = Path(tmp)
        kust.setdefault("resources", ["r.yaml"])
        text = yaml.safe_dump(kust, default_flow_style=as_text, allow_unicode=True)
        fz.write_tree(root, {"app/kustomization.yaml": text, "app/r.yaml":
                             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\n",
                             "base/kustomization.yaml": "resources: []\n"})
        fz.count_case()
        try:
            out = fz.render_ours_text(root / "app", root)
        except OverlayLintError as exc:
            fz.STATS["random kustomization refused"] += 1
            if not exc.file or "\n" in str(exc):
                fz._fail("error without a file or on several lines", text, repr(str(exc)))
        except Exception as exc:  # noqa: BLE001 - the bug this test exists to find
            fz._fail(f"uncaught {type(exc).__name__}: {exc}", text, fz._tb(exc))
        else:
            fz.STATS["random kustomization rendered"] += 1
            # what we render, kubectl must render the same (few cases: kubectl is slow)
            fz.judge(root / "app", out, None, text, "random kustomization rendered: ")


_YAMLISH = st.text(alphabet=st.sampled_from(list("ab: -[]{}&*!|>'\"#%@`,?\n\t\\0x.~<=")) |
                   st.characters(), max_size=120)


@settings(max_examples=_N[2], **_COMMON)
@given(text=_YAMLISH | st.binary(max_size=120).map(lambda b: b.decode("latin-1")),
       raw=st.binary(max_size=64))
def test_yaml_reader_never_crashes(text: str, raw: bytes) -> None:
    """The reader on arbitrary text and bytes: Node trees or one located error."""
    from overlay_lint.core.errors import OverlayLintError
    from overlay_lint.core.yaml_reader import decode, parse_documents
    fz.count_case()
    for feed in (lambda: parse_documents(text, "f.yaml"),
                 lambda: parse_documents(decode(raw, "f.yaml"), "f.yaml")):
        try:
            docs = feed()
            for d in docs:
                if d is not None:
                    d.data()
            fz.STATS["yaml parsed"] += 1
        except OverlayLintError as exc:
            fz.STATS["yaml refused"] += 1
            if exc.file != "f.yaml" or "\n" in str(exc):
                fz._fail("error without the file or on several lines", repr(text)[:2000],
                         repr(str(exc)))
        except Exception as exc:  # noqa: BLE001
            fz._fail(f"uncaught {type(exc).__name__}: {exc}", repr(text)[:2000] + "\n"
                     + repr(raw), fz._tb(exc))


@settings(max_examples=_N[0], **_COMMON)
@given(files=fz.generated_tree())
def test_generated_trees(files: dict) -> None:
    with tempfile.TemporaryDirectory(prefix="olint-gen-") as tmp:
        root = Path(tmp)
        fz.write_tree(root, files)
        fz.check_dir(root / "overlay", root, fz.describe_tree(files))


_FILES = fz.fixture_files()


@pytest.mark.skipif(not _FILES, reason="../shared is not here")
@settings(max_examples=_N[1], **_COMMON)
@given(m=fz.mutation(_FILES or ["x"]), pick=st.integers(0, 3))
def test_mutated_fixture(fixture_copy: Path, m: tuple, pick: int) -> None:
    rel, op, line, amount, data = m
    path = fixture_copy / rel
    original = path.read_bytes()
    mutated = fz.apply_mutation(original, op, line, amount, data)
    # render the overlay the file belongs to when it is overlay-specific
    target = next((t for t in fz.TARGETS[:3] if rel.startswith(t + "/")), fz.TARGETS[pick])
    path.write_bytes(mutated)
    try:
        fz.check_dir(fixture_copy / target, fixture_copy,
                     f"{rel}: {op} line {line} x{amount} {data!r} -> render {target}\n"
                     + mutated.decode("utf-8", "replace")[:3000])
    finally:
        path.write_bytes(original)
