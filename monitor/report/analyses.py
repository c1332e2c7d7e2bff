"""Which figure a 3.2.6 analysis names, checked once for the API and the command line.

3.2.6: "Opdrachtnemer heeft de plicht om een analyse uit te voeren op niet-behaalde PI's
over de voorgaande maand". An analysis names one figure of one month: a target's SLA window
(availability) or a request category (response). ``POST /api/v1/analyses`` and
``sla-monitor analysis add`` both record analyses; both ask :func:`analysis_subject`, so they
accept the same figures and refuse the rest with the same words. An analysis naming a figure
the configuration does not have would never be printed under anything in the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from monitor.config import Config
from monitor.errors import SlaMonitorError
from monitor.store.records import MissAnalysisRecord, MissKind

__all__ = ["AnalysisSubject", "SubjectError", "analysis_subject", "new_analysis"]

_ECHO_LIMIT: Final = 80
"""Longest piece of input quoted back in a message, so a pasted paragraph stays readable."""


def _quoted(text: str) -> str:
    if len(text) > _ECHO_LIMIT:
        text = text[: _ECHO_LIMIT - 1] + "…"
    return repr(text)


class SubjectError(SlaMonitorError, ValueError):
    """The analysis names no configured figure; ``field`` is the input to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class AnalysisSubject:
    """The figure an analysis is about, as the report looks it up."""

    kind: MissKind
    name: str
    window: str | None


def analysis_subject(
    config: Config, *, target: str | None, window: str | None, category: str | None
) -> AnalysisSubject:
    """A configured SLA (target and window) or a configured category; else :class:`SubjectError`."""
    if category is not None:
        if target is not None or window is not None:
            raise SubjectError("category", "give a category, or a target and window, not both")
        if category not in config.servicedesk.categories:
            known = ", ".join(sorted(config.servicedesk.categories)) or "none configured"
            raise SubjectError("category", f"unknown category {_quoted(category)}; known: {known}")
        return AnalysisSubject("response", category, None)
    if target is None or window is None:
        raise SubjectError(
            "target" if target is None else "window", "give a target and its window, or a category"
        )
    configured = {t.name: t for t in config.targets}
    if target not in configured:
        known = ", ".join(sorted(configured)) or "none configured"
        raise SubjectError("target", f"unknown target {_quoted(target)}; known: {known}")
    windows = [s.window for s in configured[target].slas]
    if window not in windows:
        raise SubjectError(
            "window",
            f"{target} has no SLA window {_quoted(window)}; it has {', '.join(windows) or 'none'}",
        )
    return AnalysisSubject("availability", target, window)


def new_analysis(
    subject: AnalysisSubject,
    *,
    month: str,
    cause: str,
    measures: str,
    author: str,
    recorded_at: datetime,
) -> MissAnalysisRecord:
    """The record to append; its own checks refuse a blank cause or a bad month."""
    return MissAnalysisRecord(
        month=month,
        kind=subject.kind,
        name=subject.name,
        window=subject.window,
        cause=cause,
        measures=measures,
        author=author,
        recorded_at=recorded_at,
    )
