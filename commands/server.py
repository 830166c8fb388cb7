"""Commands of the course server and its student client: serve, tokens, login, status."""

from __future__ import annotations
