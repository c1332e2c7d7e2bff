"""The Prometheus text format 0.0.4, written by hand (docs/architecture.md, step 7).

prometheus_client validates and escapes every label of every sample on every scrape, about
19 µs a sample here; the daemon renders its families itself instead, with these few
primitives, shared by the probe metrics and the SLA exposition.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CONTENT_TYPE",
    "Chunk",
    "escape_label_value",
    "family_header",
    "format_value",
    "gzip_chunks",
    "label_set",
]

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


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no mtime
_FINAL_BLOCK = b"\x03\x00"  # an empty final block: ends the deflate stream


def _deflate(data: bytes, level: int) -> bytes:
    """Raw deflate ending on a byte boundary with no final block, so another chunk's deflate
    may follow it inside the same gzip member (a decoder sees one stream)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of a ``/metrics`` page, encoded once; ``deflated`` is its part of a gzip body,
    compressed once too when the chunk is served many times (the SLA families change only
    when the snapshot is rebuilt)."""

    data: bytes
    deflated: bytes | None = None

    @classmethod
    def of(cls, text: str) -> Chunk:
        return cls(text.encode("utf-8"))

    @classmethod
    def compressed(cls, text: str) -> Chunk:
        data = text.encode("utf-8")
        return cls(data, _deflate(data, 6))


def gzip_chunks(chunks: Iterable[Chunk]) -> bytes:
    """One gzip member (RFC 1952) of the chunks in order. Compressed chunks are copied, the
    others deflated now at the fastest level: a scrape pays only for what changed since."""
    parts = [_GZIP_HEADER]
    crc, size = 0, 0
    for chunk in chunks:
        parts.append(chunk.deflated if chunk.deflated is not None else _deflate(chunk.data, 1))
        crc = zlib.crc32(chunk.data, crc)
        size += len(chunk.data)
    parts += (_FINAL_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(parts)
