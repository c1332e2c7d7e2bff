"""One sentence for a store that cannot be used: what is wrong and what to do about it.

SQLAlchemy's exceptions carry the SQL and its parameters and the driver's terse text
("unable to open database file"), which leaves an operator guessing whether the directory,
the permissions or the file itself is at fault. The commands and the daemon print this
sentence instead of a traceback and exit 1: the input was fine, the environment is not.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from monitor.store.engine import safe_url

__all__ = ["describe_store_failure"]

_DAMAGED = ("file is not a database", "malformed", "disk image", "not a database")


def describe_store_failure(url: str, error: BaseException) -> str:
    """Why the store at ``url`` failed, in one line without the password or any SQL."""
    reason = _reason(error)
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None:
        return _sqlite_sentence(sqlite_file, reason)
    try:
        where = safe_url(url)
    except ValueError:
        where = "the database"
    if isinstance(error, OSError) or isinstance(getattr(error, "orig", None), OSError):
        return (
            f"cannot reach the database at {where}: {reason}; start it, or fix "
            "SLA_MONITOR_DATABASE_URL"
        )
    return f"cannot use the database at {where}: {reason}"


def _sqlite_sentence(path: Path, reason: str) -> str:
    lowered = reason.lower()
    if any(marker in lowered for marker in _DAMAGED):
        return (
            f"the SQLite file {path} is damaged ({reason}); restore it from a backup, or move "
            "it away to start an empty store"
        )
    if "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered:
        directory = path.parent
        if directory.exists() and not directory.is_dir():
            cause = f"{directory} is a file, not a directory"
        elif not directory.is_dir():
            cause = f"the directory {directory} does not exist"
        else:
            cause = f"{path} cannot be created or written ({reason})"
        return (
            f"cannot open the SQLite file {path}: {cause}; create the directory with write "
            "access for this user, or point SLA_MONITOR_DATABASE_URL elsewhere"
        )
    return f"cannot use the SQLite file {path}: {reason}"


def _sqlite_file(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database).absolute()


def _reason(error: BaseException) -> str:
    """The driver's own first line (``exc.orig``), never SQLAlchemy's SQL and parameters."""
    original = getattr(error, "orig", None)
    source = original if original is not None else error
    if isinstance(source, OSError) and source.strerror:
        text = source.strerror
    else:
        text = str(source).strip()
    first = text.splitlines()[0] if text else type(source).__name__
    return first[:300]
