"""The monthly export job: ``sla-report-YYYY-MM.{json,csv,html[,pdf]}`` and its manifest,
written once per month.

Requirement 3.2.5: the report is shared "uiterlijk vijf werkdagen na afloop van de
voorgaande maand". The job writes the files the provider then sends, by these rules:

**When.** A month is due once it is *final* (see :mod:`monitor.report.model`: the month has
ended and every response deadline of a request received in it has passed; with the default
categories that is 18:00 on the second working day after the month), and at the latest at the
start (local midnight) of the **third working day** after the month, in the service desk's
calendar, even if it is not final then (for example with a category of five working days).
Such an export says ``"final": false`` and the HTML is stamped NOT FINAL on every page; the
three-day cap leaves two working days of the five for review and sending. A running month is
never due.

**Which files.** The formats of ``report: {export_formats: [...]}`` (default JSON, CSV and
HTML; ``pdf`` adds the printed report), always with JSON, the evidence, and
``sla-report-YYYY-MM.manifest.json``, the SHA-256 of every file of the month
(:mod:`monitor.report.manifest`; ``sla-monitor report verify DIR`` checks it).

**Once.** The files are the record of the export: a month whose files all exist is
done and is never written again, whatever changed in the store since (the client may have
received them; an updated report is made deliberately with ``sla-monitor report``). A month
with only some of its files (a crash between renames, a file deleted by hand) is written
again as a whole set from one report, so they never disagree. (Adding a format to the
configuration therefore writes the newest exported month again, with the new format.) The
directory is what the client receives, so it is what says what was exported; the first
export of each month is also recorded in the store as its delivery (the instant its whole
set was in place, not when the job started, and whether final), so the daemon can tell
whether the report met its own deadline (3.2.5, 3.2.38; docs/rules.md#reporting-deadlines).

**Catching up.** :func:`due_exports` lists every month after the last one exported up to
the previous month that is due now; the daemon runs the job at start and then periodically,
so a month whose day passed while the daemon was down is written at the next start. With no
export in the directory yet, only the previous month is considered: a new installation does
not produce reports for months it never measured.

The functions return the files they wrote and log nothing themselves: the daemon logs one
event per export, the command prints one line per file.

**Atomically.** All files and the manifest are staged (:mod:`monitor.report.files`) before
any is renamed into place, so a reader never sees half a report or half a set. The
renderings go first, then the manifest, and the JSON, the file export scripts parse and the
evidence the manifest names, last: when it is there, the whole set is, manifest included.
(Renaming the manifest after the JSON would leave a window in which a crash keeps a
"complete" month that no manifest covers, and such a month is never written again.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from monitor.config import Config, ConfigProblem
from monitor.report import files
from monitor.report.formats import render_bytes
from monitor.report.load import load_report
from monitor.report.manifest import manifest_bytes, manifest_path
from monitor.report.model import Report, month_is_final
from monitor.report.pdf_format import PDF, pdf_problem
from monitor.sla.intervals import as_utc
from monitor.sla.months import Month
from monitor.store import Store
from monitor.store.records import ReportDelivery

__all__ = [
    "EXPORT_ORDER",
    "due_exports",
    "export_deadline",
    "export_format_problems",
    "export_month",
    "export_paths",
    "last_exported",
    "run_exports",
]

EXPORT_ORDER = ("csv", "html", "pdf", "json")
"""Rename order of the formats exported: JSON last, so its presence means the set is
complete; the manifest goes just before it."""
DEFAULT_FORMATS = ("json", "csv", "html")

_WORKING_DAY = 3
_FILE = re.compile(r"^sla-report-(\d{4}-\d{2})\.json$")


def export_paths(
    directory: Path, month: Month, formats: Sequence[str] = DEFAULT_FORMATS
) -> dict[str, Path]:
    """The files of ``month`` in ``directory`` in each of ``formats``, in rename order."""
    return {
        name: directory / f"sla-report-{month}.{name}" for name in EXPORT_ORDER if name in formats
    }


def export_format_problems(config: Config) -> list[ConfigProblem]:
    """The formats of ``report.export_formats`` this host cannot write: ``pdf`` without
    WeasyPrint or Pango. ``check-config``, the daemon's start and reload and ``report
    --export-dir`` refuse such a file, so the month's export does not fail on the day it is
    due (3.2.5) and every run after it."""
    if PDF not in config.report.export_formats:
        return []
    problem = pdf_problem()
    if problem is None:
        return []
    return [ConfigProblem(None, "report.export_formats", f"pdf needs WeasyPrint: {problem}")]


def export_deadline(config: Config, month: Month) -> datetime:
    """Local midnight starting the third working day after ``month`` (service-desk calendar).

    May 2026 -> Wednesday 3 June 2026 00:00 (Mon 1 and Tue 2 June are the first two).
    """
    calendar = config.calendar(config.servicedesk.calendar)
    first = month.next().first_day
    seen = 0
    for offset in range(366):
        day = first + timedelta(days=offset)
        if calendar.is_business_day(day):
            seen += 1
            if seen == _WORKING_DAY:
                return as_utc(datetime.combine(day, time(0), tzinfo=calendar.zone))
    raise ValueError(f"calendar {calendar.name!r} has fewer than three working days a year")


def _due(config: Config, month: Month, now: datetime) -> bool:
    return month_is_final(config, month, now) or as_utc(now) >= export_deadline(config, month)


def due_exports(config: Config, now: datetime, last_done: Month | None) -> list[Month]:
    """Months to export at ``now``, oldest first, given the last one already exported."""
    current = Month.containing(now, config.zone)
    month = last_done.next() if last_done is not None else current.previous()
    due = []
    while month < current:
        if _due(config, month, now):
            due.append(month)
        month = month.next()
    return due


def last_exported(directory: Path, formats: Sequence[str] = DEFAULT_FORMATS) -> Month | None:
    """The newest month whose files (in ``formats``) are all in ``directory``."""
    if not directory.is_dir():
        return None
    months = []
    for path in directory.iterdir():
        match = _FILE.match(path.name)
        if match is None:
            continue
        try:
            month = Month.parse(match.group(1))
        except ValueError:  # a stray file named for a year no report can be about
            continue
        if all(p.is_file() for p in export_paths(directory, month, formats).values()):
            months.append(month)
    return max(months, default=None)


async def export_month(
    store: Store,
    config: Config,
    month: Month,
    directory: Path,
    now: datetime,
    *,
    clock: Callable[[], datetime],
) -> list[Path]:
    """Write the files of ``month`` and their manifest unless the files all exist; returns
    the files written, in rename order (the manifest just before the JSON).

    The report is computed as known at ``now``, the job's start; the delivery is recorded
    at ``clock()`` read once the whole set is renamed into place and synced, since that
    instant, not the start, decides whether the report met its deadline (3.2.5, 3.2.38;
    docs/rules.md#reporting-deadlines). Rendering a PDF or writing to a slow disk can take
    long enough to cross it."""
    paths = export_paths(directory, month, config.report.export_formats)
    if all(path.is_file() for path in paths.values()):
        return []
    report = await load_report(store, config, month, now)
    blobs = await asyncio.to_thread(_render_all, report, tuple(paths))
    manifest = manifest_path(directory, month)
    blobs[_MANIFEST] = manifest_bytes(
        month,
        {paths[name].name: data for name, data in blobs.items()},
        evidence=paths["json"].name,
        generated_at=report.generated_at.astimezone(report.zone),
        generated_by=f"sla-monitor {report.version}",
    )
    order = [*(name for name in paths if name != "json"), _MANIFEST, "json"]
    targets = {**paths, _MANIFEST: manifest}
    await asyncio.to_thread(_write_set, directory, [(targets[n], blobs[n]) for n in order])
    delivered = clock()
    await store.record_delivery(ReportDelivery(str(month), as_utc(delivered), report.final))
    return [targets[name] for name in order]


_MANIFEST = "manifest"


async def run_exports(
    store: Store,
    config: Config,
    directory: Path,
    now: datetime,
    *,
    clock: Callable[[], datetime],
    done: Month | None = None,
) -> list[Path]:
    """The job: export every due month not exported yet; returns the files written.
    ``now``: the job's start, which decides what is due; ``clock``: read when a month's
    files are in place, as its delivery (:func:`export_month`). ``done``: the newest month
    exported elsewhere (by another location that led then)."""
    written: list[Path] = []
    last = last_exported(directory, config.report.export_formats)
    if last is not None:
        await _record_missed_delivery(store, directory, last)
    if done is not None and (last is None or done > last):
        last = done
    for month in due_exports(config, now, last):
        written += await export_month(store, config, month, directory, now, clock=clock)
    return written


async def _record_missed_delivery(store: Store, directory: Path, month: Month) -> None:
    """The newest month on disk has all its files, but the store may lack its delivery: the
    record failed after the files were renamed into place, and the month is never exported
    again. Its delivery is then when its JSON report was written (the file's modification
    time: the JSON is staged last, so this is when the set's last file was written, just
    before the renames), with the report's own ``final`` (3.2.5, 3.2.38;
    docs/rules.md#reporting-deadlines)."""
    recorded = await store.last_delivered_month()
    if recorded is not None and Month.parse(recorded) >= month:
        return
    report = export_paths(directory, month, ("json",))["json"]
    written, final = await asyncio.to_thread(_written_and_final, report)
    await store.record_delivery(ReportDelivery(str(month), written, final))


def _written_and_final(report: Path) -> tuple[datetime, bool]:
    """When the file was written, and whether it says it is final; a file this version did
    not write (copied in by hand, an older format) is delivered but not known final."""
    written = datetime.fromtimestamp(report.stat().st_mtime, UTC)
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return written, False
    return written, isinstance(document, dict) and document.get("final") is True


def _render_all(report: Report, formats: Sequence[str]) -> dict[str, bytes]:
    return {name: render_bytes(report, name) for name in formats}


def _write_set(directory: Path, blobs: Sequence[tuple[Path, bytes]]) -> None:
    """Stage every file, then rename them into place in the given order."""
    directory.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in blobs:
            staged.append((files.stage(path, data), path))
        while staged:
            temporary, path = staged[0]
            temporary.replace(path)
            staged.pop(0)
        files.fsync_directory(directory)
    finally:
        for leftover, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
