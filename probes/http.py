"""HTTP(S): status, body and response time of one request on a fresh connection.

Fresh connection, always: the request says ``Connection: close`` and the response is closed,
not released, at the end, so no probe inherits a pooled connection from an earlier one and a
dead server cannot hide behind a kept-alive socket. Redirect hops inside one probe may share a
connection if the server ignores ``Connection: close``; the daemon's session should use a
``force_close=True`` connector and a ``DummyCookieJar`` to rule that out entirely.

The body is read in chunks up to ``max_body_bytes`` and the connection is then dropped, so a
10 GB or never-ending body costs at most the cap; body checks see that prefix, and JSON
conditions (``body_json``, see :mod:`probes._json`) refuse a body that did not fit. The response
time compared with ``max_response_time`` is the whole exchange: connect, TLS, headers and the
(capped) body, which is what a user of the endpoint waits for.

TLS settings come from the probe, never from the session: each request carries its own SSL
context (verification on unless ``verify_tls: false``). The certificate expiry is the earliest
``notAfter`` among the leaf certificates of the handshakes this probe made (all redirect hops);
it is ``None`` when a hop reused a connection and so made no handshake.

Two ways to make the exchange, chosen by what the probe needs, with the same outcome: the
lean path (:mod:`probes._http1`, the socket's own callbacks or an asyncio transport for TLS,
and the llhttp parser: a fraction of aiohttp's CPU per request) when the context offers it
and the URL carries no credentials; aiohttp's client otherwise (credentials in the URL become
its Basic authentication, with its rules for combining them with an ``Authorization``
header). Redirects, TLS settings, the body cap, gzip/deflate bodies and every failure class
are the same on both.
"""

from __future__ import annotations

import re
import ssl

import aiohttp
from yarl import URL

from probes._http1 import Answer, LeanHttp, PlainUrl
from probes._json import check_json
from probes._util import (
    Attempt,
    ProbeError,
    classify,
    client_ssl_context,
    earliest_expiry,
    record_peer_certs,
)
from probes.base import Detail, ProbeContext, ProbeResult
from probes.config import HttpProbeConfig

__all__ = ["probe_http"]

_CHUNK = 64 * 1024
_MAX_REDIRECTS = 10
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_USERINFO_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#@:]*:([^/?#@]*)@")


async def probe_http(config: HttpProbeConfig, context: ProbeContext) -> ProbeResult:
    """One request; a failure is the first of: connection, status, body, JSON, response time."""
    attempt = Attempt(context)
    details: dict[str, Detail] = {"redirects": 0, "body_bytes_read": 0}
    handshakes: list[ssl.SSLObject] = []
    try:
        lean = context.lean_http
        url = lean.plain_url(config.url) if lean is not None else None
        if lean is not None and url is not None:
            status, body = await _exchange_lean(lean, url, config, details, handshakes)
        else:
            with record_peer_certs(handshakes):
                status, body = await _exchange(config, context, details)
    except ProbeError as failure:
        return attempt.fail(
            failure.error_class,
            failure.message,
            cert_expiry=earliest_expiry(handshakes),
            details=details,
        )
    except Exception as error:
        error_class, message = _classify(error)
        secrets = (_url_password(config.url), *config.headers.values())
        return attempt.fail(
            error_class,
            _scrub(message, secrets),
            cert_expiry=earliest_expiry(handshakes),
            details=details,
        )
    cert_expiry = earliest_expiry(handshakes)

    accepted = config.expect_status
    if (accepted is None and not 200 <= status < 300) or (
        accepted is not None and status not in accepted
    ):
        wanted = "2xx" if accepted is None else ", ".join(map(str, accepted))
        return attempt.fail(
            "status",
            f"status {status}, expected {wanted}",
            cert_expiry=cert_expiry,
            details=details,
        )
    mismatch = _body_mismatch(config, body)
    if mismatch is not None:
        return attempt.fail("body_mismatch", mismatch, cert_expiry=cert_expiry, details=details)
    if config.body_json:
        unmet = check_json(
            config.body_json,
            body,
            truncated=details.get("body_truncated") is True,
            max_body_bytes=config.max_body_bytes,
            details=details,
        )
        if unmet is not None:
            return attempt.fail(*unmet, cert_expiry=cert_expiry, details=details)
    elapsed = attempt.elapsed()
    if config.max_response_time is not None and elapsed > config.max_response_time:
        return attempt.fail(
            "slow",
            f"response took {elapsed.total_seconds():.3f}s, "
            f"more than {config.max_response_time.total_seconds():g}s",
            cert_expiry=cert_expiry,
            details=details,
        )
    return attempt.ok(cert_expiry=cert_expiry, details=details)


async def _exchange(
    config: HttpProbeConfig, context: ProbeContext, details: dict[str, Detail]
) -> tuple[int, str]:
    """Send the request and read at most ``max_body_bytes``; fill ``details`` as it goes."""
    ssl_context = client_ssl_context(verify=config.verify_tls, ca_file=config.ca_file)
    headers = {**config.headers, "Connection": "close"}
    # Only the connect is bounded here; the runner bounds the whole probe.
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=config.timeout.total_seconds())
    async with context.http.request(
        config.method,
        config.url,
        headers=headers,
        allow_redirects=config.follow_redirects,
        raise_for_status=False,  # the probe judges the status, whatever the session says
        max_redirects=_MAX_REDIRECTS,
        ssl=ssl_context,
        timeout=timeout,
    ) as response:
        try:
            details["status_code"] = response.status
            version = response.version
            details["http_version"] = f"{version.major}.{version.minor}" if version else None
            details["redirects"] = len(response.history)
            body = bytearray()
            while len(body) < config.max_body_bytes:
                chunk = await response.content.read(min(_CHUNK, config.max_body_bytes - len(body)))
                if not chunk:
                    break
                body += chunk
                details["body_bytes_read"] = len(body)
            details["body_truncated"] = not response.content.at_eof()
        finally:
            response.close()  # never back to the pool, and stop an endless body here
    return response.status, _decode(bytes(body), response.charset)


async def _exchange_lean(
    lean: LeanHttp,
    url: PlainUrl,
    config: HttpProbeConfig,
    details: dict[str, Detail],
    handshakes: list[ssl.SSLObject],
) -> tuple[int, str]:
    """:func:`_exchange` on the lean path; redirects as aiohttp follows them."""
    headers = dict(config.headers)
    hops = 0
    while True:
        answer = await lean.fetch(
            config.method,
            url,
            headers,
            ssl_context=(
                client_ssl_context(verify=config.verify_tls, ca_file=config.ca_file)
                if url.scheme == "https"
                else None
            ),
            max_body_bytes=config.max_body_bytes,
            handshake_timeout=config.timeout.total_seconds(),
            handshakes=handshakes,
        )
        following = _redirect(answer, url) if config.follow_redirects else None
        if following is None:
            break
        hops += 1
        if hops >= _MAX_REDIRECTS:
            raise ProbeError("redirects", f"more than {_MAX_REDIRECTS} redirects")
        if following.origin() != url.url().origin():  # credentials stay with their origin
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        url = PlainUrl.of(following)
    details["status_code"] = answer.status
    details["http_version"] = answer.version
    details["redirects"] = hops
    details["body_bytes_read"] = len(answer.body)
    if answer.broken is not None:
        raise answer.broken
    details["body_truncated"] = answer.truncated
    return answer.status, _decode(answer.body, answer.charset)


def _redirect(answer: Answer, url: PlainUrl) -> URL | None:
    """Where a redirect answer points, resolved against ``url``; ``None`` if it is none."""
    if answer.status not in _REDIRECTS:
        return None
    location = answer.headers.get("location") or answer.headers.get("uri")
    if location is None:
        return None
    try:
        target = URL(location)
        if target.scheme not in ("", "http", "https"):
            raise ValueError(location)
        if not target.scheme:
            target = url.url().join(target)
        target.origin()
    except ValueError as error:
        raise ProbeError("redirects", f"unusable redirect: {error}") from None
    return target


def _decode(body: bytes, charset: str | None) -> str:
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")


def _body_mismatch(config: HttpProbeConfig, body: str) -> str | None:
    if config.body_contains is not None and config.body_contains not in body:
        return f"body does not contain {config.body_contains!r}"
    if config.body_regex is not None and re.search(config.body_regex, body) is None:
        return f"body does not match /{config.body_regex}/"
    return None


def _classify(error: Exception) -> tuple[str, str]:
    """aiohttp wraps the interesting error; unwrap it so TLS and DNS keep their classes."""
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return classify(error.certificate_error)
    if isinstance(error, aiohttp.ClientConnectorError):
        return classify(error.os_error)
    if isinstance(error, aiohttp.ServerTimeoutError):
        return "timeout", str(error) or "timed out"
    if isinstance(error, aiohttp.TooManyRedirects):
        return "redirects", f"more than {_MAX_REDIRECTS} redirects"
    if isinstance(error, aiohttp.RedirectClientError):
        return "redirects", f"unusable redirect: {error}"
    if isinstance(error, aiohttp.InvalidURL):
        return "config", f"invalid URL: {error}"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "connection_error", "server closed the connection without a complete response"
    if isinstance(error, aiohttp.ClientPayloadError):
        return "protocol", f"broken response body: {error}"
    if isinstance(error, aiohttp.ClientResponseError):
        return "protocol", f"malformed response: {error.message}"
    if isinstance(error, aiohttp.ClientOSError):
        return classify(error)
    if isinstance(error, aiohttp.ClientError):
        return "connection_error", str(error) or type(error).__name__
    return classify(error)


def _url_password(url: str) -> str | None:
    """The password in ``user:password@`` without parsing the URL, which may be invalid."""
    match = _USERINFO_PASSWORD.match(url)
    return match.group(1) if match else None


def _scrub(message: str, secrets: tuple[str | None, ...]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:  # a short header value would shred the message
            message = message.replace(secret, "***")
    return message
