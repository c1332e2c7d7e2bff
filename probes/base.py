"""The one shape every probe has: ``async (config, context) -> ProbeResult``.

As in blackbox_exporter, the caller owns the cross-cutting concerns: it applies the timeout,
measures nothing but what the probe reports, turns results into rows and metrics, and logs.
A probe only talks its protocol once and describes what happened in a :class:`ProbeResult`.
It never sleeps, retries or logs on its own, so a probe's cost is one protocol exchange.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar

import aiohttp

if TYPE_CHECKING:
    from probes._http1 import LeanHttp

__all__ = [
    "Detail",
    "Probe",
    "ProbeContext",
    "ProbeResult",
]

Detail = str | int | float | bool | None

ConfigT_contra = TypeVar("ConfigT_contra", contravariant=True)


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What one probe run found out.

    ``error_class`` is a short, stable machine word (``timeout``, ``connection_refused``,
    ``status``, ``body_mismatch``, ``tls_certificate``, ``dns``, ``protocol`` …) used as the
    outage's cause and as a metric-safe label; ``error_message`` is for people. Neither may
    contain a secret.
    """

    ok: bool
    started_at: datetime
    duration: timedelta
    error_class: str | None = None
    error_message: str | None = None
    cert_expiry: datetime | None = None
    details: Mapping[str, Detail] = field(default_factory=dict)

    @property
    def cause(self) -> str | None:
        """One line for the outage record: ``class: message``."""
        if self.ok:
            return None
        if self.error_message:
            return f"{self.error_class}: {self.error_message}"
        return self.error_class


@dataclass(frozen=True, slots=True)
class ProbeContext:
    """What a probe may use besides its configuration.

    ``clock`` returns the current aware UTC instant (injected, so tests can fix it);
    ``monotonic`` returns seconds for measuring durations; ``http`` is the daemon's one
    shared aiohttp session. ``lean_http``, when given, takes the plain HTTP probes (see
    :mod:`probes.http` for which); without it every HTTP probe goes through ``http``.
    """

    http: aiohttp.ClientSession
    clock: Callable[[], datetime]
    monotonic: Callable[[], float]
    lean_http: LeanHttp | None = None


class Probe(Protocol[ConfigT_contra]):
    """A probe for one protocol. Implementations are plain ``async def`` functions."""

    async def __call__(self, config: ConfigT_contra, context: ProbeContext) -> ProbeResult: ...
