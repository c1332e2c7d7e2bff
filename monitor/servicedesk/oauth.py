"""OAuth2 access tokens for desk mailboxes that refuse passwords (Microsoft 365, Google).

A mailbox with ``auth: {type: oauth2, ...}`` logs in with an access token from the
client-credentials grant (RFC 6749 §4.4): one form POST of ``grant_type``, ``client_id``,
``client_secret`` and ``scope`` to the token endpoint. The answer's ``access_token`` is kept
until ``expires_in`` minus a margin, so a mailbox polled every minute asks for a token about
once an hour, not once a poll; a token the IMAP server rejects (revoked before it expired)
is dropped, and the next request fetches a fresh one.

The grant is a plain aiohttp request in the event loop, before the IMAP worker thread
starts: aiohttp already carries the daemon's HTTP (probes), so TLS, timeouts and proxies
behave alike, and a second HTTP stack for one POST would add more than it saves.

Neither the client secret nor a token ever appears in a log line or an error text: errors
name the mailbox, the token endpoint and the server's error code.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

import aiohttp

from monitor.config import MailboxConfig, OAuth2Auth
from monitor.servicedesk.imap import MailboxLoginError

__all__ = ["EXPIRY_MARGIN", "OAuth2TokenSource", "TokenSources"]

EXPIRY_MARGIN: Final = timedelta(seconds=60)
"""A token is renewed this long before it expires: a scan started with it must not outlive it."""

_MAX_ANSWER_BYTES: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Cached:
    token: str
    renew_at: float
    """Monotonic instant after which the token is fetched anew."""


class OAuth2TokenSource:
    """The current access token of one mailbox; fetched on demand, cached until near expiry."""

    def __init__(
        self,
        mailbox: str,
        auth: OAuth2Auth,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: timedelta = timedelta(seconds=30),
        margin: timedelta = EXPIRY_MARGIN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.mailbox = mailbox
        self.auth = auth
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._timeout = timeout
        self._margin = margin.total_seconds()
        self._clock = clock
        self._cached: _Cached | None = None
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        """A token that has not expired by our count; asks the token endpoint if needed."""
        async with self._lock:
            cached = self._cached
            if cached is not None and self._clock() < cached.renew_at:
                return cached.token
            self._cached = None
            token, lifetime = await self._fetch()
            if lifetime is not None and lifetime > self._margin:
                self._cached = _Cached(token, self._clock() + lifetime - self._margin)
            return token

    def reject(self, token: str) -> None:
        """The server refused ``token`` (revoked, or expired early): never hand it out again."""
        if self._cached is not None and self._cached.token == token:
            self._cached = None

    async def _fetch(self) -> tuple[str, float | None]:
        url = self.auth.token_url
        try:
            secret = self.auth.read_client_secret()
        except (OSError, UnicodeError) as error:
            reason = (error.strerror if isinstance(error, OSError) else None) or type(
                error
            ).__name__
            raise MailboxLoginError(
                f"mailbox {self.mailbox}: cannot read the client secret from "
                f"{self.auth.client_secret_file}: {reason}"
            ) from None
        form = {
            "grant_type": "client_credentials",
            "client_id": self.auth.client_id,
            "client_secret": secret,
            "scope": self.auth.scope,
        }
        timeout = aiohttp.ClientTimeout(total=self._timeout.total_seconds())
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(
                    url, data=form, ssl=self._ssl, headers={"Accept": "application/json"}
                ) as response,
            ):
                status = response.status
                body = await response.content.read(_MAX_ANSWER_BYTES)
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            reason = "timed out" if isinstance(error, TimeoutError) else type(error).__name__
            if isinstance(error, aiohttp.ClientConnectorError) and error.os_error.strerror:
                reason = error.os_error.strerror
            raise MailboxLoginError(
                f"mailbox {self.mailbox}: token request to {url} failed: {reason}"
            ) from None
        return _token_from(body, status, where=f"mailbox {self.mailbox}: token request to {url}")


def _token_from(body: bytes, status: int, *, where: str) -> tuple[str, float | None]:
    """The token and its lifetime in seconds from a token endpoint's answer (RFC 6749 §5)."""
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeError):
        answer = None
    if not isinstance(answer, dict):
        raise MailboxLoginError(f"{where} failed: HTTP {status}, not a JSON object")
    if status != 200 or "error" in answer:
        error = answer.get("error")
        code = error if isinstance(error, str) else "no error code"
        # Microsoft's and Google's descriptions say what is wrong (bad secret, no consent)
        # without repeating the request; the first line is enough.
        description = answer.get("error_description")
        detail = f" ({description.splitlines()[0][:200]})" if isinstance(description, str) else ""
        raise MailboxLoginError(f"{where} refused: HTTP {status} {code}{detail}")
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise MailboxLoginError(f"{where} failed: the answer has no access_token")
    token_type = answer.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise MailboxLoginError(f"{where} failed: token_type {token_type!r} is not Bearer")
    expires_in = answer.get("expires_in")
    if isinstance(expires_in, str) and expires_in.isdigit():  # some servers send a string
        expires_in = int(expires_in)
    lifetime = float(expires_in) if isinstance(expires_in, int | float) else None
    return token, lifetime


class TokenSources:
    """One :class:`OAuth2TokenSource` per OAuth2 mailbox, kept across scans so a token is
    reused until it expires; a mailbox whose ``auth`` settings changed gets a new source."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ssl_context = ssl_context
        self._clock = clock
        self._sources: dict[str, OAuth2TokenSource] = {}

    def for_mailbox(self, mailbox: MailboxConfig) -> OAuth2TokenSource | None:
        """The mailbox's token source, or ``None`` when it logs in with a password."""
        auth = mailbox.oauth2
        if auth is None:
            self._sources.pop(mailbox.name, None)
            return None
        source = self._sources.get(mailbox.name)
        if source is None or source.auth != auth:
            source = OAuth2TokenSource(
                mailbox.name, auth, ssl_context=self._ssl_context, clock=self._clock
            )
            self._sources[mailbox.name] = source
        return source
