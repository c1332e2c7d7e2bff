"""A desk mailbox in Debian's dovecot, scanned into requests and judged as a person would.

Every thread is written with IMAP APPEND, which sets INTERNALDATE, at fixed instants in
March 2026 (Europe/Amsterdam, UTC+1), and judged at a fixed "now": Wednesday 11 March,
12:00. The norms are the contract's defaults: one working day (Mon-Fri 08:00-18:00) for
e-mail, complaints and escalations, two for information requests.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from monitor.config import Config
from monitor.servicedesk.imap import MailboxError, MailboxLoginError, MailboxUnreachableError
from monitor.servicedesk.scanner import MailboxScanner
from monitor.sla.response import RequestTiming, judge_request, response_deadline
from monitor.store import FolderState, MailFact, RequestRecord, RequestSync, Store
from tests.servicedesk.mail import DESK, Mailroom, compose

CET = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=CET)
CONFIG = Config()


def march(day: int, clock: str) -> datetime:
    hour, minute, second = (int(part) for part in f"{clock}:0".split(":")[:3])
    return datetime(2026, 3, day, hour, minute, second, tzinfo=CET)


# The realistic desk: label -> (instant of receipt, category, outcome a person would give).
EXPECTED = {
    "A reply in time": (march(2, "10:00"), "email", "met"),
    "B late reply (sender's clock says 07:00)": (march(3, "09:00"), "email", "breached"),
    "C no reply": (march(4, "14:00"), "email", "breached"),
    "D reply that only carries References": (march(5, "11:00"), "email", "met"),
    "E auto-ack on Friday, human reply on Tuesday": (march(6, "17:00"), "email", "breached"),
    "F information request, customer's out-of-office": (
        march(9, "09:00"),
        "information_request",
        "met",
    ),
    "G answer bounced": (march(10, "10:00"), "email", "met"),
    "H encoded complaint, within its day": (march(10, "14:00"), "complaint", "pending"),
    "I base64 escalation answered": (march(9, "11:00"), "escalation", "met"),
    "J missing Message-ID": (march(11, "08:30"), "email", "pending"),
}


def fill_realistic_desk(room: Mailroom) -> int:
    """Ten customer threads with replies, follow-ups, automatic mail; returns messages written."""
    written = 0

    def receive(message: bytes, at: datetime) -> None:
        nonlocal written
        room.receive(message, at)
        written += 1

    def send(message: bytes, at: datetime) -> None:
        nonlocal written
        room.send(message, at)
        written += 1

    # A: answered the same afternoon; the customer's thank-you is a follow-up, not a request.
    receive(
        compose(sender="klant-a@example.nl", subject="Vraag over mijn account",
                message_id="<a1@klant-a.example.nl>", date=march(2, "09:59")),
        march(2, "10:00"),
    )  # fmt: skip
    send(
        compose(sender=DESK, to="klant-a@example.nl", subject="Re: Vraag over mijn account",
                message_id="<r-a1@example.test>", in_reply_to="<a1@klant-a.example.nl>",
                references="<a1@klant-a.example.nl>"),
        march(2, "15:00"),
    )  # fmt: skip
    receive(
        compose(sender="klant-a@example.nl", subject="Re: Vraag over mijn account - dank!",
                message_id="<a2@klant-a.example.nl>", in_reply_to="<r-a1@example.test>"),
        march(2, "16:00"),
    )  # fmt: skip
    # B: the sender's clock says 07:00 (before opening, deadline would be Wednesday 18:00);
    # the server received it at 09:00, so the deadline is Wednesday 09:00 and 11:30 is late.
    receive(
        compose(sender="klant-b@example.nl", subject="Wachtwoord werkt niet",
                message_id="<b1@klant-b.example.nl>", date=march(3, "07:00")),
        march(3, "09:00"),
    )  # fmt: skip
    send(
        compose(sender=DESK, to="klant-b@example.nl", subject="Re: Wachtwoord werkt niet",
                message_id="<r-b1@example.test>", in_reply_to="<b1@klant-b.example.nl>"),
        march(4, "11:30"),
    )  # fmt: skip
    # C: never answered; the deadline (Thursday 14:00) passed long before "now".
    receive(
        compose(sender="klant-c@example.nl", subject="Factuur klopt niet",
                message_id="<c1@klant-c.example.nl>"),
        march(4, "14:00"),
    )  # fmt: skip
    # D: the reply's client wrote References (with a root we never saw), no In-Reply-To.
    receive(
        compose(sender="klant-d@example.nl", subject="Re: Toegang archief",
                message_id="<d1@klant-d.example.nl>", references="<d0@elders.example.org>"),
        march(5, "11:00"),
    )  # fmt: skip
    send(
        compose(sender=DESK, to="klant-d@example.nl", subject="Re: Toegang archief",
                message_id="<r-d1@example.test>",
                references="<d0@elders.example.org> <d1@klant-d.example.nl>"),
        march(5, "16:00"),
    )  # fmt: skip
    # E: Friday 17:00, deadline Monday 17:00. The ticket system acknowledges at once (an
    # automatic message that must not stop the clock); the agent answers on Tuesday, with
    # only the ticket token [SD-1042] to link the reply.
    receive(
        compose(sender="klant-e@example.nl", subject="Storing portaal",
                message_id="<e1@klant-e.example.nl>"),
        march(6, "17:00"),
    )  # fmt: skip
    send(
        compose(sender=DESK, to="klant-e@example.nl",
                subject="Ontvangstbevestiging [SD-1042]: Storing portaal",
                message_id="<ack-e1@example.test>", in_reply_to="<e1@klant-e.example.nl>",
                extra=("Auto-Submitted: auto-replied",)),
        march(6, "17:00:05"),
    )  # fmt: skip
    send(
        compose(sender=DESK, to="klant-e@example.nl", subject="RE: [SD-1042] Storing portaal",
                message_id="<r-e1@example.test>"),
        march(10, "09:00"),
    )  # fmt: skip
    # F: an information request (two working days), answered at once; the customer's
    # out-of-office reply to the answer is neither a request nor a follow-up.
    receive(
        compose(sender="klant-f@example.nl", subject="Informatieverzoek contractverlenging",
                message_id="<f1@klant-f.example.nl>"),
        march(9, "09:00"),
    )  # fmt: skip
    send(
        compose(sender=DESK, to="klant-f@example.nl",
                subject="Re: Informatieverzoek contractverlenging",
                message_id="<r-f1@example.test>", in_reply_to="<f1@klant-f.example.nl>"),
        march(9, "09:30"),
    )  # fmt: skip
    receive(
        compose(sender="klant-f@example.nl",
                subject="Automatisch antwoord: Re: Informatieverzoek contractverlenging",
                message_id="<oof-f@klant-f.example.nl>", in_reply_to="<r-f1@example.test>",
                extra=("Auto-Submitted: auto-replied", "X-Autoreply: yes")),
        march(9, "09:31"),
    )  # fmt: skip
    # G: answered, but the answer bounced: the delivery report is not a request.
    receive(
        compose(sender="klant-g@example.nl", subject="Adreswijziging",
                message_id="<g1@klant-g.example.nl>"),
        march(10, "10:00"),
    )  # fmt: skip
    send(
        compose(sender=DESK, to="klant-g@example.nl", subject="Re: Adreswijziging",
                message_id="<r-g1@example.test>", in_reply_to="<g1@klant-g.example.nl>"),
        march(10, "10:30"),
    )  # fmt: skip
    receive(
        compose(sender="MAILER-DAEMON@mx.example.test", to=DESK,
                subject="Undelivered Mail Returned to Sender",
                message_id="<dsn-g1@mx.example.test>",
                extra=('Content-Type: multipart/report; report-type=delivery-status; '
                       'boundary="dsn"',),
                body="--dsn\r\nContent-Type: text/plain\r\n\r\nklant-g@example.nl: unknown\r\n"
                     "--dsn--\r\n"),
        march(10, "10:31"),
    )  # fmt: skip
    # H: an encoded subject ("Klacht over factuur € 120"): a complaint, within its day.
    receive(
        compose(sender="=?utf-8?q?Jos=C3=A9?= <klant-h@example.nl>",
                subject="=?utf-8?q?Klacht_over_factuur_=E2=82=AC_120?=",
                message_id="<h1@klant-h.example.nl>"),
        march(10, "14:00"),
    )  # fmt: skip
    # I: base64 subject "Escalatie: storing blijft aanhouden", answered in two hours.
    receive(
        compose(sender="klant-i@example.nl",
                subject="=?UTF-8?B?RXNjYWxhdGllOiBzdG9yaW5nIGJsaWpmdCBhYW5ob3VkZW4=?=",
                message_id="<i1@klant-i.example.nl>"),
        march(9, "11:00"),
    )  # fmt: skip
    send(
        compose(sender=DESK, to="klant-i@example.nl", subject="Re: Escalatie",
                message_id="<r-i1@example.test>", in_reply_to="<i1@klant-i.example.nl>"),
        march(9, "13:00"),
    )  # fmt: skip
    # J: no Message-ID at all (a web form): a request all the same.
    receive(
        compose(sender="formulier@klant-j.example.nl", subject="Contactformulier",
                message_id=None),
        march(11, "08:30"),
    )  # fmt: skip
    return written


def judged(records: Sequence[RequestRecord]) -> dict[str, tuple[str, str]]:
    """Each request under its scenario label, with its category and outcome at NOW."""
    labels = {received: label for label, (received, _c, _o) in EXPECTED.items()}
    calendar = CONFIG.calendar(CONFIG.servicedesk.calendar)
    found: dict[str, tuple[str, str]] = {}
    for record in records:
        days = CONFIG.servicedesk.categories[record.category].days
        deadline = response_deadline(calendar, record.received_at, days)
        timing = RequestTiming(record.id, record.received_at, record.answered_at)
        label = labels.get(record.received_at, f"unexpected {record.received_at}")
        found[label] = (record.category, judge_request(timing, deadline, NOW).outcome.value)
    return found


EXPECTED_OUTCOMES = {
    label: (category, outcome) for label, (_r, category, outcome) in EXPECTED.items()
}


def scanner(
    room: Mailroom, store: Store, *, batch_size: int = 500, batch_limit: int | None = None
) -> MailboxScanner:
    return MailboxScanner(
        room.config(), CONFIG.servicedesk, store, batch_size=batch_size, batch_limit=batch_limit
    )


# -- the realistic desk -------------------------------------------------------------------------


async def test_each_thread_ends_with_the_outcome_a_person_would_give_it(
    mailroom: Mailroom, any_store: Store
) -> None:
    """Ten threads, one request each, judged on INTERNALDATE with the contract's norms."""
    written = fill_realistic_desk(mailroom)

    summary = await scanner(mailroom, any_store).scan()

    assert summary.new_messages == written
    assert summary.requests == RequestSync(changed=10, removed=0)
    assert judged(await any_store.requests()) == EXPECTED_OUTCOMES


async def test_requests_carry_their_mailbox_and_a_hashed_sender(
    mailroom: Mailroom, store: Store
) -> None:
    """Source, channel and a keyed digest of the sender; the same sender, the same digest."""
    fill_realistic_desk(mailroom)
    await scanner(mailroom, store).scan()

    records = await store.requests()
    assert {(r.source, r.channel) for r in records} == {("mailbox", "desk")}
    assert all(r.id.startswith("desk:") for r in records)
    assert all(r.sender_hash is not None and len(r.sender_hash) == 64 for r in records)
    assert len({r.sender_hash for r in records}) == 10


async def test_scanning_again_changes_nothing_unless_new_mail_arrived(
    mailroom: Mailroom, store: Store
) -> None:
    """The second scan reads nothing and writes nothing; a new reply changes one request."""
    fill_realistic_desk(mailroom)
    await scanner(mailroom, store).scan()
    before = await store.requests()

    again = await scanner(mailroom, store).scan()

    assert (again.new_messages, again.requests) == (0, RequestSync(0, 0))
    assert await store.requests() == before

    mailroom.send(
        compose(sender=DESK, to="klant-c@example.nl", subject="Re: Factuur klopt niet",
                message_id="<r-c1@example.test>", in_reply_to="<c1@klant-c.example.nl>"),
        march(11, "11:00"),
    )  # fmt: skip
    later = await scanner(mailroom, store).scan()

    assert (later.new_messages, later.requests) == (1, RequestSync(changed=1, removed=0))
    [c] = [r for r in await store.requests() if r.received_at == march(4, "14:00")]
    assert c.answered_at == march(11, "11:00")
    assert judged(await store.requests())["C no reply"] == ("email", "breached")


class CrashingStore(Store):
    """The store of a daemon that dies after committing ``survive`` batches."""

    def __init__(self, store: Store, survive: int) -> None:
        super().__init__(store.engine)
        self.survive = survive

    async def record_mail_batch(
        self, mailbox: str, state: FolderState, facts: Sequence[MailFact]
    ) -> None:
        if self.survive == 0:
            raise ConnectionResetError("killed in the middle of the scan")
        self.survive -= 1
        await super().record_mail_batch(mailbox, state, facts)


async def test_a_crash_in_the_middle_of_a_scan_counts_nothing_twice(
    mailroom: Mailroom, any_store: Store
) -> None:
    """Two batches committed, then the process dies; the next scan finishes the job."""
    written = fill_realistic_desk(mailroom)
    crashing = CrashingStore(any_store, survive=3)  # the empty-state write, then two batches

    with pytest.raises(ConnectionResetError):
        await scanner(mailroom, crashing, batch_size=4).scan()
    assert len(await any_store.mail_facts("desk")) == 8
    assert await any_store.requests() == []

    summary = await scanner(mailroom, any_store, batch_size=4).scan()

    assert summary.new_messages == written - 8
    assert len(await any_store.mail_facts("desk")) == written
    assert judged(await any_store.requests()) == EXPECTED_OUTCOMES


class StoreStoppedAfterBatches(Store):
    """The daemon is stopped (its scan task cancelled) after ``batches`` batches."""

    def __init__(self, store: Store, batches: int) -> None:
        super().__init__(store.engine)
        self.batches = batches

    async def record_mail_batch(
        self, mailbox: str, state: FolderState, facts: Sequence[MailFact]
    ) -> None:
        self.batches -= 1
        if self.batches < 0:
            task = asyncio.current_task()
            assert task is not None
            task.cancel()
        await super().record_mail_batch(mailbox, state, facts)


async def test_a_scan_cancelled_at_shutdown_counts_nothing_twice_afterwards(
    mailroom: Mailroom, store: Store
) -> None:
    """Cancelled while the next batch is being fetched: the connection closes cleanly and
    the next scan finishes the job."""
    written = fill_realistic_desk(mailroom)
    stopping = StoreStoppedAfterBatches(store, batches=3)

    with pytest.raises(asyncio.CancelledError):
        await scanner(mailroom, stopping, batch_size=2).scan()
    stored = len(await store.mail_facts("desk"))

    summary = await scanner(mailroom, store).scan()

    assert stored == 4  # two batches of two committed; the third was cancelled whole
    assert stored + summary.new_messages == written
    assert judged(await store.requests()) == EXPECTED_OUTCOMES


class StoreDyingBeforeThreading(Store):
    """The store of a daemon that dies after the last batch, before recomputing."""

    async def recompute_mailbox_requests(self, *args: Any, **kwargs: Any) -> RequestSync:
        raise ConnectionResetError("killed before the requests were recomputed")


async def test_a_crash_before_the_recomputation_is_made_good_by_the_next_scan(
    mailroom: Mailroom, store: Store
) -> None:
    """All mail stored, no requests yet; the next scan reads nothing new and still judges."""
    written = fill_realistic_desk(mailroom)
    with pytest.raises(ConnectionResetError):
        await scanner(mailroom, StoreDyingBeforeThreading(store.engine)).scan()
    assert len(await store.mail_facts("desk")) == written

    summary = await scanner(mailroom, store).scan()

    assert (summary.new_messages, summary.requests) == (0, RequestSync(10, 0))
    assert judged(await store.requests()) == EXPECTED_OUTCOMES


async def test_a_scan_stopped_by_its_batch_limit_resumes_and_judges_only_when_complete(
    mailroom: Mailroom, store: Store
) -> None:
    """No figure from a half-read mailbox: requests appear once both folders are read."""
    written = fill_realistic_desk(mailroom)
    read = 0
    scans = 0
    while True:
        summary = await scanner(mailroom, store, batch_size=3, batch_limit=1).scan()
        scans += 1
        read += summary.new_messages
        if summary.complete:
            break
        assert summary.requests is None
        assert await store.requests() == []

    assert read == written
    assert scans > 2
    assert judged(await store.requests()) == EXPECTED_OUTCOMES


async def test_a_new_uidvalidity_rereads_the_folder_without_counting_anything_twice(
    mailroom: Mailroom, store: Store
) -> None:
    """The server renumbered the inbox (restored from backup): same mail, same requests."""
    fill_realistic_desk(mailroom)
    await scanner(mailroom, store).scan()
    before = await store.requests()

    mailroom.recreate_inbox()
    fill_realistic_desk_inbox(mailroom)
    summary = await scanner(mailroom, store).scan()

    assert [f.renumbered for f in summary.folders] == [True, False]
    assert summary.requests == RequestSync(changed=0, removed=0)
    assert await store.requests() == before


def fill_realistic_desk_inbox(room: Mailroom) -> None:
    """The inbox half of the realistic desk again, with the same INTERNALDATEs."""

    class InboxOnly(Mailroom):
        def send(self, message: bytes, at: datetime) -> None:
            return None

    inbox_only = InboxOnly(room.server, room.tag)
    try:
        fill_realistic_desk(inbox_only)
    finally:
        inbox_only.close()


async def test_scanning_never_marks_mail_as_read(mailroom: Mailroom, store: Store) -> None:
    """EXAMINE and BODY.PEEK: the desk's unread mail stays unread."""
    fill_realistic_desk(mailroom)
    await scanner(mailroom, store).scan()

    flags = mailroom.flags(mailroom.inbox) + mailroom.flags(mailroom.sent)
    assert flags
    assert not [f for f in flags if b"\\Seen" in f]


# -- privacy -----------------------------------------------------------------------------------


async def test_the_database_holds_no_address_subject_or_body_text(
    mailroom: Mailroom, tmp_path: Path
) -> None:
    """Every byte of the SQLite files is searched for what the mail said and who sent it."""
    fill_realistic_desk(mailroom)
    database = tmp_path / "privacy.db"
    async with await Store.open(f"sqlite+aiosqlite:///{database}") as store:
        await scanner(mailroom, store).scan()
        assert len(await store.requests()) == 10
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = [
            repr(row)
            for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            for row in connection.execute(f'SELECT * FROM "{table}"')
        ]
    stored = "\n".join(rows).lower()
    raw = database_bytes(tmp_path).lower()

    forbidden = [
        "klant-a@example.nl",
        "example.nl",
        DESK,
        "mailer-daemon",
        "vraag over mijn account",
        "klacht",
        "factuur",
        "storing",
        "escalatie",
        "informatieverzoek",
        "ontvangstbevestiging",
        "sd-1042",
        "josé",
        "4711-0815",
        "a1@klant-a",
    ]
    for text in forbidden:
        assert text not in stored, text
        assert text.encode() not in raw, text


def database_bytes(directory: Path) -> bytes:
    """The database file and its WAL, as they lie on disk."""
    return b"".join(path.read_bytes() for path in sorted(directory.glob("privacy.db*")))


# -- failures ----------------------------------------------------------------------------------


async def test_an_unreachable_server_names_the_mailbox(mailroom: Mailroom, store: Store) -> None:
    """Connection refused: the error says which mailbox and where."""
    config = mailroom.config(port=1)
    with pytest.raises(MailboxUnreachableError, match=r"mailbox desk: cannot connect to .*:1"):
        await MailboxScanner(config, CONFIG.servicedesk, store).scan()


async def test_a_refused_login_names_the_mailbox_and_never_the_password(
    mailroom: Mailroom, store: Store, tmp_path: Path
) -> None:
    """Wrong password: a clear error without the secret in it."""
    wrong = tmp_path / "password"
    wrong.write_text("Geheim-Wachtwoord-42\n")
    config = mailroom.config(password_file=wrong)

    with pytest.raises(MailboxLoginError) as raised:
        await MailboxScanner(config, CONFIG.servicedesk, store).scan()

    assert f"mailbox desk: login as {mailroom.server.user}" in str(raised.value)
    assert "Geheim-Wachtwoord-42" not in str(raised.value)


async def test_a_missing_folder_names_the_mailbox_and_the_folder(
    mailroom: Mailroom, store: Store
) -> None:
    """A typo in ``sent`` stops the scan with the folder's name."""
    config = mailroom.config().model_copy(update={"sent": "Verzonden"})
    with pytest.raises(MailboxError, match="mailbox desk: folder 'Verzonden' cannot be opened"):
        await MailboxScanner(config, CONFIG.servicedesk, store).scan()
