"""The recompute job's running-month figures, measured incrementally, against a from-scratch
FigureMaker over the same stored evidence after every kind of change."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from monitor.config import parse_config
from monitor.figures.evidence import load_evidence
from monitor.figures.maker import FigureMaker, LiveSession
from monitor.live.overlay import LiveOverlay
from monitor.live.recompute import SlaRecomputer
from monitor.sla.availability import AvailabilityFigure
from monitor.sla.burn import settle_time
from monitor.sla.corrections import OutageCorrection
from monitor.sla.intervals import Interval
from monitor.sla.months import Month
from monitor.sla.outages import OutageOpened
from monitor.store import ImportedOutageRow, MaintenanceWindowRecord, Store
from monitor.store.records import MonitoringSession
from tests.live.test_snapshot import NullSink

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
S = timedelta(seconds=1)
H = timedelta(hours=1)

TARGETS = """
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:1/"}
    slas:
      - {window: 24x7, objective: 0.99}
      - {window: business-hours, objective: 0.999}
  - name: desk
    probe: {type: http, url: "http://127.0.0.1:1/"}
    schedule: business-hours
    slas:
      - {window: business-hours, objective: 0.95}
"""
BEFORE_RELOAD = parse_config("timezone: Europe/Amsterdam\n" + TARGETS)
# A reload: another holiday (11 June closed), and a configured maintenance window in the past.
AFTER_RELOAD = parse_config(
    """
timezone: Europe/Amsterdam
calendars:
  business-hours:
    opening: "08:00-18:00"
    weekdays: [mon, tue, wed, thu, fri]
    holidays: {country: NL, include: ["2026-06-11"], exclude: []}
maintenance:
  - name: patch
    targets: [web]
    start: "2026-06-10T13:00:00+02:00"
    end: "2026-06-10T15:00:00+02:00"
"""
    + TARGETS
)


def local(day: int, hour: int = 0, minute: int = 0, month: int = 6) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMSTERDAM)


class Scene:
    """A store, a recomputer on a settable clock and configuration, and the reference."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.now = local(10, 12)
        self.config = BEFORE_RELOAD
        self.live = {
            "web": LiveSession(local(1), self.now),
            "desk": LiveSession(local(1), self.now),
        }
        self.overlay = LiveOverlay(NullSink())
        self.recomputer = SlaRecomputer(
            store=store,
            overlay=self.overlay,
            config=lambda: self.config,
            live=lambda: self.live,
            clock=lambda: self.now,
            on_error=lambda: None,
        )

    def advance(self, by: timedelta) -> None:
        """Time passes with both targets probed: their running sessions reach now."""
        self.now += by
        self.live = {name: LiveSession(s.started_at, self.now) for name, s in self.live.items()}

    def window_seconds_total(self) -> float:
        """The burn-rate window counter of web's 24x7 window in the last snapshot."""
        snapshot = self.recomputer.snapshot
        assert snapshot is not None
        return snapshot.targets[0].windows[0].window_seconds_total

    async def incremental(self) -> dict[tuple[str, str], AvailabilityFigure]:
        snapshot = await self.recomputer.recompute()
        return {(w.target, w.window): w.current for t in snapshot.targets for w in t.windows}

    async def from_scratch(self) -> dict[tuple[str, str], AvailabilityFigure]:
        maker = FigureMaker(self.config)
        month = Month.containing(self.now, self.config.zone)
        span = Interval(maker.period(month.previous()).start, self.now + S)
        evidence = self.overlay.apply(await load_evidence(self.store, span))
        # The live figures keep lengths, not the outage listing the report makes.
        return {
            (f.target, f.window): replace(f.figure, outages=())
            for target in self.config.targets
            for f in maker.month_figures(
                target, month, evidence, self.now, live=self.live.get(target.name)
            )
        }

    async def check(self) -> None:
        incremental = await self.incremental()
        assert incremental == await self.from_scratch()

    async def check_over(self, *steps: timedelta) -> None:
        """Figures agree now and after each further step of time."""
        await self.check()
        for step in steps:
            self.advance(step)
            await self.check()


def row(line: int, start: datetime, end: datetime | None) -> ImportedOutageRow:
    return ImportedOutageRow(f"i{line}", f"key{line}", "web", start, end, "imported", line)


def window_record(
    window_id: str, start: datetime, end: datetime, at: datetime
) -> MaintenanceWindowRecord:
    return MaintenanceWindowRecord(window_id, "change", ("web",), start, end, at, "ops")


async def test_incremental_figures_equal_a_full_recompute_after_every_kind_of_change(
    tmp_path: Path,
) -> None:
    """Results, outages opening and closing (stored and unconfirmed), maintenance registered
    and approved, a correction, an import, a reload with another holiday, and a month
    boundary: after each, the kept-and-extended figures are those computed from scratch."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'sla.db'}")
    try:
        scene = Scene(store)
        await store.start_session(MonitoringSession("s0", "web", local(1), local(8)))
        await store.start_session(MonitoringSession("s1", "web", local(8, 2), local(10, 12)))
        await scene.check_over(15 * S, 15 * S, 2 * H, 15 * S)

        # new results: the stored session reaches the live one
        await store.extend_session("s1", scene.now)
        await scene.check_over(15 * S, H)
        # results written late: time a rebuild saw as a gap turns out to be covered
        del scene.live["web"]
        await store.extend_session("s1", scene.now)
        await scene.check_over(15 * S, 15 * S)
        await store.extend_session("s1", scene.now)
        await scene.check_over(15 * S)
        scene.live["web"] = LiveSession(local(8, 2), scene.now)
        await scene.check_over(15 * S)

        # an outage opens (found two probes late) and runs past a few rebuilds
        await store.open_outage(OutageOpened("web", "o1", scene.now - 20 * S, "timeout"))
        await scene.check_over(15 * S, 15 * S, H)
        # it ends before the previous rebuild: the kept lengths no longer hold
        await store.close_outage("o1", scene.now - 30 * S)
        await scene.check_over(15 * S, 15 * S)

        # an outage the store has not written yet, then confirmed and closed
        opened = OutageOpened("web", "o2", scene.now - 5 * S, "status: 503")
        scene.overlay.outage_opened(opened)
        await scene.check_over(15 * S, 15 * S)
        await store.open_outage(opened)
        await store.close_outage("o2", scene.now)
        await scene.check_over(15 * S, H)

        # maintenance registered after the fact counts nothing until it is approved
        start = local(10, 12, 30)
        await store.add_maintenance_window(window_record("m1", start, start + 3 * H, scene.now))
        await scene.check_over(15 * S)
        await store.approve_maintenance_window("m1", at=scene.now, who="client")
        await scene.check_over(15 * S, 15 * S)
        # and a window registered ahead, forgiving only what begins after its registration
        ahead = scene.now + 2 * H
        await store.add_maintenance_window(window_record("m2", ahead, ahead + H, scene.now))
        await scene.check_over(15 * S, 2 * H, 15 * S)

        # a correction voids the first outage
        void = OutageCorrection("void", "probe network fault", "ops", scene.now)
        await store.add_outage_correction("o1", void)
        await scene.check_over(15 * S, 15 * S)

        # an import of last week's outages
        await store.import_outages(
            [[row(1, local(3, 9), local(3, 11)), row(2, local(4, 23), None)]]
        )
        await scene.check_over(15 * S, H)

        # a reload: another holiday and a configured maintenance window
        scene.config = AFTER_RELOAD
        await scene.check_over(15 * S, 15 * S)

        # the month rolls over while a burn-rate step spans midnight: the step is measured
        # whole, with the evidence on both sides of the boundary
        web = scene.config.targets[0]
        settle = settle_time(web.interval, web.failures_before_down, web.probe.timeout)
        scene.now = local(1, month=7) + settle - 20 * S
        scene.advance(0 * S)
        await scene.check()
        before = scene.window_seconds_total()
        await scene.check_over(30 * S)
        assert scene.window_seconds_total() - before == 30.0
        await scene.check_over(15 * S, H)
        assert Month.containing(scene.now, AMSTERDAM) == Month(2026, 7)
    finally:
        await store.close()
