"""The monthly export job: ``sla-report-YYYY-MM.{json,csv,html}`` written once per month.

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

**Once.** The files are the record of the export: a month whose three files all exist is
done and is never written again, whatever changed in the store since (the client may have
received them; an updated report is made deliberately with ``sla-monitor report``). A month
with only some of its files (a crash between renames, a file deleted by hand) is written
again as a whole set from one report, so the three never disagree. Nothing is recorded in the
store: the directory is what the client receives, so it is what says what was delivered.

**Catching up.** :func:`due_exports` lists every month after the last one exported up to
the previous month that is due now; the daemon runs the job at start and then periodically,
so a month whose day passed while the daemon was down is written at the next start. With no
export in the directory yet, only the previous month is considered: a new installation does
not produce reports for months it never measured.

The functions return the files they wrote and log nothing themselves: the daemon logs one
event per export, the command prints one line per file.

**Atomically.** All three files are staged (:mod:`monitor.report.files`) before any is
renamed into place, so a reader never sees half a report or half a set. The JSON, the file
export scripts parse, is renamed last: when it is there, the other two are too.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from datetime import datetime, time, timedelta
from pathlib import Path

from monitor.config import Config
from monitor.report import files
from monitor.report.formats import FORMATS, render
from monitor.report.load import load_report
from monitor.report.model import Report, month_is_final
from monitor.sla.intervals import as_utc
from monitor.sla.months import Month
from monitor.store import Store

__all__ = [
    "EXPORT_ORDER",
    "due_exports",
    "export_deadline",
    "export_month",
    "export_paths",
    "exported_month",
    "last_exported",
    "run_exports",
]

EXPORT_ORDER = ("csv", "html", "json")
"""Rename order: JSON last, so its presence means the set is complete."""

_WORKING_DAY = 3
_FILE = re.compile(r"^sla-report-(\d{4}-\d{2})\.json$")


def export_paths(directory: Path, month: Month) -> dict[str, Path]:
    """The three files of ``month`` in ``directory``, by format."""
    return {name: directory / f"sla-report-{month}.{name}" for name in FORMATS}


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


def last_exported(directory: Path) -> Month | None:
    """The newest month whose three files are all in ``directory``."""
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
        if all(p.is_file() for p in export_paths(directory, month).values()):
            months.append(month)
    return max(months, default=None)


async def export_month(
    store: Store, config: Config, month: Month, directory: Path, now: datetime
) -> list[Path]:
    """Write the three files of ``month`` unless they all exist; returns the files written."""
    paths = export_paths(directory, month)
    if all(path.is_file() for path in paths.values()):
        return []
    report = await load_report(store, config, month, now)
    texts = await asyncio.to_thread(_render_all, report)
    await asyncio.to_thread(_write_set, directory, paths, texts)
    return [paths[name] for name in EXPORT_ORDER]


def exported_month(path: Path) -> Month | None:
    """The month a written report file is of; ``None`` for any other file."""
    match = _FILE.match(path.name)
    return None if match is None else Month.parse(match.group(1))


async def run_exports(
    store: Store, config: Config, directory: Path, now: datetime, *, done: Month | None = None
) -> list[Path]:
    """The job: export every due month not exported yet; returns the files written.
    ``done``: the newest month exported elsewhere (by another location that led then)."""
    written: list[Path] = []
    last = last_exported(directory)
    if done is not None and (last is None or done > last):
        last = done
    for month in due_exports(config, now, last):
        written += await export_month(store, config, month, directory, now)
    return written


def _render_all(report: Report) -> dict[str, str]:
    return {name: render(report, name) for name in FORMATS}


def _write_set(directory: Path, paths: dict[str, Path], texts: dict[str, str]) -> None:
    """Stage all three files, then rename them into place, JSON last."""
    directory.mkdir(parents=True, exist_ok=True)
    staged: dict[str, Path] = {}
    try:
        for name in EXPORT_ORDER:
            staged[name] = files.stage(paths[name], texts[name])
        for name in EXPORT_ORDER:
            staged.pop(name).replace(paths[name])
        files.fsync_directory(directory)
    finally:
        for leftover in staged.values():
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
