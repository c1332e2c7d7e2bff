"""Process settings from SLA_MONITOR_* variables: defaults, parsing and secret hiding."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from monitor.settings import DatabaseUrl, ListenAddress, Settings

PASSWORD = "s3cret-pw"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own SLA_MONITOR_* variables must not leak into these tests."""
    for name in ("SLA_MONITOR_CONFIG", "SLA_MONITOR_DATABASE_URL", "SLA_MONITOR_LISTEN"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_a_local_sqlite_file_and_loopback() -> None:
    """A fresh install stores next to itself and exposes nothing beyond the host."""
    settings = Settings()
    assert settings.config is None
    assert settings.database_url.get_secret_value() == "sqlite+aiosqlite:///./sla-monitor.db"
    assert settings.database_url.is_sqlite
    assert (settings.listen.host, settings.listen.port) == ("127.0.0.1", 9630)


def test_variables_with_the_prefix_configure_every_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """SLA_MONITOR_CONFIG, _DATABASE_URL and _LISTEN are read from the environment."""
    monkeypatch.setenv("SLA_MONITOR_CONFIG", "/etc/sla-monitor/sla-monitor.yaml")
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", "postgresql+asyncpg://sla@db/sla")
    monkeypatch.setenv("SLA_MONITOR_LISTEN", "0.0.0.0:9100")
    settings = Settings()
    assert settings.config == Path("/etc/sla-monitor/sla-monitor.yaml")
    assert not settings.database_url.is_sqlite
    assert settings.listen == ListenAddress("0.0.0.0", 9100)


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """``SLA_MONITOR_CONFIG=`` in a unit file must not mean the current directory."""
    monkeypatch.setenv("SLA_MONITOR_CONFIG", "")
    assert Settings().config is None


def test_unrelated_variables_with_the_prefix_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings added by later versions or other tools do not break this one."""
    monkeypatch.setenv("SLA_MONITOR_IMAP_PASSWORD", PASSWORD)
    assert Settings().listen.port == 9630


def test_the_database_password_is_masked_in_str_repr_and_dumps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Logging the settings shows which database, never its password."""
    url = f"postgresql+asyncpg://sla:{PASSWORD}@db.example.nl:5432/sla"
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", url)
    settings = Settings()
    assert str(settings.database_url) == "postgresql+asyncpg://sla:***@db.example.nl:5432/sla"
    for text in (repr(settings), str(settings.model_dump()), settings.model_dump_json()):
        assert PASSWORD not in text
    assert settings.database_url.get_secret_value() == url


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (f"postgresql://sla:{PASSWORD}@db/sla", "unsupported database driver 'postgresql'"),
        (f"mysql+aiomysql://sla:{PASSWORD}@db/sla", "unsupported database driver"),
        (f"sla:{PASSWORD}@db", "not a database URL"),
    ],
)
def test_unusable_database_urls_are_refused_without_echoing_them(
    monkeypatch: pytest.MonkeyPatch, url: str, problem: str
) -> None:
    """The store needs an async driver; the error says so and keeps the password out."""
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", url)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert problem in str(caught.value)
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "host", "port", "rendered"),
    [
        ("127.0.0.1:9630", "127.0.0.1", 9630, "127.0.0.1:9630"),
        ("localhost:0", "localhost", 0, "localhost:0"),
        ("[::1]:9630", "::1", 9630, "[::1]:9630"),
        (" 0.0.0.0:80 ", "0.0.0.0", 80, "0.0.0.0:80"),
    ],
)
def test_listen_addresses_are_host_and_port(text: str, host: str, port: int, rendered: str) -> None:
    """IPv4, names and bracketed IPv6 parse, and print back in the same form."""
    address = ListenAddress.parse(text)
    assert (address.host, address.port, str(address)) == (host, port, rendered)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("9630", "is not HOST:PORT"),
        (":9630", "needs a host"),
        ("::1:9630", "in brackets"),
        ("[nonsense]:9630", "IPv6"),
        ("127.0.0.1:70000", "outside 0..65535"),
        ("127.0.0.1:http", "is not HOST:PORT"),
    ],
)
def test_malformed_listen_addresses_are_refused(text: str, problem: str) -> None:
    """A listen address that cannot be bound fails at start-up with the reason."""
    with pytest.raises(ValueError, match=problem):
        ListenAddress.parse(text)


def test_database_urls_compare_by_value_and_hash_alike() -> None:
    """Settings are values: two loads of the same environment are equal."""
    first = DatabaseUrl("sqlite+aiosqlite:///./a.db")
    assert first == DatabaseUrl("sqlite+aiosqlite:///./a.db")
    assert hash(first) == hash(DatabaseUrl("sqlite+aiosqlite:///./a.db"))
    assert first != DatabaseUrl("sqlite+aiosqlite:///./b.db")
