"""The daemon's allocator and collector settings (monitor/daemon/_heap.py), in a child
process: they are process-wide, and this test process keeps its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys

CHILD = """
import gc, json, sys
from monitor.daemon._heap import YOUNG_GENERATION, settle_allocator, settle_heap
applied = settle_allocator()
before = gc.get_freeze_count()
kept = [object() for _ in range(10)]
settle_heap()
print(json.dumps({
    "applied": applied,
    "young": gc.get_threshold()[0],
    "frozen_more": gc.get_freeze_count() > before,
    "expected_young": YOUNG_GENERATION,
}))
"""


def run_child(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    return found


def test_a_settled_heap_freezes_what_start_up_made_and_widens_the_young_generation() -> None:
    """After start-up everything alive is frozen and the young generation holds 100,000
    allocations; the allocator settings apply on this glibc host."""
    found = run_child(dict(os.environ))
    assert found["applied"] is True
    assert found["young"] == found["expected_young"]
    assert found["frozen_more"] is True
