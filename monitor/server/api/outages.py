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
import unicodedata
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import structlog
from aiohttp import web
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from monitor.config import Config
from monitor.server.api.auth import acting_token
from monitor.server.api.context import ApiContext, notify_change
from monitor.server.api.errors import ApiError, Problem, shorten
from monitor.server.api.params import (
    check_instant,
    check_rfc3339,
    parse_instant,
    query_params,
    read_json,
    validate_body,
)
from monitor.server.api.render import iso, json_ok
from monitor.sla.corrections import OutageCorrection
from monitor.sla.months import Month
from monitor.store.records import TEXT_LIMIT

_log = structlog.get_logger("monitor.server.api.outages")
_OUTAGE_ID = re.compile(r"[A-Za-z0-9._-]{1,36}")


def paragraph(value: str) -> str:
    """Text of one or more lines: no control characters but line breaks and tabs."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise ValueError("must not contain control characters other than line breaks and tabs")
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


Paragraph = Annotated[str, Field(min_length=1, max_length=TEXT_LIMIT), AfterValidator(paragraph)]
Instant = Annotated[AwareDatetime, BeforeValidator(check_rfc3339), AfterValidator(check_instant)]


class NewCorrection(BaseModel):
    """The body of ``POST /api/v1/outages/{id}/corrections``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["annotate", "dispute", "close", "void"]
    reason: Paragraph
    at: Instant | None = None


def correction_json(record: OutageCorrection, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": record.id,
        "kind": record.kind,
        "at": iso(record.at, zone),
        "reason": record.reason,
        "actor": record.actor,
        "recorded_at": iso(record.recorded_at, zone),
    }


__all__ = ["NewCorrection", "OutagesHandler", "correction_json", "known_target", "paragraph"]


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
                        "corrections": [
                            correction_json(c, zone) for c in corrections.get(outage.id, ())
                        ],
                    }
                    for outage in outages
                ],
            }
        )

    async def correct(self, request: web.Request) -> web.Response:
        """Append a correction to an outage, as the presented write token."""
        query_params(request, ())
        outage_id = request.match_info["id"]
        if not _OUTAGE_ID.fullmatch(outage_id):
            raise _no_outage(outage_id)
        text = await read_json(request)
        if text is None:
            raise ApiError(400, "missing_body", "send the correction as a JSON object")
        body = validate_body(NewCorrection, text)
        zone = self._api.config().zone
        if (body.kind == "close") != (body.at is not None):
            field = "at"
            message = "required for close" if body.kind == "close" else "only a close has one"
            raise ApiError(
                422, "invalid", f"{field}: {message}", problems=[Problem(field, message)]
            )
        outage = await self._api.store.outage(outage_id)
        if outage is None:
            raise _no_outage(outage_id)
        if body.at is not None and body.at <= outage.start:
            message = (
                f"must be after the outage's start ({iso(outage.start, zone)}); void it instead"
            )
            raise ApiError(422, "invalid", f"at: {message}", problems=[Problem("at", message)])
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
        return json_ok(correction_json(stored, zone), status=201)


def _no_outage(outage_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no outage with id {shorten(outage_id)}")
