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
    """A piece of a ``/metrics`` page, encoded once. A chunk served many times (the SLA
    families change only when the snapshot is rebuilt) is kept deflated only, as its part of
    a gzip body with its CRC and length: Prometheus asks for gzip, and the plain page, 17 MB
    at 10,000 targets, is inflated again only for a scraper that does not."""

    data: bytes | None
    deflated: bytes | None = None
    crc: int = 0
    size: int = 0

    @classmethod
    def of(cls, text: str) -> Chunk:
        data = text.encode("utf-8")
        return cls(data, None, zlib.crc32(data), len(data))

    @classmethod
    def compressed(cls, text: str) -> Chunk:
        return cls.compressed_parts((text,))

    @classmethod
    def compressed_parts(cls, parts: Iterable[str]) -> Chunk:
        """The parts in order, deflated one by one: the whole text is never held at once."""
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        deflated, crc, size = [], 0, 0
        for part in parts:
            data = part.encode("utf-8")
            crc, size = zlib.crc32(data, crc), size + len(data)
            deflated.append(compressor.compress(data))
        deflated.append(compressor.flush(zlib.Z_SYNC_FLUSH))
        return cls(None, b"".join(deflated), crc, size)

    def plain(self) -> bytes:
        if self.data is not None:
            return self.data
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        return inflater.decompress(self.deflated or b"") + inflater.flush()


def gzip_chunks(chunks: Iterable[Chunk]) -> bytes:
    """One gzip member (RFC 1952) of the chunks in order. Compressed chunks are copied, the
    others deflated now at the fastest level: a scrape pays only for what changed since.
    The member's CRC runs over the plain text in order; a chunk kept only deflated starts
    it (its CRC is known), so put such chunks first: one further down is inflated to be
    summed."""
    parts = [_GZIP_HEADER]
    crc, size = 0, 0
    for chunk in chunks:
        plain = chunk.data
        if plain is None and size == 0:
            crc = chunk.crc
        else:
            crc = zlib.crc32(chunk.plain() if plain is None else plain, crc)
        parts.append(chunk.deflated if chunk.deflated is not None else _deflate(chunk.plain(), 1))
        size += chunk.size
    parts += (_FINAL_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(parts)
