from ._stub import refuse_fields
def apply_prefix_suffix(acc, kust, ctx): refuse_fields(kust, "namePrefix", "nameSuffix")
