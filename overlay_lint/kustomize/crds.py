from ._stub import refuse_fields
def merge_configurations(config, kust, ctx):
    refuse_fields(kust, "configurations", "crds")
    return config
