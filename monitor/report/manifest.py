"""The integrity manifest of an exported month, and checking a directory against it.

Requirement 3.2.5: the supplier shares the monthly report with the client, and the report is
the evidence money is settled on. Each exported month therefore gets
``sla-report-YYYY-MM.manifest.json``: the SHA-256 and size of every file exported for that
month, and which of them is the *evidence* (the JSON report, from which every other format
is rendered). Anyone holding the directory can then show that no file was changed, added
or lost since the export: ``sla-monitor report verify DIR``, or without this program::

    jq -r '.files[] | "\\(.sha256)  \\(.name)"' sla-report-2026-05.manifest.json | sha256sum -c

The manifest is written by the export job in the same staged set as the reports
(:mod:`monitor.report.export`), so it never describes files that are not there yet.

:func:`verify_directory` compares a directory with the manifests in it and says, per file,
``ok``, ``changed`` (its digest or size differs), ``missing`` (listed, not there) or
``unlisted`` (there, listed by no manifest: a report file added or replaced by hand, or a
month exported before manifests existed). Hidden files (the export's temporaries) are not
reports and are skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from monitor.errors import SlaMonitorError
from monitor.sla.months import Month

__all__ = [
    "MANIFEST_FORMAT",
    "FileCheck",
    "ManifestError",
    "Status",
    "manifest_bytes",
    "manifest_path",
    "verify_directory",
]

MANIFEST_FORMAT = "sla-monitor-manifest/1"
"""The ``format`` field: a reader refuses a manifest whose shape it does not know."""

_MANIFEST = re.compile(r"^sla-report-(\d{4}-\d{2})\.manifest\.json$")
_CHUNK = 1 << 20


class ManifestError(SlaMonitorError, ValueError):
    """A manifest that cannot be read: not JSON, another format, or a malformed entry."""


class Status(StrEnum):
    OK = "ok"
    CHANGED = "changed"
    MISSING = "missing"
    UNLISTED = "unlisted"


@dataclass(frozen=True, slots=True)
class FileCheck:
    """One file's verdict; ``detail`` says what differs (never the file's content)."""

    name: str
    status: Status
    detail: str = ""


def manifest_path(directory: Path, month: Month) -> Path:
    return directory / f"sla-report-{month}.manifest.json"


def manifest_bytes(
    month: Month,
    files: Mapping[str, bytes],
    *,
    evidence: str,
    generated_at: datetime,
    generated_by: str,
) -> bytes:
    """The manifest of ``files`` (name -> exact bytes written), naming ``evidence``."""
    if evidence not in files:
        raise ValueError(f"the evidence {evidence!r} is not among the files")
    document = {
        "format": MANIFEST_FORMAT,
        "month": str(month),
        "generated_at": generated_at.isoformat(),
        "generated_by": generated_by,
        "requirement": "3.2.5",
        "algorithm": "sha256",
        "evidence": evidence,
        "files": [
            {
                "name": name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
                "role": "evidence" if name == evidence else "rendering",
            }
            for name, data in sorted(files.items())
        ],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class _Listed:
    sha256: str
    size: int


def _read_manifest(path: Path) -> dict[str, _Listed]:
    try:
        document: Any = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise ManifestError(f"{path}: not a readable manifest ({error})") from error
    if not isinstance(document, dict) or document.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"{path}: format is not {MANIFEST_FORMAT}")
    listed: dict[str, _Listed] = {}
    entries = document.get("files")
    if not isinstance(entries, list):
        raise ManifestError(f"{path}: files is not a list")
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        size = entry.get("bytes") if isinstance(entry, dict) else None
        if (
            not isinstance(name, str)
            or Path(name).name != name
            or not isinstance(digest, str)
            or not re.fullmatch(r"[0-9a-f]{64}", digest)
            or not isinstance(size, int)
        ):
            raise ManifestError(f"{path}: files[{index}] needs a plain name, sha256 and bytes")
        listed[name] = _Listed(digest, size)
    if document.get("evidence") not in listed:
        raise ManifestError(f"{path}: the evidence file is not listed")
    return listed


def _digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def verify_directory(directory: Path, month: Month | None = None) -> list[FileCheck]:
    """Every file of ``directory`` (or only ``month``'s) against the manifests in it,
    sorted by name; a manifest itself is the reference and is not listed.

    Raises :class:`ManifestError` when there is no manifest to check against, or one cannot
    be read: "nothing to compare" must never read as "nothing changed".
    """
    prefix = f"sla-report-{month}." if month is not None else ""
    manifests = sorted(
        path
        for path in directory.iterdir()
        if (match := _MANIFEST.match(path.name)) is not None
        and (month is None or match.group(1) == str(month))
    )
    if not manifests:
        scope = f" for {month}" if month is not None else ""
        raise ManifestError(f"{directory}: no manifest{scope} to verify against")
    listed: dict[str, _Listed] = {}
    for manifest in manifests:
        listed.update(_read_manifest(manifest))
    present = {
        path.name
        for path in directory.iterdir()
        if path.is_file()
        and not path.name.startswith(".")
        and path.name.startswith(prefix)
        and path not in manifests
    }
    checks = []
    for name in sorted(present | set(listed)):
        expected = listed.get(name)
        if expected is None:
            checks.append(FileCheck(name, Status.UNLISTED, "in no manifest"))
        elif name not in present:
            checks.append(FileCheck(name, Status.MISSING, "listed, not found"))
        else:
            digest, size = _digest(directory / name)
            if (digest, size) == (expected.sha256, expected.size):
                checks.append(FileCheck(name, Status.OK))
            else:
                checks.append(
                    FileCheck(
                        name,
                        Status.CHANGED,
                        f"sha256 {digest}, {size} bytes; manifest: {expected.sha256}, "
                        f"{expected.size} bytes",
                    )
                )
    return checks
