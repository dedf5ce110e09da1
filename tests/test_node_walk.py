"""Node.walk: every node of a tree with its path, parents first, at any depth."""
from __future__ import annotations

from overlay_lint.core.node import Node
from overlay_lint.core.yaml_reader import load_file


def test_walk_visits_parents_first_in_document_order(tmp_path):
    f = tmp_path / "r.yaml"
    f.write_text("a:\n  b: [1, {c: 2}]\n  d: x\ne: []\n")
    (doc,) = load_file(str(f))
    got = [(path, n.o[1] if n.o else None) for path, n in doc.walk()]
    assert [p for p, _ in got] == [(), ("a",), ("a", "b"), ("a", "b", 0), ("a", "b", 1),
                                   ("a", "b", 1, "c"), ("a", "d"), ("e",)]
    assert dict(got)[("a", "d")] == 3 and dict(got)[("e",)] == 4
    assert [p for p, _ in doc.get("a").walk(("a",))][:2] == [("a",), ("a", "b")]


def test_walk_reads_each_node_when_it_reaches_it():
    """A consumer may change the node just yielded (json6902 numbers, YAML 1.1 scalars):
    the walk goes on with what the node holds then."""
    tree = Node({"x": Node(1), "y": Node([Node("z")])})
    seen = []
    for path, n in tree.walk():
        seen.append(path)
        if path == ("x",):
            n.v = {"added": Node(True)}
    assert seen == [(), ("x",), ("x", "added"), ("y",), ("y", 0)]


def test_walk_goes_deeper_than_the_recursion_limit():
    n = Node("leaf")
    for _ in range(5000):
        n = Node([n])
    paths = [p for p, _ in n.walk()]
    assert len(paths) == 5001 and paths[-1] == (0,) * 5000
