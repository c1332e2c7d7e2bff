"""``GET /api/v1/reports/{YYYY-MM}``: the Service Level Report over HTTP (docs/interfaces.md).

The same bytes as ``sla-monitor report`` and the export files, chosen by ``?format=json|csv|
html`` or, without it, by the ``Accept`` header (JSON when the client does not care). A
report is built on request from the store, as of the daemon's clock: for a past month that
is the month's report with everything known now, for the running month the figures so far
(marked not final). Errors use the API's one shape, ``{"error": CODE, "detail": SENTENCE}``.

Building a large month is CPU work; :func:`load_report` and the rendering run it in worker
threads so scrapes and probes on the event loop are not held up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web

from monitor.config import Config
from monitor.report.formats import FORMATS, render
from monitor.report.load import load_report
from monitor.server.api.errors import error_response
from monitor.sla.months import Month, MonthOutOfRangeError
from monitor.store import Store

EARLIEST_YEAR = 1970
"""Months before this are refused, as instants before 1970 are everywhere in the API."""

__all__ = ["Handler", "negotiate", "report_handler"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_BY_MEDIA_TYPE = {
    "application/json": "json",
    "application/*": "json",
    "*/*": "json",
    "text/csv": "csv",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/*": "html",
}
_ECHO_LIMIT = 40


def _error(status: int, code: str, detail: str, **headers: str) -> web.Response:
    return error_response(status, code, detail, headers=headers)


def _quote(text: str) -> str:
    """Client input as quoted back: bounded and repr'd, so control characters show."""
    return repr(text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 1] + "…")


def negotiate(accept: str | None) -> str | None:
    """The format an ``Accept`` header asks for; JSON without one, ``None`` if none fits.

    Highest ``q`` wins; among equal ``q`` the first listed. ``q=0`` means "not this".
    """
    if accept is None or not accept.strip():
        return "json"
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        name = _BY_MEDIA_TYPE.get(media.lower())
        if name is not None and quality > 0:
            ranked.append((-quality, position, name))
    return min(ranked)[2] if ranked else None


def report_handler(
    store: Store, config: Callable[[], Config], clock: Callable[[], datetime]
) -> Handler:
    """The handler for ``/api/v1/reports/{month}``; ``config`` is read per request, so a
    reloaded configuration applies to the next report."""

    async def handle(request: web.Request) -> web.StreamResponse:
        text = request.match_info.get("month", "")
        try:
            month = Month.parse(text)
        except MonthOutOfRangeError as error:
            return _error(400, "bad_request", str(error))
        except ValueError:
            return _error(400, "bad_request", f"{_quote(text)} is not a month of the form YYYY-MM")
        if month.year < EARLIEST_YEAR:
            return _error(
                400, "bad_request", f"{month} lies before 1970, when nothing was measured"
            )
        for key in request.query:
            if key != "format":
                return _error(
                    400, "bad_request", f"unknown query parameter {_quote(key)}; known: format"
                )
        given = request.query.getall("format", [])
        if len(given) > 1:
            # Taking the first (or the last) of two answers the client did not ask for.
            return _error(400, "bad_request", "query parameter format given more than once")
        asked = given[0] if given else None
        if asked is not None:
            if asked not in FORMATS:
                known = ", ".join(FORMATS)
                return _error(
                    400, "bad_request", f"unknown format {_quote(asked)}; use one of {known}"
                )
            name = asked
        else:
            negotiated = negotiate(request.headers.get("Accept"))
            if negotiated is None:
                types = ", ".join(f.media_type for f in FORMATS.values())
                return _error(
                    406, "not_acceptable", f"the report is available as {types}", Vary="Accept"
                )
            name = negotiated
        current = config()
        now = clock()
        if month > Month.containing(now, current.zone):
            return _error(404, "not_found", f"the month {month} has not started yet")
        report = await load_report(store, current, month, now)
        body = await asyncio.to_thread(render, report, name)
        chosen = FORMATS[name]
        return web.Response(
            text=body,
            headers={
                "Content-Type": chosen.content_type,
                "Content-Disposition": f'inline; filename="sla-report-{month}.{name}"',
                # Figures change with new evidence even for a final month: never cache.
                "Cache-Control": "no-store",
                "Vary": "Accept",
            },
        )

    return handle
