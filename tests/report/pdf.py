"""Reading a PDF back the way a person would: its text per page (poppler's pdftotext), its
page count (pdfinfo) and its pages as images (pdftoppm). Debian ``poppler-utils``."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

_TIMEOUT = 60


def _run(*argv: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=_TIMEOUT)
    return done.stdout


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, in reading order (pdftotext ends every page with a form feed)."""
    pages = _run("pdftotext", "-enc", "UTF-8", str(pdf), "-").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_count(pdf: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)$", _run("pdfinfo", str(pdf)), re.MULTILINE)
    assert match is not None, "pdfinfo names no page count"
    return int(match.group(1))


def page_images(pdf: Path, directory: Path) -> list[Path]:
    """Every page as a PNG at 50 dpi in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    _run("pdftoppm", "-r", "50", "-png", str(pdf), str(directory / "page"))
    return sorted(directory.glob("page-*.png"))


def flat(text: str) -> str:
    """Text with every run of white space as one space: table cells wrap where they like."""
    return " ".join(text.split())
