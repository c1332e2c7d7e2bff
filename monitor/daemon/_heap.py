"""The garbage collector's settings for a daemon whose heap is large and long-lived.

CPython's cyclic collector walks the whole old generation on a full collection. At 10,000
targets the configuration, the snapshot and the figure caches are over a million tracked
objects, and a full collection held the interpreter for up to a second: every probe due
meanwhile started late (``sla_monitor_scheduler_lag_seconds``), and with the default young
generation (700 allocations) a recompute's temporaries were promoted to the old generation
fast enough to set off one or two full collections per recompute. Almost none of that heap is
cyclic: configuration and snapshots are trees of frozen values, freed by reference counting
the moment the next snapshot replaces them.

So, once the daemon has started: everything alive then (configuration, targets, the first
snapshot) is frozen out of the collector's walks (:func:`gc.freeze`; reference counting still
frees it), and the young generation holds 100,000 allocations, so what a recompute makes and
drops dies young. Cyclic garbage is still collected, young, as before. Measured with
``bench/probes.py`` and ``bench/scrape.py`` (docs/architecture.md#performance).
"""

from __future__ import annotations

import gc

__all__ = ["YOUNG_GENERATION", "settle_heap"]

YOUNG_GENERATION = 100_000
"""Allocations between young collections (CPython's default is 700)."""


def settle_heap() -> None:
    """Freeze what start-up made and widen the young generation; process-wide, so only the
    ``run`` command calls it (an embedding process keeps its own collector settings)."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION, middle, old)
