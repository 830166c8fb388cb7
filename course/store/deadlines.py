"""Store area: due times, late policy, extensions, written grades, key versions. Migrations numbered 100–199."""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = []
