"""JSON conditions of the HTTP probe, against a telephony queue status API on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import ValidationError

from probes._json import VALUES_LIMIT
from probes.base import ProbeContext, ProbeResult
from probes.config import HttpProbeConfig
from probes.http import probe_http
from tests.servers.telephony import QueueStatusServer, queue_status_server, queues

OPEN = "$.queues[?(@.name=='servicedesk')].open"
AGENTS = "$.queues[?(@.name=='servicedesk')].agents_available"


@pytest.fixture
async def pbx() -> AsyncIterator[QueueStatusServer]:
    """The platform's status API, with the desk's queue open and two agents available."""
    async with queue_status_server() as server:
        server.serve_json(queues(("sales", False, 0), ("servicedesk", True, 2)))
        yield server


def staffed(url: str, **settings: object) -> HttpProbeConfig:
    """The desk's phone queue is open and at least one agent is available."""
    conditions = [{"path": OPEN, "expect": True}, {"path": AGENTS, "at_least": 1}]
    return HttpProbeConfig.model_validate(
        {"url": url, "timeout": "5s", "body_json": conditions, **settings}
    )


async def probe(
    server: QueueStatusServer, context: ProbeContext, **settings: object
) -> ProbeResult:
    return await probe_http(staffed(server.url, **settings), context)


async def test_phone_queue_probe_succeeds_when_the_desk_queue_is_open_and_staffed(
    pbx: QueueStatusServer, probe_context: ProbeContext
) -> None:
    """Both conditions hold; the details show what each path matched."""
    result = await probe(pbx, probe_context)

    assert result.ok, result.cause
    assert (result.details["json[0]"], result.details["json[1]"]) == ("[true]", "[2]")
    assert result.details["status_code"] == 200


@pytest.mark.parametrize(
    ("entries", "message", "matched"),
    [
        ([("servicedesk", False, 2)], f"{OPEN} is false, expected true", ("[false]", "[2]")),
        (
            [("servicedesk", True, 0)],
            f"{AGENTS} is 0, expected a number of at least 1",
            ("[true]", "[0]"),
        ),
        ([("sales", True, 3)], f"{OPEN} matched nothing", ("[]", "[]")),
        (
            [("servicedesk", True, 2), ("servicedesk", False, 1)],
            f"{OPEN} is [true,false], expected each to be true",
            ("[true,false]", "[2,1]"),
        ),
    ],
    ids=["queue-closed", "no-agent-available", "queue-missing", "one-of-two-duplicates-closed"],
)
async def test_phone_queue_probe_fails_naming_the_path_and_the_values_it_found(
    entries: list[tuple[str, bool, int]],
    message: str,
    matched: tuple[str, str],
    pbx: QueueStatusServer,
    probe_context: ProbeContext,
) -> None:
    """Closed, unstaffed, missing or one closed duplicate: json_mismatch though the API says 200."""
    pbx.serve_json(queues(*entries))

    result = await probe(pbx, probe_context)

    assert (result.error_class, result.error_message) == ("json_mismatch", message)
    assert (result.details["json[0]"], result.details["json[1]"]) == matched
    assert result.details["status_code"] == 200


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body>Maintenance</body></html>", "text/html"),
        (b"", "application/json"),
        (b'{"queues": [', "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (
            b'{"queues": [{"name": "servicedesk", "open": true, "agents_available": NaN}]}',
            "application/json",
        ),
    ],
    ids=["html", "empty", "cut-off", "nested-too-deep", "nan"],
)
async def test_phone_queue_probe_fails_with_invalid_json_when_the_body_is_not_json(
    body: bytes, content_type: str, pbx: QueueStatusServer, probe_context: ProbeContext
) -> None:
    """Whatever the platform sends instead of its document is a classified failure."""
    pbx.serve_raw(body, content_type)

    result = await probe(pbx, probe_context)

    assert result.error_class == "invalid_json", result.cause
    assert (result.error_message or "").startswith("body is not JSON: ")


async def test_phone_queue_probe_fails_with_invalid_json_when_the_body_is_over_the_cap(
    pbx: QueueStatusServer, probe_context: ProbeContext
) -> None:
    """A document longer than max_body_bytes is refused, not parsed from its prefix."""
    many = [(f"queue-{n}", True, 1) for n in range(200)]
    pbx.serve_json(queues(("servicedesk", True, 2), *many))

    result = await probe(pbx, probe_context, max_body_bytes=1000)

    assert result.error_class == "invalid_json"
    assert result.error_message == (
        "body is longer than max_body_bytes (1000), so not checked as JSON"
    )
    assert result.details["body_truncated"] is True


async def test_the_status_code_is_judged_before_the_json(
    pbx: QueueStatusServer, probe_context: ProbeContext
) -> None:
    """A 503 that still carries an open queue is a status failure."""
    pbx.serve_json(queues(("servicedesk", True, 2)), status=503)

    result = await probe(pbx, probe_context)

    assert result.error_class == "status"


async def test_json_equality_keeps_true_one_and_the_string_true_apart(
    pbx: QueueStatusServer, probe_context: ProbeContext
) -> None:
    """``open: 1`` or ``open: "true"`` is not ``true``, and ``"2"`` agents is not a number."""
    found = []
    for is_open, agents in ((1, 2), ("true", 2), (True, "2")):
        document = {
            "queues": [{"name": "servicedesk", "open": is_open, "agents_available": agents}]
        }
        pbx.serve_json(document)
        found.append((await probe(pbx, probe_context)).error_message)

    assert found == [
        f"{OPEN} is 1, expected true",
        f'{OPEN} is "true", expected true',
        f'{AGENTS} is "2", expected a number of at least 1',
    ]


async def test_matched_values_are_cut_short_in_details_and_message(
    pbx: QueueStatusServer, probe_context: ProbeContext
) -> None:
    """A path that matches a huge value keeps a bounded rendering of it."""
    pbx.serve_json({"queues": [{"name": "servicedesk", "open": "x" * 5000}]})

    result = await probe(pbx, probe_context)

    assert result.error_class == "json_mismatch"
    assert len(str(result.details["json[0]"])) == VALUES_LIMIT
    assert str(result.details["json[0]"]).endswith("…")
    assert len(result.error_message or "") < 2 * VALUES_LIMIT + len(OPEN)


async def test_a_range_and_an_expected_string_are_conditions_too(
    pbx: QueueStatusServer, probe_context: ProbeContext
) -> None:
    """at_least with at_most bounds a number; expect compares strings as well."""
    pbx.serve_json({"queues": [{"name": "servicedesk", "state": "open", "calls_waiting": 7}]})
    conditions = [
        {"path": "$.queues[?(@.name=='servicedesk')].state", "expect": "open"},
        {"path": "$.queues[?(@.name=='servicedesk')].calls_waiting", "at_least": 0, "at_most": 5},
    ]
    config = HttpProbeConfig.model_validate({"url": pbx.url, "body_json": conditions})

    result = await probe_http(config, probe_context)

    assert result.error_message == (
        "$.queues[?(@.name=='servicedesk')].calls_waiting is 7, expected a number from 0 to 5"
    )
    assert result.details["json[0]"] == '["open"]'


# -- configuration --------------------------------------------------------------------------


def test_one_condition_may_be_written_as_a_mapping_instead_of_a_list() -> None:
    """``body_json: {path, expect}`` is a list of one condition."""
    config = HttpProbeConfig.model_validate(
        {"url": "http://127.0.0.1/", "body_json": {"path": OPEN, "expect": True}}
    )

    assert [(str(c.path), c.expect) for c in config.body_json] == [(OPEN, True)]


def test_a_reloaded_probe_with_the_same_conditions_compares_equal() -> None:
    """Two loads of one text are the same probe, and a dump of it loads back unchanged."""
    first, second = (staffed("http://127.0.0.1/") for _ in range(2))

    assert first == second
    assert first.model_dump(mode="json")["body_json"] == [
        {"path": OPEN, "expect": True},
        {"path": AGENTS, "at_least": 1.0},
    ]
    assert HttpProbeConfig.model_validate(first.model_dump()) == first


@pytest.mark.parametrize(
    ("condition", "location", "message"),
    [
        ({"path": "$.queues[?(@.name=='x'", "expect": True}, ("body_json", 0, "path"), "not a"),
        (
            {"path": "$.queues[?(@.name==servicedesk)].open", "expect": True},
            ("body_json", 0, "path"),
            "deprecated JSONPath syntax",
        ),
        ({"path": 5, "expect": True}, ("body_json", 0, "path"), "a JSONPath expression must"),
        ({"path": OPEN}, ("body_json", 0), "give expect, or at_least"),
        ({"path": OPEN, "expect": True, "at_least": 1}, ("body_json", 0), "give expect, or"),
        ({"path": OPEN, "expect": [True]}, ("body_json", 0, "expect"), "expect must be"),
        ({"path": AGENTS, "at_least": "1"}, ("body_json", 0, "at_least"), "valid number"),
        ({"path": AGENTS, "at_least": 3, "at_most": 1}, ("body_json", 0), "at_least is greater"),
        ({"path": OPEN, "expect": True, "equals": True}, ("body_json", 0, "equals"), "Extra"),
    ],
    ids=[
        "bad-path",
        "unquoted-word",
        "path-not-text",
        "no-kind",
        "two-kinds",
        "list",
        "text",
        "empty-range",
        "typo",
    ],
)
def test_a_bad_condition_is_refused_at_load_naming_the_field(
    condition: dict[str, object], location: tuple[object, ...], message: str
) -> None:
    """Each mistake is one error at the field that has it, before any probe runs."""
    with pytest.raises(ValidationError) as caught:
        HttpProbeConfig.model_validate({"url": "http://127.0.0.1/", "body_json": [condition]})

    [error] = caught.value.errors()
    assert error["loc"] == location
    assert message in error["msg"]


def test_json_conditions_with_head_are_refused_because_head_has_no_body() -> None:
    """HEAD would fail every probe as invalid JSON; the configuration says so instead."""
    with pytest.raises(ValidationError, match="body_json needs method GET"):
        staffed("http://127.0.0.1/", method="HEAD")
