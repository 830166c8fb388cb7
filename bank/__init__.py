"""The item bank engine: the item format (`item`), the registry of families (`registry`), the pipeline that turns
an item and a seed into a stored key (`pipeline`), the bank's self-test (`selftest`) and practice checking
(`practice`). The families themselves live in `solutions/`.
"""
