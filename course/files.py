"""Files of a course, handled defensively: bounded reads, staff-only modes, atomic replacement, one generate
at a time, and text made safe to echo on a terminal. Standard library only (the submit path uses it)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from course.config import CourseError

STAFF_FILE_MODE = 0o600
STAFF_DIR_MODE = 0o700


def read_bounded(path: Path | str, limit: int, what: str = "file") -> bytes:
    """At most `limit` bytes of a regular file, checked before reading: a FIFO, a device (`/dev/zero`) or a
    directory is refused at once (opened non-blocking, so a FIFO never hangs), and so is a larger file."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise CourseError(f"{path}: cannot read the {what} ({exc.strerror}) — {what} خوانده نمی‌شود") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CourseError(
                f"{path}: not a regular file; the {what} must be a file — این یک فایل معمولی نیست"
            )
        if info.st_size > limit:
            raise CourseError(
                f"{path}: {info.st_size} bytes is too large for a {what} (limit {limit}) — "
                f"فایل بزرگ‌تر از {limit} بایت است"
            )
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # it grew while we read
        raise CourseError(f"{path}: larger than {limit} bytes — فایل بزرگ‌تر از {limit} بایت است")
    return data


def terminal_safe(text: object) -> str:
    """Text to echo on a terminal: control characters (ESC, NUL, DEL, C1, bidi overrides) shown escaped."""
    out = []
    for char in str(text):
        code = ord(char)
        if (
            code < 0x20
            and char not in "\n"
            or 0x7F <= code <= 0x9F
            or 0x202A <= code <= 0x202E  # bidi overrides (the isolates lang inserts stay)
        ):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def staff_dir(path: Path) -> Path:
    """Make (or tighten) a staff-only directory."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, STAFF_DIR_MODE)
    return path


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write beside `path` and rename into place: a reader sees the old file or the new one, never a part."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def move_into_place(source: Path, target: Path, mode: int) -> None:
    os.chmod(source, mode)
    os.replace(source, target)


@contextmanager
def exclusive(lock_path: Path, what: str) -> Iterator[None]:
    """One holder at a time (flock on a lock file; released by the kernel if the holder dies)."""
    import fcntl

    fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, STAFF_FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CourseError(
                f"{what} is already running (lock {lock_path}); wait for it to finish — "
                f"این کار هم‌اکنون در حال اجراست؛ صبر کنید تا تمام شود"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)
