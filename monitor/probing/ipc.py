"""The framed protocol between the daemon and its probe worker processes.

One frame is a 4-byte big-endian length and a pickle of one message, a frozen dataclass.
Pickle is safe here because both ends are the same program: the socket is a private
socketpair between the daemon and the worker it spawned, never a listening socket.

Outcomes travel in batches (a worker sends what finished within a few milliseconds as one
frame), so the cost per probe is a tuple in a list, not a system call.
"""

from __future__ import annotations

import asyncio
import hashlib
import pickle
import struct
from dataclasses import dataclass
from datetime import datetime

from monitor.probing.runner import TargetSpec
from probes.base import ProbeResult

__all__ = [
    "Assign",
    "Message",
    "Outcome",
    "Outcomes",
    "Stop",
    "Stopped",
    "encode",
    "owner",
    "read_message",
]

_LENGTH = struct.Struct(">I")
MAX_FRAME = 1 << 30
"""A frame this long is a broken stream, not a batch: 20,000 target specs pickle to a few MB."""


def owner(name: str, workers: int) -> int:
    """The worker that probes ``name``: a stable hash of the name modulo the worker count.

    Stable across restarts and reloads (not Python's salted ``hash``), and independent of the
    other targets: adding or removing one target never moves another.
    """
    digest = hashlib.blake2b(name.encode(), digest_size=8, person=b"sla-work").digest()
    return int.from_bytes(digest, "big") % workers


@dataclass(frozen=True, slots=True)
class Assign:
    """Daemon to worker: the complete set of targets the worker probes from now on."""

    specs: tuple[TargetSpec, ...]


@dataclass(frozen=True, slots=True)
class Stop:
    """Daemon to worker: stop dispatching, give the runs in flight ``grace`` seconds, deliver
    their outcomes, answer :class:`Stopped` and exit."""

    grace: float


Outcome = tuple[str, datetime, ProbeResult | None]
"""One run: the target, when the run was due to probe, and its result; ``None`` when the
target's probing schedule was closed at that moment, so nothing was probed."""


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Worker to daemon: runs that finished, in the order they finished, and the dispatch lag
    of the runs started since the last batch (for the daemon's lag histogram)."""

    outcomes: tuple[Outcome, ...]
    lags: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Stopped:
    """Worker to daemon, the last frame: every result probed since the worker started has
    been sent (``probed`` of them); ``cancelled`` runs outlived the grace."""

    probed: int
    finished: int
    cancelled: int


Message = Assign | Stop | Outcomes | Stopped


def encode(message: Message) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(body)) + body


async def read_message(reader: asyncio.StreamReader) -> Message | None:
    """The next message; ``None`` when the other end has closed the socket (or died)."""
    try:
        head = await reader.readexactly(_LENGTH.size)
        (length,) = _LENGTH.unpack(head)
        if length > MAX_FRAME:
            raise ValueError(f"a frame of {length} bytes is not a message")
        body = await reader.readexactly(length)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    message = pickle.loads(body)  # noqa: S301  (our own child process, see the module doc)
    if not isinstance(message, Assign | Stop | Outcomes | Stopped):
        raise ValueError(f"unexpected message {type(message).__name__}")
    return message
