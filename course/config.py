"""A course directory: `course.yaml` (names, term, policies), `secret` (mode 0600) and `course.db` (SQLite).

    name: {fa: یادگیری عمیق, en: Deep Learning}
    term: "1404-1"
    section: ""                 # Canvas "Section" column
    policies:
      attempts: 3               # default attempt limit of a new assignment
      attempt_policy: best      # which graded attempt counts in the gradebook: best | last
    database: course.db         # SQLite file, relative to the course directory, or a postgresql:// URL
    lock_timeout_seconds: 30    # how long a command waits for another one's write lock

Files are staff-only: the directory 0700, `secret` and `course.db` 0600, whatever the umask.

Standard library + PyYAML only: `azmoon submit` loads this.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from base.errors import AzmoonError
from course import store

COURSE_FILE = "course.yaml"
SECRET_FILE = "secret"
ATTEMPT_POLICIES = ("best", "last")


class CourseError(AzmoonError, ValueError):
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
    def database(self) -> str:
        """The store: a postgresql:// URL, or the SQLite file's path."""
        value = self.settings.get("database", "course.db")
        return value if store.is_postgres_url(value) else str(self.root / value)

    @property
    def db_path(self) -> Path:
        return Path(self.database)

    @property
    def lock_timeout(self) -> float:
        return float(self.settings.get("lock_timeout_seconds", store.DEFAULT_LOCK_TIMEOUT))

    def secret(self) -> bytes:
        path = self.root / SECRET_FILE
        try:
            value = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            raise CourseError(f"{path}: the course secret is missing or unreadable") from None
        if len(value) < 16:
            raise CourseError(f"{path}: the course secret is too short")
        return value

    def connect(self, readonly: bool | None = None) -> store.Connection:
        """The course database; opened read-only when the course cannot be written (read commands still work)."""
        return store.connect(self.database, timeout=self.lock_timeout, readonly=readonly)


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
    database: str = "course.db",
) -> Course:
    """Create a course directory (0700): course.yaml, a random 256-bit secret (0600) and the migrated database
    (a SQLite file, 0600, or the schema in an existing PostgreSQL database given by URL)."""
    root = Path(root)
    if (root / COURSE_FILE).exists():
        raise CourseError(f"{root} is already a course ({COURSE_FILE} exists); nothing was changed")
    if attempt_policy not in ATTEMPT_POLICIES:
        raise CourseError(f"attempt policy must be one of {', '.join(ATTEMPT_POLICIES)}")
    if attempts < 1:
        raise CourseError("the default attempt limit must be at least 1")
    _check_database(root / COURSE_FILE, database)
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)  # staff only, whatever the umask
    settings = default_settings(name_fa, name_en, term)
    settings["policies"] = {"attempts": attempts, "attempt_policy": attempt_policy}
    settings["database"] = database
    secret_path = root / SECRET_FILE
    fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    os.chmod(secret_path, 0o600)  # also when the umask or an existing file would leave it wider
    text = "# Azmoon course settings (see `azmoon course init --help`)\n" + yaml.safe_dump(
        settings, allow_unicode=True, sort_keys=False
    )
    fd = os.open(root / COURSE_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # may hold a database URL
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    course = Course(root=root, settings=settings)
    if not store.is_postgres_url(database) and course.db_path.exists():
        raise CourseError(f"{course.db_path} already exists; a course starts with a new database")
    try:
        store.connect(course.database, create=True, timeout=course.lock_timeout).close()
    except (
        BaseException
    ):  # not a course after all: leave no course.yaml pointing at a database it did not make
        for name in (COURSE_FILE, SECRET_FILE):
            (root / name).unlink(missing_ok=True)
        raise
    return course


def _check_database(path: Path, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise CourseError(
            f"{path}: `database:` must be a file name (SQLite) or a postgresql:// URL, not {value!r} — "
            f"`database:` باید نام یک فایل یا نشانی postgresql:// باشد"
        )
    if "://" in value and not store.is_postgres_url(value):
        raise CourseError(
            f"{path}: `database:` {value!r}: only SQLite files and postgresql:// URLs are supported"
        )


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
    _check_database(path, data["database"])
    timeout = data.setdefault("lock_timeout_seconds", store.DEFAULT_LOCK_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 3600:
        raise CourseError(f"{path}: lock_timeout_seconds must be a number of seconds (0 < s ≤ 3600)")
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
