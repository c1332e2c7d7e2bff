"""``GET /api/v1/outages``: the stored outages behind the figures, filtered by target and time;
``POST /api/v1/outages/{id}/corrections``: annotate, dispute, close or void one of them.

A correction never changes the stored outage: it is appended with its reason and the name of
the token that made it, the list shows every outage with its corrections, and the figures
read the outage through them (``monitor.sla.corrections``).

Without ``since`` the list starts at the previous month's first local midnight: the two
months the status and the metrics report on, which is what someone explaining a figure
needs, without dumping years of history by accident.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from monitor.config import Config
from monitor.server.api import answers
from monitor.server.api.auth import acting_token
from monitor.server.api.context import ApiContext, notify_change
from monitor.server.api.errors import ApiError, Problem, invalid, shorten
from monitor.server.api.fields import ID_PATTERN, Instant, Paragraph
from monitor.server.api.params import parse_instant, query_params, read_body
from monitor.server.api.render import iso, json_ok, local, maybe_local
from monitor.sla.corrections import CorrectionKind, OutageCorrection
from monitor.sla.months import Month

_log = structlog.get_logger("monitor.server.api.outages")
_OUTAGE_ID = re.compile(ID_PATTERN)


class NewOutageCorrection(BaseModel):
    """The body of ``POST /api/v1/outages/{id}/corrections``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: CorrectionKind
    reason: Paragraph = Field(description="Why; may span lines.")
    at: Instant | None = Field(
        default=None, description="For close only (required there): after the outage's start."
    )


def correction_answer(record: OutageCorrection, zone: ZoneInfo) -> answers.OutageCorrection:
    return answers.OutageCorrection(
        id=record.id,
        kind=record.kind,
        at=maybe_local(record.at, zone),
        reason=record.reason,
        actor=record.actor,
        recorded_at=local(record.recorded_at, zone),
    )


__all__ = ["NewOutageCorrection", "OutagesHandler", "correction_answer", "known_target"]


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
        corrections = (
            await self._api.store.outage_corrections(o.id for o in outages) if outages else {}
        )
        return json_ok(
            answers.OutageList(
                since=local(since, zone),
                until=maybe_local(until, zone),
                outages=tuple(
                    answers.Outage(
                        id=outage.id,
                        target=outage.target,
                        start=local(outage.start, zone),
                        end=maybe_local(outage.end, zone),
                        cause=outage.cause,
                        source=outage.source,
                        corrections=tuple(
                            correction_answer(c, zone) for c in corrections.get(outage.id, ())
                        ),
                    )
                    for outage in outages
                ),
            )
        )

    async def correct(self, request: web.Request) -> web.Response:
        """Append a correction to an outage, as the presented write token."""
        query_params(request, ())
        outage_id = request.match_info["id"]
        if not _OUTAGE_ID.fullmatch(outage_id):
            raise _no_outage(outage_id)
        body = await read_body(request, NewOutageCorrection, "correction")
        zone = self._api.config().zone
        if (body.kind == "close") != (body.at is not None):
            message = "required for close" if body.kind == "close" else "only a close has one"
            raise invalid([Problem("at", message)])
        outage = await self._api.store.outage(outage_id)
        if outage is None:
            raise _no_outage(outage_id)
        if body.at is not None and body.at <= outage.start:
            message = (
                f"must be after the outage's start ({iso(outage.start, zone)}); void it instead"
            )
            raise invalid([Problem("at", message)])
        stored = await self._api.store.add_outage_correction(
            outage_id,
            OutageCorrection(
                kind=body.kind,
                reason=body.reason,
                actor=acting_token(request),
                recorded_at=self._api.clock(),
                at=body.at,
            ),
        )
        if stored is None:
            raise _no_outage(outage_id)
        _log.info(
            "outage_corrected",
            outage=outage_id,
            kind=stored.kind,
            at=iso(stored.at, zone),
            actor=stored.actor,
        )
        notify_change(self._api.on_maintenance_change, "outage_correction_hook_failed")
        return json_ok(correction_answer(stored, zone), status=201)


def _no_outage(outage_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no outage with id {shorten(outage_id)}")
