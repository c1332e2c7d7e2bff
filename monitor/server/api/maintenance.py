"""``/api/v1/maintenance``: registering, listing and withdrawing agreed maintenance windows.

A window registered through the API is an agreement only if it was registered before it
started, and then forgives only downtime of outages that began after it was registered
(3.2.10). A window whose start has passed is stored and listed as ``retroactive`` but
forgives nothing until it is approved: ``POST /api/v1/maintenance/{id}/approval`` with
another write token, whose *name* becomes ``approved_by`` (free text is refused, because an
approval is the act of a token holder, not a claim). ``registered_by`` is the registering
token's name; ``requested_by`` the person the request names. Withdrawing a window that has
started is refused outright: it would turn excused time back into downtime after the fact,
or hide that it ever was excused. Windows are never erased: a withdrawal is a soft delete,
and the store keeps an audit row (who, when, what) for every change.

Everything is validated before the single transaction that stores the window and its audit
row, so a refused request has changed nothing.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Annotated, Final
from zoneinfo import ZoneInfo

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from monitor.config import Config
from monitor.server.api import answers
from monitor.server.api.auth import acting_token
from monitor.server.api.context import ApiContext, notify_change
from monitor.server.api.errors import (
    ApiError,
    Problem,
    invalid,
    problems_from_validation,
    shorten,
)
from monitor.server.api.fields import ID_PATTERN, Instant, Line, Reason, TargetName
from monitor.server.api.outages import known_target
from monitor.server.api.params import (
    parse_bool,
    parse_instant,
    query_params,
    read_json,
    required_json,
    validate_body,
)
from monitor.server.api.render import iso, json_ok, local, maybe_local
from monitor.store.records import MaintenanceChange, MaintenanceWindowRecord

__all__ = [
    "MAX_TARGETS",
    "MAX_WINDOW",
    "DeleteRequest",
    "MaintenanceHandler",
    "NewMaintenanceWindow",
]

MAX_WINDOW: Final = timedelta(days=31)
"""Longest window one request may register: a month-long "maintenance" is an outage with a
different name, and a typo in a year must not excuse a whole year."""

MAX_TARGETS: Final = 100
_ID: Final = re.compile(ID_PATTERN)

_log = structlog.get_logger("monitor.server.api.maintenance")

_WHO: Final = TypeAdapter(Line)


class NewMaintenanceWindow(BaseModel):
    """The body of ``POST /api/v1/maintenance``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[Line, Field(description="A name for the report.")]
    targets: Annotated[
        list[TargetName],
        Field(min_length=1, max_length=MAX_TARGETS, json_schema_extra={"uniqueItems": True}),
    ]
    start: Annotated[
        Instant,
        Field(
            description="RFC 3339 with offset. A window registered at or after its start "
            "forgives nothing until approved."
        ),
    ]
    end: Annotated[
        Instant,
        Field(
            description=f"RFC 3339 with offset; after start, at most {MAX_WINDOW.days} days "
            "later (422 otherwise)."
        ),
    ]
    reason: Reason
    requested_by: Annotated[Line, Field(description="Who asks for the window.")]


class DeleteRequest(BaseModel):
    """The optional body of ``DELETE /api/v1/maintenance/{id}`` (instead of ``?by=``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    by: Annotated[Line, Field(description="Who withdraws the window.")]


def _window_problems(body: NewMaintenanceWindow, config: Config) -> list[Problem]:
    """What the schema cannot say: targets exist and differ, the window is forward and short."""
    problems = []
    configured = {t.name for t in config.targets}
    known = ", ".join(sorted(configured)) or "none configured"
    seen: set[str] = set()
    for index, name in enumerate(body.targets):
        if name not in configured:
            problems.append(
                Problem(f"targets[{index}]", f"unknown target {shorten(name)}; known: {known}")
            )
        elif name in seen:
            problems.append(Problem(f"targets[{index}]", f"{name} is listed twice"))
        seen.add(name)
    if body.end <= body.start:
        problems.append(Problem("end", "must be after start"))
    elif body.end - body.start > MAX_WINDOW:
        problems.append(
            Problem(
                "end",
                f"longer than the {MAX_WINDOW.days} days one registration may cover; "
                "maintenance that long belongs in the agreed configuration",
            )
        )
    return problems


def window_answer(
    record: MaintenanceWindowRecord, zone: ZoneInfo, notice: timedelta | None = None
) -> answers.MaintenanceWindow:
    registered = record.registered
    return answers.MaintenanceWindow(
        id=record.id,
        name=record.name,
        targets=tuple(record.targets),
        start=local(record.start, zone),
        end=local(record.end, zone),
        reason=record.reason,
        requested_by=record.requested_by or record.registered_by,
        approved_by=record.approved_by,
        registered_at=local(record.registered_at, zone),
        retroactive=registered.retroactive,
        agreed=registered.counts(notice) and record.deleted_at is None,
        registered_by=record.registered_by,
        approved_at=maybe_local(record.approved_at, zone),
        standing=registered.standing(notice),
        deleted_at=maybe_local(record.deleted_at, zone),
        deleted_by=record.deleted_by,
    )


def _change_answer(change: MaintenanceChange, zone: ZoneInfo) -> answers.MaintenanceChange:
    return answers.MaintenanceChange(
        action=change.action, at=local(change.at, zone), who=change.who
    )


def _window_id(request: web.Request) -> str:
    """The path's id; one that cannot be an id is simply not found (and never queried)."""
    window_id = request.match_info["id"]
    if not _ID.fullmatch(window_id):
        raise _not_found(window_id)
    return window_id


def _not_found(window_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no maintenance window with id {shorten(window_id)}")


class MaintenanceHandler:
    def __init__(self, api: ApiContext) -> None:
        self._api = api

    def _changed(self) -> None:
        notify_change(self._api.on_maintenance_change, "maintenance_change_hook_failed")

    async def _stored(self, window_id: str) -> MaintenanceWindowRecord:
        """The stored window, or a 404 (after a write, only a hand-edited store gets one)."""
        record = await self._api.store.maintenance_window(window_id)
        if record is None:
            raise _not_found(window_id)
        return record

    async def index(self, request: web.Request) -> web.Response:
        params = query_params(request, ("target", "since", "until", "include_deleted"))
        config = self._api.config()
        zone = config.zone
        target = known_target(config, params["target"]) if "target" in params else None
        since = parse_instant(params["since"], "since") if "since" in params else None
        until = parse_instant(params["until"], "until") if "until" in params else None
        if since is not None and until is not None and until <= since:
            raise ApiError(
                400,
                "reversed_interval",
                f"until ({iso(until, zone)}) must be after since ({iso(since, zone)})",
                problems=[Problem("until", "not after since")],
            )
        include_deleted = (
            parse_bool(params["include_deleted"], "include_deleted")
            if "include_deleted" in params
            else False
        )
        windows = await self._api.store.maintenance_windows(
            since, until, target=target, include_deleted=include_deleted
        )
        notice = config.maintenance_notice
        return json_ok(
            answers.MaintenanceList(windows=tuple(window_answer(w, zone, notice) for w in windows))
        )

    async def show(self, request: web.Request) -> web.Response:
        query_params(request, ())
        window_id = _window_id(request)
        record = await self._stored(window_id)
        config = self._api.config()
        zone = config.zone
        changes = await self._api.store.maintenance_changes(window_id)
        return json_ok(
            answers.MaintenanceWindowDetail(
                **dict(window_answer(record, zone, config.maintenance_notice)),
                changes=tuple(_change_answer(c, zone) for c in changes),
            )
        )

    async def create(self, request: web.Request) -> web.Response:
        query_params(request, ())
        text = await required_json(request, "window")
        parsed = json.loads(text)  # read_json has checked it; only the keys matter here
        if isinstance(parsed, dict) and "approved_by" in parsed:
            raise ApiError(
                422,
                "invalid",
                "approved_by: is not free text; the approver approves the stored window with "
                "POST /api/v1/maintenance/{id}/approval and their own write token, whose name "
                "is recorded",
                problems=[Problem("approved_by", "set by POST /api/v1/maintenance/{id}/approval")],
            )
        body = validate_body(NewMaintenanceWindow, text)
        config = self._api.config()
        zone = config.zone
        problems = _window_problems(body, config)
        if problems:
            raise invalid(problems)
        now = self._api.clock()
        record = MaintenanceWindowRecord.new(
            name=body.name,
            targets=body.targets,
            start=body.start,
            end=body.end,
            registered_at=now,
            registered_by=acting_token(request),
            requested_by=body.requested_by,
            reason=body.reason,
        )
        stored = await self._api.store.add_maintenance_window_once(record)
        if stored is None:
            raise ApiError(409, "conflict", "a window with this id exists already; retry")
        if stored.id != record.id:
            return json_ok(
                window_answer(self._repeated(body, stored), zone, config.maintenance_notice),
                headers={"Location": f"/api/v1/maintenance/{stored.id}"},
            )
        result = window_answer(record, zone, config.maintenance_notice)
        _log.info(
            "maintenance_registered",
            id=record.id,
            name=record.name,
            targets=list(record.targets),
            start=result.start.isoformat(),
            end=result.end.isoformat(),
            registered_by=record.registered_by,
            requested_by=record.requested_by,
            standing=result.standing,
        )
        self._changed()
        return json_ok(result, status=201, headers={"Location": f"/api/v1/maintenance/{record.id}"})

    async def approve(self, request: web.Request) -> web.Response:
        """Approve a window as the presented write token (3.2.10): it then counts in full."""
        query_params(request, ())
        window_id = _window_id(request)
        approver = acting_token(request)
        record = await self._stored(window_id)
        config = self._api.config()
        zone = config.zone
        if record.deleted_at is not None:
            raise ApiError(409, "already_deleted", "a withdrawn window cannot be approved")
        if record.approved_by is not None:
            raise ApiError(
                409,
                "already_approved",
                f"approved at {iso(record.approved_at, zone)} by {record.approved_by}",
            )
        if record.registered_by == approver:
            raise ApiError(
                409,
                "self_approval",
                "the token that registered a window cannot approve it; approval is the "
                "client's acceptance, given with another write token",
            )
        now = self._api.clock()
        if not await self._api.store.approve_maintenance_window(window_id, at=now, who=approver):
            raise ApiError(409, "conflict", "the window was approved or withdrawn meanwhile")
        stored = await self._stored(window_id)  # approval keeps the row
        _log.info("maintenance_approved", id=window_id, name=record.name, approved_by=approver)
        self._changed()
        return json_ok(window_answer(stored, zone, config.maintenance_notice))

    @staticmethod
    def _repeated(
        body: NewMaintenanceWindow, stored: MaintenanceWindowRecord
    ) -> MaintenanceWindowRecord:
        """The answer to a registration the store found a window in force for: the same
        window again is 200 with it (a retried POST whose answer was lost); the same name,
        targets and times with another reason or person is 409, since storing neither
        silently would lose what the client sent."""
        if (stored.reason, stored.requested_by) != (body.reason, body.requested_by):
            raise ApiError(
                409,
                "duplicate_window",
                f"the window {shorten(body.name)} for these targets and times is registered "
                f"already, as {stored.id}, with a different reason or person; withdraw it "
                "first or register it under another name",
            )
        return stored

    async def _who(self, request: web.Request) -> str:
        params = query_params(request, ("by",))
        text = await read_json(request)
        from_body = None if text is None else validate_body(DeleteRequest, text).by
        from_query = None
        if "by" in params:
            try:
                from_query = _WHO.validate_python(params["by"])
            except ValidationError as error:
                problems = [Problem("by", p.message) for p in problems_from_validation(error)]
                raise ApiError(
                    400, "bad_parameter", f"by: {problems[0].message}", problems=problems
                ) from None
        if from_body is not None and from_query is not None and from_body != from_query:
            raise ApiError(
                400, "bad_request", "?by= and the body's by name different people; give one"
            )
        who = from_body or from_query
        if who is None:
            raise ApiError(
                400,
                "missing_who",
                'say who withdraws the window: ?by=NAME or a JSON body {"by": NAME}',
                problems=[Problem("by", "required")],
            )
        return who

    async def withdraw(self, request: web.Request) -> web.Response:
        window_id = _window_id(request)
        who = await self._who(request)
        record = await self._stored(window_id)
        zone = self._api.config().zone
        if record.deleted_at is not None:
            raise ApiError(
                409,
                "already_deleted",
                f"the window was withdrawn at {iso(record.deleted_at, zone)} "
                f"by {record.deleted_by}",
            )
        now = self._api.clock()
        if record.start <= now:
            raise ApiError(
                409,
                "window_started",
                f"the window started at {iso(record.start, zone)}; withdrawing it now would "
                "turn excused time back into downtime after the fact, so it stays",
            )
        if not await self._api.store.delete_maintenance_window(window_id, at=now, who=who):
            raise ApiError(409, "already_deleted", "the window was withdrawn meanwhile")
        stored = await self._stored(window_id)  # a soft delete keeps the row
        _log.info("maintenance_withdrawn", id=window_id, name=record.name, by=who)
        self._changed()
        return json_ok(window_answer(stored, zone, self._api.config().maintenance_notice))
