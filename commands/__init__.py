"""The `azmoon` command line, one module an area; each registers its commands on `commands.common.app`."""

from commands import authoring, bank, course, deadline, server, submit  # noqa: F401  (importing registers them)
from commands.common import app

__all__ = ["app"]
