def fix_back_references(acc, ctx): pass
