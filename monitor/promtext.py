"""The Prometheus text format 0.0.4, written by hand (docs/architecture.md, step 7).

prometheus_client validates and escapes every label of every sample on every scrape, about
19 µs a sample here; the daemon renders its families itself instead, with these few
primitives, shared by the probe metrics and the SLA exposition.
"""

from __future__ import annotations

import math

__all__ = ["CONTENT_TYPE", "escape_label_value", "family_header", "format_value", "label_set"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def label_set(**labels: str) -> str:
    """``{a="x",b="y"}`` with values escaped; names are ours and already valid."""
    inner = ",".join(f'{name}="{escape_label_value(value)}"' for name, value in labels.items())
    return "{" + inner + "}"


def format_value(value: float) -> str:
    """Go-style float text as Prometheus expects it: ``+Inf``, ``-Inf``, ``NaN``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def family_header(name: str, kind: str, help_text: str) -> str:
    return f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n"
