"""The HTTP probe against a real aiohttp server on loopback, switched between behaviours."""

from __future__ import annotations

import asyncio
import functools
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from probes.base import ProbeContext
from probes.config import HttpProbeConfig
from probes.http import probe_http
from tests.polling import eventually
from tests.servers.http import Mode, SwitchableHttpServer
from tests.servers.raw import unused_port
from tests.servers.tls import CertificateSet

REPO = Path(__file__).resolve().parents[2]


def http(url: str, **settings: object) -> HttpProbeConfig:
    return HttpProbeConfig.model_validate({"url": url, "timeout": "5s", **settings})


async def test_http_probe_succeeds_when_server_is_up(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """A 200 with a body is a success and the details describe the exchange."""
    result = await probe_http(http(http_server.url), probe_context)

    assert result.ok, result.cause
    assert result.error_class is None
    assert result.details["status_code"] == 200
    assert result.details["http_version"] == "1.1"
    assert result.details["body_bytes_read"] == 2
    assert result.details["redirects"] == 0
    assert result.cert_expiry is None
    assert timedelta(0) <= result.duration < timedelta(seconds=5)


async def test_http_probe_fails_with_connection_refused_when_server_is_down(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """A closed port is classified as refused, not as a generic error."""
    await http_server.set_mode(Mode.DOWN)

    result = await probe_http(http(http_server.url), probe_context)

    assert not result.ok
    assert result.error_class == "connection_refused"


async def test_http_probe_succeeds_again_when_server_comes_back_on_the_same_port(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """Down then up again on one URL, as a daemon probing a fixed target sees it."""
    url = http_server.url
    await http_server.set_mode(Mode.DOWN)
    down = await probe_http(http(url), probe_context)
    await http_server.set_mode(Mode.UP)
    up = await probe_http(http(url), probe_context)

    assert (down.error_class, up.ok) == ("connection_refused", True)


async def test_http_probe_is_cut_off_by_the_runner_timeout_when_server_is_slow(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """The probe waits for a slow server; the runner's asyncio.timeout ends it promptly."""
    await http_server.set_mode(Mode.SLOW)
    loop = asyncio.get_running_loop()
    started = loop.time()

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await probe_http(http(http_server.url), probe_context)

    assert loop.time() - started < 2


async def test_http_probe_fails_with_slow_when_response_exceeds_max_response_time(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """A correct answer that takes longer than max_response_time is a failure of its own."""
    http_server.slow_seconds = 0.3
    await http_server.set_mode(Mode.SLOW)

    result = await probe_http(http(http_server.url, max_response_time="100ms"), probe_context)

    assert not result.ok
    assert result.error_class == "slow"
    assert result.details["status_code"] == 200


async def test_http_probe_fails_with_status_when_server_returns_500(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """Without expect_status only 2xx is accepted."""
    await http_server.set_mode(Mode.ERROR500)

    result = await probe_http(http(http_server.url), probe_context)

    assert not result.ok
    assert result.error_class == "status"
    assert result.details["status_code"] == 500
    assert "500" in (result.error_message or "")


async def test_http_probe_succeeds_when_500_is_an_expected_status(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """expect_status replaces the 2xx default instead of adding to it."""
    await http_server.set_mode(Mode.ERROR500)

    accepted = await probe_http(http(http_server.url, expect_status=[500]), probe_context)
    await http_server.set_mode(Mode.UP)
    rejected = await probe_http(http(http_server.url, expect_status=[500]), probe_context)

    assert accepted.ok
    assert rejected.error_class == "status"


async def test_http_probe_caps_an_endless_body_at_max_body_bytes(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """A never-ending body is read up to the cap, then the connection is dropped."""
    await http_server.set_mode(Mode.ENDLESS)
    cap = 200_000

    async with asyncio.timeout(5):
        result = await probe_http(http(http_server.url, max_body_bytes=cap), probe_context)

    assert result.ok, result.cause
    assert result.details["body_bytes_read"] == cap
    assert result.details["body_truncated"] is True


async def test_http_probe_caps_a_body_that_declares_ten_gigabytes(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """A huge Content-Length is not trusted: reading stops at the cap."""
    await http_server.set_mode(Mode.HUGE)

    async with asyncio.timeout(5):
        result = await probe_http(http(http_server.url, max_body_bytes=100_000), probe_context)

    assert result.ok, result.cause
    assert 0 < int(result.details["body_bytes_read"] or 0) <= 100_000
    assert result.details["body_truncated"] is True


async def test_http_probe_checks_the_body_only_within_the_capped_prefix(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """Text beyond the cap cannot be found, so a capped endless body fails the check."""
    await http_server.set_mode(Mode.ENDLESS)

    async with asyncio.timeout(5):
        result = await probe_http(
            http(http_server.url, max_body_bytes=70_000, body_contains="OK"), probe_context
        )

    assert not result.ok
    assert result.error_class == "body_mismatch"
    assert int(result.details["body_bytes_read"] or 0) <= 70_000


async def test_http_probe_checks_body_substring_and_regex(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """body_contains and body_regex pass on a match and fail as body_mismatch otherwise."""
    url = http_server.url
    found = await probe_http(http(url, body_contains="OK", body_regex=r"^O.$"), probe_context)
    missing = await probe_http(http(url, body_contains="healthy"), probe_context)
    unmatched = await probe_http(http(url, body_regex=r"^\d+$"), probe_context)

    assert found.ok
    assert (missing.error_class, unmatched.error_class) == ("body_mismatch", "body_mismatch")


async def test_http_probe_fails_with_protocol_when_server_sends_garbage(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """Bytes that are not HTTP end in a classified failure, not an exception."""
    await http_server.set_mode(Mode.GARBAGE)

    result = await probe_http(http(http_server.url), probe_context)

    assert not result.ok
    assert result.error_class == "protocol", result.cause


async def test_http_probe_follows_a_redirect_when_redirects_are_on(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """With follow_redirects (the default) the final answer counts and hops are counted."""
    await http_server.set_mode(Mode.REDIRECT)

    result = await probe_http(http(http_server.url + "health"), probe_context)

    assert result.ok, result.cause
    assert result.details["redirects"] == 1
    assert result.details["status_code"] == 200


async def test_http_probe_fails_with_status_on_a_redirect_when_redirects_are_off(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """Without following, the 302 itself is judged, and it is not a 2xx."""
    await http_server.set_mode(Mode.REDIRECT)

    result = await probe_http(http(http_server.url, follow_redirects=False), probe_context)
    expected = await probe_http(
        http(http_server.url, follow_redirects=False, expect_status=[302]), probe_context
    )

    assert result.error_class == "status"
    assert result.details["status_code"] == 302
    assert expected.ok


async def test_http_probe_fails_with_redirects_on_a_redirect_loop(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """An endless chain of redirects is cut off and classified."""
    await http_server.set_mode(Mode.REDIRECT_LOOP)

    result = await probe_http(http(http_server.url), probe_context)

    assert not result.ok
    assert result.error_class == "redirects"


async def test_http_probe_opens_a_fresh_connection_for_every_probe(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """A kept-alive connection could answer for a dead server; each probe connects anew."""
    for _ in range(3):
        result = await probe_http(http(http_server.url), probe_context)
        assert result.ok

    assert http_server.connections_accepted == 3


async def test_http_probe_fails_with_connection_refused_on_an_unused_port(
    probe_context: ProbeContext,
) -> None:
    """No server at all is refused, just like a server switched down."""
    result = await probe_http(http(f"http://127.0.0.1:{unused_port()}/"), probe_context)

    assert result.error_class == "connection_refused"


@pytest.mark.parametrize(
    "url",
    ["http://probe:hunter2-in-url@127.0.0.1:{port}/", "http://probe:hunter2-in-url@[::1/"],
    ids=["refused", "invalid-url"],
)
async def test_http_probe_never_reports_the_password_from_the_url(
    url: str, probe_context: ProbeContext
) -> None:
    """Credentials in the URL stay out of the result, even when the URL itself is broken."""
    result = await probe_http(http(url.format(port=unused_port())), probe_context)

    assert not result.ok
    assert "hunter2-in-url" not in (result.cause or "")
    assert all("hunter2-in-url" not in str(value) for value in result.details.values())


async def test_https_probe_records_the_certificate_expiry_when_certificate_is_valid(
    https_server: SwitchableHttpServer,
    tls_certificates: CertificateSet,
    probe_context: ProbeContext,
) -> None:
    """A verified HTTPS answer records the leaf certificate's notAfter."""
    config = http(https_server.url, ca_file=str(tls_certificates.ca_file))

    result = await probe_http(config, probe_context)

    assert result.ok, result.cause
    assert result.cert_expiry == tls_certificates.valid_not_after


async def test_https_probe_records_the_certificate_expiry_across_a_redirect(
    https_server: SwitchableHttpServer,
    tls_certificates: CertificateSet,
    probe_context: ProbeContext,
) -> None:
    """The expiry is kept even when the final response came over another connection."""
    await https_server.set_mode(Mode.REDIRECT)
    config = http(https_server.url, ca_file=str(tls_certificates.ca_file))

    result = await probe_http(config, probe_context)

    assert result.ok, result.cause
    assert result.details["redirects"] == 1
    assert result.cert_expiry == tls_certificates.valid_not_after


async def test_https_probe_fails_with_tls_certificate_when_the_ca_is_unknown(
    https_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """Verification is on by default: a certificate from an untrusted CA fails."""
    result = await probe_http(http(https_server.url), probe_context)

    assert not result.ok
    assert result.error_class == "tls_certificate"


async def test_https_probe_without_verification_accepts_the_unknown_ca_and_records_expiry(
    https_server: SwitchableHttpServer,
    tls_certificates: CertificateSet,
    probe_context: ProbeContext,
) -> None:
    """verify_tls: false skips the chain check but still reports the expiry."""
    result = await probe_http(http(https_server.url, verify_tls=False), probe_context)

    assert result.ok, result.cause
    assert result.cert_expiry == tls_certificates.valid_not_after


@pytest.mark.parametrize(
    ("leaf", "error_class"),
    [("expired", "tls_certificate"), ("wrong_host", "tls_hostname")],
)
async def test_https_probe_fails_when_the_certificate_is_expired_or_for_another_host(
    leaf: str,
    error_class: str,
    tls_certificates: CertificateSet,
    probe_context: ProbeContext,
) -> None:
    """Expired and wrong-host certificates each get their own class."""
    context = tls_certificates.server_context(getattr(tls_certificates, leaf))
    async with SwitchableHttpServer(ssl_context=context) as server:
        config = http(server.url, ca_file=str(tls_certificates.ca_file))
        result = await probe_http(config, probe_context)

    assert not result.ok
    assert result.error_class == error_class


async def test_http_probe_fails_with_config_when_the_ca_file_is_missing(
    https_server: SwitchableHttpServer, probe_context: ProbeContext, tmp_path: Path
) -> None:
    """A ca_file that cannot be read is the configuration's fault, and says so."""
    config = http(https_server.url, ca_file=str(tmp_path / "missing.pem"))

    result = await probe_http(config, probe_context)

    assert result.error_class == "config"
    assert "missing.pem" in (result.error_message or "")


async def test_http_probe_is_cancelled_rather_than_reporting_a_result(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """CancelledError (daemon shutdown) propagates instead of becoming a failure."""
    await http_server.set_mode(Mode.SLOW)
    task = asyncio.create_task(probe_http(http(http_server.url), probe_context))
    await eventually(lambda: http_server.requests_served > 0, "the request at the slow server")
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task


async def error_class_is(url: str, wanted: str, context: ProbeContext) -> str | None:
    """``wanted`` if a probe of ``url`` now fails with that class, else ``None``."""
    result = await probe_http(http(url), context)
    return result.error_class if result.error_class == wanted else None


async def test_switchable_server_subprocess_follows_its_control_file(
    probe_context: ProbeContext, tmp_path: Path
) -> None:
    """The CLI server used by end-to-end tests switches mode when its control file changes."""
    control = tmp_path / "mode"
    control.write_text("up")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.servers.http",
        "--control-file",
        str(control),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 20)
        url = line.decode().removeprefix("listening on ").strip()
        seen: list[object] = [(await probe_http(http(url), probe_context)).ok]
        for word, wanted in (("down", "connection_refused"), ("error500", "status")):
            control.write_text(word)  # the server polls its control file every 0.1 s
            failing = functools.partial(error_class_is, url, wanted, probe_context)
            seen.append(await eventually(failing, f"a {wanted} failure after {word!r}"))
        assert seen == [True, "connection_refused", "status"]
    finally:
        process.terminate()
        await process.communicate()
    assert process.returncode == 0
