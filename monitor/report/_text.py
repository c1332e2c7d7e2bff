"""How figures are written for people: percentages, durations and instants.

One module, so the HTML report, the 3.2.15 descriptions and the command line print a figure
the same way. Percentages are rounded *down*: a figure of 98.9996 % must never read as
"99.000 %" next to a 99 % norm it missed. The machine formats (JSON, CSV) carry the exact
floats and never go through here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

__all__ = ["duration_text", "instant_text", "objective_text", "percent_text", "seconds"]

_SECOND = timedelta(seconds=1)


def seconds(duration: timedelta) -> float:
    """A duration as float seconds; exact to the microsecond for any month-sized length."""
    return duration / _SECOND


def percent_text(ratio: float, places: int = 3) -> str:
    """``0.99092741`` -> ``"99.092 %"``, rounded towards zero.

    ``Decimal(repr(...))`` reads the float's shortest decimal spelling, so 0.99 becomes
    exactly 99.000 instead of 98.999… from binary arithmetic.
    """
    scaled = Decimal(repr(ratio)) * 100
    quantum = Decimal(1).scaleb(-places)
    return f"{scaled.quantize(quantum, rounding=ROUND_DOWN)} %"


def objective_text(ratio: float) -> str:
    """A norm as written in the contract: ``0.99`` -> ``"99 %"``, ``0.995`` -> ``"99.5 %"``."""
    scaled = (Decimal(repr(ratio)) * 100).normalize()
    return f"{scaled:f} %"


def duration_text(duration: timedelta) -> str:
    """``2 h 05 min``, ``45 min 30 s``, ``0 s``; microseconds are dropped (never rounded up)."""
    negative = duration < timedelta(0)
    total = int(abs(duration) / _SECOND)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        text = f"{hours} h {minutes:02d} min" + (f" {secs:02d} s" if secs else "")
    elif minutes:
        text = f"{minutes} min" + (f" {secs:02d} s" if secs else "")
    else:
        text = f"{secs} s"
    return f"−{text}" if negative else text


def instant_text(instant: datetime | None, zone: ZoneInfo) -> str:
    """``2026-05-12 10:00`` in the report's zone (seconds only when they are not zero)."""
    if instant is None:
        return "still open"
    local = instant.astimezone(zone)
    if local.second or local.microsecond:
        return local.strftime("%Y-%m-%d %H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")
