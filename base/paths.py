"""Where the data that ships with Azmoon lives: the bank (`questions/`), `templates/` and `fonts/`.

In a checkout (editable install) they stand at the repository's top level, beside this package. A wheel carries
them as data files under `<prefix>/share/azmoon/` (pyproject's data-files). Every module that reads them asks
here, so the two installs behave the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
_INSTALLED = Path(sys.prefix) / "share" / "azmoon"


def data_dir(name: str) -> Path:
    """`questions`, `templates` or `fonts`: the checkout's folder if there is one, else the installed copy."""
    for root in (_CHECKOUT, _INSTALLED):
        if (root / name).is_dir():
            return root / name
    return _CHECKOUT / name  # missing in both: errors then name the checkout's path


QUESTIONS_DIR = data_dir("questions")
TEMPLATES_DIR = data_dir("templates")
FONTS_DIR = data_dir("fonts")
