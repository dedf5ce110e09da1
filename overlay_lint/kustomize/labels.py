from ._stub import refuse_fields
def apply_labels(acc, kust, ctx): refuse_fields(kust, "labels", "commonLabels")
def apply_annotations(acc, kust, ctx): refuse_fields(kust, "commonAnnotations")
