"""SMTP: the mail channel of the service desk answers (requirements 3.2.7 and 3.2.8).

The dialogue is short enough to speak directly over asyncio streams: the 220 banner, EHLO,
optionally STARTTLS and EHLO again (or TLS from the first byte with ``tls: true``), QUIT. No
mail is sent. A reply code other than the expected one is ``status``; a line that is not an
SMTP reply at all is ``protocol``. The reply to QUIT is recorded but does not decide anything:
once EHLO was answered the channel is shown to work.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from contextlib import suppress

from probes._util import (
    Attempt,
    ProbeError,
    close_stream,
    one_line,
    open_line_stream,
    peer_cert_expiry,
    read_line,
    start_tls,
)
from probes.base import Detail, ProbeContext, ProbeResult
from probes.config import SmtpProbeConfig

__all__ = ["probe_smtp"]

_REPLY_LINE = re.compile(rb"^([2-5]\d\d)([ -]|$)(.*)$")
_MAX_REPLY_LINES = 100


async def probe_smtp(config: SmtpProbeConfig, context: ProbeContext) -> ProbeResult:
    """Banner, EHLO, optional STARTTLS; a failure names the step that went wrong."""
    attempt = Attempt(context)
    details: dict[str, Detail] = {"tls": config.tls, "starttls": False}
    writer: asyncio.StreamWriter | None = None
    ssl_object: ssl.SSLObject | None = None
    try:
        reader, writer = await open_line_stream(config)
        ssl_object = writer.get_extra_info("ssl_object")

        code, lines = await _reply(reader)
        details["banner"] = one_line(lines[0].decode("utf-8", "replace"), 120)
        _expect("banner", code, 220, lines)

        extensions = await _ehlo(reader, writer, config.helo_name)
        details["starttls_offered"] = "STARTTLS" in extensions
        if config.starttls and not config.tls:
            if "STARTTLS" not in extensions:
                raise ProbeError("protocol", "server does not offer STARTTLS")
            writer.write(b"STARTTLS\r\n")
            code, lines = await _reply(reader)
            _expect("STARTTLS", code, 220, lines)
            ssl_object = await start_tls(writer, config)
            details["starttls"] = True
            await _ehlo(reader, writer, config.helo_name)
        if ssl_object is not None:
            details["tls_version"] = ssl_object.version()

        writer.write(b"QUIT\r\n")
        with suppress(ProbeError, OSError):
            details["quit_code"], _ = await _reply(reader)
    except Exception as error:
        return attempt.fail_from(error, cert_expiry=peer_cert_expiry(ssl_object), details=details)
    finally:
        if writer is not None:
            await close_stream(writer)
    return attempt.ok(cert_expiry=peer_cert_expiry(ssl_object), details=details)


async def _ehlo(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, helo_name: str
) -> set[str]:
    """Send EHLO and return the advertised extension keywords (``STARTTLS``, ``SIZE`` …)."""
    writer.write(f"EHLO {helo_name}\r\n".encode("ascii", "replace"))
    code, lines = await _reply(reader)
    _expect("EHLO", code, 250, lines)
    return {line.split()[0].decode("ascii", "replace").upper() for line in lines[1:] if line}


async def _reply(reader: asyncio.StreamReader) -> tuple[int, list[bytes]]:
    """A possibly multi-line reply (``250-…`` … ``250 …``): its code and the line texts."""
    texts: list[bytes] = []
    while len(texts) < _MAX_REPLY_LINES:
        line = await read_line(reader)
        match = _REPLY_LINE.match(line)
        if match is None:
            raise ProbeError("protocol", f"not an SMTP reply: {line[:80]!r}")
        code = int(match.group(1))
        texts.append(match.group(3).strip())
        if match.group(2) != b"-":
            return code, texts
    raise ProbeError("protocol", f"reply longer than {_MAX_REPLY_LINES} lines")


def _expect(step: str, code: int, expected: int, lines: list[bytes]) -> None:
    if code != expected:
        text = b" ".join(lines).decode("utf-8", "replace")
        raise ProbeError("status", f"{step} answered {code} {text}, expected {expected}")
