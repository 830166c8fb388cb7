"""Helpers shared by several families (not families themselves: the bank loads only `solutions/*.py`)."""
