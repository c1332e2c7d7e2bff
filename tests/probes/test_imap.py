"""The IMAP probe against Debian's dovecot on loopback, and against broken peers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from probes.base import ProbeContext
from probes.config import ImapProbeConfig
from probes.imap import probe_imap
from tests.servers.dovecot import DovecotServer
from tests.servers.raw import scripted_server, unused_port


def imap(port: int, **settings: object) -> ImapProbeConfig:
    return ImapProbeConfig.model_validate(
        {"host": "127.0.0.1", "port": port, "timeout": "5s", **settings}
    )


def write_secret(directory: Path, secret: str) -> Path:
    path = directory / "imap-password"
    path.write_text(secret + "\n", encoding="utf-8")
    return path


async def test_imap_probe_succeeds_on_the_greeting_alone(
    dovecot: DovecotServer, probe_context: ProbeContext
) -> None:
    """Without credentials an ``* OK`` greeting is the whole check."""
    result = await probe_imap(imap(dovecot.port), probe_context)

    assert result.ok, result.cause
    assert str(result.details["greeting"]).startswith("* OK")
    assert result.details["login"] is False


async def test_imap_probe_logs_in_with_a_password_from_a_file(
    dovecot: DovecotServer, probe_context: ProbeContext
) -> None:
    """A password with a quote and a backslash survives IMAP quoting and is accepted."""
    config = imap(dovecot.port, username=dovecot.user, password_file=str(dovecot.password_file))

    result = await probe_imap(config, probe_context)

    assert result.ok, result.cause
    assert result.details["login"] is True
    assert result.details["logout"] == "OK"


async def test_imap_probe_logs_in_with_a_non_ascii_password_from_the_environment(
    dovecot: DovecotServer, probe_context: ProbeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A password a quoted string cannot carry is sent as a literal."""
    user, password = next((u, p) for u, p in dovecot.accounts.items() if not p.isascii())
    monkeypatch.setenv("SLA_TEST_IMAP_PASSWORD", password)
    config = imap(dovecot.port, username=user, password_env="SLA_TEST_IMAP_PASSWORD")

    result = await probe_imap(config, probe_context)

    assert result.ok, result.cause
    assert result.details["login"] is True


async def test_imap_probe_fails_with_auth_when_the_password_is_wrong_and_never_shows_it(
    dovecot: DovecotServer, probe_context: ProbeContext, tmp_path: Path
) -> None:
    """A rejected LOGIN is ``auth``, and neither message nor details contain the password."""
    wrong = "not-the-password-4711"
    config = imap(
        dovecot.port, username=dovecot.user, password_file=str(write_secret(tmp_path, wrong))
    )

    result = await probe_imap(config, probe_context)

    assert not result.ok
    assert result.error_class == "auth"
    assert wrong not in (result.cause or "")
    assert all(wrong not in str(value) for value in result.details.values())


async def test_imap_probe_logs_in_after_starttls_and_records_the_certificate(
    dovecot: DovecotServer, probe_context: ProbeContext
) -> None:
    """STARTTLS, then LOGIN inside TLS; the server certificate's expiry is kept."""
    config = imap(
        dovecot.port,
        starttls=True,
        ca_file=str(dovecot.ca_file),
        username=dovecot.user,
        password_file=str(dovecot.password_file),
    )

    result = await probe_imap(config, probe_context)

    assert result.ok, result.cause
    assert result.details["starttls"] is True
    assert result.details["login"] is True
    assert result.cert_expiry is not None


async def test_imap_probe_speaks_implicit_tls(
    dovecot: DovecotServer, probe_context: ProbeContext
) -> None:
    """tls: true (port 993 style) wraps the connection before the greeting."""
    assert dovecot.imaps_port is not None
    config = imap(
        dovecot.imaps_port,
        tls=True,
        ca_file=str(dovecot.ca_file),
        username=dovecot.user,
        password_file=str(dovecot.password_file),
    )

    result = await probe_imap(config, probe_context)

    assert result.ok, result.cause
    assert str(result.details["tls_version"]).startswith("TLSv1.")


async def test_imap_probe_fails_with_secret_when_the_password_file_is_missing(
    dovecot: DovecotServer, probe_context: ProbeContext, tmp_path: Path
) -> None:
    """An unreadable credential is reported as such, before anything is sent."""
    config = imap(dovecot.port, username=dovecot.user, password_file=str(tmp_path / "no-such-file"))

    result = await probe_imap(config, probe_context)

    assert result.error_class == "secret"


async def test_imap_probe_scrubs_the_password_when_a_server_echoes_it(
    probe_context: ProbeContext, tmp_path: Path
) -> None:
    """Some servers quote the failed command; the password is removed from the message."""
    password = "hunter2-echoed"
    script = b"* OK ready\r\na2 NO LOGIN desk " + password.encode() + b" rejected\r\n"
    async with scripted_server(script, hold=True) as server:
        config = imap(
            server.port,
            username="desk",
            password_file=str(write_secret(tmp_path, password)),
        )
        result = await probe_imap(config, probe_context)

    assert result.error_class == "auth"
    assert password not in (result.cause or "")
    assert "***" in (result.error_message or "")


@pytest.mark.parametrize(
    ("script", "error_class"),
    [
        (b"220 smtp.test ESMTP\r\n", "protocol"),
        (b"* BYE too many connections\r\n", "status"),
        (b"", "connection_error"),
        (b"* OK " + b"x" * 100_000, "protocol"),
    ],
    ids=["not-imap", "bye", "hang-up", "endless-line"],
)
async def test_imap_probe_classifies_broken_greetings(
    script: bytes, error_class: str, probe_context: ProbeContext
) -> None:
    """Another protocol, a refusal, a hang-up and a line without end."""
    async with scripted_server(script) as server:
        result = await probe_imap(imap(server.port), probe_context)

    assert result.error_class == error_class, result.cause


async def test_imap_probe_fails_with_connection_refused_when_nothing_listens(
    probe_context: ProbeContext,
) -> None:
    """A closed port is refused."""
    result = await probe_imap(imap(unused_port()), probe_context)

    assert result.error_class == "connection_refused"


async def test_imap_probe_is_cut_off_by_the_runner_timeout_when_login_is_never_answered(
    probe_context: ProbeContext, tmp_path: Path
) -> None:
    """A server that greets and then goes quiet is ended by the runner's timeout."""
    async with scripted_server(b"* OK ready\r\n", hold=True) as server:
        config = imap(server.port, username="desk", password_file=str(write_secret(tmp_path, "pw")))
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await probe_imap(config, probe_context)
