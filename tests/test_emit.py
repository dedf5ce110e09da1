"""The emitter writes text every YAML reader reads back as the same data."""
from __future__ import annotations

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from overlay_lint.core.yaml_writer import dump_node
from overlay_lint.core.node import from_data
from overlay_lint.core.yaml_reader import parse_documents

# printable text plus the characters YAML treats specially
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_TRICKY = st.sampled_from(["*", ":9001", "- x", "yes", "No", "~", "1e3", "0x1F", "012",
                           "1:20", "2024-10-13", "128Mi", "a: b", "a #b", "'q'", '"d"',
                           "-Xmx1g", "*/30 * * * *", "{ \"a\": 1 }", " lead", "trail ",
                           "multi\nline\n", "tab\tin", "", "@x", "`x", "%x", "!x", "&x"])


# characters that make a plain scalar turn into something else, in short mixes
_MIXES = st.text(alphabet=st.sampled_from(list(":-?#&*!|>'\"%@`,[]{} \n\t\r\x85\u2028\ufeff0a.~=<yYn")),
                 max_size=6)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_TEXT, _TRICKY, _MIXES))
@example(":0\n0")   # was written as a plain key: `:0\n0: 1`, which no YAML reader accepts
@example("-a\tb")
@example(":x\r#")
def test_strings_read_back_unchanged(s: str) -> None:
    """Every string, as a value, a list item and a mapping key, reads back unchanged."""
    doc = dump_node(from_data({"k": s, "list": [s], s or "empty": 1}, None))
    assert yaml.safe_load(doc) == {"k": s, "list": [s], s or "empty": 1}  # YAML 1.1 reader
    ours = parse_documents(doc, "t.yaml")[0].data()                       # YAML 1.2 reader
    assert ours == {"k": s, "list": [s], s or "empty": 1}


def test_quoting_and_folding_match_kubectl_byte_for_byte(tmp_path) -> None:
    # double quotes for text another type would be read from, single quotes for text the
    # plain style cannot hold, plain otherwise: the choices `kubectl kustomize` makes
    from conftest import kubectl_kustomize, need_kubectl
    from overlay_lint.core.yaml_writer import dump_stream
    from overlay_lint.kustomize.build import build
    need_kubectl()
    values = ["yes", "8080", "*", "*/30 * * * *", "128Mi", ":9001", "it's: x", "-Xmx1g",
              "a #b", "{ \"a\": true }", "1.5", "true", "", "line\nbreak\n", "~x",
              # long text: kubectl folds it at a space past column 80
              "-XX:+UnlockExperimentalVMOptions -XX:+UseCGroupMemoryLimitForHeap -Xms256m -Xmx512m",
              "Optional: only one of distribute or failover can be set, and this text keeps going on",
              "https://github.com/example/a-very-long-repository-name-without-any-spaces-at-all-x"]
    data = "".join(f"  k{i}: {quote_for_source(v)}\n" for i, v in enumerate(values))
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                      "  name: q\ndata:\n" + data)
    (tmp_path / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    code, want, err = kubectl_kustomize(tmp_path)
    assert code == 0, err
    got = dump_stream(r.node for r in build(str(tmp_path)).resources)
    assert got == want


def quote_for_source(v: str) -> str:
    import json
    return json.dumps(v)
