"""decode.py: the one decoder of kustomization files and builtin plugin configurations,
in memory (each case checked against kubectl kustomize where it says what Kustomize does)."""
from __future__ import annotations

import textwrap

import pytest

from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.yaml_reader import parse_documents
from overlay_lint.kustomize import types as T
from overlay_lint.kustomize.decode import camel, decode
from overlay_lint.kustomize.touched import DuplicateKey

FILE = "/mem/kustomization.yaml"


def node(text: str):
    doc = parse_documents(textwrap.dedent(text), FILE)[0]
    assert doc is not None
    return doc


def strict(text: str, dups: list | None = None) -> T.Kustomization:
    return decode(node(text), T.Kustomization, strict=True, dups=dups)


def error(text: str, **kw: object) -> tuple[int | None, str]:
    with pytest.raises(OverlayLintError) as exc:
        decode(node(text), kw.pop("cls", T.Kustomization), strict=kw.pop("strict", True),
               **kw)  # type: ignore[arg-type]
    return exc.value.line, exc.value.message


def test_field_names_are_the_camel_case_of_the_attributes() -> None:
    assert camel("name_prefix") == "namePrefix"
    assert camel("patches_json6902") == "patchesJson6902"
    assert camel("config_map_generator") == "configMapGenerator"


def test_values_keep_their_lines() -> None:
    k = strict("""\
        resources: [a.yaml, b.yaml]
        namePrefix: p-
        commonLabels:
          team: shop
        images:
        - name: nginx
          newTag: "1.27"
        """)
    assert [(r.v, r.o.line) for r in k.resources] == [("a.yaml", 1), ("b.yaml", 1)]
    assert (k.name_prefix.v, k.name_prefix.o.line) == ("p-", 2)
    team = k.common_labels.pairs["team"]
    assert k.common_labels.o.line == 3 and (team.v, team.o.line) == ("shop", 4)
    (image,) = k.images
    assert (image.o.line, image.name.v, image.new_tag.v, image.new_tag.o.line) == (
        6, "nginx", "1.27", 7)
    assert k.patches == () and k.namespace is None and k.sort_options is None


def test_names_match_case_insensitively_and_the_node_is_renamed() -> None:
    doc = node("resources: [a.yaml]\nNamePrefix: p-\nimages:\n- name: x\n  NEWTAG: v\n")
    k = decode(doc, T.Kustomization, strict=True)
    assert k.name_prefix.v == "p-" and k.images[0].new_tag.v == "v"
    assert list(doc.v) == ["resources", "namePrefix", "images"]


def test_two_spellings_of_one_field_the_one_sorting_last_wins() -> None:
    dups: list[DuplicateKey] = []
    k = strict("namespace: a\nNamespace: b\n", dups)
    assert k.namespace.v == "a"  # "namespace" sorts after "Namespace"
    (d,) = dups
    assert (d.key, d.origin.line, d.first.line, d.kept.line) == ("Namespace", 2, 1, 1)


def test_strict_refuses_an_unknown_field_at_its_line() -> None:
    assert error("resources: [a]\nfoo: bar\n") == (
        2, "unknown kustomization field 'foo' (Kustomize rejects it)")
    assert error("patches:\n- path: p.yaml\n  bogus: 1\n") == (
        3, "unknown field 'bogus' in 'patches[0]' (Kustomize rejects it)")


def test_lenient_ignores_unknown_fields_but_still_folds_case() -> None:
    cfg = decode(node("replica: {name: web, Count: 3, extra: true}\nbogus: 1\n"),
                 T.ReplicaCountConfig, strict=False)
    assert (cfg.replica.name.v, cfg.replica.count.v) == ("web", 3)


def test_wrong_types_are_refused_with_one_wording() -> None:
    assert error("namespace: 123\n") == (
        1, "'namespace' must be a string, not the number 123; quote it")
    assert error("resources: r.yaml\n") == (1, "'resources' must be a list, not 'r.yaml'")
    assert error("images:\n- nginx\n") == (2, "'images[0]' must be a mapping, not 'nginx'")
    assert error("replicas:\n- name: web\n  count: two\n") == (
        3, "'replicas[0].count' must be an integer, not 'two'")
    assert error("target: {kind: 5}\n", cls=T.Patch, strict=False, where="PatchTransformer") == (
        1, "'PatchTransformer.target.kind' must be a string, not the number 5; quote it")


def test_yaml_11_booleans_in_string_fields_of_files_kustomize_reads_as_bytes() -> None:
    line, message = error("namespace: yes\n")
    assert line == 1 and "YAML 1.1 boolean" in message
    # plugin configurations are written out again first, which quotes such strings
    cfg = decode(node("labels: {enabled: yes}\n"), T.LabelConfig, strict=False)
    assert cfg.labels.pairs["enabled"].v == "yes"


def test_null_is_the_zero_value() -> None:
    k = strict("namePrefix: null\nresources: [null]\ncommonLabels: {a: null}\n")
    assert k.name_prefix is None
    assert [r.v for r in k.resources] == [""]
    assert k.common_labels.pairs["a"].v == ""
    (patch,) = strict("patches: [null]\n").patches
    assert patch.path is None and patch.patch is None and patch.o.line == 1


def test_a_literal_block_remembers_where_its_text_starts() -> None:
    k = strict("""\
        patches:
        - target: {kind: Deployment}
          patch: |-
            - op: add
              path: /x
              value: 1
        """)
    patch = k.patches[0].patch
    assert patch.block == (4, 4) and patch.v.startswith("- op: add")  # line, indent


def _plan_shape(plan, seen=None):
    """A plan as plain data: fields, folded keys, has_o, nested plans by class name."""
    seen = set() if seen is None else seen
    if plan.cls in seen:
        return plan.cls.__qualname__
    seen.add(plan.cls)

    def spec(s):
        if s[0] == "struct":
            return ("struct", _plan_shape(s[1], seen))
        return tuple(spec(x) if isinstance(x, tuple) else x for x in s)
    return (plan.cls.__qualname__, {k: (a, spec(sp)) for k, (a, sp) in plan.fields.items()},
            plan.folded, plan.has_o)


def test_plans_read_from_the_annotation_text_are_the_plans_typing_gives(monkeypatch) -> None:
    """decode's plans read the annotations' text (no typing.get_type_hints): for every
    record of the renderer, the same plan as typing's evaluation, or a refusal by both."""
    import importlib
    import pkgutil
    import sys

    import overlay_lint.kustomize as K
    from overlay_lint.core.record import is_record
    from overlay_lint.kustomize import decode as D
    for m in pkgutil.walk_packages(K.__path__, "overlay_lint.kustomize."):
        importlib.import_module(m.name)
    classes = {v for name, mod in list(sys.modules.items())
               if name.startswith("overlay_lint.kustomize") for v in vars(mod).values()
               if isinstance(v, type) and is_record(v) and v.__module__ == name}
    assert len(classes) > 40

    def plans(read_text: bool) -> dict:
        monkeypatch.setattr(D, "_PLANS", {})
        if not read_text:
            monkeypatch.setattr(D, "_text_spec", lambda *a: None)
        out = {}
        for cls in sorted(classes, key=lambda c: (c.__module__, c.__qualname__)):
            try:
                out[cls] = _plan_shape(D._plan(cls))
            except (TypeError, NameError):  # not a decodable configuration (the two
                out[cls] = "refused"  # readers may stop at different fields of it)
            D._PLANS.clear()
        return out
    by_text = plans(True)
    by_typing = plans(False)
    assert by_text == by_typing
    assert sum(not isinstance(v, str) for v in by_text.values()) > 30
