"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``.

The paths (operations, parameters, every status with what it means) are written here by
hand, because they say what clients may rely on. The component schemas are generated from
the pydantic models the handlers validate bodies with and build answers through, so the
document and the server cannot drift. Two parts follow the running daemon: the configured
target names and request categories (the only values those fields take, so a generated
client and schemathesis send real ones) and whether reads need a token.
``tests/server/api`` fuzzes the live API against this document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from aiohttp import web
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema

from monitor import __version__
from monitor.server.api import answers
from monitor.server.api.analyses import NewMissAnalysis
from monitor.server.api.context import ApiContext
from monitor.server.api.errors import Error
from monitor.server.api.fields import ID_PATTERN, Line, MonthText
from monitor.server.api.maintenance import DeleteRequest, NewMaintenanceWindow
from monitor.server.api.outages import NewOutageCorrection
from monitor.server.api.params import RFC3339_PATTERN, query_params
from monitor.server.api.render import json_ok
from monitor.server.api.requests import NewRequest, NewResolution

__all__ = ["OpenApiHandler", "openapi_document"]

JsonObject = dict[str, Any]

_REF_TEMPLATE: Final = "#/components/schemas/{model}"

_BODIES: Final[tuple[type[BaseModel], ...]] = (
    NewMaintenanceWindow,
    DeleteRequest,
    NewOutageCorrection,
    NewMissAnalysis,
    NewRequest,
    NewResolution,
)
"""Request bodies, described as the server validates them."""

_ANSWERS: Final[tuple[type[BaseModel], ...]] = (
    Error,
    answers.Status,
    answers.OutageList,
    answers.OutageCorrection,
    answers.MaintenanceList,
    answers.MaintenanceWindow,
    answers.MaintenanceWindowDetail,
    answers.MissAnalysis,
    answers.MissAnalysisList,
    answers.Request,
    answers.ReportDeliveries,
)
"""Response bodies, described as they are serialised."""


class _Schemas(GenerateJsonSchema):
    """pydantic's generator without a title on every property: the names say it already."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _ref(name: str) -> JsonObject:
    return {"$ref": _REF_TEMPLATE.format(model=name)}


def _body(name: str, *, required: bool = True) -> JsonObject:
    return {"required": required, "content": {"application/json": {"schema": _ref(name)}}}


def _generated() -> JsonObject:
    modes: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        *((model, "validation") for model in _BODIES),
        *((model, "serialization") for model in _ANSWERS),
    ]
    _, document = models_json_schema(modes, ref_template=_REF_TEMPLATE, schema_generator=_Schemas)
    schemas: JsonObject = document["$defs"]
    return schemas


def _one_of(values: Sequence[str], schema: JsonObject) -> None:
    """Narrow a name field to the configured ``values``; with none, any name is refused by
    the server anyway, so the schema keeps only its shape."""
    if values:
        schema["enum"] = list(values)


def _schemas(targets: list[str], categories: Sequence[str]) -> JsonObject:
    schemas = _generated()
    window = schemas["NewMaintenanceWindow"]
    _one_of(targets, window["properties"]["targets"]["items"])
    window["example"] = {
        "name": "release-2099-06",
        "targets": targets[:1] or ["it-system"],
        "start": "2099-06-14T02:00:00+02:00",
        "end": "2099-06-14T06:00:00+02:00",
        "reason": "Release 2099.06",
        "requested_by": "operations",
    }
    request = schemas["NewRequest"]
    _one_of(categories, request["properties"]["category"])
    request["example"] = {
        "id": "SD-1234",
        "category": categories[0] if categories else "email",
        "received_at": "2026-06-05T17:00:00+02:00",
        "answered_at": None,
        "channel": "ticket-system",
    }
    return schemas


def _error(description: str) -> JsonObject:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _challenge(description: str) -> JsonObject:
    response = _error(description)
    response["headers"] = {
        "WWW-Authenticate": {"required": True, "schema": {"type": "string"}},
    }
    return response


def _ok(schema: str, description: str) -> JsonObject:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


_UNAUTHORIZED: Final = "No token, or not a configured one."
_STORE: Final = "The store cannot be reached right now; retry after Retry-After seconds."


def _read_responses(ok: JsonObject, *codes: str) -> JsonObject:
    responses = {"200": ok, "400": _error("An unknown, repeated or malformed parameter.")}
    responses["401"] = _challenge(_UNAUTHORIZED)
    extra = {
        "404": _error("Unknown target or id."),
        "503": _error(_STORE),
    }
    responses.update({code: extra[code] for code in codes})
    return responses


def _write_responses(ok_code: str, ok: JsonObject, conflict: str) -> JsonObject:
    return {
        ok_code: ok,
        "400": _error("Malformed JSON, a bad parameter, or no body."),
        "401": _challenge(_UNAUTHORIZED),
        "403": _error(
            "A read-only token, or no write token configured on the daemon (writes_disabled)."
        ),
        "404": _error("Unknown id."),
        "409": _error(conflict),
        "413": _error("The body is larger than the daemon accepts."),
        "415": _error("The body is not application/json."),
        "422": _error("Well-formed JSON that breaks a rule; problems names each field."),
        "503": _error(_STORE),
    }


def _request_responses() -> JsonObject:
    responses = _write_responses(
        "201",
        _ok("Request", "A new request, stored; with its deadline and outcome as of now."),
        "A request with this id is stored with another received_at, category or answer, "
        "or was read from a mailbox; nothing was changed.",
    )
    del responses["404"]  # no path id: nothing here can be missing
    return {"200": _ok("Request", "Known already: completed, updated or unchanged."), **responses}


def _query(name: str, schema: JsonObject, description: str) -> JsonObject:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _instant_query(name: str, description: str) -> JsonObject:
    return _query(
        name,
        {"type": "string", "format": "date-time", "pattern": RFC3339_PATTERN},
        description + " RFC 3339 with offset; send '+' as %2B.",
    )


def openapi_document(
    targets: list[str], *, reads_protected: bool, categories: Sequence[str] = ()
) -> JsonObject:
    """The document for a daemon with these targets, request categories and read protection."""
    bearer: JsonObject = {"bearer": []}
    read_security = [bearer] if reads_protected else [bearer, {}]
    target: JsonObject = {"type": "string", "minLength": 1, "description": "A configured target."}
    _one_of(targets, target)
    target_query = _query("target", target, "Only this target (404 if unknown).")
    window_id = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": ID_PATTERN},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sla-monitor",
            "version": __version__,
            "description": "Live SLA status, the outages behind it, agreed maintenance "
            "windows, and service-desk requests reported by a ticket system. Writes need a "
            "write token; reads need a token only when the daemon "
            "has read tokens configured. Errors are {error, detail, problems?}.",
        },
        "security": read_security,
        "paths": {
            "/api/v1/status": {
                "get": {
                    "operationId": "getStatus",
                    "summary": "Every configured target: state and month-to-date figures.",
                    "security": read_security,
                    "responses": _read_responses(_ok("Status", "The status.")),
                }
            },
            "/api/v1/reports/deliveries": {
                "get": {
                    "operationId": "getReportDeliveries",
                    "summary": "Each month's report against its due instant (3.2.5), last "
                    "month's misses and their analyses (3.2.6), the on-time share (3.2.38).",
                    "security": read_security,
                    "responses": _read_responses(
                        _ok("ReportDeliveries", "The reporting status."), "503"
                    ),
                }
            },
            "/api/v1/reports/{month}": {
                "get": {
                    "operationId": "getReport",
                    "summary": "The Service Level Report of a month (3.2.5), as JSON, CSV or HTML.",
                    "security": read_security,
                    "parameters": [
                        {
                            "name": "month",
                            "in": "path",
                            "required": True,
                            "schema": {
                                "type": "string",
                                "pattern": r"^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])$",
                            },
                        },
                        _query(
                            "format",
                            {"type": "string", "enum": ["json", "csv", "html"]},
                            "Overrides the Accept header.",
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "The report; JSON as described in docs/interfaces.md.",
                            "content": {
                                "application/json": {"schema": {"type": "object"}},
                                "text/csv": {"schema": {"type": "string"}},
                                "text/html": {"schema": {"type": "string"}},
                            },
                        },
                        "400": _error(
                            "Not a month of the form YYYY-MM from 1970 on, an unknown format, "
                            "or a query parameter unknown or given twice."
                        ),
                        "401": _challenge(_UNAUTHORIZED),
                        "404": _error("The month has not started yet."),
                        "406": _error("The Accept header allows none of the formats."),
                        "503": _error(_STORE),
                    },
                }
            },
            "/api/v1/outages": {
                "get": {
                    "operationId": "listOutages",
                    "summary": "Stored outages overlapping [since, until).",
                    "security": read_security,
                    "parameters": [
                        target_query,
                        _instant_query("since", "Default: start of the previous month."),
                        _instant_query("until", "Default: open-ended; must be after since."),
                    ],
                    "responses": _read_responses(
                        _ok("OutageList", "The outages, oldest first."), "404", "503"
                    ),
                }
            },
            "/api/v1/maintenance": {
                "get": {
                    "operationId": "listMaintenance",
                    "summary": "Registered windows overlapping [since, until), oldest first.",
                    "security": read_security,
                    "parameters": [
                        target_query,
                        _instant_query("since", "Default: no lower bound."),
                        _instant_query("until", "Default: no upper bound; after since."),
                        _query(
                            "include_deleted",
                            {"type": "boolean"},
                            "Also list withdrawn windows (default false).",
                        ),
                    ],
                    "responses": _read_responses(
                        _ok("MaintenanceList", "The windows."), "404", "503"
                    ),
                },
                "post": {
                    "operationId": "registerMaintenance",
                    "summary": "Register a maintenance window.",
                    "security": [bearer],
                    "requestBody": _body("NewMaintenanceWindow"),
                    "responses": {
                        "200": {
                            **_ok(
                                "MaintenanceWindow",
                                "The same window (name, targets, start, end, reason and "
                                "people) is registered already: nothing is stored twice; "
                                "Location names the stored one.",
                            ),
                            "headers": {
                                "Location": {"required": True, "schema": {"type": "string"}}
                            },
                        },
                        **_write_responses(
                            "201",
                            {
                                **_ok("MaintenanceWindow", "Stored; Location names it."),
                                "headers": {
                                    "Location": {"required": True, "schema": {"type": "string"}}
                                },
                            },
                            "A window with this name, targets, start and end is registered "
                            "with another reason or person (duplicate_window), or a window "
                            "with this id exists already.",
                        ),
                    },
                },
            },
            "/api/v1/maintenance/{id}/approval": {
                "parameters": [window_id],
                "post": {
                    "operationId": "approveMaintenance",
                    "summary": "Approve a window as the presented write token (not the one "
                    "that registered it): it then forgives all downtime inside it.",
                    "security": [bearer],
                    "responses": _write_responses(
                        "200",
                        _ok("MaintenanceWindow", "Approved."),
                        "Approved already, withdrawn, or registered by this token.",
                    ),
                },
            },
            "/api/v1/outages/{id}/corrections": {
                "parameters": [window_id],
                "post": {
                    "operationId": "correctOutage",
                    "summary": "Annotate, dispute, close or void an outage (append-only).",
                    "security": [bearer],
                    "requestBody": _body("NewOutageCorrection"),
                    "responses": _write_responses(
                        "201", _ok("OutageCorrection", "Recorded."), "Not used."
                    ),
                },
            },
            "/api/v1/analyses": {
                "get": {
                    "operationId": "listAnalyses",
                    "summary": "The 3.2.6 analyses of missed service levels of a month.",
                    "security": read_security,
                    "parameters": [
                        {
                            "name": "month",
                            "in": "query",
                            "required": True,
                            "schema": TypeAdapter(MonthText).json_schema(),
                        }
                    ],
                    "responses": _read_responses(
                        _ok("MissAnalysisList", "The analyses, oldest first."), "503"
                    ),
                },
                "post": {
                    "operationId": "recordAnalysis",
                    "summary": "Record the analysis (cause, measures) of a missed figure: a "
                    "target and window, or a category.",
                    "security": [bearer],
                    "requestBody": _body("NewMissAnalysis"),
                    "responses": _write_responses(
                        "201", _ok("MissAnalysis", "Recorded."), "Not used."
                    ),
                },
            },
            "/api/v1/maintenance/{id}": {
                "parameters": [window_id],
                "get": {
                    "operationId": "getMaintenance",
                    "summary": "One window with its audit trail.",
                    "security": read_security,
                    "responses": _read_responses(
                        _ok("MaintenanceWindowDetail", "The window."), "404", "503"
                    ),
                },
                "delete": {
                    "operationId": "withdrawMaintenance",
                    "summary": "Withdraw a window that has not started (kept for the audit).",
                    "security": [bearer],
                    "parameters": [
                        _query(
                            "by",
                            TypeAdapter(Line).json_schema(),
                            "Who withdraws it; or the body's by.",
                        ),
                    ],
                    "requestBody": _body("DeleteRequest", required=False),
                    "description": "A soft delete: the window stops counting as agreed "
                    "maintenance, but is never erased. GET /api/v1/maintenance/{id} keeps "
                    "returning it (200, with deleted_at and deleted_by set and agreed false), "
                    "the list shows it with include_deleted=true, and a second DELETE is 409.",
                    "responses": _write_responses(
                        "200",
                        _ok("MaintenanceWindow", "Withdrawn: deleted_at and deleted_by are set."),
                        "The window has started, or was withdrawn already.",
                    ),
                },
            },
            "/api/v1/requests": {
                "post": {
                    "operationId": "recordRequest",
                    "summary": "Record a service-desk request or its answer (ticket-system "
                    "webhook); idempotent on id.",
                    "security": [bearer],
                    "requestBody": _body("NewRequest"),
                    "responses": _request_responses(),
                }
            },
            "/api/v1/requests/{id}/resolution": {
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": "The request's id (a ticket id, or a mailbox request's "
                        "id as `request show` prints it).",
                    }
                ],
                "post": {
                    "operationId": "recordResolution",
                    "summary": "Record when a stored request was resolved (3.2.40); appended, "
                    "the last recorded resolution counts.",
                    "security": [bearer],
                    "requestBody": _body("NewResolution"),
                    "responses": {
                        "200": _ok("Request", "The same resolution was recorded already."),
                        **_write_responses(
                            "201",
                            _ok("Request", "Recorded; the request as judged now."),
                            "Not used.",
                        ),
                    },
                },
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document.",
                    "security": read_security,
                    "responses": _read_responses(
                        {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    ),
                }
            },
        },
        "components": {
            "schemas": _schemas(targets, categories),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A write token (reads and writes) or a read token.",
                }
            },
        },
    }


class OpenApiHandler:
    def __init__(self, api: ApiContext) -> None:
        self._api = api

    async def get(self, request: web.Request) -> web.Response:
        query_params(request, ())
        config = self._api.config()
        targets = sorted(t.name for t in config.targets)
        return json_ok(
            openapi_document(
                targets,
                reads_protected=self._api.tokens.reads_protected,
                categories=sorted(config.servicedesk.categories),
            )
        )
