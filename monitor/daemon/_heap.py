"""The garbage collector's settings for a daemon whose heap is large and long-lived.

CPython's cyclic collector walks the whole old generation on a full collection. At 10,000
targets the configuration, the snapshot and the figure caches are over a million tracked
objects, and a full collection held the interpreter for up to a second: every probe due
meanwhile started late (``sla_monitor_scheduler_lag_seconds``), and with the default young
generation (700 allocations) a recompute's temporaries were promoted to the old generation
fast enough to set off one or two full collections per recompute. Almost none of that heap is
cyclic: configuration and snapshots are trees of frozen values, freed by reference counting
the moment the next snapshot replaces them.

The C allocator is told the same before anything is read (:func:`settle_allocator`):
glibc gives every thread that allocates its own arena (the store's thread, the compression
threads) and, after a large block is freed, raises the size below which blocks come from the
heap rather than their own mapping, so the start-up's transient megabytes (the YAML of
10,000 targets) stay resident for good. Two arenas and fixed 128 KiB thresholds took 36 MB
off the daemon's resident size at 10,000 targets, at no measurable CPU.

So, once the daemon has started: everything alive then (configuration, targets, the first
snapshot) is frozen out of the collector's walks (:func:`gc.freeze`; reference counting still
frees it), and the young generation holds 100,000 allocations, so what a recompute makes and
drops dies young. Cyclic garbage is still collected, young, as before. Measured with
``bench/probes.py`` and ``bench/scrape.py`` (docs/architecture.md#performance).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os

__all__ = ["YOUNG_GENERATION", "settle_allocator", "settle_heap"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_ALLOCATOR_SETTINGS = (
    ("MALLOC_ARENA_MAX", _M_ARENA_MAX, 2),
    ("MALLOC_MMAP_THRESHOLD_", _M_MMAP_THRESHOLD, 128 * 1024),
    ("MALLOC_TRIM_THRESHOLD_", _M_TRIM_THRESHOLD, 128 * 1024),
)

YOUNG_GENERATION = 100_000
"""Allocations between young collections (CPython's default is 700)."""


def settle_heap() -> None:
    """Freeze what start-up made and widen the young generation; process-wide, so only the
    ``run`` command calls it (an embedding process keeps its own collector settings)."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION, middle, old)


def settle_allocator() -> bool:
    """Two malloc arenas and fixed trim and mapping thresholds, where the C library is
    glibc; a setting given in the environment (``MALLOC_ARENA_MAX`` and the like) is left as
    given. Returns whether the settings were applied (not on other C libraries)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    for variable, option, value in _ALLOCATOR_SETTINGS:
        if variable not in os.environ:
            mallopt(option, value)
    return True
