"""azmoon: the command line, a thin layer over library functions (../shared/CLI-CONTRACT.md).

Each command parses its arguments, calls one library function, and prints. The commands live in `commands/`, one
module an area. Heavy libraries (torch, sympy, weasyprint) are imported inside the commands that need them, so
that `azmoon submit` starts fast; a student's `login`, `submit` and `status` start faster still: `client.cli.run`
runs them on the light client alone, before the command tree is built (same output), and hands anything else on.
"""

from __future__ import annotations

import sys


def main() -> None:
    from client.cli import run

    code = run(sys.argv[1:])
    if code is not None:
        raise SystemExit(code)
    from commands import app

    app()


def __getattr__(name: str):  # `from cli import app`: the Typer app, built on first use
    if name == "app":
        from commands import app

        return app
    raise AttributeError(name)


if __name__ == "__main__":
    main()
