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

__all__ = ["iso", "json_ok", "seconds"]

_dumps = functools.partial(json.dumps, allow_nan=False)


def iso(instant: datetime | None, zone: ZoneInfo) -> str | None:
    return None if instant is None else instant.astimezone(zone).isoformat()


def seconds(duration: timedelta) -> float:
    return duration.total_seconds()


def json_ok(
    data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.json_response(data, status=status, headers=headers, dumps=_dumps)
