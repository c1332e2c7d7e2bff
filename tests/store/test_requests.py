"""Service-desk requests and mailbox facts in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from monitor.store import (
    FolderState,
    MailboxRequest,
    MailFact,
    OutageOpened,
    RequestRecord,
    RequestSync,
    Store,
    create_engine,
    migrate,
)
from monitor.store.migrate import head_revision
from monitor.store.records import RequestSource
from monitor.store.schema import requests as requests_table
from monitor.store.upgrade import current_revision

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def request(
    id: str,
    hours: float,
    answered: float | None = None,
    *,
    category: str = "email",
    source: RequestSource = "import",
    channel: str | None = None,
    sender: str | None = None,
) -> RequestRecord:
    return RequestRecord(
        id=id,
        category=category,
        received_at=at(hours),
        answered_at=None if answered is None else at(answered),
        source=source,
        channel=channel,
        sender_hash=None if sender is None else digest(sender),
    )


async def updated_at(store: Store, request_id: str) -> datetime:
    async with store.engine.connect() as connection:
        value = await connection.scalar(
            sa.select(requests_table.c.updated_at).where(requests_table.c.id == request_id)
        )
    assert isinstance(value, datetime)
    return value


# -- the record ---------------------------------------------------------------------------


def test_a_request_record_is_kept_in_utc() -> None:
    """Instants given in local time are held as the same instants in UTC."""
    record = RequestRecord(
        "r1", "email", datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM), None, "import"
    )
    assert record.received_at == T0
    assert record.received_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"id": ""}, "request id"),
        ({"id": "x" * 201}, "request id"),
        ({"category": ""}, "category"),
        ({"source": "phone"}, "source"),
        ({"received_at": datetime(2026, 3, 2, 9, 0)}, "timezone-aware"),
        ({"answered_at": at(-1)}, "before received_at"),
        ({"sender_hash": "klant@example.nl"}, "SHA-256"),
    ],
)
def test_a_request_record_refuses_what_could_not_be_judged_or_must_not_be_stored(
    changes: dict[str, object], problem: str
) -> None:
    """Naive instants, answers before receipt and addresses in the hash column are refused."""
    fields: dict[str, object] = {
        "id": "r1",
        "category": "email",
        "received_at": T0,
        "answered_at": None,
        "source": "import",
    }
    fields.update(changes)
    with pytest.raises(ValueError, match=problem):
        RequestRecord(**fields)  # type: ignore[arg-type]  # invalid values on purpose


# -- upsert and read ----------------------------------------------------------------------


async def test_requests_come_back_equal_ordered_by_receipt_and_id(store: Store) -> None:
    """What goes in comes out equal, ordered by received_at and then id, in UTC."""
    records = [
        request("b", 2, 3, sender="b@example.nl"),
        request("a", 2),
        request("c", 1, 1.5, category="complaint", channel="zammad"),
    ]
    assert await store.upsert_requests(records) == 3

    stored = await store.requests()

    assert stored == [records[2], records[1], records[0]]
    assert all(r.received_at.tzinfo is UTC for r in stored)


async def test_storing_the_same_requests_again_changes_nothing(store: Store) -> None:
    """A replay returns 0 and leaves updated_at as it was."""
    records = [request("a", 1, 2), request("b", 3)]
    await store.upsert_requests(records)
    before = await updated_at(store, "a")
    await asyncio.sleep(0.01)  # a duration, not synchronisation: a new stamp would differ

    assert await store.upsert_requests(records) == 0
    assert await updated_at(store, "a") == before
    assert await store.requests() == records


async def test_a_later_call_can_bring_the_answer_and_count_it_as_a_change(store: Store) -> None:
    """The webhook pattern: first the request, later the same id with its answer."""
    await store.upsert_requests([request("t-1", 1)])

    assert await store.upsert_requests([request("t-1", 1, 4)]) == 1
    assert (await store.requests())[0].answered_at == at(4)


async def test_a_stored_answer_is_never_replaced_by_none(store: Store) -> None:
    """Re-sending a request without its answer keeps the answer that is known."""
    await store.upsert_requests([request("t-1", 1, 4, channel="otrs", sender="k@x.nl")])

    assert await store.upsert_requests([request("t-1", 1)]) == 0
    [stored] = await store.requests()
    assert stored.answered_at == at(4)
    assert stored.channel == "otrs"
    assert stored.sender_hash == digest("k@x.nl")


async def test_a_corrected_answer_or_category_replaces_the_stored_one(store: Store) -> None:
    """A non-empty new value wins: corrections from the source are taken over."""
    await store.upsert_requests([request("t-1", 1, 4)])

    assert await store.upsert_requests([request("t-1", 1, 3, category="complaint")]) == 1
    [stored] = await store.requests()
    assert (stored.answered_at, stored.category) == (at(3), "complaint")


async def test_one_id_twice_in_one_call_is_one_row_and_keeps_the_answer(store: Store) -> None:
    """Duplicates within a call merge as calls do: the last wins, a known answer stays."""
    assert await store.upsert_requests([request("t-1", 1, 4), request("t-1", 1)]) == 1
    [stored] = await store.requests()
    assert stored.answered_at == at(4)


async def test_requests_are_selected_by_half_open_receipt_range_and_category(
    store: Store,
) -> None:
    """[since, until) on received_at, optionally one category."""
    await store.upsert_requests(
        [
            request("a", 0),
            request("b", 1, category="complaint"),
            request("c", 2),
            request("d", 3),
        ]
    )

    in_range = await store.requests(at(1), at(3))
    complaints = await store.requests(category="complaint")

    assert [r.id for r in in_range] == ["b", "c"]
    assert [r.id for r in complaints] == ["b"]


async def test_many_requests_are_stored_in_one_call(store: Store) -> None:
    """A large import is more than one statement underneath, and still counted exactly."""
    records = [request(f"INC-{i:05d}", i / 60, i / 60 + 1) for i in range(1_234)]

    assert await store.upsert_requests(records) == 1_234
    assert await store.upsert_requests(records) == 0
    assert len(await store.requests()) == 1_234


async def test_an_empty_call_changes_nothing(store: Store) -> None:
    """No records, no transaction work, zero changed."""
    assert await store.upsert_requests([]) == 0


# -- the sender hash key ------------------------------------------------------------------


async def test_the_sender_hash_key_is_made_once_and_then_kept(store: Store) -> None:
    """Every caller, also a second process on the same database, gets the same 32 bytes."""
    first, second = await asyncio.gather(store.sender_hash_key(), store.sender_hash_key())
    other = await Store.open(store.engine.url.render_as_string(hide_password=False))
    try:
        third = await other.sender_hash_key()
    finally:
        await other.close()

    assert len(first) == 32
    assert first == second == third


# -- mailbox facts and their requests -----------------------------------------------------


def fact(uid: int, *, folder: str = "INBOX", uidvalidity: int = 7, **changes: object) -> MailFact:
    fields: dict[str, object] = {
        "mailbox": "desk",
        "folder": folder,
        "uidvalidity": uidvalidity,
        "uid": uid,
        "role": "sent" if folder == "Sent" else "inbox",
        "fingerprint": digest(f"fp{folder}{uid}"),
        "message_key": digest(f"id{uid}"),
        "synthetic_id": False,
        "refs": (digest("root"),),
        "direction": "outbound" if folder == "Sent" else "inbound",
        "automatic": None,
        "internaldate": at(uid),
        "date_header": None,
        "category": "email",
        "sender_hash": digest("klant"),
    }
    fields.update(changes)
    return MailFact(**fields)  # type: ignore[arg-type]  # a dict of mixed values, unpacked


def test_a_mail_fact_refuses_anything_but_digests_in_its_identifier_columns() -> None:
    """A subject or an address in a digest column is refused before it can be stored."""
    with pytest.raises(ValueError, match="SHA-256"):
        fact(1, ticket_key="[SD-1234] klacht over factuur")
    with pytest.raises(ValueError, match="SHA-256"):
        fact(1, refs=("<abc@mail.example.nl>",))


async def test_mail_facts_and_the_folder_position_are_stored_together(store: Store) -> None:
    """A batch comes back equal, and the folder position says it is there."""
    facts = [fact(1), fact(2, automatic="auto-submitted", ticket_key=digest("SD-1"))]
    await store.record_mail_batch("desk", FolderState("INBOX", 7, 2), facts)

    assert await store.mail_facts("desk") == facts
    assert await store.mailbox_state("desk") == {"INBOX": FolderState("INBOX", 7, 2)}
    assert await store.mail_facts("other") == []


async def test_the_folder_position_moves_forward_only_within_one_uidvalidity(
    store: Store,
) -> None:
    """A replayed older batch does not move the position back; a new UIDVALIDITY resets it."""
    await store.record_mail_batch("desk", FolderState("INBOX", 7, 10), [fact(10)])
    await store.record_mail_batch("desk", FolderState("INBOX", 7, 5), [fact(5)])
    assert (await store.mailbox_state("desk"))["INBOX"].last_uid == 10

    await store.record_mail_batch("desk", FolderState("INBOX", 8, 0), [])
    assert (await store.mailbox_state("desk"))["INBOX"] == FolderState("INBOX", 8, 0)


async def test_a_batch_with_facts_of_another_folder_is_refused(store: Store) -> None:
    """Position and facts must describe the same folder, or a crash could skip mail."""
    with pytest.raises(ValueError, match="one mailbox folder"):
        await store.record_mail_batch("desk", FolderState("INBOX", 7, 3), [fact(3, folder="Sent")])
    with pytest.raises(ValueError, match="UIDVALIDITY"):
        await store.record_mail_batch("desk", FolderState("INBOX", 8, 3), [fact(3)])
    assert await store.mail_facts("desk") == []


def derive_one_per_fact(facts: Sequence[MailFact]) -> list[MailboxRequest]:
    return [
        MailboxRequest(
            RequestRecord(
                id=f"desk:{f.uid}",
                category=f.category or "email",
                received_at=f.internaldate or T0,
                answered_at=None,
                source="mailbox",
                channel="desk",
            ),
            thread_key=f.fingerprint,
        )
        for f in facts
        if f.direction == "inbound"
    ]


async def test_recomputing_a_mailbox_writes_the_difference_once(store: Store) -> None:
    """New requests are inserted; with nothing new, a recomputation has nothing to do."""
    await store.record_mail_batch("desk", FolderState("INBOX", 7, 2), [fact(1), fact(2)])
    assert await store.recompute_mailbox_requests("desk", derive_one_per_fact) == RequestSync(2, 0)

    def never(facts: list[MailFact]) -> list[MailboxRequest]:
        raise AssertionError("nothing was new, so nothing should be derived")

    assert await store.recompute_mailbox_requests("desk", never) == RequestSync(0, 0)


async def test_a_full_recomputation_removes_requests_that_vanished(store: Store) -> None:
    """Derived afresh from all facts: a request no longer derived is deleted."""
    await store.record_mail_batch("desk", FolderState("INBOX", 7, 2), [fact(1), fact(2)])
    await store.recompute_mailbox_requests("desk", derive_one_per_fact)

    def only_the_first(facts: list[MailFact]) -> list[MailboxRequest]:
        return derive_one_per_fact(facts)[:1]

    sync = await store.recompute_mailbox_requests("desk", only_the_first, full=True)

    assert sync == RequestSync(0, 1)
    assert [r.id for r in await store.requests()] == ["desk:1"]


def threaded(uid: int, *links: str, ticket: str | None = None) -> MailFact:
    """A fact with its own id ``m<uid>`` that refers to the ids in ``links``."""
    return fact(
        uid,
        message_key=digest(f"m{uid}"),
        refs=tuple(digest(link) for link in links),
        ticket_key=None if ticket is None else digest(ticket),
    )


def derive_thread_roots(facts: Sequence[MailFact]) -> list[MailboxRequest]:
    """One request per thread found by Message-ID and ticket, for the store's tests."""
    from monitor.servicedesk.scanner import derive_requests

    return derive_requests("desk", "email", facts)[0]


async def test_only_the_threads_that_new_messages_touch_are_recomputed(store: Store) -> None:
    """A reply in one thread reads that thread's messages, not the whole mailbox."""
    others = [threaded(uid) for uid in range(10, 30)]  # threads the new mail does not touch
    await store.record_mail_batch(
        "desk",
        FolderState("INBOX", 7, 29),
        [threaded(1), threaded(2, "m1"), threaded(3), threaded(4, ticket="SD-9"), *others],
    )
    await store.recompute_mailbox_requests("desk", derive_thread_roots)
    seen: list[int] = []

    def watch(facts: list[MailFact]) -> list[MailboxRequest]:
        seen.extend(f.uid for f in facts)
        return derive_thread_roots(facts)

    await store.record_mail_batch(
        "desk", FolderState("INBOX", 7, 29), [threaded(5, "m2"), threaded(6, ticket="SD-9")]
    )
    sync = await store.recompute_mailbox_requests("desk", watch)

    assert sorted(seen) == [1, 2, 4, 5, 6]
    assert sync == RequestSync(0, 0)  # follow-ups only: the requests stay as they were
    assert len(await store.requests()) == 3 + len(others)


async def test_a_message_found_later_turns_a_request_into_a_follow_up(store: Store) -> None:
    """An earlier message joins the thread: the old request goes, the earlier one comes."""
    await store.record_mail_batch("desk", FolderState("INBOX", 7, 5), [threaded(5, "m1")])
    await store.recompute_mailbox_requests("desk", derive_thread_roots)
    [before] = await store.requests()

    await store.record_mail_batch("desk", FolderState("INBOX", 7, 5), [threaded(1)])
    sync = await store.recompute_mailbox_requests("desk", derive_thread_roots)

    [after] = await store.requests()
    assert sync == RequestSync(1, 1)
    assert after.received_at == at(1) < before.received_at == at(5)


async def test_recomputing_a_mailbox_leaves_other_sources_alone(store: Store) -> None:
    """Imported and webhook requests, and other mailboxes' requests, are never removed."""
    await store.upsert_requests(
        [
            request("INC-1", 1),
            request("other:1", 1, source="mailbox", channel="other"),
        ]
    )
    await store.record_mail_batch("desk", FolderState("INBOX", 7, 1), [fact(1)])

    await store.recompute_mailbox_requests("desk", lambda facts: [])

    assert {r.id for r in await store.requests()} == {"INC-1", "other:1"}


async def test_a_derived_request_of_another_mailbox_is_refused(store: Store) -> None:
    """A mix-up of channels would delete one desk's requests while writing another's."""

    def wrong_channel(facts: list[MailFact]) -> list[MailboxRequest]:
        record = request("x", 1, source="mailbox", channel="other")
        return [MailboxRequest(record, digest("t"))]

    await store.record_mail_batch("desk", FolderState("INBOX", 7, 1), [fact(1)])
    with pytest.raises(ValueError, match="not from mailbox desk"):
        await store.recompute_mailbox_requests("desk", wrong_channel)
    assert await store.requests() == []


# -- the migration ------------------------------------------------------------------------


async def test_upgrading_a_0001_store_keeps_its_data_and_adds_the_request_tables(
    database_url: str,
) -> None:
    """An installed daemon upgrades in place: outages stay, requests can be stored."""
    engine = create_engine(database_url)
    try:
        await migrate(engine, "0001")
        old = Store(engine)
        await old.open_outage(OutageOpened("it-system", "o-1", T0, "timeout"))

        await migrate(engine)

        upgraded = Store(engine)
        assert await current_revision(engine) == head_revision()
        assert [o.id for o in await upgraded.outages()] == ["o-1"]
        assert await upgraded.upsert_requests([request("INC-1", 1)]) == 1
    finally:
        await engine.dispose()
