"""TLS handshake: a valid certificate for the name, with enough days left.

The handshake is the whole probe; nothing is sent after it. With ``verify: false`` the chain
and the name are not checked, but the expiry still is: an expired certificate then fails as
``tls_expiring`` (fewer than ``min_days_left`` days, namely a negative number).
"""

from __future__ import annotations

import asyncio
import ssl

from probes._util import (
    LINE_LIMIT,
    Attempt,
    client_ssl_context,
    close_stream,
    peer_cert_expiry,
)
from probes.base import Detail, ProbeContext, ProbeResult
from probes.config import TlsProbeConfig

__all__ = ["probe_tls"]


async def probe_tls(config: TlsProbeConfig, context: ProbeContext) -> ProbeResult:
    """Handshake, read the leaf certificate's expiry, compare it with ``min_days_left``."""
    attempt = Attempt(context)
    try:
        ssl_context = client_ssl_context(verify=config.verify, ca_file=config.ca_file)
        _, writer = await asyncio.open_connection(
            config.host,
            config.port,
            ssl=ssl_context,
            server_hostname=config.server_name or config.host,
            ssl_handshake_timeout=config.timeout.total_seconds(),
            limit=LINE_LIMIT,
        )
    except Exception as error:
        return attempt.fail_from(error)
    ssl_object: ssl.SSLObject | None = writer.get_extra_info("ssl_object")
    expiry = peer_cert_expiry(ssl_object)
    details: dict[str, Detail] = {}
    if ssl_object is not None:
        details["tls_version"] = ssl_object.version()
        cipher = ssl_object.cipher()
        details["cipher"] = cipher[0] if cipher else None
    await close_stream(writer)

    if expiry is None:
        return attempt.fail("tls_certificate", "server presented no readable certificate")
    days_left = (expiry - context.clock()).total_seconds() / 86400
    details["days_left"] = round(days_left, 3)
    if days_left < config.min_days_left:
        when = expiry.isoformat()
        message = (
            f"certificate expired at {when}"
            if days_left < 0
            else f"certificate expires at {when}, in {days_left:.1f} days "
            f"(fewer than {config.min_days_left})"
        )
        return attempt.fail("tls_expiring", message, cert_expiry=expiry, details=details)
    return attempt.ok(cert_expiry=expiry, details=details)
