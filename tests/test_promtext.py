"""The hand-written text format's kept chunks (monitor/promtext.py)."""

from __future__ import annotations

import gzip
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.promtext import Chunk, DeflatingLines, crc32_combine, gzip_chunks


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.binary(max_size=2000))
def test_the_crc_of_two_texts_follows_from_the_crc_of_each(first: bytes, second: bytes) -> None:
    """Combined CRCs equal the CRC of the concatenation, empty parts included."""
    combined = crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=40).map(lambda t: t + "\n"), max_size=9000))
def test_lines_deflated_as_they_come_read_back_as_the_text(lines: list[str]) -> None:
    """Blocks of lines deflated one by one make a kept chunk whose plain text, CRC and
    length are those of the lines together, also inside a gzip body after a fresh chunk."""
    deflating = DeflatingLines()
    for line in lines:
        deflating.append(line)
    chunk = deflating.chunk()
    text = "".join(lines).encode("utf-8")
    assert chunk.data is None
    assert chunk.plain() == text
    assert (chunk.crc, chunk.size) == (zlib.crc32(text), len(text))
    fresh = Chunk.of("# fresh\n")
    assert gzip.decompress(gzip_chunks((Chunk.joined((chunk, fresh)),))) == text + b"# fresh\n"
    assert gzip.decompress(gzip_chunks((fresh, chunk))) == b"# fresh\n" + text
