"""Shared pieces of the fuzz tests (tests/test_fuzz.py) and the long run (scripts/fuzz_long.py).

Two input families:
- generated kustomization trees: a base plus an overlay using a random mix of resources,
  patches, namespace, prefixes, labels, annotations, images, replicas and generators,
  sometimes with a deliberately wrong field;
- mutated fixture trees: one file of a copy of ../shared/fixtures/aether-clean with lines
  deleted, duplicated or re-indented, or random bytes inserted.

``check_dir`` is the property: rendering never raises anything but ``OverlayLintError``;
when ``kubectl kustomize`` renders the same input the outputs are equal as data and in
order; when kubectl refuses it, we refuse it too (``judge`` lists the outcomes). Outcomes
are counted in ``STATS`` (the long run reports them).
"""
from __future__ import annotations

import collections
import datetime
import json
import os
import shutil
import subprocess
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import yaml
from hypothesis import strategies as st

from conftest import write_files

if TYPE_CHECKING:
    from overlay_lint.core.errors import OverlayLintError

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
KUBECTL = shutil.which("kubectl")

STATS: collections.Counter = collections.Counter()
FAILURES: list[dict] = []   # filled instead of raising when COLLECT is set (the long run)
SAMPLES: dict[str, list] = collections.defaultdict(list)  # a few inputs per odd outcome
COLLECT = bool(os.environ.get("OVERLAY_LINT_FUZZ_COLLECT"))


class FuzzFailure(AssertionError):
    pass


# --- the property ---------------------------------------------------------------------------

def render_ours_text(directory: Path, root: Path) -> str:
    """Our render as printed; raises only OverlayLintError."""
    from overlay_lint.core.yaml_writer import dump_stream
    from overlay_lint.kustomize.build import build
    from overlay_lint.kustomize.loader import Loader
    from overlay_lint.cli.render_cmd import origin_comment
    result = build(str(directory), Loader(str(root)))
    text = dump_stream(r.node for r in result.resources)
    dump_stream((r.node for r in result.resources), origin_comment)  # the --origin path too
    return text


def render_ours(directory: Path, root: Path) -> list:
    """Our render as plain data (read back by PyYAML); raises only OverlayLintError."""
    return read_back(render_ours_text(directory, root))


def read_back(text: str, loader: type = yaml.SafeLoader) -> list:
    return [d for d in yaml.load_all(text, Loader=loader) if d is not None]


class _NoDates(yaml.SafeLoader):
    """PyYAML's safe loader with plain dates left as text."""


_NoDates.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


class Kubectl(NamedTuple):
    """What ``kubectl kustomize`` did with a dir. ``status`` is "rendered" (``docs`` holds
    its output read back by PyYAML), "refused" (non-zero exit; ``error`` is its message) or
    "no oracle" (it rendered, but PyYAML cannot read the output back, e.g. a plain
    2020-13-45 PyYAML takes for a date; ``text`` is the output, ``error`` PyYAML's
    complaint)."""
    status: str
    docs: list | None = None
    text: str = ""
    error: str = ""


def run_kubectl(directory: Path) -> Kubectl | None:
    """None without kubectl on the PATH."""
    if KUBECTL is None:
        return None
    p = subprocess.run([KUBECTL, "kustomize", str(directory)], capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        return Kubectl("refused", error=" ".join(p.stderr.split())[:2000]
                       or f"exit status {p.returncode}, no message")
    try:
        return Kubectl("rendered", docs=read_back(p.stdout), text=p.stdout)
    except Exception as exc:  # noqa: BLE001 - PyYAML cannot read what kubectl printed
        return Kubectl("no oracle", text=p.stdout, error=f"{type(exc).__name__}: {exc}"[:500])


def count_case() -> None:
    """Count one case; the long run also saves the counts every 200 cases (a partial run
    still reports)."""
    STATS["cases"] += 1
    out = os.environ.get("OVERLAY_LINT_FUZZ_STATS")
    if out and STATS["cases"] % 200 == 0:
        dump_stats(out)


def check_dir(directory: Path, root: Path, describe: str) -> str:
    """Run the property on one kustomization dir; return the outcome counted in STATS.

    Outcomes against ``kubectl kustomize`` (the judge):
    - kubectl renders: we render equal data in the same order ("equal render"), or refuse
      a feature we do not support, or refuse on purpose (``_STRICTER``; a repeated key in a
      resource only in a case ``_REPEAT_CASES`` names); anything else fails;
    - kubectl refuses (non-zero exit): we refuse too ("kubectl refuses, we refuse"); we
      render only where ``KUBECTL_ONLY_REFUSALS`` says why that is not Kustomize semantics;
      anything else fails (a silently different render), with kubectl's message;
    - kubectl renders but PyYAML cannot read its output ("no oracle"): both are read again
      with plain dates as text (what PyYAML refuses is most often an invalid date) and
      compared; if even that fails, the printed texts are compared and counted, not
      failed (no data to judge by).
    """
    from overlay_lint.core.errors import OverlayLintError
    count_case()
    text, err = None, None
    try:
        text = render_ours_text(directory, root)
    except OverlayLintError as exc:
        err = exc
        if not str(exc).strip() or "\n" in str(exc):
            return _fail("error message is not one line", describe, repr(str(exc)))
    except RecursionError as exc:
        return _fail("uncaught RecursionError", describe, _tb(exc))
    except Exception as exc:  # the bug this test exists to find
        return _fail(f"uncaught {type(exc).__name__}: {exc}", describe, _tb(exc))
    return judge(directory, text, err, describe)


def judge(directory: Path, text: str | None, err: OverlayLintError | None, describe: str,
          family: str = "") -> str:
    """Compare our render (``text``) or refusal (``err``) with kubectl's; count the outcome
    (prefixed with ``family`` when given)."""
    kc = run_kubectl(directory)
    if kc is None:
        outcome = "no kubectl, we refuse" if err is not None else "no kubectl, we render"
    elif kc.status == "refused":
        if err is not None:
            outcome = "kubectl refuses, we refuse"
        else:
            reason = kubectl_only_refusal(kc.error)
            if reason is None:
                return _fail(f"kubectl refuses but we render: {kc.error}", describe,
                             f"kubectl: {kc.error}\nours:\n{text[:2000]}")
            outcome = f"kubectl refuses, we render on purpose ({reason})"
    elif err is not None:
        if "not supported" in err.message:
            outcome = "kubectl renders, feature not supported here"
        elif err.message.startswith("duplicate key"):
            if not _documented_repeat(err.message):
                return _fail(f"kubectl renders a repeated key but we fail: {err}", describe, "")
            outcome = "kubectl renders, we refuse a repeated key (documented)"
        elif _deliberately_stricter(err.message):
            outcome = "kubectl renders, we refuse on purpose"
        else:
            return _fail(f"kubectl renders but we fail: {err}", describe, "")
    elif kc.status == "no oracle":
        try:  # most often a plain date PyYAML refuses (2020-13-45): read dates as text
            want, ours = read_back(kc.text, _NoDates), read_back(text, _NoDates)
        except Exception:  # noqa: BLE001 - still unreadable: no oracle at all
            outcome = ("no oracle (kubectl output unreadable by PyYAML), texts equal"
                       if text == kc.text else
                       "no oracle (kubectl output unreadable by PyYAML), texts differ")
        else:
            if ours != want:
                return _fail("render differs from kubectl (dates read as text)", describe,
                             _first_diff(ours, want))
            outcome = "equal render (dates read as text: PyYAML refuses one of kubectl's)"
    else:
        try:
            ours = read_back(text)
        except Exception as exc:  # noqa: BLE001 - kubectl's output reads back, ours does not
            return _fail(f"PyYAML reads kubectl's output but not ours: {exc}", describe,
                         _tb(exc))
        if ours != kc.docs:
            return _fail("render differs from kubectl", describe,
                         _first_diff(ours, kc.docs))
        outcome = "equal render"
    outcome = family + outcome
    STATS[outcome] += 1
    if not outcome.endswith("equal render") and len(SAMPLES[outcome]) < 8:
        SAMPLES[outcome].append({"error": str(err) if err else
                                 (kc.error if kc else ""), "input": describe[:3000]})
    return outcome


# Inputs kubectl refuses and we render, for a reason that is not Kustomize semantics:
# (a substring of kubectl's error, the reason). Keep it narrow; README "Fuzzing" lists them.
KUBECTL_ONLY_REFUSALS: list[tuple[str, str]] = []


def kubectl_only_refusal(kubectl_error: str) -> str | None:
    return next((why for s, why in KUBECTL_ONLY_REFUSALS if s in kubectl_error), None)


# Refusals documented in docs/security.md ("Deliberately stricter than Kustomize").
_STRICTER = ("apiVersion must be a string", "kind must be a string", "metadata.name must be",
             "metadata.namespace must be", "metadata.labels must be",
             "metadata.annotations must be", "resource is missing", "outside the lint root",
             "YAML aliases expand", "nesting deeper", "byte limit", "nested more than")


def _deliberately_stricter(message: str) -> bool:
    return any(s in message for s in _STRICTER)


# A resource's repeated key that Kustomize may render but the renderer refuses, each case
# documented in README.md ("Not refused any more") and kustomize/repeats.py: a repeat
# outside metadata.annotations that a patch, a generator or a `$patch: delete` removes;
# annotations written three times; a removal of a key written twice, or held only by the
# repeated mapping; the metadata, or the first of two annotations mappings, removed or
# replaced as a whole; a repeated mapping that is not one; a Kustomize annotation in the
# second mapping; a generator merging into the resource; buildMetadata origin/transformer
# annotations. (tests/test_resource_repeats.py checks each message is named here.)
_REPEAT_CASES = ("unless a patch or generator replaces", "three times or more",
                 "which copies Kustomize removes", "which only the repeated mapping holds",
                 "replaces this resource's metadata", "removes metadata.annotations",
                 "replaces the first metadata.annotations", "that is not a mapping",
                 "is a Kustomize annotation", "takes this resource's annotations",
                 "buildMetadata origin or transformer")


def _documented_repeat(message: str) -> bool:
    return any(s in message for s in _REPEAT_CASES)


def _fail(what: str, describe: str, detail: str) -> str:
    STATS["FAILURES"] += 1
    record = {"what": what, "input": describe, "detail": detail}
    if COLLECT:
        FAILURES.append(record)
        return "failure"
    raise FuzzFailure(f"{what}\n--- input ---\n{describe}\n--- detail ---\n{detail}")


def _tb(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-6:])


def _first_diff(a: object, b: object, path: str = "$") -> str:
    if type(a) is not type(b):
        return f"{path}: ours {a!r:.200} != kubectl {b!r:.200}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'ours' if k in a else 'kubectl'}"
            d = _first_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return ""
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items (ours) != {len(b)} (kubectl)"
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return ""
    return "" if a == b else f"{path}: ours {a!r:.200} != kubectl {b!r:.200}"


write_tree = write_files


def describe_tree(files: dict[str, str | bytes]) -> str:
    out = []
    for rel, content in sorted(files.items()):
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        out.append(f"# {rel}\n{text}")
    return "\n".join(out)


# --- generated trees ------------------------------------------------------------------------

_IMAGES = ["nginx:1.25", "ghcr.io/org/api:1.0.3", "redis", "docker.io/library/busybox:1.36"]
_NAMES = st.sampled_from(["web", "api", "worker"])
# now and then a key Kustomize writes unquoted that reads back as no string (kubectl fails)
_KEY = st.sampled_from(["app", "tier", "team", "example.com/owner", "env"] * 10 + ["true", "1"])
# and now and then text go-yaml reads as a time (kubectl prints "2020-01-01T00:00:00Z" in
# a resource, the text in annotations, labels of a kustomization, literals) or one YAML 1.2
# reads as a time and go-yaml as text (the last: PyYAML writes a datetime so, unquoted)
_TIMES = ["2020-1-1", "2020-1-1 1:2:3",
          datetime.datetime(2020, 12, 31, 23, 59, 59,
                            tzinfo=datetime.timezone(datetime.timedelta(hours=1)))]
_VAL = st.sampled_from(["a", "b", "prod", "x-1", "true", "1", ""] * 3 + _TIMES)


@st.composite
def _deployment(draw: st.DrawFn, name: str) -> dict:
    image = draw(st.sampled_from(_IMAGES))
    container: dict = {"name": name, "image": image}
    if draw(st.booleans()):
        container["envFrom"] = [{"configMapRef": {"name": "app-config"}}]
    if draw(st.booleans()):
        container["env"] = [{"name": "MODE", "value": draw(_VAL)}]
    d = {"apiVersion": "apps/v1", "kind": draw(st.sampled_from(["Deployment", "StatefulSet"])),
         "metadata": {"name": name, "labels": {"app": name}},
         "spec": {"selector": {"matchLabels": {"app": name}},
                  "template": {"metadata": {"labels": {"app": name}},
                               "spec": {"containers": [container]}}}}
    if draw(st.booleans()):
        d["spec"]["replicas"] = draw(st.integers(0, 5))
    return d


def _service(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}}


def _literals(draw: st.DrawFn) -> list[str]:
    keys = draw(st.lists(st.sampled_from(["A", "B", "LOG_LEVEL", "x.y"] * 10 + ["on", "1.5"]),
                         min_size=1, max_size=3, unique=True))
    return [f"{k}={draw(_VAL)}" for k in keys]


# Wrong fields some cases carry, to exercise the error paths with kubectl as the judge.
_BROKEN = [
    {"namespace": 7}, {"images": ["nginx"]}, {"replicas": [{"name": "web", "count": "2"}]},
    {"commonLabels": {"a": 1}}, {"resources": "x.yaml"}, {"bogus": True},
    {"patches": [{"path": "missing.yaml"}]}, {"resources": ["https://example.com/x.yaml"]},
    {"resources": ["../../outside"]}, {"components": ["../base"]},
]


# Text that holds no document (or an empty one), in a file a field reads: where Kustomize
# refuses some and renders others (empty patch and replacements files were such cases).
_NO_DOCUMENT = ["", "# nothing yet\n", "\n", "---\n", "null\n", "~\n", "[]\n", "{}\n"]
_READERS = ["resources", "patch", "patch with a target", "patchesStrategicMerge",
            "replacements", "configMapGenerator files", "configMapGenerator envs", "components"]


def _no_document(draw: st.DrawFn, kust: dict, patches: list, files: dict[str, str]) -> None:
    text, reader = draw(st.sampled_from(_NO_DOCUMENT)), draw(st.sampled_from(_READERS))
    if reader == "components":
        files["overlay/comp/kustomization.yaml"] = text
        kust["components"] = ["comp"]
        return
    files["overlay/nothing.yaml"] = text
    if reader == "resources":
        kust["resources"] = kust["resources"] + ["nothing.yaml"]
    elif reader == "patch":
        patches.append({"path": "nothing.yaml"})
    elif reader == "patch with a target":
        patches.append({"path": "nothing.yaml", "target": {"kind": "Deployment"}})
    elif reader == "patchesStrategicMerge":
        kust["patchesStrategicMerge"] = ["nothing.yaml"]
    elif reader == "replacements":
        kust["replacements"] = [{"path": "nothing.yaml"}]
    else:
        key = "files" if reader.endswith("files") else "envs"
        kust.setdefault("configMapGenerator", []).append({"name": "nothing",
                                                          key: ["nothing.yaml"]})


def _base_labels(draw: st.DrawFn, base: dict) -> None:
    """Now and then a label or annotation in the base: Kustomize shares one value node among
    the places it adds it to (metadata, selector, template), which a later patch writes."""
    if draw(st.integers(0, 2)) == 0:
        base[draw(st.sampled_from(["commonLabels", "commonAnnotations"]))] = {
            draw(_KEY): draw(_VAL)}


def _patch_one_place(draw: st.DrawFn, smp: dict, base: dict) -> None:
    """Half the time the strategic merge patch also writes one place of a label or
    annotation, the base's if it has one (through sharing, kubectl changes the other places
    too)."""
    if draw(st.booleans()):
        field = "labels" if "commonLabels" in base else "annotations"
        given = base.get("commonLabels") or base.get("commonAnnotations") or {}
        key = next(iter(given)) if given else draw(_KEY)
        holder = smp["metadata"] if draw(st.booleans()) else \
            smp["spec"].setdefault("template", {}).setdefault("metadata", {})
        holder[field] = {key: draw(_VAL)}


@st.composite
def generated_tree(draw: st.DrawFn) -> dict[str, str]:
    """Files of a repo: ``base/`` and ``overlay/`` (the dir to render)."""
    names = draw(st.lists(_NAMES, min_size=1, max_size=3, unique=True))
    base_res, files = [], {}
    for n in names:
        docs = [draw(_deployment(n))]
        if draw(st.booleans()):
            docs.append(_service(n))
        files[f"base/{n}.yaml"] = yaml.safe_dump_all(docs, sort_keys=False)
        base_res.append(f"{n}.yaml")
    base: dict = {"resources": base_res}
    if draw(st.booleans()):
        base["configMapGenerator"] = [{"name": "app-config", "literals": _literals(draw)}]
    _base_labels(draw, base)
    files["base/kustomization.yaml"] = yaml.safe_dump(base, sort_keys=False)

    kust: dict = {"resources": ["../base"]}
    target = names[0]
    if draw(st.booleans()):
        kust["namespace"] = draw(st.sampled_from(["dev", "prod-1", "default"]))
    if draw(st.booleans()):
        kust["namePrefix"] = draw(st.sampled_from(["p-", "team-"]))
    if draw(st.booleans()):
        kust["nameSuffix"] = draw(st.sampled_from(["-v2", "-x"]))
    if draw(st.booleans()):
        kust["commonLabels"] = draw(st.dictionaries(_KEY, _VAL, max_size=2))
    if draw(st.booleans()):
        kust["labels"] = [{"pairs": draw(st.dictionaries(_KEY, _VAL, min_size=1, max_size=2)),
                           "includeSelectors": draw(st.booleans()),
                           "includeTemplates": draw(st.booleans())}]
    if draw(st.booleans()):
        kust["commonAnnotations"] = draw(st.dictionaries(_KEY, _VAL, max_size=2))
    if draw(st.booleans()):
        entries = []
        for img in draw(st.lists(st.sampled_from(_IMAGES), min_size=1, max_size=2, unique=True)):
            e = {"name": img.rsplit(":", 1)[0]}
            choice = draw(st.sampled_from(["tag", "name", "both", "digest"]))
            if choice in ("tag", "both"):
                e["newTag"] = draw(st.sampled_from(["2.0", "latest", "dev-3f2a"]))
            if choice in ("name", "both"):
                e["newName"] = "registry.example.com/mirror/" + e["name"].rsplit("/", 1)[-1]
            if choice == "digest":
                e["digest"] = "sha256:" + "a" * 64
            entries.append(e)
        kust["images"] = entries
    if draw(st.booleans()):
        kust["replicas"] = [{"name": draw(st.sampled_from(names)), "count": draw(st.integers(0, 9))}]
    if draw(st.booleans()):
        kust["configMapGenerator"] = [{
            "name": "app-config",
            "behavior": draw(st.sampled_from(["merge", "replace"])) if "configMapGenerator" in base
            else "create",
            "literals": _literals(draw)}]
    if draw(st.booleans()):
        kust["secretGenerator"] = [{"name": "creds", "literals": _literals(draw)}]
    if draw(st.booleans()):
        kust["generatorOptions"] = {"disableNameSuffixHash": draw(st.booleans())}
    patches = []
    if draw(st.booleans()):
        smp = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": target},
               "spec": {"replicas": draw(st.integers(1, 4))}}
        _patch_one_place(draw, smp, base)
        if draw(st.booleans()):
            patches.append({"patch": yaml.safe_dump(smp, sort_keys=False)})
        else:
            files["overlay/patch.yaml"] = yaml.safe_dump(smp, sort_keys=False)
            patches.append({"path": "patch.yaml"})
    if draw(st.booleans()):
        op = draw(st.sampled_from([
            {"op": "add", "path": "/metadata/annotations", "value": {"fuzz": "yes"}},
            {"op": "add", "path": "/metadata/annotations", "value": {"fuzz": "2020-1-1 1:2:3"}},
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "add", "path": "/spec/template/spec/containers/0/args", "value": ["-v"]},
            {"op": "remove", "path": "/spec/selector"},
        ]))
        patches.append({"patch": yaml.safe_dump([op], sort_keys=False),
                        "target": {"kind": draw(st.sampled_from(["Deployment", "StatefulSet"])),
                                   "name": draw(st.sampled_from([target, ".*"]))}})
    if draw(st.integers(0, 7)) == 0:
        _no_document(draw, kust, patches, files)
    if patches:
        kust["patches"] = patches
    if draw(st.integers(0, 9)) == 0:
        kust.update(draw(st.sampled_from(_BROKEN)))
    keys = list(kust)
    order = draw(st.permutations(keys))
    files["overlay/kustomization.yaml"] = yaml.safe_dump({k: kust[k] for k in order},
                                                         sort_keys=False)
    return files


# --- mutated fixtures -----------------------------------------------------------------------

FIXTURE = SHARED / "fixtures" / "aether-clean"
TARGETS = ["infra/overlays/dev", "infra/overlays/staging", "infra/overlays/prod", "infra/k3s"]


def fixture_files() -> list[str]:
    if not FIXTURE.is_dir():
        return []
    return sorted(str(p.relative_to(FIXTURE)) for p in FIXTURE.rglob("*")
                  if p.is_file() and p.suffix in (".yaml", ".yml", ".js", ".env", ".properties"))


@st.composite
def mutation(draw: st.DrawFn, files: list[str]) -> tuple[str, str, int, int, bytes]:
    """(file, operation, line index, amount, bytes)."""
    rel = draw(st.sampled_from(files))
    op = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "bytes", "swap",
                               "truncate"]))
    line = draw(st.integers(0, 400))
    amount = draw(st.integers(1, 6))
    data = draw(st.binary(min_size=1, max_size=8)) if op == "bytes" else b""
    return rel, op, line, amount, data


def apply_mutation(original: bytes, op: str, line: int, amount: int, data: bytes) -> bytes:
    lines = original.split(b"\n")
    i = line % max(len(lines), 1)
    if op == "delete":
        del lines[i:i + amount]
    elif op == "duplicate":
        lines[i:i] = lines[i:i + amount]
    elif op == "indent":
        lines[i] = b" " * amount + lines[i]
    elif op == "dedent":
        lines[i] = lines[i][min(amount, len(lines[i]) - len(lines[i].lstrip(b" "))):]
    elif op == "swap" and i + 1 < len(lines):
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    elif op == "truncate":
        del lines[i + 1:]
    elif op == "bytes":
        pos = (line * 7919) % max(len(lines[i]) + 1, 1)
        lines[i] = lines[i][:pos] + data + lines[i][pos:]
    return b"\n".join(lines)


def dump_stats(path: str) -> None:
    with open(path, "w") as fh:
        json.dump({"stats": dict(STATS), "failures": FAILURES, "samples": SAMPLES}, fh,
                  indent=1)
