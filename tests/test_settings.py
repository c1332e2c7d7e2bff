"""Process settings from SLA_MONITOR_* variables: defaults, parsing and secret hiding."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from monitor.server.api import TokenError, tokens_from_settings
from monitor.settings import DatabaseUrl, ListenAddress, Settings, build_ssl_context

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


# -- API tokens and TLS ---------------------------------------------------------

WRITE_TOKEN = "write-token-from-the-environment"
API_VARIABLES = (
    "SLA_MONITOR_WRITE_TOKENS_FILE",
    "SLA_MONITOR_READ_TOKENS_FILE",
    "SLA_MONITOR_WRITE_TOKEN",
    "SLA_MONITOR_READ_TOKEN",
    "SLA_MONITOR_TLS_CERT_FILE",
    "SLA_MONITOR_TLS_KEY_FILE",
)


@pytest.fixture
def api_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The developer's own token and TLS variables must not leak into these tests."""
    for name in API_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_by_default_there_are_no_tokens_and_no_tls(api_environment: pytest.MonkeyPatch) -> None:
    """A fresh install serves plain HTTP and refuses writes until a token is configured."""
    settings = Settings()
    assert (settings.write_tokens_file, settings.read_tokens_file) == (None, None)
    assert (settings.write_token, settings.read_token) == (None, None)
    assert build_ssl_context(settings) is None
    tokens = tokens_from_settings(settings)
    assert (tokens.writes_enabled, tokens.reads_protected) == (False, False)


def test_tokens_come_from_files_and_variables_together(
    api_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """SLA_MONITOR_{WRITE,READ}_TOKENS_FILE and SLA_MONITOR_{WRITE,READ}_TOKEN all count."""
    write_file = tmp_path / "write"
    write_file.write_text("# ops\nwrite-token-from-a-file-0001\n", "utf-8")
    read_file = tmp_path / "read"
    read_file.write_text("read-token-from-a-file-00001\n", "utf-8")
    api_environment.setenv("SLA_MONITOR_WRITE_TOKENS_FILE", str(write_file))
    api_environment.setenv("SLA_MONITOR_READ_TOKENS_FILE", str(read_file))
    api_environment.setenv("SLA_MONITOR_WRITE_TOKEN", WRITE_TOKEN)
    api_environment.setenv("SLA_MONITOR_READ_TOKEN", "read-token-from-the-environment")
    tokens = tokens_from_settings(Settings())
    assert tokens.grant("write-token-from-a-file-0001") == "write"
    assert tokens.grant(WRITE_TOKEN) == "write"
    assert tokens.grant("read-token-from-a-file-00001") == "read"
    assert tokens.grant("read-token-from-the-environment") == "read"
    assert tokens.reads_protected


def test_tokens_are_hidden_in_repr_and_dumps(api_environment: pytest.MonkeyPatch) -> None:
    """Logging the settings shows that a token is set, never the token."""
    api_environment.setenv("SLA_MONITOR_WRITE_TOKEN", WRITE_TOKEN)
    settings = Settings()
    for text in (repr(settings), str(settings.model_dump()), settings.model_dump_json()):
        assert WRITE_TOKEN not in text
    assert repr(tokens_from_settings(settings)) == "ApiTokens(write=1, read=0)"


def test_a_weak_token_in_the_environment_stops_start_up_without_echoing_it(
    api_environment: pytest.MonkeyPatch,
) -> None:
    """Short tokens are refused by name of the variable, not by value."""
    api_environment.setenv("SLA_MONITOR_WRITE_TOKEN", "hunter2")
    with pytest.raises(TokenError, match="SLA_MONITOR_WRITE_TOKEN") as caught:
        tokens_from_settings(Settings())
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("given", ["SLA_MONITOR_TLS_CERT_FILE", "SLA_MONITOR_TLS_KEY_FILE"])
def test_tls_files_come_as_a_pair(api_environment: pytest.MonkeyPatch, given: str) -> None:
    """Half a TLS configuration is an error, not a silent fall-back to plain HTTP."""
    api_environment.setenv(given, "/etc/sla-monitor/tls.pem")
    with pytest.raises(ValidationError, match="go together"):
        Settings()


def test_unusable_tls_files_are_named_in_the_error(
    api_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A missing file or one that is not a certificate fails start-up, naming the file."""
    missing = Settings(tls_cert_file=tmp_path / "absent.crt", tls_key_file=tmp_path / "a.key")
    with pytest.raises(ValueError, match=r"absent\.crt does not exist"):
        build_ssl_context(missing)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n", "utf-8")
    with pytest.raises(ValueError, match=r"cannot use TLS certificate .*garbage\.pem"):
        build_ssl_context(Settings(tls_cert_file=garbage, tls_key_file=garbage))


def test_the_worker_count_is_unset_unless_the_environment_gives_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unset, the configuration file decides; ``0`` is a decision too and overrides it."""
    monkeypatch.delenv("SLA_MONITOR_WORKERS", raising=False)
    assert Settings().workers is None
    monkeypatch.setenv("SLA_MONITOR_WORKERS", "0")
    assert Settings().workers == 0
    monkeypatch.setenv("SLA_MONITOR_WORKERS", "-2")
    with pytest.raises(ValidationError, match="workers"):
        Settings()
