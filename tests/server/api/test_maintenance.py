"""Registering and withdrawing maintenance windows: the agreed-maintenance rule, the audit
trail, and bad requests that end in a clear 4xx with nothing written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.server.api import ApiTokens
from monitor.server.web import MAX_BODY_BYTES
from tests.server.api.conftest import NOW, WRITE_TOKEN, Harness, MakeHarness, bearer, window_body

CLIENT_TOKEN = "client-token-0123456789abcdef"


async def stored_count(h: Harness) -> int:
    return len(await h.store.maintenance_windows(include_deleted=True))


async def test_a_future_window_is_stored_with_its_audit_row(harness: Harness) -> None:
    """201, Location, the stored record in the zone's offset, one create row with who and when."""
    response = await harness.register()
    assert response.status == 201
    body = await response.json()
    assert response.headers["Location"] == f"/api/v1/maintenance/{body['id']}"
    assert body == {
        "id": body["id"],
        "name": "release-2026-06",
        "targets": ["web"],
        "start": "2026-06-14T02:00:00+02:00",
        "end": "2026-06-14T06:00:00+02:00",
        "reason": "Release 2026.06",
        "requested_by": "ops@example.nl",
        "approved_by": None,
        "registered_at": "2026-06-10T14:00:00+02:00",
        "retroactive": False,
        "agreed": True,
        "deleted_at": None,
        "deleted_by": None,
        "registered_by": "write-1",
        "approved_at": None,
        "standing": "agreed",
    }
    record = await harness.store.maintenance_window(body["id"])
    assert record is not None
    assert record.start == datetime(2026, 6, 14, 0, 0, tzinfo=UTC)
    assert (record.registered_by, record.requested_by) == ("write-1", "ops@example.nl")
    changes = await harness.store.maintenance_changes(body["id"])
    assert [(c.action, c.at, c.who) for c in changes] == [("create", NOW, "write-1")]
    assert harness.changes == [NOW]


async def test_the_location_shows_the_window_with_its_changes(harness: Harness) -> None:
    """GET /api/v1/maintenance/{id} returns the record and its audit trail."""
    created = await (await harness.register()).json()
    response = await harness.client.get(f"/api/v1/maintenance/{created['id']}")
    assert response.status == 200
    shown = await response.json()
    assert shown == {
        **created,
        "changes": [{"action": "create", "at": "2026-06-10T14:00:00+02:00", "who": "write-1"}],
    }


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-06-10T08:00:00+02:00", "2026-06-10T18:00:00+02:00"),  # running now
        ("2026-06-01T02:00:00+02:00", "2026-06-01T06:00:00+02:00"),  # over already
        ("2026-06-10T14:00:00+02:00", "2026-06-10T16:00:00+02:00"),  # starts this instant
    ],
)
async def test_a_started_window_is_stored_as_retroactive_and_forgives_nothing_unapproved(
    harness: Harness, start: str, end: str
) -> None:
    """Registering downtime after it began would turn any outage into maintenance: the
    window is kept for the record, but counts only once another token approves it."""
    response = await harness.register(start=start, end=end)
    assert response.status == 201
    body = await response.json()
    assert (body["retroactive"], body["agreed"], body["standing"]) == (True, False, "retroactive")
    assert body["approved_by"] is None


async def test_approved_by_as_free_text_is_refused(harness: Harness) -> None:
    """An approval is the act of a token holder, not a claim in the request body."""
    response = await harness.register(approved_by="client-contact@example.nl")
    assert response.status == 422
    body = await response.json()
    assert body["problems"][0]["field"] == "approved_by"
    assert "/approval" in body["detail"]
    assert await stored_count(harness) == 0


async def test_a_reason_that_mentions_approved_by_is_accepted(harness: Harness) -> None:
    """Only an approved_by key is refused; the word as a reason's text is just text."""
    reasons = ("approved_by", 'the client sets "approved_by" through the approval call')
    for number, reason in enumerate(reasons):
        response = await harness.register(reason=reason, name=f"release-{number}")
        assert response.status == 201, await response.text()
        body = await response.json()
        assert (body["reason"], body["approved_by"]) == (reason, None)
    assert await stored_count(harness) == 2


async def test_an_approved_by_key_written_with_an_escape_is_still_refused(
    harness: Harness,
) -> None:
    """The key is found in the parsed object, so a JSON escape does not smuggle it past."""
    text = json.dumps(window_body())[:-1] + ', "approved\\u005fby": "client"}'
    response = await harness.client.post(
        "/api/v1/maintenance",
        data=text,
        headers={**bearer(), "Content-Type": "application/json"},
    )
    assert response.status == 422
    assert (await response.json())["problems"][0]["field"] == "approved_by"
    assert await stored_count(harness) == 0


async def test_another_token_approves_a_retroactive_window_by_its_name(
    make_harness: MakeHarness,
) -> None:
    """approved_by is the approving token's name; the registrant cannot approve its own."""
    tokens = ApiTokens.of(write=[("ops", WRITE_TOKEN), ("client-jansen", CLIENT_TOKEN)])
    async with make_harness(tokens=tokens) as h:
        created = await (
            await h.register(start="2026-06-01T02:00:00+02:00", end="2026-06-01T06:00:00+02:00")
        ).json()
        url = f"/api/v1/maintenance/{created['id']}/approval"
        own = await h.client.post(url, headers=bearer(WRITE_TOKEN))
        assert own.status == 409
        assert (await own.json())["error"] == "self_approval"
        h.clock.advance(timedelta(minutes=5))
        approved = await h.client.post(url, headers=bearer(CLIENT_TOKEN))
        assert approved.status == 200
        body = await approved.json()
        assert (body["registered_by"], body["approved_by"]) == ("ops", "client-jansen")
        assert (body["retroactive"], body["agreed"], body["standing"]) == (
            True,
            True,
            "approved",
        )
        assert body["approved_at"] == "2026-06-10T14:05:00+02:00"
        again = await h.client.post(url, headers=bearer(CLIENT_TOKEN))
        assert (await again.json())["error"] == "already_approved"
        changes = await h.store.maintenance_changes(created["id"])
        assert [(c.action, c.who) for c in changes] == [
            ("create", "ops"),
            ("approve", "client-jansen"),
        ]


async def test_withdrawing_a_window_before_it_starts_keeps_it_for_the_audit(
    harness: Harness,
) -> None:
    """200 with deleted_at/by; hidden from the default list, shown with include_deleted."""
    created = await (await harness.register()).json()
    harness.clock.advance(timedelta(hours=1))
    response = await harness.client.delete(
        f"/api/v1/maintenance/{created['id']}?by=ops-lead", headers=bearer()
    )
    assert response.status == 200
    withdrawn = await response.json()
    assert withdrawn["deleted_at"] == "2026-06-10T15:00:00+02:00"
    assert (withdrawn["deleted_by"], withdrawn["agreed"]) == ("ops-lead", False)
    changes = await harness.store.maintenance_changes(created["id"])
    assert [(c.action, c.at, c.who) for c in changes] == [
        ("create", NOW, "write-1"),
        ("delete", NOW + timedelta(hours=1), "ops-lead"),
    ]
    assert (await (await harness.client.get("/api/v1/maintenance")).json())["windows"] == []
    everything = await harness.client.get("/api/v1/maintenance?include_deleted=true")
    assert [w["id"] for w in (await everything.json())["windows"]] == [created["id"]]
    assert len(harness.changes) == 2


async def test_registering_the_same_window_again_returns_the_stored_one(
    harness: Harness,
) -> None:
    """A retried POST is 200 with the first window: one window, one audit row, one change."""
    first = await (await harness.register()).json()
    again = await harness.register(targets=["web"])
    assert again.status == 200
    assert again.headers["Location"] == f"/api/v1/maintenance/{first['id']}"
    assert await again.json() == first
    assert await stored_count(harness) == 1
    assert len(await harness.store.maintenance_changes()) == 1
    assert len(harness.changes) == 1


async def test_the_same_window_with_another_reason_is_409_naming_the_stored_one(
    harness: Harness,
) -> None:
    """Neither reason may be dropped silently: the second registration is refused."""
    first = await (await harness.register()).json()
    response = await harness.register(reason="Another reason")
    assert response.status == 409
    body = await response.json()
    assert body["error"] == "duplicate_window"
    assert first["id"] in body["detail"]
    assert await stored_count(harness) == 1


async def test_a_withdrawn_window_may_be_registered_again(harness: Harness) -> None:
    """Only windows in force count as repeats; the withdrawn one stays in the audit."""
    first = await (await harness.register()).json()
    await harness.client.delete(f"/api/v1/maintenance/{first['id']}?by=ops", headers=bearer())
    response = await harness.register()
    assert response.status == 201
    assert (await response.json())["id"] != first["id"]
    assert await stored_count(harness) == 2


async def test_who_withdraws_may_come_in_a_json_body(harness: Harness) -> None:
    """DELETE with {"by": ...} instead of ?by= works the same."""
    created = await (await harness.register()).json()
    response = await harness.client.delete(
        f"/api/v1/maintenance/{created['id']}", json={"by": "ops-lead"}, headers=bearer()
    )
    assert response.status == 200
    assert (await response.json())["deleted_by"] == "ops-lead"


async def test_withdrawing_without_saying_who_is_400(harness: Harness) -> None:
    """The audit needs a name; nothing is deleted without one."""
    created = await (await harness.register()).json()
    response = await harness.client.delete(f"/api/v1/maintenance/{created['id']}", headers=bearer())
    assert response.status == 400
    assert (await response.json())["error"] == "missing_who"
    record = await harness.store.maintenance_window(created["id"])
    assert record is not None
    assert record.deleted_at is None


async def test_withdrawing_a_window_that_has_started_is_409(harness: Harness) -> None:
    """Once it started, the excused time stays excused (and visible as such)."""
    created = await (await harness.register()).json()
    harness.clock.now = datetime(2026, 6, 14, 0, 0, tzinfo=UTC)  # 02:00 local, the start
    response = await harness.client.delete(
        f"/api/v1/maintenance/{created['id']}?by=ops-lead", headers=bearer()
    )
    assert response.status == 409
    assert (await response.json())["error"] == "window_started"
    record = await harness.store.maintenance_window(created["id"])
    assert record is not None
    assert record.deleted_at is None
    assert len(harness.changes) == 1


async def test_withdrawing_twice_is_409_already_deleted(harness: Harness) -> None:
    """A repeated DELETE says when and by whom it went, and writes no second audit row."""
    created = await (await harness.register()).json()
    url = f"/api/v1/maintenance/{created['id']}?by=ops-lead"
    assert (await harness.client.delete(url, headers=bearer())).status == 200
    response = await harness.client.delete(url, headers=bearer())
    assert response.status == 409
    assert (await response.json())["error"] == "already_deleted"
    assert len(await harness.store.maintenance_changes(created["id"])) == 2


@pytest.mark.parametrize("window_id", ["6f1c3c1e-0000-4000-8000-000000000000", "a" * 37, "x y"])
async def test_unknown_or_impossible_ids_are_404(harness: Harness, window_id: str) -> None:
    """GET and DELETE of an id that is not stored, or cannot be an id, are 404."""
    get = await harness.client.get(f"/api/v1/maintenance/{window_id}")
    delete = await harness.client.delete(
        f"/api/v1/maintenance/{window_id}?by=ops", headers=bearer()
    )
    assert (get.status, delete.status) == (404, 404)
    assert (await delete.json())["error"] == "not_found"


async def test_an_unknown_target_is_422_naming_it_and_the_known_ones(harness: Harness) -> None:
    """Each bad target is named with its position; the configured ones are listed."""
    response = await harness.register(targets=["web", "crm", "web"])
    assert response.status == 422
    body = await response.json()
    assert body["problems"] == [
        {"field": "targets[1]", "message": "unknown target 'crm'; known: mail, web"},
        {"field": "targets[2]", "message": "web is listed twice"},
    ]
    assert await stored_count(harness) == 0


@pytest.mark.parametrize(
    ("end", "message"),
    [
        ("2026-06-14T01:00:00+02:00", "must be after start"),
        ("2026-06-14T02:00:00+02:00", "must be after start"),
        ("2026-06-14T00:00:00Z", "must be after start"),  # = 02:00+02:00
        ("2026-07-15T02:00:01+02:00", "longer than the 31 days"),
    ],
)
async def test_reversed_empty_or_overlong_windows_are_422(
    harness: Harness, end: str, message: str
) -> None:
    """The end is compared as an instant, whatever offset each side is written in."""
    response = await harness.register(end=end)
    assert response.status == 422
    problems = (await response.json())["problems"]
    assert [p["field"] for p in problems] == ["end"]
    assert message in problems[0]["message"]
    assert await stored_count(harness) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"targets": "web"}, "targets", "valid array"),
        ({"targets": []}, "targets", "at least 1 item"),
        ({"start": 1781395200}, "start", "RFC 3339"),
        ({"start": "2026-06-14T02:00:00"}, "start", "RFC 3339"),
        ({"start": "2026-06-14 02:00:00+02:00"}, "start", "RFC 3339"),
        ({"start": "2026-02-30T02:00:00+01:00"}, "start", "day value is outside"),
        ({"start": "0001-01-01T00:00:00+01:00"}, "start", "outside the years 1970 to 9998"),
        ({"name": ""}, "name", "at least 1 character"),
        ({"name": "two\nlines"}, "name", "one line"),
        ({"name": "release\u202egnp.exe"}, "name", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ({"name": "release\u2066x\u2069"}, "name", "U+2066"),
        ({"name": "rel\u200bease"}, "name", "U+200B (ZERO WIDTH SPACE)"),
        ({"name": "\ufeffrelease"}, "name", "U+FEFF"),
        ({"name": "release\u200f"}, "name", "U+200F"),
        ({"name": "re\u2060lease"}, "name", "U+2060"),
        ({"requested_by": "ops\u200d@example.nl"}, "requested_by", "U+200D"),
        ({"requested_by": "   "}, "requested_by", "must not be blank"),
        ({"requested_by": ...}, "requested_by", "required"),
        ({"reason": "x\x00y"}, "reason", "control characters"),
        ({"colour": "red"}, "colour", "unknown field; known: name, targets"),
    ],
)
async def test_wrong_types_and_values_are_422_naming_the_field(
    harness: Harness, overrides: dict[str, Any], field: str, message: str
) -> None:
    """pydantic's verdict, reworded per field, with nothing stored."""
    response = await harness.register(**overrides)
    assert response.status == 422
    body = await response.json()
    assert body["error"] == "invalid"
    assert [p["field"] for p in body["problems"]] == [field]
    assert message in body["problems"][0]["message"]
    assert await stored_count(harness) == 0


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b'{"name": "x",', "not valid JSON"),
        (b'{"name": "a", "name": "b"}', "appears twice"),
        (b'{"name": "\\ud800"}', "lone surrogate"),
        (b'{"name": "\xff"}', "not UTF-8"),
        (b"NaN", "not valid JSON"),
    ],
)
async def test_malformed_json_is_400_invalid_json(
    harness: Harness, data: bytes, detail: str
) -> None:
    """Syntax errors, duplicate keys, lone surrogates and non-UTF-8 never reach the store."""
    response = await harness.client.post(
        "/api/v1/maintenance",
        data=data,
        headers={**bearer(), "Content-Type": "application/json"},
    )
    assert response.status == 400
    body = await response.json()
    assert body["error"] == "invalid_json"
    assert detail in body["detail"]
    assert await stored_count(harness) == 0


async def test_a_json_array_is_422_not_a_crash(harness: Harness) -> None:
    """Valid JSON of the wrong shape is a validation problem of the whole body."""
    response = await harness.client.post("/api/v1/maintenance", json=[1, 2], headers=bearer())
    assert response.status == 422
    assert (await response.json())["problems"][0]["field"] == "body"


async def test_an_empty_body_is_400(harness: Harness) -> None:
    """POST without a body says what to send."""
    response = await harness.client.post("/api/v1/maintenance", headers=bearer())
    assert response.status == 400
    assert (await response.json())["error"] == "missing_body"


async def test_a_body_that_is_not_json_is_415(harness: Harness) -> None:
    """Form posts and plain text are refused by media type, before parsing."""
    response = await harness.client.post(
        "/api/v1/maintenance", data={"name": "x"}, headers=bearer()
    )
    assert response.status == 415
    assert (await response.json())["error"] == "unsupported_media_type"


async def test_an_oversized_body_is_413_in_the_error_shape(harness: Harness) -> None:
    """Beyond client_max_size aiohttp stops reading; the client gets JSON, the store nothing."""
    body = window_body(reason="x" * (MAX_BODY_BYTES + 1))
    response = await harness.client.post("/api/v1/maintenance", json=body, headers=bearer())
    assert response.status == 413
    assert (await response.json())["error"] == "payload_too_large"
    assert await stored_count(harness) == 0


async def test_listing_filters_by_target_and_overlap(harness: Harness) -> None:
    """target keeps windows naming it; since/until keep windows overlapping [since, until)."""
    web = await (await harness.register()).json()
    mail = await (
        await harness.register(
            name="mail-move",
            targets=["mail"],
            start="2026-06-20T02:00:00+02:00",
            end="2026-06-20T03:00:00+02:00",
        )
    ).json()

    async def ids(query: str) -> list[str]:
        response = await harness.client.get(f"/api/v1/maintenance?{query}")
        assert response.status == 200
        return [w["id"] for w in (await response.json())["windows"]]

    assert await ids("") == [web["id"], mail["id"]]
    assert await ids("target=mail") == [mail["id"]]
    assert await ids("since=2026-06-14T06:00:00%2B02:00") == [mail["id"]]
    assert await ids("until=2026-06-14T02:00:00%2B02:00") == []
    # Half-open on both sides: web is [00:00Z, 04:00Z) on the 14th, mail starts 00:00Z the 20th.
    assert await ids("since=2026-06-14T03:59:59Z&until=2026-06-20T00:00:00Z") == [web["id"]]
    assert await ids("since=2026-06-14T04:00:00Z&until=2026-06-20T00:00:01Z") == [mail["id"]]


@pytest.mark.parametrize(
    ("query", "status", "error"),
    [
        ("target=crm", 404, "unknown_target"),
        ("since=yesterday", 400, "bad_parameter"),
        ("since=2026-06-14T02:00:00+02:00", 400, "bad_parameter"),  # '+' became a space
        ("since=2026-06-20T00:00:00Z&until=2026-06-01T00:00:00Z", 400, "reversed_interval"),
        ("include_deleted=yes", 400, "bad_parameter"),
        ("sinse=2026-06-01T00:00:00Z", 400, "bad_parameter"),
        ("target=web&target=mail", 400, "bad_parameter"),
    ],
)
async def test_bad_list_parameters_are_4xx_with_a_reason(
    harness: Harness, query: str, status: int, error: str
) -> None:
    """Unknown targets 404; unparsable, reversed, misspelt or repeated parameters 400."""
    response = await harness.client.get(f"/api/v1/maintenance?{query}")
    assert response.status == status
    body = await response.json()
    assert body["error"] == error
    assert body["detail"]


async def test_a_plus_turned_into_a_space_gets_a_hint(harness: Harness) -> None:
    """curl users forget to encode '+'; the message tells them."""
    response = await harness.client.get("/api/v1/maintenance?since=2026-06-14T02:00:00+02:00")
    assert "%2B" in (await response.json())["detail"]


async def test_a_failing_change_hook_does_not_fail_the_stored_change(
    make_harness: MakeHarness,
) -> None:
    """The window is stored before the hook runs; a 500 would make the client register twice."""

    def broken() -> None:
        raise RuntimeError("recompute is gone")

    async with make_harness(on_change=broken) as h:
        response = await h.register()
        assert response.status == 201
        assert await stored_count(h) == 1
