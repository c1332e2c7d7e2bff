"""Structured logs: JSON when not on a terminal (journald, files), readable on a terminal.

One rich event per unit of work, as in hynek's structlog: a probe's outcome *change*, an
outage opened or closed, a reload, a shutdown summary. Never a per-probe line (at 1,000
probes a second that would drown the journal) and never a secret: configuration is logged by
name, URLs with their password hidden.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

__all__ = ["configure_logging"]


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
