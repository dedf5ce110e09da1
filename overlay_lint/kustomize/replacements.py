from ._stub import refuse_fields
def apply_replacements(acc, kust, ctx): refuse_fields(kust, "replacements")
