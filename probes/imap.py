"""IMAP: the desk mailbox answers and, optionally, lets the monitor log in.

The greeting must be ``* OK`` (``* PREAUTH`` counts too); ``* BYE`` is a refusal (``status``).
STARTTLS or TLS from the first byte are optional. With a username and a password source the
probe logs in: a tagged ``NO`` is ``auth``. The password is read fresh from its file or
environment variable at every probe, sent as an IMAP quoted string (or a literal if it has
characters a quoted string cannot carry), and never appears in a result: server texts are
scrubbed of it, since some servers quote the failed command.
"""

from __future__ import annotations

import asyncio
import re
import ssl

from probes._util import (
    Attempt,
    ProbeError,
    close_stream,
    one_line,
    open_line_stream,
    peer_cert_expiry,
    read_line,
    scrub,
    start_tls,
)
from probes.base import Detail, ProbeContext, ProbeResult
from probes.config import ImapProbeConfig

__all__ = ["probe_imap"]

_QUOTABLE = re.compile(r"[\x20-\x7e]*")
_LITERAL = re.compile(rb"\{(\d+)\+?\}$")
_MAX_LINES = 1000
_MAX_LITERAL = 64 * 1024


async def probe_imap(config: ImapProbeConfig, context: ProbeContext) -> ProbeResult:
    """Greeting, optional STARTTLS, optional LOGIN, LOGOUT."""
    attempt = Attempt(context)
    details: dict[str, Detail] = {"tls": config.tls, "starttls": False, "login": False}
    password: str | None = None
    writer: asyncio.StreamWriter | None = None
    ssl_object: ssl.SSLObject | None = None
    try:
        password = _password(config)
        reader, writer = await open_line_stream(config)
        ssl_object = writer.get_extra_info("ssl_object")

        greeting = await read_line(reader)
        details["greeting"] = one_line(greeting.decode("utf-8", "replace"), 120)
        preauth = greeting[:9].upper() == b"* PREAUTH"
        if greeting[:5].upper() == b"* BYE":
            raise ProbeError("status", f"server refused: {details['greeting']}")
        if not (greeting[:4].upper() == b"* OK" or preauth):
            raise ProbeError("protocol", f"not an IMAP greeting: {greeting[:80]!r}")

        if config.starttls and not config.tls:
            writer.write(b"a1 STARTTLS\r\n")
            status, text = await _tagged(reader, b"a1")
            if status != "OK":
                raise ProbeError("status", f"STARTTLS answered {status} {_text(text)}")
            ssl_object = await start_tls(writer, config)
            details["starttls"] = True
        if ssl_object is not None:
            details["tls_version"] = ssl_object.version()

        if config.username is not None and password is not None and not preauth:
            status, text = await _login(reader, writer, b"a2", config.username, password)
            if status == "NO":
                message = scrub(_text(text), password)
                raise ProbeError("auth", f"login as {config.username} rejected: {message}")
            if status != "OK":
                message = scrub(_text(text), password)
                raise ProbeError("protocol", f"LOGIN answered {status} {message}")
            details["login"] = True

        writer.write(b"a3 LOGOUT\r\n")
        try:
            status, _ = await _tagged(reader, b"a3")
            details["logout"] = status
        except (ProbeError, OSError):
            details["logout"] = None  # the channel worked; a rude goodbye does not undo it
    except Exception as error:
        return attempt.fail_from(
            error,
            secrets=(password,),
            cert_expiry=peer_cert_expiry(ssl_object),
            details=details,
        )
    finally:
        if writer is not None:
            await close_stream(writer)
    return attempt.ok(cert_expiry=peer_cert_expiry(ssl_object), details=details)


def _password(config: ImapProbeConfig) -> str | None:
    """Read the secret now, so a rotated credential file is used without a restart."""
    if config.username is None or not config.secret.configured:
        return None
    try:
        secret = config.secret.read()
    except (OSError, LookupError) as error:
        raise ProbeError("secret", f"cannot read the IMAP password: {error}") from error
    return None if secret is None else secret.get_secret_value()


async def _login(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    tag: bytes,
    username: str,
    password: str,
) -> tuple[str, bytes]:
    """LOGIN with quoted strings, or synchronising literals for values a quote cannot hold."""
    pending = tag + b" LOGIN"
    for value in (username, password):
        raw = value.encode("utf-8")
        if _QUOTABLE.fullmatch(value):
            pending += b' "' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
            continue
        writer.write(pending + b" {%d}\r\n" % len(raw))
        status, text = await _tagged(reader, tag)
        if status != "+":
            return status, text
        pending = raw
    writer.write(pending + b"\r\n")
    return await _tagged(reader, tag)


async def _tagged(reader: asyncio.StreamReader, tag: bytes) -> tuple[str, bytes]:
    """Skip untagged data up to the tagged status (``OK``/``NO``/``BAD``) or a ``+``."""
    for _ in range(_MAX_LINES):
        line = await read_line(reader)
        if line.startswith(b"* "):
            await _skip_literals(reader, line)
            continue
        if line.startswith(b"+"):
            return "+", line[1:].strip()
        if line.startswith(tag + b" "):
            word, _, text = line[len(tag) + 1 :].partition(b" ")
            status = word.upper().decode("ascii", "replace")
            if status in {"OK", "NO", "BAD"}:
                return status, text
        raise ProbeError("protocol", f"unexpected IMAP line: {line[:80]!r}")
    raise ProbeError("protocol", f"no tagged response within {_MAX_LINES} lines")


async def _skip_literals(reader: asyncio.StreamReader, line: bytes) -> None:
    """An untagged line ending in ``{n}`` continues after n raw bytes; skip them, bounded."""
    for _ in range(_MAX_LINES):
        match = _LITERAL.search(line)
        if match is None:
            return
        size = int(match.group(1))
        if size > _MAX_LITERAL:
            raise ProbeError("protocol", f"literal of {size} bytes in a status response")
        await reader.readexactly(size)
        line = await read_line(reader)
    raise ProbeError("protocol", "endless chain of literals")


def _text(text: bytes) -> str:
    return one_line(text.decode("utf-8", "replace"), 200)
