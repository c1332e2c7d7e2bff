"""The ticket-system webhook: requests stored idempotently by id, completed by a later call,
judged against the working-day deadline, and the sender kept only as a keyed hash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from monitor.server.api import ApiTokens
from monitor.servicedesk.privacy import sender_hash
from monitor.store.records import RequestRecord
from tests.server.api.conftest import NOW, READ_TOKEN, WRITE_TOKEN, Harness, MakeHarness, bearer
from tests.server.api.test_openapi import assert_conforms

FRIDAY_17 = "2026-06-05T17:00:00+02:00"
"""Friday 5 June 2026, 17:00 in Amsterdam: one working day later is Monday 8 June, 17:00."""

MONDAY_17 = "2026-06-08T17:00:00+02:00"


def request_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "SD-1234",
        "category": "email",
        "received_at": FRIDAY_17,
        "channel": "topdesk",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


async def post(h: Harness, token: str | None = WRITE_TOKEN, **overrides: Any) -> Any:
    headers = bearer(token) if token is not None else {}
    return await h.client.post("/api/v1/requests", json=request_body(**overrides), headers=headers)


async def stored(h: Harness) -> list[RequestRecord]:
    return await h.store.requests()


async def test_a_new_request_is_stored_with_its_deadline_and_outcome(harness: Harness) -> None:
    """201 with the stored request, due the same clock time next working day, pending now."""
    response = await post(harness, received_at="2026-06-10T09:30:00+02:00")
    assert response.status == 201
    body = await response.json()
    assert body == {
        "id": "SD-1234",
        "category": "email",
        "received_at": "2026-06-10T09:30:00+02:00",
        "answered_at": None,
        "channel": "topdesk",
        "source": "webhook",
        "deadline": "2026-06-11T09:30:00+02:00",
        "outcome": "pending",
        "resolved_at": None,
        "resolution": None,
    }
    assert_conforms("Request", body)
    assert await stored(harness) == [
        RequestRecord(
            id="SD-1234",
            category="email",
            received_at=datetime(2026, 6, 10, 7, 30, tzinfo=UTC),
            answered_at=None,
            source="webhook",
            channel="topdesk",
        )
    ]
    assert harness.request_changes == [NOW]


async def test_a_friday_evening_request_unanswered_by_monday_evening_is_breached(
    harness: Harness,
) -> None:
    """Received Friday 17:00, due Monday 17:00; on Wednesday still unanswered: breached."""
    body = await (await post(harness)).json()
    assert body["deadline"] == MONDAY_17
    assert body["outcome"] == "breached"


async def test_repeating_a_call_changes_nothing(harness: Harness) -> None:
    """The same call again is 200 with the same request, still one row, no recompute."""
    first = await post(harness)
    again = await post(harness)
    assert (first.status, again.status) == (201, 200)
    assert await again.json() == await first.json()
    assert len(await stored(harness)) == 1
    assert harness.request_changes == [NOW]


@pytest.mark.parametrize(
    ("answered_at", "outcome"),
    [
        ("2026-06-08T16:30:00+02:00", "met"),
        (MONDAY_17, "met"),  # exactly at the deadline is in time
        ("2026-06-08T17:00:01+02:00", "breached"),
        ("2026-06-09T09:00:00+02:00", "breached"),
    ],
)
async def test_a_later_call_with_the_answer_completes_the_request(
    harness: Harness, answered_at: str, outcome: str
) -> None:
    """The ticket system reports the answer afterwards; the outcome follows the deadline."""
    await post(harness)
    harness.clock.advance(timedelta(hours=1))
    response = await post(harness, answered_at=answered_at)
    assert response.status == 200
    body = await response.json()
    assert (body["answered_at"], body["deadline"], body["outcome"]) == (
        answered_at,
        MONDAY_17,
        outcome,
    )
    [record] = await stored(harness)
    assert record.answered_at == datetime.fromisoformat(answered_at).astimezone(UTC)
    assert harness.request_changes == [NOW, NOW + timedelta(hours=1)]


async def test_a_later_call_without_the_answer_does_not_erase_it(harness: Harness) -> None:
    """A repeat of the first notification after the answer keeps the answer and the outcome."""
    await post(harness, answered_at="2026-06-08T10:00:00+02:00")
    response = await post(harness, channel=...)
    assert response.status == 200
    body = await response.json()
    assert (body["answered_at"], body["channel"], body["outcome"]) == (
        "2026-06-08T10:00:00+02:00",
        "topdesk",
        "met",
    )
    assert len(harness.request_changes) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received_at": "2026-06-05T17:05:00+02:00"}, "received_at"),
        ({"category": "complaint"}, "category"),
        ({"answered_at": "2026-06-08T11:00:00+02:00"}, "answered_at"),
    ],
)
async def test_a_call_contradicting_the_stored_request_is_409_and_changes_nothing(
    harness: Harness, overrides: dict[str, Any], field: str
) -> None:
    """Another receipt, category or answer for a known id is a conflict, not an update."""
    await post(harness, answered_at="2026-06-08T10:00:00+02:00")
    before = await stored(harness)
    response = await post(harness, **{"answered_at": "2026-06-08T10:00:00+02:00", **overrides})
    assert response.status == 409
    body = await response.json()
    assert body["error"] == "conflicting_request"
    assert [p["field"] for p in body["problems"]] == [field]
    assert_conforms("Error", body)
    assert await stored(harness) == before
    assert len(harness.request_changes) == 1


async def test_a_request_read_from_a_mailbox_is_not_overwritten_by_the_webhook(
    harness: Harness,
) -> None:
    """The mailbox scan owns its requests; the same id from the webhook is a conflict."""
    mailbox = RequestRecord(
        id="SD-1234",
        category="email",
        received_at=datetime(2026, 6, 5, 15, 0, tzinfo=UTC),
        answered_at=None,
        source="mailbox",
        channel="ekv-desk",
    )
    await harness.store.upsert_requests([mailbox])
    response = await post(harness, answered_at="2026-06-08T10:00:00+02:00")
    assert response.status == 409
    assert await stored(harness) == [mailbox]


async def test_an_imported_request_can_be_completed_by_the_webhook(harness: Harness) -> None:
    """A request backfilled by import gets its answer from the ticket system later."""
    await harness.store.upsert_requests(
        [
            RequestRecord(
                id="SD-1234",
                category="email",
                received_at=datetime(2026, 6, 5, 15, 0, tzinfo=UTC),
                answered_at=None,
                source="import",
            )
        ]
    )
    response = await post(harness, answered_at="2026-06-08T10:00:00+02:00")
    assert response.status == 200
    body = await response.json()
    assert (body["source"], body["outcome"]) == ("webhook", "met")


async def test_an_unknown_category_is_422_naming_the_known_ones(harness: Harness) -> None:
    """A typo in the ticket system's mapping must not create a category nobody reports."""
    response = await post(harness, category="klacht")
    assert response.status == 422
    body = await response.json()
    assert body["problems"] == [
        {
            "field": "category",
            "message": "unknown category 'klacht'; "
            "known: complaint, email, escalation, information_request",
        }
    ]
    assert await stored(harness) == []


async def test_an_answer_before_the_request_is_422(harness: Harness) -> None:
    """A clock or mapping error in the source; counting it as met would flatter the figure."""
    response = await post(harness, answered_at="2026-06-05T16:59:59+02:00")
    assert response.status == 422
    body = await response.json()
    assert body["problems"] == [
        {"field": "answered_at", "message": "must not be before received_at"}
    ]
    assert await stored(harness) == []


@pytest.mark.parametrize("field", ["received_at", "answered_at"])
async def test_an_instant_in_the_future_is_422(harness: Harness, field: str) -> None:
    """Beyond five minutes of clock skew, a request or an answer has not happened yet."""
    overrides = {"received_at": "2026-06-10T14:00:00+02:00", field: "2026-06-10T14:05:01+02:00"}
    response = await post(harness, **overrides)
    assert response.status == 422
    body = await response.json()
    assert [p["field"] for p in body["problems"]] == [field]
    assert await stored(harness) == []


async def test_an_instant_within_the_clock_skew_is_accepted(harness: Harness) -> None:
    """A ticket system whose clock runs a few minutes ahead is not refused."""
    response = await post(
        harness,
        received_at="2026-06-10T14:03:00+02:00",
        answered_at="2026-06-10T14:04:00+02:00",
    )
    assert response.status == 201
    body = await response.json()
    assert body["outcome"] == "pending"  # an answer later than now is not known yet


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id": "SD-1\nSD-2"}, "id"),
        ({"id": "x" * 201}, "id"),
        ({"received_at": "2026-06-05T17:00:00"}, "received_at"),
        ({"received_at": 1780671600}, "received_at"),
        ({"sender": "not an address"}, "sender"),
        ({"priority": "high"}, "priority"),
        ({"category": ...}, "category"),
    ],
)
async def test_a_malformed_body_is_422_naming_the_field(
    harness: Harness, overrides: dict[str, Any], field: str
) -> None:
    """Bad fields, unknown fields and missing ones are each named; nothing is stored."""
    response = await post(harness, **overrides)
    assert response.status == 422
    body = await response.json()
    assert field in [p["field"] for p in body["problems"]]
    assert "not an address" not in body["detail"]
    assert await stored(harness) == []


async def test_no_body_is_400(harness: Harness) -> None:
    response = await harness.client.post("/api/v1/requests", headers=bearer())
    assert response.status == 400
    assert (await response.json())["error"] == "missing_body"


async def test_without_a_token_the_webhook_is_401_and_with_a_read_token_403(
    make_harness: MakeHarness,
) -> None:
    """Recording requests changes contractual figures: it needs a write token."""
    tokens = ApiTokens.of(write=[WRITE_TOKEN], read=[READ_TOKEN])
    async with make_harness(tokens=tokens) as h:
        anonymous = await post(h, token=None)
        reader = await post(h, token=READ_TOKEN)
        assert (anonymous.status, reader.status) == (401, 403)
        assert "WWW-Authenticate" in anonymous.headers
        assert await stored(h) == []


async def test_the_sender_address_appears_nowhere_in_the_database_file(
    harness: Harness, tmp_path: Path
) -> None:
    """Only a keyed hash of the address is stored; it is not in the response or the log."""
    address = "Jan.Jansen@Example.NL"
    with capture_logs() as logs:
        response = await post(harness, sender=address)
        again = await post(harness, sender="jan.jansen@example.nl")
    assert (response.status, again.status) == (201, 200)
    assert address.lower() not in (await response.text()).lower()
    assert address.lower() not in repr(logs).lower()
    [record] = await stored(harness)
    key = await harness.store.sender_hash_key()
    assert record.sender_hash == sender_hash(key, address)
    await harness.store.close()  # checkpoints the write-ahead log into the file
    files = database_files(tmp_path)
    assert "api.db" in files
    for name, data in files.items():
        assert b"jan.jansen" not in data.lower(), name
        assert "jan.jansen".encode("utf-16-le") not in data.lower(), name


def database_files(directory: Path) -> dict[str, bytes]:
    """The SQLite file and any journal or write-ahead log next to it, as raw bytes."""
    return {path.name: path.read_bytes() for path in directory.glob("api.db*")}
