"""The daemon-to-worker protocol: frames over a real socketpair, and the stable assignment."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from pydantic import TypeAdapter

from monitor.probing.ipc import (
    Assign,
    Message,
    Outcomes,
    Stop,
    Stopped,
    encode,
    owner,
    read_message,
)
from monitor.probing.runner import TargetSpec
from probes.base import ProbeResult
from probes.config import ProbeConfig

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PROBE: ProbeConfig = TypeAdapter(ProbeConfig).validate_python(
    {"type": "http", "url": "http://127.0.0.1:9/health"}
)


async def test_messages_cross_a_socketpair_unchanged_and_in_order() -> None:
    """Every message kind arrives equal to what was sent, then the closed end reads as None."""
    ours, theirs = socket.socketpair()
    _, writer = await asyncio.open_connection(sock=ours)
    reader, other = await asyncio.open_connection(sock=theirs)
    result = ProbeResult(
        ok=False,
        started_at=AT,
        duration=timedelta(seconds=0.2),
        error_class="timeout",
        error_message="no answer within 5s",
    )
    sent: list[Message] = [
        Assign((TargetSpec("web", PROBE, timedelta(seconds=10), 2),)),
        Outcomes((("web", AT, result), ("desk", AT, None)), (0.01, 0.02)),
        Stop(10.0),
        Stopped(probed=5, finished=1, cancelled=0),
    ]
    for message in sent:
        writer.write(encode(message))
    await writer.drain()
    writer.close()
    received = [await read_message(reader) for _ in sent]
    assert received == sent
    assert await read_message(reader) is None
    other.close()


def test_adding_targets_moves_no_target_to_another_worker() -> None:
    """A reload that adds targets keeps every existing target on its worker."""
    before = {f"target-{i}": owner(f"target-{i}", 4) for i in range(1000)}
    after = {f"target-{i}": owner(f"target-{i}", 4) for i in range(1200)}
    assert all(after[name] == worker for name, worker in before.items())
    assert set(before.values()) == {0, 1, 2, 3}


def test_the_assignment_is_the_same_in_another_process() -> None:
    """The owner does not depend on the process's string hash seed."""
    names = [f"target-{i}" for i in range(50)]
    code = f"from monitor.probing.ipc import owner;print([owner(n, 3) for n in {names!r}])"
    output = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"PYTHONHASHSEED": "12345"},
    ).stdout
    assert output.strip() == str([owner(n, 3) for n in names])
