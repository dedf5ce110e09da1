from __future__ import annotations
from dataclasses import fields
def default_config():
    from .config import TransformerConfig
    return TransformerConfig()
def merge_configs(a, b):
    from .config import TransformerConfig
    out = TransformerConfig()
    for f in fields(TransformerConfig):
        merged = list(getattr(a, f.name))
        for x in getattr(b, f.name):
            if x not in merged:
                merged.append(x)
        setattr(out, f.name, merged)
    return out
