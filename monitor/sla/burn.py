"""The burn-rate counters: live time integrated once, never recomputed from history.

``sla_window_seconds_total`` and ``sla_unavailable_seconds_total`` feed ``rate()``-based
burn-rate alerts (the error budget of 3.2.10). Prometheus reads any decrease of a counter as
a reset and any jump as a burst: a counter recomputed from the store therefore lies whenever
history changes (a maintenance window registered after the fact, an import of last week's
outages, a reload that adds a past maintenance window). Those change the monthly figures
and the report; they must not page anyone at 07:34 on a Saturday, nor hide a live outage.

So the counters integrate *live* time only. Each (target, window) has a frontier: the
instant up to which time has been counted. At every recompute the span from the frontier to
``now − settle`` is measured once, with the evidence known then, and added; the frontier
moves on and the span is never measured again. ``settle`` is how long a fresh outage may take
to become known (``failures_before_down`` probes and a timeout): counting only settled time
means the outage's first, not yet detected seconds are counted too, instead of being lost.

Guarantees, whatever the inputs: both counters only grow; between two advances the frontier
moves by at most the wall-clock time that passed, and each counter grows by at most that;
the unavailable counter grows by at most what the window counter grows. A new counter (a
daemon start, a target added by a reload) starts at zero, which Prometheus handles as a
counter reset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.sla.intervals import Interval, as_utc

__all__ = ["BurnCounter", "settle_time"]

_ZERO = timedelta(0)


def settle_time(interval: timedelta, failures_before_down: int, timeout: timedelta) -> timedelta:
    """How far behind now the counters of a target stay so that its evidence has settled.

    An outage starts at the first failed probe and is known after ``failures_before_down``
    of them; a monitoring gap is known after two missed probes and a timeout. One interval
    more absorbs scheduling jitter.
    """
    return max(failures_before_down, 2) * interval + timeout


def _clamp(value: timedelta, high: timedelta) -> timedelta:
    return max(_ZERO, min(value, high))


@dataclass(frozen=True, slots=True)
class BurnCounter:
    """The two burn-rate counters of one target and window.

    ``frontier``: live time is counted up to here. ``seen``: the instant of the last advance,
    so the next one cannot move the frontier further than the wall-clock time since.
    """

    frontier: datetime
    seen: datetime
    window: timedelta = _ZERO
    unavailable: timedelta = _ZERO

    @classmethod
    def start(cls, now: datetime, settle: timedelta) -> BurnCounter:
        """A counter at zero whose first span begins at the first settled instant."""
        now = as_utc(now)
        return cls(frontier=now - settle, seen=now)

    def due(self, now: datetime, settle: timedelta) -> Interval | None:
        """The span to measure at ``now``: from the frontier to ``now − settle``, at most as
        long as the time since the last advance; ``None`` when there is nothing to count
        (the clock went back, or a reload lengthened ``settle``)."""
        now = as_utc(now)
        if now <= self.seen:
            return None
        end = min(now - settle, self.frontier + (now - self.seen))
        return Interval(self.frontier, end) if end > self.frontier else None

    def advance(
        self,
        now: datetime,
        span: Interval | None,
        window: timedelta = _ZERO,
        unavailable: timedelta = _ZERO,
    ) -> BurnCounter:
        """Add what ``span`` (from :meth:`due`) measured; each part is clamped to the span's
        length and the unavailable part to the window part, so no input can make a counter
        fall or jump."""
        now = as_utc(now)
        seen = max(self.seen, now)
        if span is None or span.start != self.frontier or span.end <= self.frontier:
            return BurnCounter(self.frontier, seen, self.window, self.unavailable)
        step = min(span.duration, now - self.seen) if now > self.seen else _ZERO
        added_window = _clamp(window, step)
        added_unavailable = _clamp(unavailable, added_window)
        return BurnCounter(
            frontier=self.frontier + step,
            seen=seen,
            window=self.window + added_window,
            unavailable=self.unavailable + added_unavailable,
        )
