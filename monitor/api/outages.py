"""``GET /api/v1/outages``: the stored outages behind the figures, filtered by target and time.

Without ``since`` the list starts at the previous month's first local midnight: the two
months the status and the metrics report on, which is what someone explaining a figure
needs, without dumping years of history by accident.
"""

from __future__ import annotations

from aiohttp import web

from monitor.api.context import ApiContext
from monitor.api.errors import ApiError, Problem, shorten
from monitor.api.params import parse_instant, query_params
from monitor.api.render import iso, json_ok
from monitor.config import Config
from monitor.sla.months import Month

__all__ = ["OutagesHandler", "known_target"]


def known_target(config: Config, name: str) -> str:
    """``name`` if it is configured, else a 404 listing the configured ones."""
    if any(t.name == name for t in config.targets):
        return name
    known = ", ".join(sorted(t.name for t in config.targets)) or "none configured"
    raise ApiError(
        404,
        "unknown_target",
        f"unknown target {shorten(name)}; known: {known}",
        problems=[Problem("target", "not a configured target")],
    )


class OutagesHandler:
    def __init__(self, api: ApiContext) -> None:
        self._api = api

    async def get(self, request: web.Request) -> web.Response:
        params = query_params(request, ("target", "since", "until"))
        config = self._api.config()
        zone = config.zone
        target = known_target(config, params["target"]) if "target" in params else None
        if "since" in params:
            since = parse_instant(params["since"], "since")
        else:
            since = Month.containing(self._api.clock(), zone).previous().interval(zone).start
        until = parse_instant(params["until"], "until") if "until" in params else None
        if until is not None and until <= since:
            raise ApiError(
                400,
                "reversed_interval",
                f"until ({iso(until, zone)}) must be after since ({iso(since, zone)})",
                problems=[Problem("until", "not after since")],
            )
        outages = await self._api.store.outages(target, since, until)
        return json_ok(
            {
                "since": iso(since, zone),
                "until": iso(until, zone),
                "outages": [
                    {
                        "id": outage.id,
                        "target": outage.target,
                        "start": iso(outage.start, zone),
                        "end": iso(outage.end, zone),
                        "cause": outage.cause,
                        "source": outage.source,
                    }
                    for outage in outages
                ],
            }
        )
