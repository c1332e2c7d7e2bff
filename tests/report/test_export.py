"""The monthly export job: when a month is due, written once, atomically, caught up at start."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import Config, parse_config
from monitor.report import due_exports, export_deadline, export_month, files, run_exports
from monitor.report.export import export_paths
from monitor.report.manifest import manifest_path
from monitor.sla.months import Month
from monitor.store import Store
from monitor.store.records import ReportDelivery
from tests.report import seed
from tests.report.conftest import MAY
from tests.report.seed import Seeded, local

TICK = timedelta(microseconds=1)
DEFAULT = Config()
# A category of five working days: May 2026 is final only after Fri 5 June 18:00
# (a request received at the month's last instant runs from Mon 1 June 08:00).
SLOW = parse_config("servicedesk: {categories: {slow: {days: 5, objective: 0.9}}}\n")


@pytest.mark.parametrize(
    ("month", "deadline"),
    [
        # Mon 1, Tue 2, Wed 3 June.
        (Month(2026, 5), local(6, 3)),
        # Fri 1 May, Mon 4, Tue 5 May (Liberation Day is no holiday in 2026).
        (Month(2026, 4), local(5, 5)),
        # New Year's Day on Friday: Mon 4, Tue 5, Wed 6 January.
        (Month(2026, 12), datetime(2027, 1, 6, tzinfo=seed.ZONE)),
        # Good Friday 3 and Easter Monday 6 April are closed: Wed 1, Thu 2, Tue 7 April.
        (Month(2026, 3), local(4, 7)),
    ],
)
def test_the_export_deadline_is_the_start_of_the_third_working_day(
    month: Month, deadline: datetime
) -> None:
    """Working days of the service desk's calendar, holidays skipped (3.2.5 allows five)."""
    assert export_deadline(DEFAULT, month) == deadline


@pytest.mark.parametrize(
    ("config", "now", "last_done", "due"),
    [
        # Default categories: May is final once 2 June 18:00 (information requests) passed.
        (DEFAULT, local(6, 1, 12), None, []),
        (DEFAULT, local(6, 2, 18), None, []),
        (DEFAULT, local(6, 2, 18) + TICK, None, [MAY]),
        # Done already: nothing.
        (DEFAULT, local(6, 10), MAY, []),
        # Daemon down since March's export: April and May are caught up.
        (DEFAULT, local(6, 10), Month(2026, 3), [Month(2026, 4), MAY]),
        # A fresh installation considers only the previous month.
        (DEFAULT, local(6, 10), None, [MAY]),
        # A running month is never due.
        (DEFAULT, local(5, 31, 23, 59), Month(2026, 4), []),
        # Not final before 5 June: due at the start of the third working day anyway.
        (SLOW, local(6, 2, 23, 59), None, []),
        (SLOW, local(6, 3), None, [MAY]),
    ],
)
def test_due_exports_follow_finality_and_the_third_working_day(
    config: Config, now: datetime, last_done: Month | None, due: list[Month]
) -> None:
    """A month is due once final, and at the latest on its third working day."""
    assert due_exports(config, now, last_done) == due


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def export_may(seeded: Seeded, directory: Path, now: datetime) -> list[Path]:
    """May exported at ``now`` by a job whose clock stands still while it writes."""
    return await export_month(seeded.store, seeded.config, MAY, directory, now, clock=lambda: now)


async def job(store: Store, config: Config, directory: Path, now: datetime) -> list[Path]:
    """The export job at ``now``, its clock standing still while it writes."""
    return await run_exports(store, config, directory, now, clock=lambda: now)


async def test_export_writes_three_files_once(seeded: Seeded, tmp_path: Path) -> None:
    """Three files and their manifest, readable by everyone; a second run finds them and
    writes nothing."""
    directory = tmp_path / "exports"
    written = await export_may(seeded, directory, seed.FINAL_NOW)
    assert [p.name for p in written] == [
        "sla-report-2026-05.csv",
        "sla-report-2026-05.html",
        "sla-report-2026-05.manifest.json",
        "sla-report-2026-05.json",
    ]
    assert names(directory) == sorted(p.name for p in written)
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in written)
    data = json.loads((directory / "sla-report-2026-05.json").read_text(encoding="utf-8"))
    assert (data["month"], data["final"]) == ("2026-05", True)
    stamps = [p.stat().st_mtime_ns for p in written]
    later = seed.FINAL_NOW + timedelta(days=3)
    assert await export_may(seeded, directory, later) == []
    assert [p.stat().st_mtime_ns for p in written] == stamps


async def test_the_first_export_of_a_month_is_recorded_as_its_delivery(
    seeded: Seeded, tmp_path: Path
) -> None:
    """3.2.5: the store knows when May's report was exported; a rewrite keeps that instant."""
    directory = tmp_path / "exports"
    await export_may(seeded, directory, seed.FINAL_NOW)
    (directory / "sla-report-2026-05.json").unlink()
    later = seed.FINAL_NOW + timedelta(hours=1)
    assert len(await export_may(seeded, directory, later)) == 4
    assert await seeded.store.report_deliveries() == [
        ReportDelivery("2026-05", seed.FINAL_NOW, final=True)
    ]


class WatchingClock:
    """A clock that moves on a minute each time it is read, as if writing took that long,
    and notes which months had their whole set in place (no temporary left) at each reading."""

    def __init__(self, start: datetime, directory: Path, months: Sequence[Month]) -> None:
        self._start = start
        self._directory = directory
        self._months = months
        self.readings: dict[datetime, frozenset[Month]] = {}

    def __call__(self) -> datetime:
        instant = self._start + timedelta(minutes=len(self.readings) + 1)
        self.readings[instant] = frozenset(m for m in self._months if self._complete(m))
        return instant

    def _complete(self, month: Month) -> bool:
        if not self._directory.is_dir() or any(
            p.name.endswith(".tmp") for p in self._directory.iterdir()
        ):
            return False
        wanted = [
            manifest_path(self._directory, month),
            *export_paths(self._directory, month).values(),
        ]
        return all(path.is_file() for path in wanted)


async def test_each_delivery_is_the_instant_its_whole_set_was_in_place_not_the_job_start(
    seeded: Seeded, tmp_path: Path
) -> None:
    """3.2.5: a job started at 10 June 07:00 that catches up April and May records each
    month at a clock reading taken once that month's files were all written, April's before
    May's set existed; the job's start is never recorded."""
    directory = tmp_path / "exports"
    april = Month(2026, 4)
    now = local(6, 10, 7)
    clock = WatchingClock(now, directory, (april, MAY))
    written = await run_exports(
        seeded.store, seeded.config, directory, now, clock=clock, done=Month(2026, 3)
    )
    assert len(written) == 8
    deliveries = await seeded.store.report_deliveries()
    assert [(d.month, d.final) for d in deliveries] == [("2026-04", True), ("2026-05", True)]
    recorded = [clock.readings[d.exported_at] for d in deliveries]
    assert recorded == [frozenset({april}), frozenset({april, MAY})]
    assert all(d.exported_at > now for d in deliveries)


async def test_a_delivery_the_store_missed_is_recorded_from_the_file_at_the_next_run(
    seeded: Seeded, tmp_path: Path
) -> None:
    """May's files are all written but its delivery never reached the store (here: another,
    empty store): the next run records it at the JSON report's write time, final as the
    report says, and writes nothing again (3.2.5, 3.2.38)."""
    directory = tmp_path / "exports"
    await export_may(seeded, directory, seed.FINAL_NOW)
    written_at = seed.FINAL_NOW + timedelta(minutes=2)
    os.utime(directory / "sla-report-2026-05.json", (written_at.timestamp(),) * 2)
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path}/other.db") as other:
        assert await job(other, seeded.config, directory, seed.FINAL_NOW) == []
        assert await other.report_deliveries() == [
            ReportDelivery("2026-05", written_at, final=True)
        ]


async def test_an_incomplete_set_is_written_again_as_a_whole(
    seeded: Seeded, tmp_path: Path
) -> None:
    """A missing file means the export never finished: all three come from one new report."""
    directory = tmp_path / "exports"
    await export_may(seeded, directory, seed.FINAL_NOW)
    (directory / "sla-report-2026-05.html").unlink()
    later = seed.FINAL_NOW + timedelta(hours=1)
    written = await export_may(seeded, directory, later)
    assert len(written) == 4
    data = json.loads((directory / "sla-report-2026-05.json").read_text(encoding="utf-8"))
    assert data["generated_at"] == "2026-06-03T13:00:00+02:00"


async def test_a_failed_export_leaves_no_file_and_no_temporary(
    seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All three are staged before any rename: a failure on the second leaves nothing."""
    directory = tmp_path / "exports"
    real = files.stage

    def failing(path: Path, text: str) -> Path:
        if path.suffix == ".html":
            raise OSError(28, "No space left on device")
        return real(path, text)

    monkeypatch.setattr(files, "stage", failing)
    with pytest.raises(OSError, match="No space left"):
        await export_may(seeded, directory, seed.FINAL_NOW)
    assert names(directory) == []


async def test_the_job_catches_up_every_month_missed_since_the_last_export(
    seeded: Seeded, tmp_path: Path
) -> None:
    """March exported, daemon down until 10 June: April and May now, then nothing."""
    directory = tmp_path / "exports"
    directory.mkdir()
    for suffix in ("json", "csv", "html"):
        (directory / f"sla-report-2026-03.{suffix}").write_text("delivered\n", encoding="utf-8")
    now = local(6, 10, 7)
    written = await job(seeded.store, seeded.config, directory, now)
    assert [p.name for p in written] == [
        "sla-report-2026-04.csv",
        "sla-report-2026-04.html",
        "sla-report-2026-04.manifest.json",
        "sla-report-2026-04.json",
        "sla-report-2026-05.csv",
        "sla-report-2026-05.html",
        "sla-report-2026-05.manifest.json",
        "sla-report-2026-05.json",
    ]
    assert await job(seeded.store, seeded.config, directory, now) == []
    march = directory / "sla-report-2026-03.json"
    assert march.read_text(encoding="utf-8") == "delivered\n"


async def test_an_export_on_the_third_working_day_is_marked_not_final(
    seeded: Seeded, tmp_path: Path
) -> None:
    """With a five-day category May is due on 3 June while not final, and says so."""
    slow = seeded.config.model_copy(
        update={"servicedesk": SLOW.servicedesk.model_copy()}, deep=True
    )
    directory = tmp_path / "exports"
    assert due_exports(slow, local(6, 3), None) == [MAY]
    written = await job(seeded.store, slow, directory, local(6, 3))
    assert len(written) == 4
    data = json.loads((directory / "sla-report-2026-05.json").read_text(encoding="utf-8"))
    assert data["final"] is False
    assert data["last_deadline"] == "2026-06-05T18:00:00+02:00"
    html = (directory / "sla-report-2026-05.html").read_text(encoding="utf-8")
    assert "<strong>NOT FINAL.</strong>" in html


@pytest.mark.parametrize(("umask", "mode"), [(0o077, 0o600), (0o027, 0o640), (0o022, 0o644)])
async def test_exported_files_honour_the_umask(
    seeded: Seeded, tmp_path: Path, umask: int, mode: int
) -> None:
    """An operator's ``umask 077`` keeps the reports private; no fixed mode overrides it."""
    directory = tmp_path / "exports"
    before = os.umask(umask)
    try:
        written = await export_may(seeded, directory, seed.FINAL_NOW)
    finally:
        os.umask(before)
    assert [p.stat().st_mode & 0o777 for p in written] == [mode] * 4
