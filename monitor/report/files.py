"""Writing report files so that a reader never sees half of one.

A file is written to a temporary name in the same directory, flushed to disk, and renamed
over its final name (``os.replace``); the directory is then synced, so a rename that was
reported as done survives a crash. Files get mode 0666 less the process's umask, as any
file the operator's tools write: ``umask 077`` keeps the reports private, the usual 022
makes them 0644. (A fixed chmod would override an operator who chose privacy;
``mkstemp``'s 0600 would refuse the readers the reports are for.)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["fsync_directory", "stage", "write_atomically"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def write_atomically(path: Path, data: str | bytes) -> None:
    """``data`` (text is written as UTF-8) as the file ``path``, replacing what was there
    in one step."""
    temporary = stage(path, data)
    try:
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def stage(path: Path, data: str | bytes) -> Path:
    """``data`` (text as UTF-8, byte for byte: no newline translation) in a new temporary
    file next to ``path``, on disk (fsync) before any rename; the caller renames it into
    place or removes it."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    fd, temporary = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _create_temporary(path: Path) -> tuple[int, Path]:
    while True:
        temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(temporary, _FLAGS, 0o666), temporary
        except FileExistsError:
            continue


def fsync_directory(directory: Path) -> None:
    """Make the renames in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
