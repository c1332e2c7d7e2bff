"""The store's errors, and the one place where the database library's errors become them.

SQLAlchemy's exceptions carry the SQL, its parameters and the driver's terse text, and
which class a failure arrives as depends on the driver. Callers (the API, the commands,
the daemon's jobs) need only two answers: may I retry (:class:`StoreUnavailable`), or is
the store unusable as it is (:class:`StoreError`). :func:`map_store_errors` wraps every
connection the store opens, the way httpx's ``map_exceptions`` wraps its transports, and
each error's message is :func:`~monitor.store.trouble.describe_store_failure`'s one line:
what is wrong and what to do, with no password and no SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from monitor.errors import SlaMonitorError
from monitor.store.trouble import describe_store_failure

__all__ = ["StoreError", "StoreUnavailable", "StoreUrlError", "map_store_errors"]


class StoreError(SlaMonitorError):
    """The store cannot do what was asked; the message says why in one line."""


class StoreUnavailable(StoreError):  # noqa: N818 -- a state, read as "the store is unavailable"
    """The database is away, locked or unreachable: the same request may succeed later."""


class StoreUrlError(StoreError, ValueError):
    """The database URL names no store this code can use (another database, or garbage)."""


_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError, OSError)


@contextmanager
def map_store_errors(url: str) -> Iterator[None]:
    """Raise the database library's failures inside the block as :class:`StoreError` s.

    ``url`` names the store in the message (its password masked). The original exception
    stays attached as ``__cause__`` for the log of a developer, never for a client.
    """
    try:
        yield
    except StoreError:
        raise
    except _UNAVAILABLE as error:
        raise StoreUnavailable(describe_store_failure(url, error)) from error
    except SQLAlchemyError as error:
        raise StoreError(describe_store_failure(url, error)) from error
