"""Store area: web sessions and drafts. Migrations numbered 300–399."""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = []
