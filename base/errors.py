"""One base for every error a user can cause: the CLI and the server turn an `AzmoonError` into a clean message
(no traceback); anything else is a bug and keeps its traceback."""

from __future__ import annotations


class AzmoonError(Exception):
    """A user-facing error: its message is shown as it is (one paragraph)."""
