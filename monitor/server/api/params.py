"""Reading what a client sent: query parameters, instants and JSON bodies.

Everything is checked before a handler touches the store, and every refusal says which
parameter or field is wrong and how to write it. Instants must carry an offset: a naive
``2026-06-14T02:00`` means a different moment in Amsterdam than in the client's shell, and in
a contractual figure a guessed zone is worse than an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, TypeAdapter, ValidationError

from monitor.server.api.errors import ApiError, Problem, invalid, problems_from_validation, shorten

__all__ = [
    "EARLIEST",
    "LATEST",
    "RFC3339_PATTERN",
    "check_instant",
    "check_rfc3339",
    "parse_bool",
    "parse_instant",
    "query_params",
    "read_body",
    "read_json",
    "required_json",
    "validate_body",
]

EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(9999, 1, 1, tzinfo=UTC)
"""Instants outside ``[EARLIEST, LATEST)`` are refused: before 1970 nothing was measured, and
near year 9999 converting to UTC or a local zone overflows Python's datetime."""

RFC3339_PATTERN: Final = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?"
    "([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
"""RFC 3339 with a mandatory offset: the exact form the OpenAPI document promises. pydantic
alone also takes a space or ``_`` as separator and minutes without seconds; accepting more
than the document says would make the document wrong."""

_RFC3339: Final = re.compile(RFC3339_PATTERN)
_INSTANT: Final = TypeAdapter(AwareDatetime)
_INSTANT_HINT: Final = "an RFC 3339 instant with offset, e.g. 2026-06-01T00:00:00+02:00"

ModelT = TypeVar("ModelT", bound=BaseModel)


def check_instant(value: datetime) -> datetime:
    """``value`` in UTC if it is within the accepted range; a ``ValueError`` says why not."""
    try:
        instant = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("lies outside the years 1970 to 9998") from None
    if not EARLIEST <= instant < LATEST:
        raise ValueError("lies outside the years 1970 to 9998")
    return instant


def check_rfc3339(value: object) -> object:
    """Refuse anything but RFC 3339 text with offset, numbers (Unix times) included."""
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError(f"expected {_INSTANT_HINT}")
    return value


def parse_instant(text: str, name: str) -> datetime:
    """An instant with offset from a query parameter, in UTC, or a 400."""
    reason = f"expected {_INSTANT_HINT}"
    if " " in text and "+" not in text:
        # Form decoding turned the offset's '+' into a space.
        reason += "; send '+' as %2B in a query string"
    if _RFC3339.fullmatch(text):
        try:
            return check_instant(_INSTANT.validate_json(json.dumps(text), strict=True))
        except ValidationError as error:
            reason = str(error.errors(include_url=False)[0]["msg"])
        except ValueError as error:
            reason = str(error)
    raise ApiError(
        400,
        "bad_parameter",
        f"{name}={shorten(text)} is not usable: {reason}",
        problems=[Problem(name, reason)],
    )


def parse_bool(text: str, name: str) -> bool:
    if text in ("true", "false"):
        return text == "true"
    raise ApiError(
        400,
        "bad_parameter",
        f"{name}={shorten(text)} is not usable: expected true or false",
        problems=[Problem(name, "expected true or false")],
    )


def query_params(request: web.Request, allowed: Collection[str]) -> Mapping[str, str]:
    """The query as a plain mapping; unknown or repeated parameters are a 400.

    A misspelt ``?sinse=`` silently ignored would return a different period than asked for,
    and ``?target=a&target=b`` has no single meaning here.
    """
    params: dict[str, str] = {}
    for name, value in request.query.items():
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise ApiError(
                400,
                "bad_parameter",
                f"unknown query parameter {shorten(name)}; known: {known}",
                problems=[Problem(name, "unknown parameter")],
            )
        if name in params:
            raise ApiError(
                400,
                "bad_parameter",
                f"query parameter {name} given more than once",
                problems=[Problem(name, "given more than once")],
            )
        params[name] = value
    return params


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the key {shorten(key)} appears twice in one object")
        seen[key] = value
    return seen


async def read_json(request: web.Request) -> str | None:
    """The body as syntactically valid JSON text, ``None`` if there is no body; else 4xx.

    Reading raises aiohttp's 413 beyond ``client_max_size``, before anything is parsed.
    Duplicate keys are refused: ``{"start": A, "start": B}`` has no single meaning; so are
    ``NaN`` and ``Infinity``, which Python reads but JSON does not have.
    """
    if not request.body_exists:
        return None
    raw = await request.read()
    if not raw.strip():
        return None
    content_type = request.content_type
    if content_type != "application/json" and not (
        content_type.startswith("application/") and content_type.endswith("+json")
    ):
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send the body as application/json, not {shorten(content_type)}",
        )
    try:
        text = raw.decode("utf-8")
        json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_json", "the body is not UTF-8 text") from None
    except ValueError as error:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {error}") from None
    return text


def validate_body(model: type[ModelT], text: str) -> ModelT:
    """``text`` as ``model``; bad types, missing or unknown fields are a 422 naming each."""
    try:
        # Lax mode, because strict JSON mode would refuse the datetime a before-validator
        # hands on as text; the models' own types refuse numbers for strings and instants.
        return model.model_validate_json(text)
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors()):
            # Python's parser accepts lone surrogates (``"\\ud800"``); pydantic's does not,
            # and neither database can store one.
            raise ApiError(
                400, "invalid_json", "the body is not valid JSON: a string holds a lone surrogate"
            ) from None
        raise invalid(problems_from_validation(error, known=tuple(model.model_fields))) from None


async def required_json(request: web.Request, what: str) -> str:
    """The body as JSON text, which this operation cannot do without; else a 400 that says
    to send ``what``."""
    text = await read_json(request)
    if text is None:
        raise ApiError(400, "missing_body", f"send the {what} as a JSON object")
    return text


async def read_body(request: web.Request, model: type[ModelT], what: str) -> ModelT:
    """The body as ``model``: 400 without one, 415 or 400 unless it is JSON, 422 unless it
    fits the model."""
    return validate_body(model, await required_json(request, what))
