from ._stub import refuse_fields
def apply_namespace(acc, kust, ctx): refuse_fields(kust, "namespace")
