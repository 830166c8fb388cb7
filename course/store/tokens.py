"""Store area: tokens, idempotency keys, the server's rate state. Migrations numbered 200–299."""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = []
