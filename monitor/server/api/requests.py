"""``/api/v1/requests``: the ticket-system webhook for service-desk requests.

A ticket system reports each request (3.2.9, 3.2.13, 3.2.14, 3.2.39) by its own id, once when
it comes in and again when the desk answers it; any call may be repeated. So the webhook is
idempotent on the id: a repeat changes nothing (200), a later call with ``answered_at``
completes the request (200), and a later call without it never erases a known answer. A call
that contradicts what is stored (another instant of receipt, another category, another
answer) is refused (409) rather than quietly rewriting a figure the client is paid on.

A resolution (3.2.40) is different: a complaint can be reopened and resolved again, so a
``resolved_at`` other than the stored one is appended as the request's new resolution, and
the earlier one stays in the record (docs/rules.md#resolution-time). ``POST
/api/v1/requests/{id}/resolution`` records one for any stored request, a mailbox request
too, since mail never says when a request was resolved.

Privacy: the sender's address is stored only as a keyed hash, and it never
reaches a log, an error or a response.

Everything is validated before the single upsert, so a refused request has changed nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Final
from zoneinfo import ZoneInfo

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from monitor.config import Config
from monitor.server.api import answers
from monitor.server.api.auth import acting_token
from monitor.server.api.context import ApiContext, notify_change
from monitor.server.api.errors import ApiError, Problem, invalid, shorten
from monitor.server.api.fields import Category, Instant, Line, Sender
from monitor.server.api.params import query_params, read_body
from monitor.server.api.render import iso, json_ok, local, maybe_local
from monitor.servicedesk.privacy import sender_hash
from monitor.sla.resolution import ResolvedRequest
from monitor.store.records import RequestRecord, ResolutionRecord

__all__ = ["CLOCK_SKEW", "NewRequest", "NewResolution", "RequestsHandler", "request_answer"]

CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far the ticket system's clock may run ahead of ours: an instant later than now by
more than this has not happened yet and is refused, since it is a clock or mapping error."""

_SKEW: Final = f"{int(CLOCK_SKEW.total_seconds()) // 60} minutes"

_log = structlog.get_logger("monitor.server.api.requests")


class NewRequest(BaseModel):
    """The body of ``POST /api/v1/requests``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[Line, Field(description="The ticket system's id of the request.")]
    category: Category
    received_at: Annotated[
        Instant,
        Field(
            description="RFC 3339 with offset: when the request came in. Not later than now "
            f"plus {_SKEW} of clock skew (422 otherwise)."
        ),
    ]
    answered_at: Annotated[
        Instant | None,
        Field(
            description="RFC 3339 with offset: the desk's first human answer; null or absent "
            "while unanswered (a stored answer is then kept). Not before received_at, not "
            f"later than now plus {_SKEW} (422 otherwise)."
        ),
    ] = None
    channel: Annotated[
        Line | None,
        Field(description="Where the request came from, e.g. the ticket system's name."),
    ] = None
    sender: Sender | None = None
    resolved_at: Annotated[
        Instant | None,
        Field(
            description="RFC 3339 with offset: when the request was resolved (3.2.40); null or "
            "absent while unresolved (a recorded resolution is then kept). Another instant "
            "than the recorded one is appended as the new resolution. Not before "
            f"received_at, not later than now plus {_SKEW} (422 otherwise)."
        ),
    ] = None


class NewResolution(BaseModel):
    """The body of ``POST /api/v1/requests/{id}/resolution``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    resolved_at: Annotated[
        Instant,
        Field(
            description="RFC 3339 with offset: when the request was resolved (3.2.40). Not "
            f"before its receipt, not later than now plus {_SKEW} (422 otherwise)."
        ),
    ]


def _resolution_problems(
    resolved_at: datetime | None, received_at: datetime, now: datetime, zone: ZoneInfo
) -> list[Problem]:
    if resolved_at is None:
        return []
    if resolved_at < received_at:
        return [Problem("resolved_at", "must not be before received_at")]
    if resolved_at > now + CLOCK_SKEW:
        return [Problem("resolved_at", f"lies in the future (now is {iso(now, zone)})")]
    return []


def _request_problems(body: NewRequest, config: Config, now: datetime) -> list[Problem]:
    """What the schema cannot say: the category exists, and the instants are in order and past."""
    problems = []
    categories = config.servicedesk.categories
    if body.category not in categories:
        known = ", ".join(sorted(categories)) or "none configured"
        problems.append(
            Problem("category", f"unknown category {shorten(body.category)}; known: {known}")
        )
    latest = now + CLOCK_SKEW
    zone = config.zone
    if body.received_at > latest:
        problems.append(Problem("received_at", f"lies in the future (now is {iso(now, zone)})"))
    if body.answered_at is not None:
        if body.answered_at < body.received_at:
            problems.append(Problem("answered_at", "must not be before received_at"))
        elif body.answered_at > latest:
            problems.append(Problem("answered_at", f"lies in the future (now is {iso(now, zone)})"))
    return problems + _resolution_problems(body.resolved_at, body.received_at, now, zone)


def _conflict(stored: RequestRecord, body: NewRequest, zone: ZoneInfo) -> Problem | None:
    """Why ``body`` may not update ``stored``, if it may not."""
    if stored.source == "mailbox":
        return Problem(
            "id",
            f"the request was read from the mailbox {stored.channel}; "
            "the mailbox scan keeps it up to date",
        )
    if stored.received_at != body.received_at:
        return Problem("received_at", f"stored as {iso(stored.received_at, zone)}")
    if stored.category != body.category:
        return Problem("category", f"stored as {stored.category}")
    if (
        stored.answered_at is not None
        and body.answered_at is not None
        and stored.answered_at != body.answered_at
    ):
        return Problem("answered_at", f"stored as {iso(stored.answered_at, zone)}")
    return None


def request_answer(record: RequestRecord, config: Config, now: datetime) -> answers.Request:
    """The stored request with its deadline and its outcome as of ``now``."""
    zone = config.zone
    verdict = config.request_judge().judge(record, now)
    if verdict is None:  # the handlers take only configured categories
        raise ValueError(f"the category {record.category!r} is not configured")
    return answers.Request(
        id=record.id,
        category=record.category,
        received_at=local(record.received_at, zone),
        answered_at=maybe_local(record.answered_at, zone),
        channel=record.channel,
        source=record.source,
        deadline=local(verdict.deadline, zone),
        outcome=verdict.outcome.value,
        resolved_at=maybe_local(record.resolved_at, zone),
        resolution=_resolution(record, config, now),
    )


def _resolution(
    record: RequestRecord, config: Config, now: datetime
) -> answers.RequestResolution | None:
    judge = config.resolution_judge()
    if record.category not in judge.norms:
        return None
    request = ResolvedRequest(record.id, record.received_at, record.resolved_at)
    verdict = judge.judge(record.category, request, now)
    return answers.RequestResolution(
        due=local(verdict.due, config.zone),
        outcome=verdict.outcome,
        ratio=verdict.ratio,
        at_least=verdict.at_least,
    )


class RequestsHandler:
    def __init__(self, api: ApiContext) -> None:
        self._api = api

    def _changed(self) -> None:
        notify_change(self._api.on_requests_change, "requests_change_hook_failed")

    async def _stored_answer(
        self, request_id: str, config: Config, now: datetime
    ) -> answers.Request:
        """The request as stored after a write, judged at ``now``."""
        stored = await self._api.store.request(request_id)
        if stored is None:  # requests are never deleted by this API; only a hand edit gets here
            raise ApiError(409, "conflict", "the request was removed meanwhile; retry")
        return request_answer(stored, config, now)

    async def create(self, request: web.Request) -> web.Response:
        query_params(request, ())
        body = await read_body(request, NewRequest, "request")
        config = self._api.config()
        zone = config.zone
        now = self._api.clock()
        problems = _request_problems(body, config, now)
        if problems:
            raise invalid(problems)
        store = self._api.store
        before = await store.request(body.id)
        if before is not None:
            conflict = _conflict(before, body, zone)
            if conflict is not None:
                raise ApiError(
                    409,
                    "conflicting_request",
                    f"a request with id {shorten(body.id)} is stored already and this call "
                    f"contradicts it: {conflict.field}: {conflict.message}; nothing was changed",
                    problems=[conflict],
                )
        hashed = None
        if body.sender is not None:
            hashed = sender_hash(await store.sender_hash_key(), body.sender)
        record = RequestRecord(
            id=body.id,
            category=body.category,
            received_at=body.received_at,
            answered_at=body.answered_at,
            source="webhook",
            channel=body.channel,
            sender_hash=hashed,
            resolved_at=body.resolved_at,
        )
        changed = await store.upsert_requests([record])
        result = await self._stored_answer(record.id, config, now)
        if changed:
            _log.info(
                "request_received" if before is None else "request_updated",
                **result.model_dump(mode="json", exclude={"deadline"}),
            )
            self._changed()
        return json_ok(result, status=201 if before is None else 200)

    async def resolve(self, request: web.Request) -> web.Response:
        """Append a resolution to a stored request (3.2.40): 201 when recorded, 200 when it
        repeats the recorded one."""
        query_params(request, ())
        request_id = request.match_info["id"]
        body = await read_body(request, NewResolution, "resolution")
        config = self._api.config()
        now = self._api.clock()
        store = self._api.store
        stored = await store.request(request_id)
        if stored is None or stored.category not in config.servicedesk.categories:
            raise ApiError(404, "not_found", f"no request with id {shorten(request_id)}")
        problems = _resolution_problems(body.resolved_at, stored.received_at, now, config.zone)
        if problems:
            raise invalid(problems)
        record = ResolutionRecord(
            request_id=stored.id,
            resolved_at=body.resolved_at,
            source="api",
            recorded_at=now,
            actor=acting_token(request),
        )
        appended = await store.record_resolution(record)
        result = await self._stored_answer(stored.id, config, now)
        if appended:
            _log.info(
                "request_resolved",
                id=result.id,
                category=result.category,
                resolved_at=result.resolved_at.isoformat() if result.resolved_at else None,
                by=record.actor,
            )
            self._changed()
        return json_ok(result, status=201 if appended else 200)
