"""Structured logs: JSON when not on a terminal (journald, files), readable on a terminal.

One rich event per unit of work, as in hynek's structlog: a probe's outcome *change*, an
outage opened or closed, a reload, a shutdown summary. Never a per-probe line (at 1,000
probes a second that would drown the journal) and never a secret: configuration is logged by
name, URLs with their password hidden.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

import structlog

__all__ = ["configure_logging", "redact"]

_CREDENTIALS = re.compile(
    r"(?i)"
    # A whole header value: Authorization: Bearer abc, Cookie: a=b
    r"((?:proxy-)?authorization\s*:\s*|cookie\s*:\s*|x-api-key\s*:\s*)[^\r\n'\"\\]+"
    # A scheme and its credential: Bearer abc, Basic dXNlcg==
    r"|(\b(?:bearer|basic)\s+)[^\s'\"\\,;]+"
    # A query or form parameter: access_token=abc, token=abc, password=abc
    r"|(\b[\w-]*(?:token|password|passwd|secret|api_key|apikey)=)[^\s&'\"\\,;]+"
)


def redact(text: str) -> str:
    """``text`` with credential parts replaced by ``***``: for anything that quotes what a
    client sent (a request line, a header) before it goes to a log."""
    return _CREDENTIALS.sub(lambda m: (m.group(1) or m.group(2) or m.group(3)) + "***", text)


class _RedactingFilter(logging.Filter):
    """One masked line per record of a library logger that may quote client input.

    aiohttp's server logger attaches a traceback whose exception text repeats the start of
    a refused request line; the record's message and its exception are folded into one
    redacted line and the traceback is dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message = f"{message}: {type(error).__name__}: {error}"
        record.msg, record.args = redact(message), ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def configure_logging(
    *, level: str = "info", json: bool | None = None, stream: TextIO | None = None
) -> None:
    """Configure structlog and the standard library's logging once, at program start."""
    out = stream or sys.stderr
    as_json = (not out.isatty()) if json is None else json
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.typing.Processor
    if as_json:
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=out.isatty())
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=True,
    )
    # Libraries (aiohttp access log, apscheduler, alembic) log through the stdlib: keep their
    # warnings, drop their chatter, and send them to the same stream.
    logging.basicConfig(stream=out, level=max(numeric, logging.WARNING), force=True)
    for noisy in ("apscheduler", "aiohttp.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, _RedactingFilter) for f in server.filters):
        server.addFilter(_RedactingFilter())
