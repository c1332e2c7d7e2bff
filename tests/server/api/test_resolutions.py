"""Resolutions through the API (3.2.40) and the reporting's own deadlines (3.2.5, 3.2.38)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from monitor.config import Config, parse_config
from monitor.store.records import ReportDelivery, RequestRecord
from monitor.store.schema import request_resolutions
from tests.server.api.conftest import CONFIG_TEXT, WRITE_TOKEN, Harness, bearer
from tests.server.api.test_openapi import assert_conforms

MONDAY_8 = "2026-06-01T08:00:00+02:00"
"""Monday 1 June 2026 08:00: a one-working-day term ends at 18:00; 120 % is Tuesday 10:00."""


@pytest.fixture
def config() -> Config:
    text = CONFIG_TEXT + "servicedesk:\n  categories:\n    complaint: {resolution: {days: 1}}\n"
    return parse_config(text, "api-test.yaml")


def complaint(**overrides: Any) -> dict[str, Any]:
    return {"id": "K-1", "category": "complaint", "received_at": MONDAY_8, **overrides}


async def post(h: Harness, path: str, body: dict[str, Any]) -> Any:
    return await h.client.post(path, json=body, headers=bearer(WRITE_TOKEN))


async def test_the_webhook_stores_a_resolution_and_answers_its_tier(harness: Harness) -> None:
    """Resolved Tuesday 10:06, 121 % of the term: over_20, with the term's end and the ratio."""
    response = await post(
        harness, "/api/v1/requests", complaint(resolved_at="2026-06-02T10:06:00+02:00")
    )
    assert response.status == 201
    body = await response.json()
    assert body["resolved_at"] == "2026-06-02T10:06:00+02:00"
    resolution = body["resolution"]
    assert (resolution["due"], resolution["outcome"], resolution["at_least"]) == (
        "2026-06-01T18:00:00+02:00",
        "over_20",
        None,
    )
    assert resolution["ratio"] == pytest.approx(1.21)
    assert_conforms("Request", body)


async def test_a_later_resolution_is_appended_and_counts(harness: Harness) -> None:
    """A reopened complaint resolved again: 200, the new tier; both statements are kept."""
    await post(harness, "/api/v1/requests", complaint(resolved_at="2026-06-01T17:00:00+02:00"))
    response = await post(
        harness, "/api/v1/requests", complaint(resolved_at="2026-06-02T13:06:00+02:00")
    )
    assert response.status == 200
    assert (await response.json())["resolution"]["outcome"] == "over_50"
    async with harness.store.engine.connect() as connection:
        rows = (await connection.execute(sa.select(request_resolutions.c.source))).all()
    assert [row.source for row in rows] == ["webhook", "webhook"]


async def test_a_resolution_before_receipt_is_422(harness: Harness) -> None:
    """A resolution before the request came in is refused and nothing is stored."""
    response = await post(
        harness, "/api/v1/requests", complaint(resolved_at="2026-05-31T08:00:00+02:00")
    )
    assert response.status == 422
    body = await response.json()
    assert body["problems"] == [
        {"field": "resolved_at", "message": "must not be before received_at"}
    ]
    assert await harness.store.requests() == []


async def test_a_mailbox_request_is_resolved_through_its_own_endpoint(harness: Harness) -> None:
    """Mail never says when a request was resolved: the endpoint records it, with the token."""
    await harness.store.upsert_requests(
        [
            RequestRecord(
                id="mail-1",
                category="complaint",
                received_at=datetime(2026, 6, 1, 6, 0, tzinfo=UTC),
                answered_at=None,
                source="mailbox",
                channel="desk",
            )
        ]
    )
    path = "/api/v1/requests/mail-1/resolution"
    body = {"resolved_at": "2026-06-02T09:54:00+02:00"}
    first = await post(harness, path, body)
    assert first.status == 201
    answer = await first.json()
    assert answer["resolution"]["outcome"] == "in_time"
    assert_conforms("Request", answer)
    assert (await post(harness, path, body)).status == 200
    assert len(harness.request_changes) == 1
    async with harness.store.engine.connect() as connection:
        rows = (await connection.execute(sa.select(request_resolutions))).all()
    assert [(row.source, row.actor) for row in rows] == [("api", "write-1")]


async def test_resolving_an_unknown_request_is_404(harness: Harness) -> None:
    """Only a stored request can be resolved."""
    response = await post(harness, "/api/v1/requests/nope/resolution", {"resolved_at": MONDAY_8})
    assert response.status == 404


async def test_deliveries_list_each_recorded_month_against_its_due_instant(
    harness: Harness,
) -> None:
    """May 2026's report was due Friday 5 June 18:00 and exported on 4 June: on time."""
    exported = datetime(2026, 6, 4, 7, 0, tzinfo=UTC)
    await harness.store.record_delivery(ReportDelivery("2026-05", exported, final=True))
    response = await harness.client.get("/api/v1/reports/deliveries")
    assert response.status == 200
    body = await response.json()
    assert body["status"] is None  # no snapshot computed yet
    assert body["deliveries"] == [
        {
            "month": "2026-05",
            "due": "2026-06-05T18:00:00+02:00",
            "analyses_due": "2026-06-12T18:00:00+02:00",
            "delivered_at": "2026-06-04T09:00:00+02:00",
            "final": True,
            "on_time": True,
        }
    ]
    assert_conforms("ReportDeliveries", body)
