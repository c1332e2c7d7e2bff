"""One spelling for a position in the configuration: ``targets[0].slas[1].objective``.

Sequence items are shown by index (names may be missing or duplicated, which can be the very
problem being reported); mapping keys by name, quoted when they contain anything but letters,
digits, ``-`` and ``_`` (``calendars."my.cal"``), so a path is never ambiguous.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

__all__ = ["PathElement", "format_path"]

PathElement = str | int

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def format_path(path: Sequence[PathElement]) -> str:
    text = ""
    for element in path:
        if isinstance(element, int):
            text += f"[{element}]"
            continue
        key = element if _PLAIN_KEY.fullmatch(element) else json.dumps(element)
        text += f".{key}" if text else key
    return text
