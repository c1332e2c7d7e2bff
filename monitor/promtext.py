"""The Prometheus text format 0.0.4, written by hand (docs/architecture.md, step 7).

prometheus_client validates and escapes every label of every sample on every scrape, about
19 µs a sample here; the daemon renders its families itself instead, with these few
primitives, shared by the probe metrics and the SLA exposition.
"""

from __future__ import annotations

import functools
import math
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CONTENT_TYPE",
    "Chunk",
    "DeflatingLines",
    "crc32_combine",
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

    @classmethod
    def joined(cls, chunks: Iterable[Chunk]) -> Chunk:
        """Kept chunks one after the other, as one kept chunk."""
        deflated, crc, size = [], 0, 0
        for chunk in chunks:
            deflated.append(
                chunk.deflated if chunk.deflated is not None else _deflate(chunk.plain(), 6)
            )
            crc, size = crc32_combine(crc, chunk.crc, chunk.size), size + chunk.size
        return cls(None, b"".join(deflated), crc, size)

    def plain(self) -> bytes:
        if self.data is not None:
            return self.data
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        return inflater.decompress(self.deflated or b"") + inflater.flush()


class DeflatingLines:
    """Lines of text deflated as they come, a block of a few thousand lines at a time, so
    a page of half a million lines (the SLA families at 10,000 targets, 17 MB) is never
    held as text; :meth:`chunk` ends it as a kept chunk."""

    __slots__ = ("_compressor", "_crc", "_deflated", "_lines", "_size")

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        self._deflated: list[bytes] = []
        self._lines: list[str] = []
        self._crc = 0
        self._size = 0

    def append(self, line: str) -> None:
        lines = self._lines
        lines.append(line)
        if len(lines) >= 4096:
            self._deflate_lines()

    def _deflate_lines(self) -> None:
        data = "".join(self._lines).encode("utf-8")
        self._lines.clear()
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        self._deflated.append(self._compressor.compress(data))

    def chunk(self) -> Chunk:
        self._deflate_lines()
        self._deflated.append(self._compressor.flush(zlib.Z_SYNC_FLUSH))
        return Chunk(None, b"".join(self._deflated), self._crc, self._size)


def crc32_combine(first: int, second: int, second_size: int) -> int:
    """The CRC-32 of two texts one after the other from the CRC of each and the length of
    the second (zlib's ``crc32_combine``, which Python's zlib module does not offer):
    the first CRC is carried across ``second_size`` zero bytes by the GF(2) operators for
    2**k zero bytes, one per set bit of the length."""
    if second_size <= 0:
        return first
    power = 0
    while second_size:
        if second_size & 1:
            first = _gf2_times(_zero_bytes_operator(power), first)
        second_size >>= 1
        power += 1
    return first ^ second


@functools.cache
def _zero_bytes_operator(power: int) -> tuple[int, ...]:
    """The operator that carries a CRC across 2**power zero bytes: squared from the one
    before, made once per power (a rebuild joins dozens of chunks; squaring afresh on each
    join cost 2 ms apiece)."""
    if power == 0:
        zero_bit = (0xEDB88320, *(1 << n for n in range(31)))
        return _gf2_square(_gf2_square(_gf2_square(zero_bit)))  # one zero byte
    return _gf2_square(_zero_bytes_operator(power - 1))


def _gf2_times(matrix: tuple[int, ...], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(_gf2_times(matrix, row) for row in matrix)


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
