"""Who may read and write: bearer tokens, read protection, the always-open health checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import structlog

from monitor.server.api import ApiTokens, TokenError
from monitor.server.api.auth import read_named_tokens, read_token_file
from tests.server.api.conftest import (
    OTHER_TOKEN,
    READ_TOKEN,
    WRITE_TOKEN,
    MakeHarness,
    bearer,
    window_body,
)

READ_PATHS = ["/api/v1/status", "/api/v1/outages", "/api/v1/maintenance", "/metrics"]


async def test_a_write_without_a_token_is_401_with_a_bearer_challenge(
    make_harness: MakeHarness,
) -> None:
    """No Authorization header: 401, WWW-Authenticate: Bearer, and nothing stored."""
    async with make_harness() as h:
        response = await h.client.post("/api/v1/maintenance", json=window_body())
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await response.json())["error"] == "unauthorized"
        assert await h.store.maintenance_windows(include_deleted=True) == []


@pytest.mark.parametrize(
    "header", [f"Bearer {OTHER_TOKEN}", f"Bearer {WRITE_TOKEN}x", "Basic dXNlcjpwdw==", "Bearer"]
)
async def test_a_write_with_a_wrong_token_is_401_invalid_token(
    make_harness: MakeHarness, header: str
) -> None:
    """Unknown tokens, a longer variant of the right one and other schemes are all refused."""
    async with make_harness() as h:
        response = await h.client.post(
            "/api/v1/maintenance", json=window_body(), headers={"Authorization": header}
        )
        assert response.status == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
        assert await h.store.maintenance_windows(include_deleted=True) == []


async def test_a_write_with_the_write_token_is_accepted(make_harness: MakeHarness) -> None:
    """The configured write token registers a window; the scheme is case-insensitive."""
    async with make_harness() as h:
        response = await h.client.post(
            "/api/v1/maintenance",
            json=window_body(),
            headers={"Authorization": f"bearer {WRITE_TOKEN}"},
        )
        assert response.status == 201


async def test_a_read_token_cannot_write(make_harness: MakeHarness) -> None:
    """A read token is known but not enough: 403 insufficient_scope."""
    tokens = ApiTokens.of(write=[WRITE_TOKEN], read=[READ_TOKEN])
    async with make_harness(tokens=tokens) as h:
        response = await h.register(token=READ_TOKEN)
        assert response.status == 403
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
        assert (await response.json())["error"] == "insufficient_scope"


async def test_without_a_configured_write_token_every_write_is_refused(
    make_harness: MakeHarness,
) -> None:
    """403 writes_disabled, whatever is presented, with the settings that would enable writes."""
    async with make_harness(tokens=ApiTokens()) as h:
        for headers in ({}, bearer(WRITE_TOKEN)):
            response = await h.client.post(
                "/api/v1/maintenance", json=window_body(), headers=headers
            )
            assert response.status == 403
            body = await response.json()
            assert body["error"] == "writes_disabled"
            assert "SLA_MONITOR_WRITE_TOKENS_FILE" in body["detail"]
        response = await h.client.delete("/api/v1/maintenance/x?by=me")
        assert response.status == 403


@pytest.mark.parametrize("path", READ_PATHS)
async def test_reads_are_open_while_no_read_token_is_configured(
    make_harness: MakeHarness, path: str
) -> None:
    """Prometheus scrapes and status reads work without a token by default."""
    async with make_harness() as h:
        response = await h.client.get(path)
        assert response.status == 200


@pytest.mark.parametrize("path", READ_PATHS)
async def test_with_read_protection_reads_need_a_read_or_write_token(
    make_harness: MakeHarness, path: str
) -> None:
    """No token 401, a wrong one 401, the read token and the write token 200."""
    tokens = ApiTokens.of(write=[WRITE_TOKEN], read=[READ_TOKEN])
    async with make_harness(tokens=tokens) as h:
        assert (await h.client.get(path)).status == 401
        assert (await h.client.get(path, headers=bearer(OTHER_TOKEN))).status == 401
        assert (await h.client.get(path, headers=bearer(READ_TOKEN))).status == 200
        assert (await h.client.get(path, headers=bearer(WRITE_TOKEN))).status == 200


@pytest.mark.parametrize("path", ["/-/healthy", "/-/ready"])
async def test_health_endpoints_are_always_open(make_harness: MakeHarness, path: str) -> None:
    """Load balancers and systemd probe health without a token, even with read protection."""
    tokens = ApiTokens.of(write=[WRITE_TOKEN], read=[READ_TOKEN])
    async with make_harness(tokens=tokens) as h:
        response = await h.client.get(path)
        assert response.status == 200
        assert await response.text() == "OK\n"


async def test_unknown_paths_do_not_reveal_themselves_without_a_token(
    make_harness: MakeHarness,
) -> None:
    """With read protection a missing route answers 401 like a real one, so routes cannot be
    enumerated anonymously; with the token it is a JSON 404."""
    tokens = ApiTokens.of(write=[WRITE_TOKEN], read=[READ_TOKEN])
    async with make_harness(tokens=tokens) as h:
        assert (await h.client.get("/api/v1/nothing")).status == 401
        response = await h.client.get("/api/v1/nothing", headers=bearer(READ_TOKEN))
        assert response.status == 404
        assert (await response.json())["error"] == "not_found"


async def test_no_token_ever_appears_in_the_log(make_harness: MakeHarness) -> None:
    """Denials are logged with method, path and reason only: never the presented token."""
    tokens = ApiTokens.of(write=[WRITE_TOKEN], read=[READ_TOKEN])
    async with make_harness(tokens=tokens) as h:
        with structlog.testing.capture_logs() as logs:
            await h.client.get("/api/v1/status", headers=bearer(OTHER_TOKEN))
            await h.register(token=READ_TOKEN)
            await h.register(token=WRITE_TOKEN)
    assert [e["reason"] for e in logs if e["event"] == "api_access_denied"] == [
        "invalid_token",
        "insufficient_scope",
    ]
    assert any(e["event"] == "maintenance_registered" for e in logs)
    for token in (OTHER_TOKEN, READ_TOKEN, WRITE_TOKEN):
        assert token not in repr(logs)
        assert token not in repr(tokens)


def test_grant_matches_every_token_of_both_kinds() -> None:
    """Several tokens per kind (rotation); a token in both sets writes; others get nothing."""
    tokens = ApiTokens.of(write=[WRITE_TOKEN, "second-write-token-0000"], read=[READ_TOKEN])
    assert tokens.grant(WRITE_TOKEN) == "write"
    assert tokens.grant("second-write-token-0000") == "write"
    assert tokens.grant(READ_TOKEN) == "read"
    assert tokens.grant(OTHER_TOKEN) is None
    assert tokens.grant("") is None
    assert tokens.grant("ünïcödé-token-000000") is None
    assert ApiTokens.of(write=[READ_TOKEN], read=[READ_TOKEN]).grant(READ_TOKEN) == "write"


def test_token_files_hold_one_token_per_line_with_comments(tmp_path: Path) -> None:
    """Blank lines and # comments are skipped, surrounding spaces dropped."""
    path = tmp_path / "tokens"
    path.write_text(f"# rotated 2026-06\n\n  {WRITE_TOKEN}  \n{READ_TOKEN}\n", "utf-8")
    assert read_token_file(path) == [WRITE_TOKEN, READ_TOKEN]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("# only a comment\n", "no token in the file"),
        ("short\n", ":1: a token is 16 to 4096 visible ASCII"),
        ("# header\nwith a space inside it\n", ":2: a token is"),
    ],
)
def test_unusable_token_files_name_the_line_but_never_the_token(
    tmp_path: Path, content: str, problem: str
) -> None:
    """A weak or malformed token stops start-up, and the message does not quote it."""
    path = tmp_path / "tokens"
    path.write_text(content, "utf-8")
    with pytest.raises(TokenError, match=problem) as caught:
        read_token_file(path)
    assert "short" not in str(caught.value)
    assert "space inside" not in str(caught.value)


def test_a_missing_token_file_is_an_error_naming_it(tmp_path: Path) -> None:
    """Asking for protection with a file that is not there must not start unprotected."""
    with pytest.raises(TokenError, match="cannot read"):
        read_token_file(tmp_path / "absent")


def test_a_token_file_names_its_tokens_and_plain_lines_get_a_line_name(tmp_path: Path) -> None:
    """name:token lines keep their name; a plain token is named after its line."""
    path = tmp_path / "tokens"
    path.write_text(f"# team\nclient-jansen:{WRITE_TOKEN}\n{READ_TOKEN}\n", "utf-8")
    assert read_named_tokens(path) == [("client-jansen", WRITE_TOKEN), ("token-3", READ_TOKEN)]
    tokens = ApiTokens.of(write=read_named_tokens(path))
    assert tokens.identify(WRITE_TOKEN) == ("write", "client-jansen")
    assert tokens.identify(OTHER_TOKEN) is None


def test_a_name_used_twice_in_a_token_file_is_refused(tmp_path: Path) -> None:
    """Two tokens under one name would make every act of either unattributable."""
    path = tmp_path / "tokens"
    path.write_text(f"ops:{WRITE_TOKEN}\nops:{READ_TOKEN}\n", "utf-8")
    with pytest.raises(TokenError, match=":2: the name ops is used on line 1"):
        read_named_tokens(path)
