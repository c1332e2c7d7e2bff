"""``/api/v1/analyses``: the 3.2.6 analysis of a missed figure, authored by a token."""

from __future__ import annotations

from tests.server.api.conftest import Harness, bearer


async def test_an_analysis_is_stored_with_the_tokens_name_and_listed_by_month(
    harness: Harness,
) -> None:
    """201 with author = token name; GET ?month= lists it."""
    body = {
        "month": "2026-05",
        "target": "web",
        "window": "24x7",
        "cause": "disk full on the database host",
        "measures": "alert at 80 % disk usage",
    }
    response = await harness.client.post("/api/v1/analyses", json=body, headers=bearer())
    assert response.status == 201, await response.text()
    created = await response.json()
    assert (created["kind"], created["name"], created["author"]) == (
        "availability",
        "web",
        "write-1",
    )
    listed = await (await harness.client.get("/api/v1/analyses?month=2026-05")).json()
    assert [a["cause"] for a in listed["analyses"]] == ["disk full on the database host"]


async def test_an_analysis_of_a_figure_that_does_not_exist_is_422(harness: Harness) -> None:
    """An unknown window or a target together with a category names the field."""
    base = {"month": "2026-05", "cause": "x", "measures": "y"}
    for extra, field in (
        ({"target": "web", "window": "weekends"}, "window"),
        ({"target": "web", "window": "24x7", "category": "email"}, "category"),
    ):
        response = await harness.client.post(
            "/api/v1/analyses", json={**base, **extra}, headers=bearer()
        )
        assert response.status == 422
        assert (await response.json())["problems"][0]["field"] == field
    assert await harness.store.miss_analyses("2026-05") == []
