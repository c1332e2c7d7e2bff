"""Log hygiene: credentials quoted from client input are masked, library tracebacks folded."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
import structlog

from monitor.logging import configure_logging, redact

TOKEN = "write-token-0123456789abcdef"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"b'GET /api/v1/status?access_token={TOKEN}&x=1 HTTP/1.1'", "access_token=***&x=1"),
        (f"Authorization: Bearer {TOKEN}\\r\\nHost: a", "Authorization: ***\\r\\nHost: a"),
        (f"bearer {TOKEN}", "bearer ***"),
        (f"/x?token={TOKEN}", "/x?token=***"),
        (f"password={TOKEN};", "password=***;"),
        (f"Cookie: session={TOKEN}", "Cookie: ***"),
    ],
)
def test_credentials_in_quoted_client_input_are_masked(text: str, masked: str) -> None:
    """Query parameters, schemes and whole credential headers lose their values."""
    assert TOKEN not in redact(text)
    assert masked in redact(text)


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging changes process-wide state; other tests get theirs back."""
    root, server = logging.getLogger(), logging.getLogger("aiohttp.server")
    handlers, level, filters = list(root.handlers), root.level, list(server.filters)
    config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    server.filters[:] = filters
    structlog.configure(**config)


@pytest.mark.usefixtures("restored_logging")
def test_an_aiohttp_server_record_with_a_traceback_becomes_one_masked_line() -> None:
    """The exception text is kept as the line's end; the traceback and the token are not."""
    stream = io.StringIO()
    configure_logging(json=True, stream=stream)
    try:
        raise ValueError(f"Bad status line 'GET /?access_token={TOKEN}'")
    except ValueError:
        logging.getLogger("aiohttp.server").exception("Error handling request from %s", "::1")
    output = stream.getvalue()
    assert output.count("\n") == 1
    assert TOKEN not in output
    assert "Error handling request from ::1: ValueError: Bad status line" in output
