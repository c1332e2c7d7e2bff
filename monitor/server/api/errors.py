"""One error shape for every failure the API reports, and the middleware that enforces it.

Clients (scripts, the ticket system, an operator with curl) must be able to tell "you sent
something wrong" from "the daemon is broken" without parsing prose, so every error is
``{"error": CODE, "detail": SENTENCE}`` with an optional ``problems`` list naming each bad
field. The middleware also turns aiohttp's own refusals (unknown path, wrong method, body
too large) into that shape, a database that is away into a 503 the client may retry, and
anything unexpected into a 500 that names no internals. Handlers validate fully before they
write, so a refused request has written nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Final

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from monitor.errors import SlaMonitorError
from monitor.store import StoreUnavailable

__all__ = [
    "ApiError",
    "Error",
    "Problem",
    "error_middleware",
    "error_response",
    "invalid",
    "problems_from_validation",
    "shorten",
]


_ECHO_LIMIT: Final = 80
"""Longest piece of client input quoted back in a message, so errors stay readable."""

_CODES: Final[Mapping[int, str]] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "invalid",
    431: "headers_too_large",
}

_log = structlog.get_logger("monitor.server.api")


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad field: where (``targets[1]``, ``since``) and what is wrong with it."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    field: Annotated[str, Field(description="e.g. targets[1], since, body")]
    message: str


class Error(BaseModel):
    """The body of every refusal; ``problems`` is left out when no single field is to blame."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    error: Annotated[str, Field(description="A stable code, e.g. invalid.")]
    detail: Annotated[str, Field(description="What went wrong, in words.")]
    problems: tuple[Problem, ...] = ()


class ApiError(SlaMonitorError):
    """A refusal a handler raises; the middleware renders it."""

    def __init__(
        self,
        status: int,
        error: str,
        detail: str,
        *,
        problems: Sequence[Problem] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.problems = tuple(problems)
        self.headers = dict(headers or {})

    def response(self) -> web.Response:
        return error_response(
            self.status, self.error, self.detail, problems=self.problems, headers=self.headers
        )


def invalid(problems: Sequence[Problem]) -> ApiError:
    """The 422 for well-formed input that breaks a rule: every problem, in one detail line."""
    return ApiError(
        422,
        "invalid",
        "; ".join(f"{p.field}: {p.message}" for p in problems),
        problems=problems,
    )


def error_response(
    status: int,
    error: str,
    detail: str,
    *,
    problems: Sequence[Problem] = (),
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    body = Error(error=error, detail=detail, problems=tuple(problems))
    return web.json_response(
        body.model_dump(mode="json", exclude_defaults=True), status=status, headers=headers
    )


def shorten(text: str) -> str:
    """Client input as quoted in a message: bounded, and repr'd so control characters show."""
    if len(text) > _ECHO_LIMIT:
        text = text[: _ECHO_LIMIT - 1] + "…"
    return repr(text)


def _field(location: Sequence[int | str]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "body"


def problems_from_validation(error: ValidationError, known: Sequence[str] = ()) -> list[Problem]:
    """Pydantic's errors as :class:`Problem` s, in words for the person writing the request.

    Input values are never echoed: pydantic would quote whole bodies back.
    """
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        kind = item["type"]
        if kind == "extra_forbidden":
            message = "unknown field" + (f"; known: {', '.join(known)}" if known else "")
        elif kind == "missing":
            message = "required"
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(Problem(_field(item["loc"]), message))
    return problems


def _from_http_exception(request: web.Request, exception: web.HTTPException) -> web.Response:
    status = exception.status
    headers = {
        name: value
        for name, value in exception.headers.items()
        if name.lower() not in ("content-type", "content-length")
    }
    if status == 404:
        detail = f"no such resource: {request.method} {shorten(request.path)}"
    elif status == 405:
        allowed = headers.get("Allow", "")
        detail = f"{request.method} is not allowed here; allowed: {allowed or 'none'}"
    elif status == 413:
        # aiohttp's text names the limit: "Maximum request body size 65536 exceeded."
        detail = f"the request body is too large: {exception.text or exception.reason}"
    else:
        detail = exception.reason
    code = _CODES.get(status, exception.reason.lower().replace(" ", "_"))
    return error_response(status, code, detail, headers=headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error leaves as the JSON error shape; nothing leaves as a traceback."""
    try:
        return await handler(request)
    except ApiError as error:
        return error.response()
    except web.HTTPException as exception:
        if exception.status < 400:
            raise
        return _from_http_exception(request, exception)
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except (StoreUnavailable, TimeoutError) as error:
        # The database is away or locked: the client's request was fine and may be retried.
        _log.warning(
            "api_store_unavailable",
            method=request.method,
            path=request.path,
            error=type(error.__cause__ or error).__name__,
        )
        return error_response(
            503,
            "store_unavailable",
            "the store cannot be reached right now; retry in a little while",
            headers={"Retry-After": "10"},
        )
    except Exception:  # the handler of last resort: one request fails, the daemon stays
        _log.exception("api_request_failed", method=request.method, path=request.path)
        return error_response(
            500, "internal_error", "the daemon failed to handle this request; see its log"
        )
