"""azmoon: the command line, a thin layer over library functions (../shared/CLI-CONTRACT.md).

Each command parses its arguments, calls one library function, and prints. The commands live in `commands/`, one
module an area. Heavy libraries (torch, sympy, weasyprint) are imported inside the commands that need them, so
that `azmoon submit` starts fast.
"""

from __future__ import annotations

from commands import app


def main() -> None:
    app()


if __name__ == "__main__":
    main()
