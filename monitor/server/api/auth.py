"""Bearer tokens for the API.

Two kinds of token: a write token may read and write, a read token may only read. Writes
always need a write token; with none configured the API refuses every write, because a
daemon that accepts maintenance windows from anyone lets anyone excuse downtime. Reads
(``/api/*``, ``/metrics``) need a token only once a read token is configured, so a plain
Prometheus scrape keeps working until the operator decides otherwise. ``/-/healthy`` and
``/-/ready`` stay open for load balancers and systemd.

Tokens are kept only as SHA-256 digests and compared digest against digest with
:func:`hmac.compare_digest`, against *every* configured token without stopping at a match:
the time a request takes says neither how long the right token is nor which one matched.
No token, presented or configured, ever reaches a log line or an error message.

Every token has a name, so that an act done with it (registering or approving maintenance,
correcting an outage) can be attributed without the token itself being stored: a token
file line is ``name:token`` (a plain ``token`` line is named ``token-LINE``), and the
variables' tokens are ``env-write`` and ``env-read``. The middleware hands the name of the
token that was presented to the handler as ``request[TOKEN_NAME]``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from monitor.errors import SlaMonitorError
from monitor.server.api.errors import error_response
from monitor.settings import Settings

__all__ = [
    "OPEN_PATHS",
    "TOKEN_NAME",
    "WRITE_METHODS",
    "Access",
    "ApiTokens",
    "TokenError",
    "acting_token",
    "auth_middleware",
    "read_named_tokens",
    "read_token_file",
    "tokens_from_settings",
]

Access = Literal["read", "write"]

WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPEN_PATHS: Final = frozenset({"/-/healthy", "/-/ready"})

MIN_TOKEN_LENGTH: Final = 16
MAX_TOKEN_LENGTH: Final = 4096
_REALM: Final = 'Bearer realm="sla-monitor"'
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")

TOKEN_NAME: Final = web.RequestKey("token_name", str)
"""Where the middleware leaves the presented token's name; the token itself never goes on."""

_log = structlog.get_logger("monitor.server.api.auth")


class TokenError(SlaMonitorError, ValueError):
    """A token source is unusable; the message names the source and line, never the token."""


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii")).digest()


def _check(token: str, where: str) -> str:
    # Visible ASCII only: a token travels in an HTTP header, where a space or a non-ASCII
    # character would be cut off or mangled by some client and then never match.
    if not MIN_TOKEN_LENGTH <= len(token) <= MAX_TOKEN_LENGTH or not all(
        "!" <= ch <= "~" for ch in token
    ):
        raise TokenError(
            f"{where}: a token is {MIN_TOKEN_LENGTH} to {MAX_TOKEN_LENGTH} visible ASCII "
            "characters without spaces (e.g. `openssl rand -hex 32`); this one is not"
        )
    return token


def read_named_tokens(path: Path) -> list[tuple[str, str]]:
    """``(name, token)`` pairs in ``path``: ``name:token`` or a plain ``token`` per line.

    Blank lines and ``#`` comments are skipped. A plain token is named ``token-LINE``.
    Several tokens per file let an operator rotate one without a moment in which no token
    works: add the new one, move the clients, remove the old one.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TokenError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise TokenError(f"{path}: cannot read: {error.strerror or type(error).__name__}") from None
    tokens: list[tuple[str, str]] = []
    names: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, colon, rest = stripped.partition(":")
        if colon and _NAME.fullmatch(name.strip()):
            name, token = name.strip(), rest.strip()
        else:
            name, token = f"token-{number}", stripped
        if name in names:
            raise TokenError(f"{path}:{number}: the name {name} is used on line {names[name]} too")
        names[name] = number
        tokens.append((name, _check(token, f"{path}:{number}")))
    if not tokens:
        raise TokenError(f"{path}: no token in the file (one per line, # for comments)")
    return tokens


def read_token_file(path: Path) -> list[str]:
    """The tokens of ``path`` without their names (see :func:`read_named_tokens`)."""
    return [token for _, token in read_named_tokens(path)]


@dataclass(frozen=True, slots=True, repr=False)
class ApiTokens:
    """The configured tokens, as digests. ``ApiTokens()`` is "none": writes are refused.

    ``write_names`` and ``read_names`` run parallel to the digests.
    """

    write_digests: tuple[bytes, ...] = ()
    read_digests: tuple[bytes, ...] = ()
    write_names: tuple[str, ...] = ()
    read_names: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        write: Iterable[str | tuple[str, str]] = (),
        read: Iterable[str | tuple[str, str]] = (),
    ) -> ApiTokens:
        """Tokens given as text or ``(name, token)`` pairs; each is checked. An unnamed
        token is called ``write-N`` / ``read-N`` after its place in the list."""
        writes = _named(write, "write")
        reads = _named(read, "read")
        return cls(
            tuple(_digest(_check(t, "write token")) for _, t in writes),
            tuple(_digest(_check(t, "read token")) for _, t in reads),
            tuple(n for n, _ in writes),
            tuple(n for n, _ in reads),
        )

    @property
    def writes_enabled(self) -> bool:
        return bool(self.write_digests)

    @property
    def reads_protected(self) -> bool:
        return bool(self.read_digests)

    def identify(self, presented: str) -> tuple[Access, str] | None:
        """What ``presented`` may do and its name, in time independent of which matches."""
        try:
            digest = _digest(presented)
        except UnicodeEncodeError:
            digest = b""
        write: str | None = None
        read: str | None = None
        for known, name in zip(self.write_digests, self._names("write"), strict=True):
            if hmac.compare_digest(digest, known):
                write = name
        for known, name in zip(self.read_digests, self._names("read"), strict=True):
            if hmac.compare_digest(digest, known):
                read = name
        if write is not None:
            return "write", write
        return ("read", read) if read is not None else None

    def grant(self, presented: str) -> Access | None:
        """What ``presented`` may do, in time independent of which token (if any) matches."""
        found = self.identify(presented)
        return None if found is None else found[0]

    def _names(self, kind: Access) -> tuple[str, ...]:
        digests, names = (
            (self.write_digests, self.write_names)
            if kind == "write"
            else (self.read_digests, self.read_names)
        )
        if len(names) == len(digests):
            return names
        return tuple(f"{kind}-{index}" for index in range(1, len(digests) + 1))

    def __repr__(self) -> str:
        return f"ApiTokens(write={len(self.write_digests)}, read={len(self.read_digests)})"


def _named(tokens: Iterable[str | tuple[str, str]], kind: str) -> list[tuple[str, str]]:
    result: list[tuple[str, str]] = []
    for index, item in enumerate(tokens, start=1):
        result.append(item if isinstance(item, tuple) else (f"{kind}-{index}", item))
    return result


def acting_token(request: web.Request) -> str:
    """The name of the token that authorised this write (set by the middleware)."""
    name = request.get(TOKEN_NAME)
    if not isinstance(name, str):
        raise RuntimeError("a write handler ran without the auth middleware naming its token")
    return name


def tokens_from_settings(settings: Settings) -> ApiTokens:
    """Every configured token, from files and variables together; fails at start-up.

    A broken token file stops the daemon instead of starting it with writes silently
    disabled (or reads silently open): the operator asked for protection.
    """
    write: list[str | tuple[str, str]] = []
    read: list[str | tuple[str, str]] = []
    if settings.write_tokens_file is not None:
        write += read_named_tokens(settings.write_tokens_file)
    if settings.read_tokens_file is not None:
        read += read_named_tokens(settings.read_tokens_file)
    if settings.write_token is not None:
        token = _check(settings.write_token.get_secret_value(), "SLA_MONITOR_WRITE_TOKEN")
        write.append(("env-write", token))
    if settings.read_token is not None:
        token = _check(settings.read_token.get_secret_value(), "SLA_MONITOR_READ_TOKEN")
        read.append(("env-read", token))
    return ApiTokens.of(write=write, read=read)


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return token.strip()


def _deny(
    request: web.Request, status: int, error: str, detail: str, challenge: str
) -> web.Response:
    # Who was turned away and why, never with what: the header may hold a real token that
    # was sent to the wrong endpoint.
    _log.info(
        "api_access_denied",
        method=request.method,
        path=request.path,
        remote=request.remote,
        reason=error,
    )
    return error_response(status, error, detail, headers={"WWW-Authenticate": challenge})


def auth_middleware(tokens: ApiTokens) -> Middleware:
    """The access rule of the module docstring, as an aiohttp middleware."""

    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in OPEN_PATHS:
            return await handler(request)
        write = request.method in WRITE_METHODS
        if write and not tokens.writes_enabled:
            _log.info("api_write_refused", method=request.method, path=request.path)
            return error_response(
                403,
                "writes_disabled",
                "this daemon accepts no writes because no write token is configured; set "
                "SLA_MONITOR_WRITE_TOKENS_FILE (a file with one token per line) or "
                "SLA_MONITOR_WRITE_TOKEN and restart it",
            )
        if not write and not tokens.reads_protected:
            return await handler(request)
        presented = _bearer(request)
        if presented is None:
            needed = "a write token" if write else "a read or write token"
            return _deny(
                request,
                401,
                "unauthorized",
                f"this request needs {needed}: send 'Authorization: Bearer TOKEN'",
                _REALM,
            )
        found = tokens.identify(presented) if presented else None
        if found is None:
            return _deny(
                request,
                401,
                "invalid_token",
                "the bearer token is not one of the configured tokens"
                if presented
                else "expected 'Authorization: Bearer TOKEN'",
                f'{_REALM}, error="invalid_token"',
            )
        access, name = found
        if write and access != "write":
            return _deny(
                request,
                403,
                "insufficient_scope",
                "this token may only read; writes need a write token",
                f'{_REALM}, error="insufficient_scope"',
            )
        request[TOKEN_NAME] = name
        return await handler(request)

    return authenticate
