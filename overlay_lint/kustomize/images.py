from ._stub import refuse_fields
def apply_images(acc, kust, ctx): refuse_fields(kust, "images", "imageTags")
