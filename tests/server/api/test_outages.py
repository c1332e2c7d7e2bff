"""GET /api/v1/outages: the stored outages behind the figures, by target and time range."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.store import OutageSource, Store, new_outage
from tests.server.api.conftest import Harness, bearer


async def add(
    store: Store,
    target: str,
    start: datetime,
    end: datetime | None,
    cause: str = "timeout: no answer within 10s",
    source: OutageSource = OutageSource.PROBE,
) -> str:
    outage = new_outage(target, start, cause, source=source)
    assert await store.open_outage(outage)
    if end is not None:
        assert await store.close_outage(outage.id, end)
    return outage.id


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
async def seeded(harness: Harness) -> dict[str, str]:
    store = harness.store
    return {
        "april": await add(store, "web", utc(2026, 4, 20, 10), utc(2026, 4, 20, 11)),
        "across": await add(store, "web", utc(2026, 4, 30, 21), utc(2026, 4, 30, 23)),
        "may": await add(
            store, "mail", utc(2026, 5, 12, 8), utc(2026, 5, 12, 9), source=OutageSource.IMPORT
        ),
        "open": await add(store, "web", utc(2026, 6, 10, 11, 30), None, cause="status: 503"),
    }


async def get(harness: Harness, query: str = "") -> tuple[int, dict[str, Any]]:
    response = await harness.client.get(f"/api/v1/outages?{query}")
    return response.status, await response.json()


async def test_by_default_the_list_starts_with_the_previous_month(
    harness: Harness, seeded: dict[str, str]
) -> None:
    """At 10 June: from 1 May 00:00 local, including an outage that reaches into May."""
    status, body = await get(harness)
    assert status == 200
    assert body["since"] == "2026-05-01T00:00:00+02:00"
    assert body["until"] is None
    assert [o["id"] for o in body["outages"]] == [seeded["across"], seeded["may"], seeded["open"]]


async def test_each_outage_has_its_fields_in_the_configured_zone(
    harness: Harness, seeded: dict[str, str]
) -> None:
    """id, target, start, end (null while open), cause, source; offsets of Amsterdam."""
    _, body = await get(harness, "target=web")
    assert body["outages"] == [
        {
            "id": seeded["across"],
            "target": "web",
            "start": "2026-04-30T23:00:00+02:00",
            "end": "2026-05-01T01:00:00+02:00",
            "cause": "timeout: no answer within 10s",
            "source": "probe",
            "corrections": [],
        },
        {
            "id": seeded["open"],
            "target": "web",
            "start": "2026-06-10T13:30:00+02:00",
            "end": None,
            "cause": "status: 503",
            "source": "probe",
            "corrections": [],
        },
    ]


async def test_imported_outages_say_so(harness: Harness, seeded: dict[str, str]) -> None:
    """History from another tool is marked source=import."""
    _, body = await get(harness, "target=mail")
    assert [(o["id"], o["source"]) for o in body["outages"]] == [(seeded["may"], "import")]


async def test_since_and_until_select_overlapping_outages(
    harness: Harness, seeded: dict[str, str]
) -> None:
    """[since, until) keeps every outage overlapping it; open ones reach to now and beyond."""
    _, body = await get(harness, "since=2026-04-01T00:00:00Z&until=2026-04-30T21:00:00Z")
    assert [o["id"] for o in body["outages"]] == [seeded["april"]]
    _, body = await get(harness, "since=2026-06-01T00:00:00%2B02:00")
    assert [o["id"] for o in body["outages"]] == [seeded["open"]]
    assert body["since"] == "2026-06-01T00:00:00+02:00"


@pytest.mark.parametrize(
    ("query", "status", "error"),
    [
        ("target=crm", 404, "unknown_target"),
        ("since=2026-06-01", 400, "bad_parameter"),
        ("until=2026-06-01T00:00:00", 400, "bad_parameter"),
        ("since=2026-06-01T00:00:00Z&until=2026-06-01T00:00:00Z", 400, "reversed_interval"),
        ("since=2026-06-02T00:00:00Z&until=2026-06-01T00:00:00Z", 400, "reversed_interval"),
        ("until=2026-04-01T00:00:00Z", 400, "reversed_interval"),  # before the default since
        ("since=9999-12-31T23:00:00-05:00", 400, "bad_parameter"),
        ("limit=10", 400, "bad_parameter"),
    ],
)
async def test_bad_parameters_are_4xx_with_a_clear_message(
    harness: Harness, query: str, status: int, error: str
) -> None:
    """Unknown targets 404; naive, unparsable, out-of-range or reversed instants 400."""
    code, body = await get(harness, query)
    assert (code, body["error"]) == (status, error)
    assert isinstance(body["detail"], str)
    assert body["detail"]


async def test_an_unknown_target_lists_the_known_ones(harness: Harness) -> None:
    """The 404 says which targets exist, so a typo is obvious."""
    _, body = await get(harness, "target=wbe")
    assert body["detail"] == "unknown target 'wbe'; known: mail, web"


async def test_a_ghost_outage_is_closed_by_a_correction_that_names_the_token(
    harness: Harness, seeded: dict[str, str]
) -> None:
    """POST a close: 201 with the token's name, the outage row unchanged, listed with it."""
    url = f"/api/v1/outages/{seeded['open']}/corrections"
    before = await harness.store.outage(seeded["open"])
    response = await harness.client.post(
        url,
        json={"kind": "close", "at": "2026-06-10T13:45:00+02:00", "reason": "ghost"},
        headers=bearer(),
    )
    assert response.status == 201, await response.text()
    created = await response.json()
    assert (created["kind"], created["actor"], created["at"]) == (
        "close",
        "write-1",
        "2026-06-10T13:45:00+02:00",
    )
    assert await harness.store.outage(seeded["open"]) == before
    _, body = await get(harness, "target=web")
    listed = {o["id"]: o["corrections"] for o in body["outages"]}
    assert [c["reason"] for c in listed[seeded["open"]]] == ["ghost"]


async def test_a_close_without_an_instant_and_an_unknown_outage_are_refused(
    harness: Harness, seeded: dict[str, str]
) -> None:
    """422 naming at; 404 for an outage that is not stored; nothing written."""
    missing_at = await harness.client.post(
        f"/api/v1/outages/{seeded['open']}/corrections",
        json={"kind": "close", "reason": "ghost"},
        headers=bearer(),
    )
    assert missing_at.status == 422
    assert (await missing_at.json())["problems"][0]["field"] == "at"
    unknown = await harness.client.post(
        "/api/v1/outages/no-such-outage/corrections",
        json={"kind": "void", "reason": "x"},
        headers=bearer(),
    )
    assert unknown.status == 404
    assert await harness.store.outage_corrections() == {}
