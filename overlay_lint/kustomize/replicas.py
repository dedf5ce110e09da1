from ._stub import refuse_fields
def apply_replicas(acc, kust, ctx): refuse_fields(kust, "replicas")
