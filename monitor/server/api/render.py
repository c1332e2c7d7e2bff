"""Writing responses: instants in the configured zone, durations in seconds, strict JSON.

Instants go out with their offset in the configured zone (``2026-06-14T02:00:00+02:00``),
the way the report prints them, so an operator reading the API and the report sees the same
clock times. ``allow_nan=False``: a figure that is not a number must fail loudly here rather
than reach a client as JSON that most parsers reject.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel

__all__ = ["iso", "json_ok", "local", "maybe_local", "seconds"]

_dumps = functools.partial(json.dumps, allow_nan=False)


def iso(instant: datetime | None, zone: ZoneInfo) -> str | None:
    return None if instant is None else instant.astimezone(zone).isoformat()


def seconds(duration: timedelta) -> float:
    return duration.total_seconds()


def local(instant: datetime, zone: ZoneInfo) -> datetime:
    """``instant`` as the clock time the configured zone shows."""
    return instant.astimezone(zone)


def maybe_local(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if instant is None else instant.astimezone(zone)


def json_ok(
    data: BaseModel | Mapping[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """``data`` as JSON; a model as its JSON values (a figure that is not a number stays
    one there, for the strict encoder to refuse)."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return web.json_response(data, status=status, headers=headers, dumps=_dumps)
