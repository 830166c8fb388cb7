"""A course directory: `course.yaml` (names, term, policies), `secret` (mode 0600) and `course.db` (SQLite).

    name: {fa: یادگیری عمیق, en: Deep Learning}
    term: "1404-1"
    section: ""                 # Canvas "Section" column
    policies:
      attempts: 3               # default attempt limit of a new assignment
      attempt_policy: best      # which graded attempt counts in the gradebook: best | last
    database: course.db         # SQLite file, relative to the course directory

Standard library + PyYAML only: `azmoon submit` loads this.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from course import store

COURSE_FILE = "course.yaml"
SECRET_FILE = "secret"
ATTEMPT_POLICIES = ("best", "last")


class CourseError(ValueError):
    """A user-facing error of the course workflow (the CLI prints it without a traceback)."""


@dataclass
class Course:
    root: Path
    settings: dict[str, Any]

    @property
    def name(self) -> dict[str, str]:
        return self.settings["name"]

    @property
    def attempt_policy(self) -> str:
        return self.settings["policies"]["attempt_policy"]

    @property
    def default_attempts(self) -> int:
        return int(self.settings["policies"]["attempts"])

    @property
    def db_path(self) -> Path:
        return self.root / self.settings.get("database", "course.db")

    def secret(self) -> bytes:
        path = self.root / SECRET_FILE
        try:
            value = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            raise CourseError(f"{path}: the course secret is missing or unreadable") from None
        if len(value) < 16:
            raise CourseError(f"{path}: the course secret is too short")
        return value

    def connect(self) -> sqlite3.Connection:
        return store.connect(self.db_path)


def default_settings(name_fa: str, name_en: str, term: str) -> dict[str, Any]:
    return {
        "name": {"fa": name_fa, "en": name_en},
        "term": term,
        "section": "",
        "policies": {"attempts": 3, "attempt_policy": "best"},
        "database": "course.db",
    }


def init_course(
    root: Path,
    name_fa: str = "یادگیری عمیق",
    name_en: str = "Deep Learning",
    term: str = "",
    attempts: int = 3,
    attempt_policy: str = "best",
) -> Course:
    """Create a course directory: course.yaml, a random 256-bit secret (mode 0600) and the migrated database."""
    root = Path(root)
    if (root / COURSE_FILE).exists():
        raise CourseError(f"{root} is already a course ({COURSE_FILE} exists); nothing was changed")
    if attempt_policy not in ATTEMPT_POLICIES:
        raise CourseError(f"attempt policy must be one of {', '.join(ATTEMPT_POLICIES)}")
    if attempts < 1:
        raise CourseError("the default attempt limit must be at least 1")
    root.mkdir(parents=True, exist_ok=True)
    settings = default_settings(name_fa, name_en, term)
    settings["policies"] = {"attempts": attempts, "attempt_policy": attempt_policy}
    secret_path = root / SECRET_FILE
    fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    os.chmod(secret_path, 0o600)  # also when the umask or an existing file would leave it wider
    (root / COURSE_FILE).write_text(
        "# Azmoon course settings (see `azmoon course init --help`)\n"
        + yaml.safe_dump(settings, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    course = Course(root=root, settings=settings)
    course.connect().close()
    return course


def _validate(path: Path, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CourseError(f"{path}: must be a YAML mapping")
    name = data.get("name")
    if not (isinstance(name, dict) and isinstance(name.get("fa"), str) and isinstance(name.get("en"), str)):
        raise CourseError(f"{path}: field 'name' must have 'fa' and 'en' strings")
    policies = data.setdefault("policies", {})
    if not isinstance(policies, dict):
        raise CourseError(f"{path}: field 'policies' must be a mapping")
    policies.setdefault("attempts", 3)
    policies.setdefault("attempt_policy", "best")
    if policies["attempt_policy"] not in ATTEMPT_POLICIES:
        raise CourseError(f"{path}: policies.attempt_policy must be one of {', '.join(ATTEMPT_POLICIES)}")
    if not isinstance(policies["attempts"], int) or policies["attempts"] < 1:
        raise CourseError(f"{path}: policies.attempts must be a positive integer")
    data.setdefault("term", "")
    data.setdefault("section", "")
    data.setdefault("database", "course.db")
    return data


def open_course(root: Path | str = ".") -> Course:
    root = Path(root)
    path = root / COURSE_FILE
    if not path.is_file():
        raise CourseError(
            f"{root.resolve()} is not a course directory (no {COURSE_FILE}); "
            "create one with `azmoon course init DIR` or pass --course DIR"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CourseError(f"{path}: cannot read YAML: {exc}") from None
    return Course(root=root, settings=_validate(path, data))
