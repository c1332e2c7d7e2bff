"""The incremental evidence reader gives what a whole read gives, after any writes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from monitor.figures.evidence import Evidence, load_evidence
from monitor.figures.reading import EvidenceReader
from monitor.sla.corrections import CorrectionKind, OutageCorrection
from monitor.sla.intervals import Interval
from monitor.sla.outages import OutageOpened
from monitor.store import ImportedOutageRow, MonitoringSession, Store, create_engine, migrate
from monitor.store.schema import monitoring_sessions, outage_corrections, outages
from tests.store.conftest import database_url, postgres_database_url, postgres_url

__all__ = ["database_url", "postgres_database_url", "postgres_url"]

T0 = datetime(2026, 6, 10, 12, tzinfo=UTC)
SPAN_START = T0 - timedelta(days=1)
TICK = timedelta(microseconds=1)
S = timedelta(seconds=1)
M = timedelta(minutes=1)
LOOKBACK = timedelta(minutes=5)
SKEWS = {"a": timedelta(0), "b": -4 * M, "c": 2 * M}
"""Each location's clock against the reader's: in step, lagging within the lookback, ahead."""


@dataclass
class World:
    """Stores of three locations on one database, each on its own clock, and a reader."""

    engine: AsyncEngine
    now: datetime = T0
    skews: dict[str, timedelta] = field(default_factory=lambda: dict(SKEWS))
    reader: EvidenceReader = field(init=False)
    stores: dict[str, Store] = field(init=False)
    full_every: timedelta = timedelta(hours=1)
    start: datetime = SPAN_START

    def __post_init__(self) -> None:
        self.stores = {
            place: Store(self.engine, clock=self._clock_of(place), location=place)
            for place in self.skews
        }
        self.reader = EvidenceReader(
            Store(self.engine), lookback=LOOKBACK, full_every=self.full_every
        )

    def _clock_of(self, place: str) -> Callable[[], datetime]:
        return lambda: self.now + self.skews[place]

    @property
    def span(self) -> Interval:
        return Interval(self.start, self.now + TICK)

    async def read(self) -> Evidence:
        """The reader's evidence, checked against a whole read of the same span."""
        evidence = await self.reader.read(self.span, self.now)
        assert evidence == await load_evidence(self.stores["a"], self.span)
        return evidence


@asynccontextmanager
async def world(url: str, full_every: timedelta = timedelta(hours=1)) -> AsyncIterator[World]:
    engine = create_engine(url)
    try:
        await migrate(engine)
        yield World(engine, full_every=full_every)
    finally:
        await engine.dispose()


def ids(evidence: Evidence, target: str) -> list[str]:
    return [o.id for o in evidence.outages_of(target)]


async def test_a_target_untouched_between_two_reads_keeps_the_very_same_tuples(
    database_url: str,
) -> None:
    """Only the target a write touched gets new tuples; the other's are the same objects."""
    async with world(database_url) as w:
        for place in ("a", "b"):
            for target in ("web", "mail"):
                await w.stores[place].open_outage(
                    OutageOpened(target, f"o-{target}-{place}", T0 - 2 * M, "timeout")
                )
                await w.stores[place].start_session(
                    MonitoringSession(f"s-{target}-{place}", target, T0 - M, T0)
                )
        first = await w.read()
        w.now += 15 * S
        await w.stores["a"].close_outage("o-mail-a", w.now)
        await w.stores["a"].start_session(MonitoringSession("s-mail-a", "mail", T0 - M, w.now))
        second = await w.read()
    assert second.outages["web"] is first.outages["web"]
    assert second.sessions["web"] is first.sessions["web"]
    assert second.located_sessions["web"] is first.located_sessions["web"]
    assert second.outages["mail"] is not first.outages["mail"]
    assert second.located_sessions["mail"] is not first.located_sessions["mail"]


async def test_an_outage_closed_after_the_first_read_has_its_end_in_the_second(
    database_url: str,
) -> None:
    """Closing stamps the outage, so the next delta carries its end."""
    async with world(database_url) as w:
        await w.stores["a"].open_outage(OutageOpened("web", "o-1", T0 - 10 * M, "timeout"))
        (before,) = (await w.read()).outages_of("web")
        w.now += 15 * S
        await w.stores["a"].close_outage("o-1", T0 + 10 * S)
        (after,) = (await w.read()).outages_of("web")
    assert (before.end, after.end) == (None, T0 + 10 * S)


async def test_a_row_stamped_before_the_previous_read_within_the_lookback_is_found(
    database_url: str,
) -> None:
    """A writer whose clock lags by four minutes stamps rows before the previous read; the
    five-minute lookback still finds them at the next one."""
    async with world(database_url) as w:
        await w.read()
        await w.stores["b"].open_outage(OutageOpened("web", "o-late", T0 - 5 * M, "timeout"))
        w.now += 15 * S
        evidence = await w.read()
    assert ids(evidence, "web") == ["o-late"]


async def test_a_row_stamped_beyond_the_lookback_is_found_at_the_next_full_read(
    database_url: str,
) -> None:
    """A writer lagging ten minutes is missed by the deltas, and found by the full read
    that comes ``full_every`` after the previous one."""
    async with world(database_url, full_every=2 * M) as w:
        w.skews["b"] = -10 * M
        await w.read()
        await w.stores["b"].open_outage(OutageOpened("web", "o-lost", T0 - 15 * M, "timeout"))
        w.now += 15 * S
        missed = await w.reader.read(w.span, w.now)
        w.now += 2 * M
        found = await w.read()
    assert (ids(missed, "web"), ids(found, "web")) == ([], ["o-lost"])


async def test_invalidating_the_reader_makes_the_next_read_a_full_one(database_url: str) -> None:
    """A row the deltas cannot see is there right after ``invalidate()``."""
    async with world(database_url) as w:
        w.skews["b"] = -10 * M
        await w.read()
        await w.stores["b"].open_outage(OutageOpened("web", "o-lost", T0 - 15 * M, "timeout"))
        w.now += 15 * S
        missed = await w.reader.read(w.span, w.now)
        w.reader.invalidate()
        w.now += 15 * S
        found = await w.read()
    assert (ids(missed, "web"), ids(found, "web")) == ([], ["o-lost"])


async def test_rows_ahead_of_the_span_join_it_when_the_span_reaches_them(
    database_url: str,
) -> None:
    """Rows starting after the span's end (an imported outage, a session), stored before the
    full read or after it, are kept aside long after their stamps have left the lookback,
    and belong to the evidence once the span has grown over their starts."""
    async with world(database_url) as w:
        a = w.stores["a"]
        await a.import_outages([[ImportedOutageRow("o-1", "k1", "web", T0 + 20 * M, None, "x", 1)]])
        await a.start_session(MonitoringSession("s-1", "web", T0 + 20 * M, T0 + 20 * M))
        w.now += 6 * M
        await w.read()
        await a.import_outages([[ImportedOutageRow("o-2", "k2", "web", T0 + 21 * M, None, "x", 2)]])
        await a.start_session(MonitoringSession("s-2", "web", T0 + 21 * M, T0 + 21 * M))
        seen = []
        for _ in range(4):
            w.now += 5 * M
            evidence = await w.read()
            seen.append((ids(evidence, "web"), len(evidence.sessions_of("web"))))
    assert seen == [([], 0), ([], 0), (["o-1", "o-2"], 2), (["o-1", "o-2"], 2)]


async def test_a_row_kept_aside_and_changed_since_is_read_as_it_changed(
    database_url: str,
) -> None:
    """A session of a writer whose clock is ahead starts after the span's end; extended
    when the span has reached it, it is the extended session that joins the evidence."""
    async with world(database_url) as w:
        await w.stores["c"].start_session(MonitoringSession("s-1", "web", T0 + M, T0 + M))
        ahead = await w.read()
        w.now += 2 * M
        await w.stores["c"].extend_session("s-1", T0 + 4 * M)
        reached = await w.read()
    assert (ahead.sessions_of("web"), reached.sessions_of("web")) == ((), ((T0 + M, T0 + 4 * M),))


async def test_an_outage_given_an_end_before_the_span_leaves_the_evidence(
    database_url: str,
) -> None:
    """An imported outage, open since before the span, that a later import ends before the
    span's start no longer overlaps it: its target's evidence loses it."""
    async with world(database_url) as w:
        row = ImportedOutageRow("o-1", "k1", "web", SPAN_START - 60 * M, None, "x", 1)
        await w.stores["a"].import_outages([[row]])
        before = await w.read()
        w.now += 15 * S
        await w.stores["a"].import_outages([[replace(row, end=SPAN_START - M)]])
        after = await w.read()
    assert (ids(before, "web"), ids(after, "web"), after.outage_locations) == (["o-1"], [], {})


async def test_an_outage_of_no_length_at_the_span_start_belongs_to_the_span(
    database_url: str,
) -> None:
    """The range's edge case, read in a delta: opened and closed at the span's start."""
    async with world(database_url) as w:
        await w.read()
        await w.stores["a"].open_outage(OutageOpened("web", "o-1", SPAN_START, "timeout"))
        await w.stores["a"].close_outage("o-1", SPAN_START)
        w.now += 15 * S
        evidence = await w.read()
    assert ids(evidence, "web") == ["o-1"]


async def test_a_clock_set_back_reads_the_evidence_whole_again(database_url: str) -> None:
    """An earlier ``now`` than the previous read's: the kept rows are not trusted."""
    async with world(database_url) as w:
        await w.stores["a"].open_outage(OutageOpened("web", "o-1", T0 - M, "timeout"))
        w.now += 10 * M
        await w.read()
        w.now -= 9 * M
        evidence = await w.read()
    assert ids(evidence, "web") == ["o-1"]


async def test_a_span_that_starts_later_is_read_from_the_rows_kept(database_url: str) -> None:
    """Once an hour the live figures read from the previous month's start, then from the
    running month's again: the later start drops the rows before it without a whole read,
    and a target whose rows all stay keeps its tuples."""
    async with world(database_url) as w:
        await w.stores["a"].open_outage(OutageOpened("web", "o-old", SPAN_START + M, "timeout"))
        await w.stores["a"].close_outage("o-old", SPAN_START + 2 * M)
        await w.stores["a"].open_outage(OutageOpened("web", "o-new", T0 - 10 * M, "timeout"))
        await w.stores["a"].open_outage(OutageOpened("mail", "o-mail", T0 - 10 * M, "timeout"))
        first = await w.read()
        w.now += 15 * S
        w.start = SPAN_START + 12 * 60 * M
        second = await w.read()
    assert (ids(first, "web"), ids(second, "web")) == (["o-old", "o-new"], ["o-new"])
    assert second.outages["mail"] is first.outages["mail"]


async def test_a_span_that_starts_after_the_previous_reads_end_is_read_from_the_rows_kept(
    database_url: str,
) -> None:
    """A start that moves past where the previous read ended (the job stalled): what still
    reaches the new span is kept, what was written since comes by the delta."""
    async with world(database_url) as w:
        await w.stores["a"].open_outage(OutageOpened("web", "o-open", T0 - 10 * M, "timeout"))
        await w.stores["a"].open_outage(OutageOpened("mail", "o-gone", T0 - 10 * M, "timeout"))
        await w.stores["a"].close_outage("o-gone", T0 - 5 * M)
        await w.read()
        w.now += 3 * M
        await w.stores["a"].open_outage(OutageOpened("dns", "o-new", T0 + 2 * M, "timeout"))
        w.start = T0 + M
        evidence = await w.read()
    assert sorted(o.id for t in evidence.outages.values() for o in t) == ["o-new", "o-open"]


# -- the contract, as a property ----------------------------------------------------------

TARGETS = ("web", "mail", "dns")
PLACES = tuple(SKEWS)


@dataclass
class Writes:
    """What the operations have written so far, to pick earlier rows from."""

    outages: list[tuple[str, str, datetime]] = field(default_factory=list)
    sessions: list[tuple[MonitoringSession, str]] = field(default_factory=list)
    imported: list[ImportedOutageRow] = field(default_factory=list)

    def next_id(self, prefix: str) -> str:
        return f"{prefix}-{len(self.outages) + len(self.sessions) + len(self.imported)}"


@dataclass(frozen=True)
class Open:
    target: str
    place: str
    minutes: int
    """From the span's start."""

    async def apply(self, w: World, writes: Writes) -> None:
        outage_id, start = writes.next_id("o"), SPAN_START + self.minutes * M
        await w.stores[self.place].open_outage(
            OutageOpened(self.target, outage_id, start, "timeout")
        )
        writes.outages.append((outage_id, self.place, start))


@dataclass(frozen=True)
class Close:
    pick: int
    minutes: int

    async def apply(self, w: World, writes: Writes) -> None:
        if writes.outages:
            outage_id, place, start = writes.outages[self.pick % len(writes.outages)]
            await w.stores[place].close_outage(outage_id, start + self.minutes * M)


@dataclass(frozen=True)
class Start:
    target: str
    place: str
    minutes: int
    """From the span's start."""
    length: int

    async def apply(self, w: World, writes: Writes) -> None:
        start = SPAN_START + self.minutes * M
        session_id = writes.next_id("s")
        session = MonitoringSession(session_id, self.target, start, start + self.length * M)
        await w.stores[self.place].start_session(session)
        writes.sessions.append((session, self.place))


@dataclass(frozen=True)
class Extend:
    pick: int
    minutes: int

    async def apply(self, w: World, writes: Writes) -> None:
        if writes.sessions:
            index = self.pick % len(writes.sessions)
            session, place = writes.sessions[index]
            longer = replace(session, last_seen_at=session.last_seen_at + self.minutes * M)
            await w.stores[place].extend_session(session.id, longer.last_seen_at)
            writes.sessions[index] = (longer, place)


@dataclass(frozen=True)
class Probe:
    """``after`` seconds later, every location probes every target at its own clock's now:
    the session it started last for the target is extended, or a first one starts."""

    after: int

    async def apply(self, w: World, writes: Writes) -> None:
        w.now += self.after * S
        for place, target in ((p, t) for p in PLACES for t in TARGETS):
            now = w.now + w.skews[place]
            running = [
                i for i, (s, at) in enumerate(writes.sessions) if (s.target, at) == (target, place)
            ]
            if not running:
                session = MonitoringSession(writes.next_id("s"), target, now, now)
                await w.stores[place].start_session(session)
                writes.sessions.append((session, place))
            elif (session := writes.sessions[running[-1]][0]).last_seen_at < now:
                await w.stores[place].extend_session(session.id, now)
                writes.sessions[running[-1]] = (replace(session, last_seen_at=now), place)


@dataclass(frozen=True)
class Import:
    target: str
    minutes: int
    length: int | None

    async def apply(self, w: World, writes: Writes) -> None:
        start = w.now + self.minutes * M
        end = None if self.length is None else start + self.length * M
        outage_id = writes.next_id("i")
        row = ImportedOutageRow(outage_id, f"k{outage_id}", self.target, start, end, "imported", 1)
        await w.stores["a"].import_outages([[row]])
        writes.imported.append(row)
        writes.outages.append((row.id, "a", start))


@dataclass(frozen=True)
class ImportEnd:
    """A later import gives an imported open outage its end."""

    pick: int
    minutes: int

    async def apply(self, w: World, writes: Writes) -> None:
        if writes.imported:
            row = writes.imported[self.pick % len(writes.imported)]
            if row.end is None:
                closed = replace(row, end=row.start + self.minutes * M)
                await w.stores["c"].import_outages([[closed]])


@dataclass(frozen=True)
class Correct:
    pick: int
    void: bool

    async def apply(self, w: World, writes: Writes) -> None:
        if writes.outages:
            outage_id, _, _ = writes.outages[self.pick % len(writes.outages)]
            kind: CorrectionKind = "void" if self.void else "annotate"
            correction = OutageCorrection(kind, "checked", "ops", recorded_at=w.now)
            await w.stores["a"].add_outage_correction(outage_id, correction)


@dataclass(frozen=True)
class Advance:
    seconds: int

    async def apply(self, w: World, writes: Writes) -> None:
        w.now += self.seconds * S


@dataclass(frozen=True)
class Invalidate:
    async def apply(self, w: World, writes: Writes) -> None:
        w.reader.invalidate()


@dataclass(frozen=True)
class Begin:
    """The span starts ``minutes`` after the first span's start (later: read from what is
    kept; back to the first: read whole)."""

    minutes: int

    async def apply(self, w: World, writes: Writes) -> None:
        w.start = min(SPAN_START + self.minutes * M, w.now)


Operation = (
    Open
    | Close
    | Start
    | Extend
    | Probe
    | Import
    | ImportEnd
    | Correct
    | Advance
    | Invalidate
    | Begin
)

_targets, _places, _pick = st.sampled_from(TARGETS), st.sampled_from(PLACES), st.integers(0, 20)
# From half a day before the span's start to an hour after now (a day after it, at first),
# with the edges themselves: at the span's start, and lasting no time.
_minutes = st.just(0) | st.integers(-12 * 60, 24 * 60 + 60)
_length = st.just(0) | st.integers(0, 48 * 60)
_operations: st.SearchStrategy[Operation] = st.one_of(
    st.builds(Open, _targets, _places, _minutes),
    st.builds(Close, _pick, _length),
    st.builds(Start, _targets, _places, _minutes, _length),
    st.builds(Extend, _pick, st.integers(1, 60)),
    st.builds(Probe, st.integers(0, 300)),
    st.builds(Import, _targets, st.integers(-48 * 60, 20), st.none() | _length),
    st.builds(ImportEnd, _pick, _length),
    st.builds(Correct, _pick, st.booleans()),
    st.builds(Advance, st.integers(1, 25 * 60)),
    st.builds(Invalidate),
    st.builds(Begin, st.just(0) | st.integers(0, 36 * 60)),
)


async def wipe(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in (outage_corrections, outages, monitoring_sessions):
            await connection.execute(sa.delete(table))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(_operations, min_size=1, max_size=30))
async def test_every_read_equals_a_whole_read_of_the_same_span_after_any_writes(
    database_url: str, operations: list[Operation]
) -> None:
    """Outages opened, closed and imported, sessions started and extended by locations
    whose clocks differ within the lookback, corrections, time passing: every read of the
    reader, one after each write, equals :func:`load_evidence` of the same span."""
    async with world(database_url, full_every=30 * M) as w:
        await wipe(w.engine)
        writes = Writes()
        await w.read()
        for operation in operations:
            await operation.apply(w, writes)
            if not isinstance(operation, Advance):  # so time passes between two reads
                await w.read()
