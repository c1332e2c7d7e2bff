"""Knobs of the running daemon that are deployment facts, not contract facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = ["DaemonOptions"]


@dataclass(frozen=True, slots=True)
class DaemonOptions:
    """Knobs that are deployment facts, not contract facts."""

    drain_grace: timedelta = timedelta(seconds=10)
    writer_stop_grace: timedelta = timedelta(seconds=10)
    flush_interval: timedelta = timedelta(milliseconds=200)
    prune_every: timedelta = timedelta(hours=1)
    recompute_every: timedelta = timedelta(seconds=15)
    mailbox_batches_per_poll: int = 20
    export_every: timedelta = timedelta(hours=1)
    max_buffered_results: int = 100_000
    reload_timeout: timedelta = timedelta(seconds=30)
    """Longest a reload may spend reading and checking the file before it is given up."""
    exit_margin: timedelta = timedelta(seconds=5)
    """After SIGTERM, the process ends this long after the drain and writer graces at the
    latest, even if something it cannot cancel (a thread stuck reading the file) holds on."""
    install_signal_handlers: bool = True
    settle_heap: bool = False
    """Tune the garbage collector for a long-lived heap once started (:mod:`._heap`): the
    ``run`` command does; an embedding process (the tests) keeps its own settings."""
    log_level: str = "info"
    log_format: str = "auto"
    """How probe worker processes log: as the daemon was told to (``run --log-*``)."""
