"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``.

Written by hand next to the handlers, not generated, so that it says what clients may rely
on: every status an operation returns, the error shape, which instants may be ``null`` and
why. Two parts follow the running daemon: the configured target names (the only values a
``target`` may take, so a generated client and schemathesis send real names) and whether
reads need a token. ``tests/server/api`` fuzzes the live API against this document.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, Final

from aiohttp import web

from monitor import __version__
from monitor.server.api.context import ApiContext
from monitor.server.api.maintenance import LINE_LIMIT, MAX_TARGETS, MAX_WINDOW, REASON_LIMIT
from monitor.server.api.params import RFC3339_PATTERN, query_params
from monitor.server.api.render import json_ok
from monitor.server.api.requests import CLOCK_SKEW, SENDER_LIMIT, SENDER_PATTERN
from monitor.store.records import TEXT_LIMIT

__all__ = ["OpenApiHandler", "openapi_document"]

JsonObject = dict[str, Any]

_LINE_PATTERN: Final = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
_PARAGRAPH_PATTERN: Final = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
_ID_PATTERN: Final = "^[A-Za-z0-9._-]{1,36}$"


def _ref(name: str) -> JsonObject:
    return {"$ref": f"#/components/schemas/{name}"}


def _instant(description: str, *, nullable: bool = False) -> JsonObject:
    schema: JsonObject = {
        "type": ["string", "null"] if nullable else "string",
        "format": "date-time",
        "description": description + " ISO-8601 with offset, in the configured time zone.",
    }
    return schema


def _seconds(description: str, *, minimum: float | None = 0) -> JsonObject:
    schema: JsonObject = {"type": ["number", "null"], "description": description}
    if minimum is not None:
        schema["minimum"] = minimum
    return schema


def _object(properties: JsonObject, *, optional: tuple[str, ...] = ()) -> JsonObject:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }


def _line(description: str) -> JsonObject:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": LINE_LIMIT,
        "pattern": _LINE_PATTERN,
        "description": description + " One line; surrounding spaces are removed, and "
        "a blank value is refused.",
    }


def _target_name(targets: list[str]) -> JsonObject:
    if targets:
        return {"type": "string", "enum": targets, "description": "A configured target."}
    return {"type": "string", "minLength": 1, "description": "A configured target."}


def _category(categories: Sequence[str]) -> JsonObject:
    description = "A configured service-desk category (servicedesk.categories)."
    if categories:
        return {"type": "string", "enum": list(categories), "description": description}
    return {"type": "string", "minLength": 1, "description": description}


def _request_schemas(categories: Sequence[str]) -> JsonObject:
    skew = f"{int(CLOCK_SKEW.total_seconds()) // 60} minutes"
    return {
        "NewRequest": {
            **_object(
                {
                    "id": _line("The ticket system's id of the request; the key of the store."),
                    "category": _category(categories),
                    "received_at": {
                        "type": "string",
                        "format": "date-time",
                        "pattern": RFC3339_PATTERN,
                        "description": "RFC 3339 with offset: when the request came in. Not "
                        f"later than now plus {skew} of clock skew (422 otherwise).",
                    },
                    "answered_at": {
                        "type": ["string", "null"],
                        "format": "date-time",
                        "pattern": RFC3339_PATTERN,
                        "description": "RFC 3339 with offset: the desk's first human answer; "
                        "null or absent while unanswered (a stored answer is then kept). Not "
                        f"before received_at, not later than now plus {skew} (422 otherwise).",
                    },
                    "channel": {
                        **_line("Where the request came from, e.g. the ticket system's name."),
                        "type": ["string", "null"],
                    },
                    "sender": {
                        "type": ["string", "null"],
                        "minLength": 3,
                        "maxLength": SENDER_LIMIT,
                        "pattern": SENDER_PATTERN,
                        "description": "The sender's e-mail address. Stored only as a keyed "
                        "hash (AVG/GDPR); never returned or logged.",
                    },
                },
                optional=("answered_at", "channel", "sender"),
            ),
            "example": {
                "id": "SD-1234",
                "category": categories[0] if categories else "email",
                "received_at": "2026-06-05T17:00:00+02:00",
                "answered_at": None,
                "channel": "ticket-system",
            },
        },
        "Request": _object(
            {
                "id": {"type": "string"},
                "category": {"type": "string"},
                "received_at": _instant("When the request came in."),
                "answered_at": _instant("The first human answer; null if none.", nullable=True),
                "channel": {"type": ["string", "null"]},
                "source": {"type": "string", "enum": ["mailbox", "import", "webhook"]},
                "deadline": _instant("The last instant an answer still meets the norm."),
                "outcome": {
                    "type": "string",
                    "enum": ["met", "breached", "pending"],
                    "description": "As of now: met (answered by the deadline), breached "
                    "(answered late, or unanswered past it), pending (neither yet).",
                },
            }
        ),
    }


def _schemas(targets: list[str], categories: Sequence[str]) -> JsonObject:
    window = _object(
        {
            "id": {"type": "string", "pattern": _ID_PATTERN},
            "name": {"type": "string"},
            "targets": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "start": _instant("First instant of the window."),
            "end": _instant("First instant after the window."),
            "reason": {"type": "string"},
            "requested_by": {"type": "string", "description": "Who asked for the window."},
            "approved_by": {
                "type": ["string", "null"],
                "description": "Name of the write token that approved the window.",
            },
            "registered_at": _instant("When the daemon stored the window."),
            "retroactive": {
                "type": "boolean",
                "description": "Registered at or after its start: a reclassification of time "
                "that had already passed, listed as such in the report.",
            },
            "agreed": {
                "type": "boolean",
                "description": "Counts as agreed maintenance: registered before its start or "
                "approved, and not withdrawn.",
            },
            "deleted_at": _instant("When the window was withdrawn.", nullable=True),
            "deleted_by": {"type": ["string", "null"]},
            "registered_by": {
                "type": "string",
                "description": "Name of the write token that registered the window.",
            },
            "approved_at": _instant("When it was approved.", nullable=True),
            "standing": {
                "type": "string",
                "enum": ["approved", "agreed", "short_notice", "retroactive"],
                "description": "approved: forgives all downtime in it; agreed: only downtime "
                "of outages that began after registration; short_notice, retroactive: none "
                "until approved.",
            },
        }
    )
    detail = copy.deepcopy(window)
    detail["properties"]["changes"] = {
        "type": "array",
        "description": "The audit trail, oldest first.",
        "items": _ref("MaintenanceChange"),
    }
    detail["required"].append("changes")
    figure_fields: JsonObject = {
        "availability": {
            "type": ["number", "null"],
            "maximum": 1,
            "description": "Month-to-date availability, 0..1; null until the first "
            "computation after start-up or a reload.",
        },
        "window_seconds": _seconds("Window time elapsed this month (T)."),
        "unplanned_downtime_seconds": _seconds("Downtime outside agreed maintenance (D)."),
        "maintenance_seconds": _seconds("Agreed maintenance inside the window (M)."),
        "unmonitored_seconds": _seconds("Window time without probe results (U)."),
        "error_budget_remaining_seconds": _seconds(
            "The month's error budget minus what was spent; negative once overspent.",
            minimum=None,
        ),
        "met": {"type": ["boolean", "null"], "description": "availability >= objective."},
    }
    return {
        "Error": _object(
            {
                "error": {"type": "string", "description": "A stable code, e.g. invalid."},
                "detail": {"type": "string", "description": "What went wrong, in words."},
                "problems": {"type": "array", "items": _ref("Problem")},
            },
            optional=("problems",),
        ),
        "Problem": _object(
            {
                "field": {"type": "string", "description": "e.g. targets[1], since, body"},
                "message": {"type": "string"},
            }
        ),
        "Status": _object(
            {
                "timezone": {"type": "string", "description": "The configured IANA zone."},
                "computed_at": _instant("When the figures were computed.", nullable=True),
                "month": {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}$"},
                "targets": {"type": "array", "items": _ref("TargetStatus")},
                "servicedesk": {
                    "type": "array",
                    "description": "Response figures per request category; empty until the "
                    "first computation.",
                    "items": _ref("CategoryStatus"),
                },
            }
        ),
        "CategoryStatus": _object(
            {
                "category": {"type": "string"},
                "objective": {"type": "number", "minimum": 0, "maximum": 1},
                "days": {"type": "integer", "minimum": 1},
                "open": {"type": "integer", "minimum": 0, "description": "Unanswered, in time."},
                "overdue": {"type": "integer", "minimum": 0, "description": "Unanswered, late."},
                "current_month": _ref("ResponseMonth"),
                "previous_month": _ref("ResponseMonth"),
            }
        ),
        "ResponseMonth": _object(
            {
                "received": {"type": "integer", "minimum": 0},
                "met": {"type": "integer", "minimum": 0},
                "breached": {"type": "integer", "minimum": 0},
                "pending": {"type": "integer", "minimum": 0},
                "ratio": {
                    "type": ["number", "null"],
                    "minimum": 0,
                    "maximum": 1,
                    "description": "met / (met + breached); null while nothing is decided.",
                },
                "objective_met": {"type": ["boolean", "null"]},
                "final": {"type": "boolean", "description": "No outcome can change any more."},
            }
        ),
        "TargetStatus": _object(
            {
                "name": {"type": "string"},
                "state": {
                    "type": "string",
                    "enum": ["up", "down", "unknown"],
                    "description": "down while an outage is open; unknown before the first "
                    "probe result since start-up.",
                },
                "since": _instant("Start of the current state, as far as known.", nullable=True),
                "last_probe_at": _instant("Start of the latest probe.", nullable=True),
                "last_error": {
                    "type": ["string", "null"],
                    "description": "Cause of the latest probe if it failed.",
                },
                "slas": {"type": "array", "items": _ref("SlaStatus")},
            }
        ),
        "SlaStatus": _object(
            {
                "window": {"type": "string", "description": "24x7 or a calendar name."},
                "objective": {"type": "number", "minimum": 0, "maximum": 1},
                **figure_fields,
            }
        ),
        "OutageList": _object(
            {
                "since": _instant("Start of the listed range."),
                "until": _instant("End of the listed range; null for open-ended.", nullable=True),
                "outages": {"type": "array", "items": _ref("Outage")},
            }
        ),
        "Outage": _object(
            {
                "id": {"type": "string"},
                "target": {"type": "string"},
                "start": _instant("The first failed probe of the run."),
                "end": _instant(
                    "The first successful probe after it; null while open.", nullable=True
                ),
                "cause": {"type": "string"},
                "source": {"type": "string", "enum": ["probe", "import"]},
                "corrections": {"type": "array", "items": _ref("OutageCorrection")},
            }
        ),
        "OutageCorrection": _object(
            {
                "id": {"type": "integer"},
                "kind": {"type": "string", "enum": ["annotate", "dispute", "close", "void"]},
                "at": _instant("The instant of a close; null otherwise.", nullable=True),
                "reason": {"type": "string"},
                "actor": {"type": "string", "description": "Name of the acting token."},
                "recorded_at": _instant("When the correction was recorded."),
            }
        ),
        "NewOutageCorrection": _object(
            {
                "kind": {"type": "string", "enum": ["annotate", "dispute", "close", "void"]},
                "reason": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": TEXT_LIMIT,
                    "pattern": _PARAGRAPH_PATTERN,
                    "description": "Why; may span lines.",
                },
                "at": {
                    "type": "string",
                    "format": "date-time",
                    "pattern": RFC3339_PATTERN,
                    "description": "For close only (required there): after the outage's start.",
                },
            },
            optional=("at",),
        ),
        "MissAnalysis": _object(
            {
                "id": {"type": "integer"},
                "month": {"type": "string"},
                "kind": {"type": "string", "enum": ["availability", "response"]},
                "name": {"type": "string"},
                "window": {"type": ["string", "null"]},
                "cause": {"type": "string"},
                "measures": {"type": "string"},
                "author": {"type": "string", "description": "Name of the recording token."},
                "recorded_at": _instant("When the analysis was recorded."),
            }
        ),
        "MissAnalysisList": _object(
            {
                "month": {"type": "string"},
                "analyses": {"type": "array", "items": _ref("MissAnalysis")},
            }
        ),
        "NewMissAnalysis": _object(
            {
                "month": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"},
                "target": {"type": "string", "minLength": 1, "maxLength": 200},
                "window": {"type": "string", "minLength": 1, "maxLength": 200},
                "category": {"type": "string", "minLength": 1, "maxLength": 200},
                "cause": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": TEXT_LIMIT,
                    "pattern": _PARAGRAPH_PATTERN,
                },
                "measures": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": TEXT_LIMIT,
                    "pattern": _PARAGRAPH_PATTERN,
                },
            },
            optional=("target", "window", "category"),
        ),
        "NewMaintenanceWindow": {
            **_object(
                {
                    "name": _line("A name for the report."),
                    "targets": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_TARGETS,
                        "uniqueItems": True,
                        "items": _target_name(targets),
                    },
                    "start": {
                        "type": "string",
                        "format": "date-time",
                        "pattern": RFC3339_PATTERN,
                        "description": "RFC 3339 with offset. A window registered at or after "
                        "its start forgives nothing until approved.",
                    },
                    "end": {
                        "type": "string",
                        "format": "date-time",
                        "pattern": RFC3339_PATTERN,
                        "description": "RFC 3339 with offset; after start, at most "
                        f"{MAX_WINDOW.days} days later (422 otherwise).",
                    },
                    "reason": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": REASON_LIMIT,
                        "pattern": _PARAGRAPH_PATTERN,
                        "description": "Why; may span lines. A blank value is refused.",
                    },
                    "requested_by": _line("Who asks for the window."),
                },
            ),
            "example": {
                "name": "release-2099-06",
                "targets": targets[:1] or ["it-system"],
                "start": "2099-06-14T02:00:00+02:00",
                "end": "2099-06-14T06:00:00+02:00",
                "reason": "Release 2099.06",
                "requested_by": "operations",
            },
        },
        "DeleteRequest": _object({"by": _line("Who withdraws the window.")}),
        "MaintenanceWindow": window,
        "MaintenanceWindowDetail": detail,
        "MaintenanceList": _object(
            {"windows": {"type": "array", "items": _ref("MaintenanceWindow")}}
        ),
        "MaintenanceChange": _object(
            {
                "action": {"type": "string", "enum": ["create", "delete"]},
                "at": _instant("When."),
                "who": {"type": "string"},
            }
        ),
        **_request_schemas(categories),
    }


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
    target_query = _query("target", _target_name(targets), "Only this target (404 if unknown).")
    window_id = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": _ID_PATTERN},
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
                            "description": "The report; JSON as described in DESIGN.md §3.",
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
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("NewMaintenanceWindow")}},
                    },
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
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("NewOutageCorrection")}},
                    },
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
                            "schema": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"},
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
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("NewMissAnalysis")}},
                    },
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
                        _query("by", _line("Who withdraws it."), "Or the body's by."),
                    ],
                    "requestBody": {
                        "required": False,
                        "content": {"application/json": {"schema": _ref("DeleteRequest")}},
                    },
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
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("NewRequest")}},
                    },
                    "responses": _request_responses(),
                }
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
