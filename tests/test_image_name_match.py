"""An ``images:`` entry whose name is plain text ('.' its only operator) is matched without
compiling a regular expression (kustomize/filters/imagetag.py): the same answers as the
pattern Kustomize builds, ``^name(:tag)?(@sha256:digest)?$``."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from overlay_lint.kustomize.filters.imagetag import _TAG_CHARS, _plain_pattern

names = st.text(alphabet="ab.:/@-1_=,;%~", max_size=6)
texts = st.text(alphabet="ab.:/@-1_{}\nsha256x", max_size=12)


@settings(max_examples=3000)
@given(names, texts, st.sampled_from(["", ":v1", "@sha256:ab", ":v1.2@sha256:c", "\n", ":"]),
       st.sampled_from(["", "x", "\n", "."]))
def test_plain_names_match_as_the_pattern_does(name, text, tail, dot):
    rx = re.compile(f"^{name}(:{_TAG_CHARS}*)?(@sha256:{_TAG_CHARS}*)?\\Z")
    for candidate in (text, name + text, name + tail, name.replace(".", dot or ".") + tail):
        assert bool(_plain_pattern(name).search(candidate)) == bool(rx.search(candidate)), \
            (name, candidate)


def test_examples():
    p = _plain_pattern("registry.example.com/shop/api")
    assert p.search("registry.example.com/shop/api")
    assert p.search("registry.example.com/shop/api:1.2.3")
    assert p.search("registry.example.com/shop/api@sha256:abc")
    assert p.search("registryXexample.com/shop/api:1")       # '.' is any character
    assert not p.search("registry\nexample.com/shop/api")     # but a newline
    assert not p.search("registry.example.com/shop/api-v2")
    assert not p.search("registry.example.com/shop/api:1 ")
    assert not p.search("registry.example.com/shop/ap")
