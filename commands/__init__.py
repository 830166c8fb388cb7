"""The `azmoon` command line, one module an area; each registers its commands on `commands.common.app`."""

from commands import bank, course  # noqa: F401  (importing registers the commands)
from commands.common import app

__all__ = ["app"]
