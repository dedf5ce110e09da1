"""Generators, images, replicas, replacements and vars: rendered like `kubectl kustomize`.

Each test writes a small kustomization tree in ``tmp_path``, renders it with overlay-lint
and with kubectl (the oracle), and compares both outputs as data, in order. Provenance
tests check that transformed values point at the kustomization line that set them.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import kubectl_documents, kubectl_kustomize, line_of, need_kubectl
from overlay_lint.core.yaml_writer import dump_stream
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.kustomize.build import build
from overlay_lint.kustomize.hasher import content_hash, go_json
from overlay_lint.kustomize.kv import encode_base64, parse_env
from overlay_lint.kustomize.filters.imagetag import split_image
from overlay_lint.core.node import from_data


def write(root: Path, files: dict[str, "str | bytes"]) -> None:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(textwrap.dedent(content).lstrip("\n"))


def ours(directory: Path) -> list:
    result = build(str(directory))
    return [d for d in yaml.safe_load_all(dump_stream(r.node for r in result.resources))
            if d is not None]


def assert_parity(directory: Path) -> list:
    need_kubectl()
    want = kubectl_documents(directory)
    got = ours(directory)
    assert got == want
    return got


def assert_both_fail(directory: Path, message_part: str) -> None:
    need_kubectl()
    code, _, _ = kubectl_kustomize(directory)
    assert code != 0, "kubectl renders this tree; the test premise is wrong"
    with pytest.raises(OverlayLintError) as exc:
        build(str(directory))
    assert message_part in str(exc.value)
    assert exc.value.file and exc.value.line  # located at a source line


def find(result, kind: str, name_start: str):
    for r in result.resources:
        if r.kind == kind and r.name.startswith(name_start):
            return r
    raise AssertionError(f"no {kind} {name_start}*")


DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        envFrom:
        - configMapRef:
            name: app-config
        - secretRef:
            name: app-secret
      volumes:
      - name: cfg
        configMap:
          name: app-config
"""


# --- unit checks against Kustomize's own published values ----------------------------------

def test_hash_matches_kustomize_hasher_values() -> None:
    # expected values from Kustomize's hasher tests (api/hasher)
    assert content_hash(from_data({"kind": "Secret", "type": "my-type"}, None)) == "5gmgkf8578"
    assert content_hash(from_data({"kind": "Secret", "type": "my-type", "data": {"one": ""}},
                                  None)) == "74bd68bm66"


def test_go_json_escapes_like_go() -> None:
    assert go_json({"b": "<&>", "a": "\t\x01\u2028"}) == \
        '{"a":"\\t\\u0001\\u2028","b":"\\u003c\\u0026\\u003e"}'


def test_base64_line_breaking() -> None:
    assert encode_base64("b") == "Yg=="
    long = encode_base64("x" * 60)  # 80 base64 chars -> two lines, each ending in \n
    assert long.count("\n") == 2 and long.endswith("\n")
    assert all(len(line) <= 70 for line in long.splitlines())


def test_env_parsing_rules() -> None:
    raw = b"\xef\xbb\xbfA=1\r\n# comment\n\n   B = 2 \nC\n=dropped\n\xc2\xa0D=x=y"
    assert parse_env(raw, None) == [("A", "1"), ("B ", " 2 "), ("C", ""), ("D", "x=y")]


def test_split_image_forms() -> None:
    assert split_image("nginx") == ("nginx", "", "")
    assert split_image("nginx:1.2") == ("nginx", "1.2", "")
    assert split_image("nginx@sha256:ab") == ("nginx", "", "sha256:ab")
    assert split_image("reg.io:5000/a/b:1@sha256:ab") == ("reg.io:5000/a/b", "1", "sha256:ab")


# --- generators ------------------------------------------------------------------------------

def test_configmap_and_secret_sources(tmp_path: Path) -> None:
    write(tmp_path, {
        "kustomization.yaml": """
            generatorOptions:
              labels: {team: a, shared: global}
              annotations: {note: "x"}
            configMapGenerator:
            - name: cm
              namespace: ns1
              literals:
              - plain=v
              - quoted="with spaces"
              - eq=a=b
              - html=<a&b>
              files:
              - app.properties
              - renamed.txt=data/raw.txt
              - bin.dat
              envs:
              - vars.env
              options:
                labels: {shared: local}
                immutable: true
            - name: nohash
              literals: [a=1]
              options:
                disableNameSuffixHash: true
            secretGenerator:
            - name: sec
              type: kubernetes.io/tls
              literals: [tls.crt=CERT, tls.key=KEY]
            - name: long
              files: [big.txt]
              env: one.env
            """,
        "app.properties": "a=1\nb=2\n",
        "data/raw.txt": "héllo\ttab\n",
        "bin.dat": b"\xff\xfe\x00binary",
        "vars.env": "# comment\n\nX=1\r\n  Y=spaced value \nEMPTY\n",
        "big.txt": "y" * 200,
        "one.env": "K=v\n",
    })
    assert_parity(tmp_path)


def test_generator_behaviors_across_base_and_overlay(tmp_path: Path) -> None:
    write(tmp_path, {
        "base/kustomization.yaml": """
            resources: [deploy.yaml]
            configMapGenerator:
            - name: app-config
              literals: [LOG=info, KEEP=base]
              files: [settings.ini]
              options:
                labels: {from: base}
            - name: replaced
              literals: [OLD=1]
            secretGenerator:
            - name: app-secret
              literals: [PASSWORD=base]
            """,
        "base/deploy.yaml": DEPLOY,
        "base/settings.ini": "[main]\nmode=base\n",
        "overlay/dev.env": "LOG=trace\nFROM_ENV=1\n",
        "overlay/settings.ini": "[main]\nmode=dev\n",
        "overlay/kustomization.yaml": """
            resources: [../base]
            namePrefix: dev-
            configMapGenerator:
            - name: app-config
              behavior: merge
              literals: [EXTRA=1]
              envs: [dev.env]
              files: [settings.ini]
              options:
                labels: {from: overlay}
                annotations: {merged: "yes"}
            - name: replaced
              behavior: replace
              literals: [NEW=2]
            - name: fresh
              literals: [A=b]
            secretGenerator:
            - name: app-secret
              behavior: merge
              literals: [TOKEN=t]
              files: [settings.ini]
            """,
    })
    got = assert_parity(tmp_path / "overlay")
    names = {d["metadata"]["name"] for d in got}
    assert any(n.startswith("dev-app-config-") for n in names)


def test_merge_without_base_object_fails_like_kustomize(tmp_path: Path) -> None:
    write(tmp_path, {"kustomization.yaml": """
        configMapGenerator:
        - name: missing
          behavior: merge
          literals: [a=b]
        """})
    assert_both_fail(tmp_path, "no such object")


def test_duplicate_generated_name_fails(tmp_path: Path) -> None:
    write(tmp_path, {"kustomization.yaml": """
        configMapGenerator:
        - name: twice
          literals: [a=b]
        - name: twice
          literals: [c=d]
        """})
    assert_both_fail(tmp_path, "already exists")


def test_repeated_key_fails(tmp_path: Path) -> None:
    write(tmp_path, {"kustomization.yaml": """
        configMapGenerator:
        - name: rep
          literals: [a=b, a=c]
        """})
    assert_both_fail(tmp_path, "repeats the key")


# --- images ----------------------------------------------------------------------------------

def test_images_all_forms(tmp_path: Path) -> None:
    write(tmp_path, {
        "kustomization.yaml": """
            resources: [w.yaml]
            images:
            - name: nginx
              newTag: "1.25"
            - name: reg.io:5000/org/app
              newName: mirror.local/app
            - name: busybox
              digest: sha256:0123abcd
            - name: redis
              newName: cache/redis
              newTag: "7"
              digest: sha256:feed
            - name: alpine
              tagSuffix: -debug
            imageTags:
            - name: postgres
              newTag: "16"
            """,
        "w.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
            spec:
              template:
                spec:
                  initContainers:
                  - name: init
                    image: reg.io:5000/org/app:1.0@sha256:abc
                  containers:
                  - name: a
                    image: nginx
                  - name: b
                    image: nginx:1.1@sha256:old
                  - name: c
                    image: busybox:1.36
                  - name: d
                    image: redis:6
                  - name: e
                    image: alpine:3.19
                  - name: f
                    image: postgres
                  - name: g
                    image: foo/nginx
                  - name: noimage
            ---
            apiVersion: example.com/v1
            kind: Custom
            metadata:
              name: c
            spec:
              deep:
                containers:
                - image: nginx
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: crds.example.com
            spec:
              containers:
              - image: nginx
            """,
    })
    got = assert_parity(tmp_path)
    deploy = next(d for d in got if d["kind"] == "Deployment")
    images = [c.get("image") for c in deploy["spec"]["template"]["spec"]["containers"]]
    assert images[0] == "nginx:1.25" and images[6] == "foo/nginx"


def test_numeric_newtag_is_refused_like_kustomize(tmp_path: Path) -> None:
    write(tmp_path, {"kustomization.yaml": "images:\n- name: x\n  newTag: 1.20\n"})
    assert_both_fail(tmp_path, "must be a string")


# --- replicas ----------------------------------------------------------------------------------

def test_replicas_set_and_created(tmp_path: Path) -> None:
    write(tmp_path, {
        "base/kustomization.yaml": "resources: [w.yaml]\n",
        "base/w.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: has
            spec:
              replicas: 1
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: lacks
            spec:
              serviceName: x
            """,
        "overlay/kustomization.yaml": """
            resources: [../base]
            namePrefix: p-
            replicas:
            - name: has
              count: 5
            - name: p-lacks
              count: 0
            """,
    })
    assert_parity(tmp_path / "overlay")


def test_replicas_without_match_fails(tmp_path: Path) -> None:
    write(tmp_path, {
        "kustomization.yaml": "resources: [s.yaml]\nreplicas:\n- name: nope\n  count: 2\n",
        "s.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
    })
    assert_both_fail(tmp_path, "nope")


# --- replacements --------------------------------------------------------------------------------

REPL_RESOURCES = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: src
  labels: {role: source}
data:
  s: abc
  n: "5"
  list: a,b,c
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  labels: {app: x}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.0
        env:
        - name: A
          value: old
      - name: app-sidecar
        image: busybox:1.0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: skipped
  labels: {skip: "true"}
spec:
  replicas: 1
"""


def test_replacements_inline_and_from_file(tmp_path: Path) -> None:
    write(tmp_path, {
        "r.yaml": REPL_RESOURCES,
        "repl.yaml": """
            source:
              kind: ConfigMap
              name: src
              fieldPath: data.list
              options: {delimiter: ",", index: 1}
            targets:
            - select: {kind: Deployment, name: d}
              fieldPaths: [spec.template.spec.containers.*.image]
              options: {delimiter: ":", index: 1}
            """,
        "kustomization.yaml": """
            resources: [r.yaml]
            replacements:
            - source: {kind: ConfigMap, name: src, fieldPath: data.s}
              targets:
              - select: {kind: Deployment}
                reject:
                - labelSelector: skip=true
                fieldPaths:
                - spec.template.spec.containers.[name=app].name
                - metadata.labels.app
            - source: {kind: ConfigMap, name: src, fieldPath: data.n}
              targets:
              - select: {kind: Deployment}
                reject: [{name: skipped}]
                fieldPaths:
                - spec.template.spec.containers.[name=app].env.[name=A].value
                - spec.newfield.x
                - spec.replicas
                - spec.template.spec.containers.0.name
                options: {create: true}
            - path: repl.yaml
            - source: {kind: ConfigMap, name: src}
              targets:
              - select: {labelSelector: "skip in (true)"}
                fieldPaths: [metadata.annotations.from]
                options: {create: true}
            """,
    })
    assert_parity(tmp_path)


def test_replacement_missing_target_field_fails(tmp_path: Path) -> None:
    write(tmp_path, {
        "r.yaml": REPL_RESOURCES,
        "kustomization.yaml": """
            resources: [r.yaml]
            replacements:
            - source: {kind: ConfigMap, name: src, fieldPath: data.s}
              targets:
              - select: {kind: Deployment, name: d}
                fieldPaths: [spec.nothere]
            """,
    })
    assert_both_fail(tmp_path, "unable to find field")


# --- vars --------------------------------------------------------------------------------

def test_vars_substitution(tmp_path: Path) -> None:
    write(tmp_path, {
        "base/kustomization.yaml": """
            resources: [r.yaml]
            vars:
            - name: SVC
              objref: {kind: Service, name: db, apiVersion: v1}
            - name: PORT
              objref: {kind: Service, name: db, apiVersion: v1}
              fieldref: {fieldPath: "spec.ports[0].port"}
            """,
        "base/r.yaml": """
            apiVersion: v1
            kind: Service
            metadata:
              name: db
            spec:
              ports:
              - port: 5432
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app
            spec:
              template:
                spec:
                  containers:
                  - name: c
                    image: app
                    command: ["run", "--db=$(SVC):$(PORT)", "$$(SVC)", "$(UNKNOWN)"]
                    env:
                    - name: DB
                      value: $(SVC)
                    - name: P
                      value: $(PORT)
            """,
        "overlay/kustomization.yaml": "resources: [../base]\nnamePrefix: x-\n",
    })
    assert_parity(tmp_path / "overlay")


def test_duplicate_var_fails(tmp_path: Path) -> None:
    write(tmp_path, {
        "a/kustomization.yaml": "resources: [s.yaml]\nvars:\n- name: V\n  objref: "
                                "{kind: Service, name: a, apiVersion: v1}\n",
        "a/s.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n",
        "b/kustomization.yaml": "resources: [s.yaml]\nvars:\n- name: V\n  objref: "
                                "{kind: Service, name: b, apiVersion: v1}\n",
        "b/s.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: b\n",
        "kustomization.yaml": "resources: [a, b]\n",
    })
    assert_both_fail(tmp_path, "already encountered")


# --- provenance --------------------------------------------------------------------------

def test_provenance_of_transformed_values(tmp_path: Path) -> None:
    write(tmp_path, {
        "base/kustomization.yaml": """
            resources: [deploy.yaml]
            configMapGenerator:
            - name: app-config
              literals:
              - LOG=info
              - KEEP=base
              files:
              - conf.txt
            """,
        "base/conf.txt": "content\n",
        "base/deploy.yaml": DEPLOY.replace("image: nginx", "image: nginx:1.0"),
        "overlay/kustomization.yaml": """
            resources: [../base]
            configMapGenerator:
            - name: app-config
              behavior: merge
              literals:
              - LOG=debug
            images:
            - name: nginx
              newName: mirror/nginx
              newTag: "2.0"
            replicas:
            - name: web
              count: 4
            """,
    })
    result = build(str(tmp_path / "overlay"))
    kfile = tmp_path / "overlay" / "kustomization.yaml"
    bfile = tmp_path / "base" / "kustomization.yaml"
    deploy = find(result, "Deployment", "web")
    image = deploy.node.path("spec", "template", "spec", "containers", 0, "image")
    assert image.v == "mirror/nginx:2.0"
    assert (image.o[0], image.o[1]) == (str(kfile), line_of(kfile, "newTag:"))
    assert image.parts["name"][1] == line_of(kfile, "newName:")
    assert image.parts["tag"][1] == line_of(kfile, "newTag:")
    replicas = deploy.node.path("spec", "replicas")
    assert replicas.v == 4 and (replicas.o[0], replicas.o[1]) == (str(kfile),
                                                                  line_of(kfile, "count:"))
    cm = find(result, "ConfigMap", "app-config")
    log = cm.node.path("data", "LOG")
    assert log.v == "debug" and (log.o[0], log.o[1]) == (str(kfile), line_of(kfile, "- LOG=debug"))
    keep = cm.node.path("data", "KEEP")
    assert (keep.o[0], keep.o[1]) == (str(bfile), line_of(bfile, "- KEEP=base"))
    conf = cm.node.path("data", "conf.txt")
    assert conf.v == "content\n" and conf.o[1] == line_of(bfile, "- conf.txt")
    assert cm.source is None  # generated: no file of its own


def test_generator_namespaces_suffix_and_empty_secret(tmp_path: Path) -> None:
    write(tmp_path, {
        "base/kustomization.yaml": """
            namespace: team
            configMapGenerator:
            - name: c
              namespace: gen-ns
              literals: [a=1]
            - name: d
              literals: [a=1]
            secretGenerator:
            - name: empty
            """,
        "overlay/kustomization.yaml": """
            resources: [../base]
            namespace: prod
            nameSuffix: -s
            configMapGenerator:
            - name: d
              behavior: merge
              literals: [b=2]
            - name: c
              namespace: gen-ns
              behavior: replace
              literals: [z=9]
            """,
    })
    assert_parity(tmp_path / "base")
    assert_parity(tmp_path / "overlay")


def test_file_content_is_kept_byte_for_byte(tmp_path: Path) -> None:
    write(tmp_path, {
        "crlf.txt": b"line1\r\nline2\r\n",
        "ws.txt": b"  leading\ntrailing  \n\n",
        "nonl.txt": b"no newline",
        "bom.txt": b"\xef\xbb\xbfbom\n",
        "kustomization.yaml": """
            configMapGenerator:
            - name: c
              files: [crlf.txt, ws.txt, nonl.txt, bom.txt]
            secretGenerator:
            - name: s
              files: [crlf.txt, ws.txt, bom.txt]
            """,
    })
    assert_parity(tmp_path)


def test_component_merges_generator_into_plain_configmap_with_vars_and_replacements(
        tmp_path: Path) -> None:
    write(tmp_path, {
        "base/r.yaml": """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: plain
              labels: {a: b}
              annotations: {x: "y"}
            data:
              k: v
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: svc
              labels: {tier: web}
            spec:
              ports:
              - port: 80
                name: http
              selector: {app: x}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: dep
            spec:
              template:
                spec:
                  containers:
                  - name: c
                    image: gcr.io/proj/img:v1
                    args: ["--flag", "$(ENABLED)", "--port=$(PORT)", "$(SEL)"]
            """,
        "base/kustomization.yaml": """
            resources: [r.yaml]
            vars:
            - name: PORT
              objref: {apiVersion: v1, kind: Service, name: svc}
              fieldref: {fieldPath: "spec.ports[0].port"}
            - name: SEL
              objref: {apiVersion: v1, kind: Service, name: svc}
              fieldref: {fieldPath: spec.selector}
            """,
        "comp/kustomization.yaml": """
            apiVersion: kustomize.config.k8s.io/v1alpha1
            kind: Component
            configMapGenerator:
            - name: plain
              behavior: merge
              literals: [fromcomp=1]
            vars:
            - name: ENABLED
              objref: {apiVersion: v1, kind: ConfigMap, name: flags}
              fieldref: {fieldPath: data.on}
            images:
            - name: gcr.io/proj/img
              digest: sha256:aaaa
            """,
        "ov/kustomization.yaml": """
            resources: [../base]
            components: [../comp]
            configMapGenerator:
            - name: flags
              literals: [on=true]
              options: {disableNameSuffixHash: true}
            - name: plain
              behavior: merge
              literals: [k=override]
            replacements:
            - source: {kind: Service, name: svc, fieldPath: "spec.ports.[name=http]"}
              targets:
              - select: {kind: Service}
                fieldPaths: [spec.extra]
                options: {create: true}
            - source: {kind: Service, name: svc, fieldPath: metadata.labels}
              targets:
              - select: {kind: Deployment}
                fieldPaths: [spec.template.metadata.labels]
                options: {create: true}
            """,
    })
    got = assert_parity(tmp_path / "ov")
    plain = next(d for d in got if d["metadata"]["name"].startswith("plain"))
    assert plain["metadata"]["name"] == "plain"  # merged into a plain object: no hash


def test_builtin_generators_under_generators_render_as_kubectl(tmp_path: Path) -> None:
    """`generators:` with `apiVersion: builtin` ConfigMap/SecretGenerator configurations,
    inline and from a file: after the kustomization's own generators, names from
    metadata, generatorOptions not applied, unknown fields ignored, hashes as kubectl."""
    from conftest import write_files
    write_files(tmp_path, {
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        "x.env": "K=V\n",
        "kustomization.yaml": "resources: [r.yaml]\ngeneratorOptions:\n  labels: {g: '1'}\n"
                              "configMapGenerator:\n- name: first\n  literals: [A=1]\n"
                              "generators:\n- |-\n  apiVersion: builtin\n"
                              "  kind: ConfigMapGenerator\n  metadata:\n    name: inline-cm\n"
                              "    namespace: ns1\n  literals: [B=2]\n  envs: [x.env]\n"
                              "  extra: ignored\n- gen.yaml\n",
        "gen.yaml": "apiVersion: builtin\nkind: SecretGenerator\nmetadata:\n  name: from-file\n"
                    "name: secret-name\ntype: kubernetes.io/tls\n"
                    "literals: [tls.crt=abc, tls.key=def]\noptions:\n  annotations: {x: y}\n"})
    need_kubectl()
    code, want, err = kubectl_kustomize(tmp_path)
    assert code == 0, err
    result = build(str(tmp_path))
    from overlay_lint.core.yaml_writer import dump_stream
    assert dump_stream(r.node for r in result.resources) == want
    gens = [(t.builtin, t.field, t.origin.line) for t in result.touched
            if t.field == "generators"]
    assert gens == [("ConfigMapGenerator", "generators", 9), ("SecretGenerator", "generators", 1)]


@pytest.mark.parametrize("config, feature", [
    ("apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata:\n  name: h\n"
     "chartName: x\n", "helm"),
    ("apiVersion: example.com/v1\nkind: Gen\nmetadata:\n  name: g\n  annotations:\n"
     "    config.kubernetes.io/function: |\n      exec:\n        path: ./run.sh\n", "plugin"),
])
def test_generators_that_would_run_programs_are_refused(tmp_path: Path, config: str,
                                                        feature: str) -> None:
    from conftest import write_files
    from overlay_lint.core.errors import UnsupportedError
    write_files(tmp_path, {"kustomization.yaml": "generators:\n- gen.yaml\n",
                           "gen.yaml": config})
    with pytest.raises(UnsupportedError) as exc:
        build(str(tmp_path))
    assert exc.value.feature == feature and exc.value.line == 2
