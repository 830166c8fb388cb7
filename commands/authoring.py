"""Commands for a TA's own items: questions new, preview, schema."""

from __future__ import annotations
