from ._stub import refuse_fields
def run_builtin_transformers(acc, kust, ctx): refuse_fields(kust, "transformers")
