"""``/api/v1/requests``: the ticket-system webhook for service-desk requests (issue 5, item 3).

A ticket system reports each request (3.2.9, 3.2.13, 3.2.14, 3.2.39) by its own id, once when
it comes in and again when the desk answers it; any call may be repeated. So the webhook is
idempotent on the id: a repeat changes nothing (200), a later call with ``answered_at``
completes the request (200), and a later call without it never erases a known answer. A call
that contradicts what is stored (another instant of receipt, another category, another
answer) is refused (409) rather than quietly rewriting a figure the client is paid on.

Privacy (issue 5, item 4): the sender's address is stored only as a keyed hash, and it never
reaches a log, an error or a response.

Everything is validated before the single upsert, so a refused request has changed nothing.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any, Final
from zoneinfo import ZoneInfo

import structlog
from aiohttp import web
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from monitor.config import Config
from monitor.server.api.context import ApiContext, notify_change
from monitor.server.api.errors import ApiError, Problem, shorten
from monitor.server.api.maintenance import Instant, Line
from monitor.server.api.params import query_params, read_json, validate_body
from monitor.server.api.render import iso, json_ok
from monitor.servicedesk.privacy import sender_hash
from monitor.store.records import RequestRecord

__all__ = [
    "CLOCK_SKEW",
    "SENDER_LIMIT",
    "SENDER_PATTERN",
    "NewRequest",
    "RequestsHandler",
    "request_json",
]

CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far the ticket system's clock may run ahead of ours: an instant later than now by
more than this has not happened yet and is refused, since it is a clock or mapping error."""

SENDER_LIMIT: Final = 254
"""Longest address SMTP can carry (RFC 5321's path limit minus the angle brackets)."""

SENDER_PATTERN: Final = "^[^@\\u0000-\\u0020\\u007F-\\u00A0]+@[^@\\u0000-\\u0020\\u007F-\\u00A0]+$"
"""One ``@`` between two parts without spaces or control characters. Deliberately loose: the
address is only hashed, so it need not be deliverable, only recognisably an address. The same
text serves the OpenAPI document and the check below, so the two cannot disagree."""

_SENDER: Final = re.compile(SENDER_PATTERN)

_log = structlog.get_logger("monitor.server.api.requests")


def _address(value: str) -> str:
    # The message names no input: an address must not be echoed into an error or a log.
    if not _SENDER.fullmatch(value):
        raise ValueError("must be an e-mail address (local@domain, without spaces)")
    return value


Sender = Annotated[str, Field(min_length=3, max_length=SENDER_LIMIT), AfterValidator(_address)]
Category = Annotated[str, Field(min_length=1)]


class NewRequest(BaseModel):
    """The body of ``POST /api/v1/requests``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Line
    category: Category
    received_at: Instant
    answered_at: Instant | None = None
    channel: Line | None = None
    sender: Sender | None = None


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
    return problems


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


def request_json(record: RequestRecord, config: Config, now: datetime) -> dict[str, Any]:
    """The stored request with its deadline and its outcome as of ``now``."""
    zone = config.zone
    verdict = config.request_judge().judge(record, now)
    if verdict is None:  # the handlers take only configured categories
        raise ValueError(f"the category {record.category!r} is not configured")
    return {
        "id": record.id,
        "category": record.category,
        "received_at": iso(record.received_at, zone),
        "answered_at": iso(record.answered_at, zone),
        "channel": record.channel,
        "source": record.source,
        "deadline": iso(verdict.deadline, zone),
        "outcome": verdict.outcome.value,
    }


class RequestsHandler:
    def __init__(self, api: ApiContext) -> None:
        self._api = api

    def _changed(self) -> None:
        notify_change(self._api.on_requests_change, "requests_change_hook_failed")

    async def create(self, request: web.Request) -> web.Response:
        query_params(request, ())
        text = await read_json(request)
        if text is None:
            raise ApiError(400, "missing_body", "send the request as a JSON object")
        body = validate_body(NewRequest, text)
        config = self._api.config()
        zone = config.zone
        now = self._api.clock()
        problems = _request_problems(body, config, now)
        if problems:
            raise ApiError(
                422,
                "invalid",
                "; ".join(f"{p.field}: {p.message}" for p in problems),
                problems=problems,
            )
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
        )
        changed = await store.upsert_requests([record])
        stored = await store.request(record.id)
        if stored is None:  # requests are never deleted by this API; only a hand edit gets here
            raise ApiError(409, "conflict", "the request was removed meanwhile; retry")
        result = request_json(stored, config, now)
        if changed:
            _log.info(
                "request_received" if before is None else "request_updated",
                id=stored.id,
                category=stored.category,
                received_at=result["received_at"],
                answered_at=result["answered_at"],
                channel=stored.channel,
                source=stored.source,
                outcome=result["outcome"],
            )
            self._changed()
        return json_ok(result, status=201 if before is None else 200)
