"""Reading a PDF back the way a person would: its text per page (poppler's pdftotext), its
page count (pdfinfo) and its pages as images (pdftoppm). Debian ``poppler-utils``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

_TIMEOUT = 60

WEASYPRINT_MISSING = "No module named 'weasyprint' on this host"
PANGO_MISSING = (
    "cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file: "
    "No such file or directory.\n  Additionally, ctypes.util.find_library() did not manage "
    "to locate a library called 'libpango-1.0-0'"
)
"""What the hidden WeasyPrint raises: a missing package, and (an :class:`OSError` over two
lines, as cffi words it) the missing Pango libraries."""
INSTALL = (
    "install WeasyPrint (pip install 'weasyprint>=62,<71') and Pango "
    "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
)


def hiding_weasyprint(directory: Path, error: type[Exception]) -> dict[str, str]:
    """``PYTHONPATH`` for a process in which importing WeasyPrint really fails: ``directory``
    gets a ``weasyprint.py`` that raises ``error`` and goes first on the path."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "weasyprint.py").write_text(
        f"raise {error.__name__}({_message(error)!r})\n", encoding="utf-8"
    )
    inherited = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": os.pathsep.join([str(directory), *([inherited] if inherited else [])])}


def run_hiding_weasyprint(
    hidden: Path, error: type[Exception], *argv: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``sla-monitor ARGV`` as a process in which importing WeasyPrint fails with ``error``
    (see :func:`hiding_weasyprint`); the timeout catches a hang."""
    return subprocess.run(
        [sys.executable, "-m", "monitor.cli", *argv],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **hiding_weasyprint(hidden, error), **(env or {})},
        timeout=_TIMEOUT,
    )


def unavailable_reason(error: type[Exception]) -> str:
    """The one line :func:`hiding_weasyprint`'s import failure is reported as."""
    return f"{error.__name__}: {' '.join(_message(error).split())}; {INSTALL}"


def _message(error: type[Exception]) -> str:
    return PANGO_MISSING if issubclass(error, OSError) else WEASYPRINT_MISSING


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
