from ._stub import refuse_fields
def apply_patches_strategic_merge(acc, kust, ctx): refuse_fields(kust, "patchesStrategicMerge")
def apply_patches(acc, kust, ctx): refuse_fields(kust, "patches")
def apply_patches_json6902(acc, kust, ctx): refuse_fields(kust, "patchesJson6902")
