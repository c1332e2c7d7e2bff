"""Process settings from the environment (docs/interfaces.md): where the config file is, where the
data goes and where the HTTP server listens.

These are deployment facts (systemd unit, container), not agreements with the client, so they
live in ``SLA_MONITOR_*`` variables rather than in the YAML file that is reviewed with the
contract. The database URL may carry a password; it prints masked everywhere.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, PlainSerializer, PlainValidator, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from monitor.config import MAX_WORKERS, Slug
from probes.config import Duration

__all__ = ["DatabaseUrl", "ListenAddress", "Settings", "build_ssl_context"]

_ASYNC_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")

T = TypeVar("T")


@dataclass(frozen=True, slots=True, repr=False)
class DatabaseUrl:
    """A SQLAlchemy URL whose ``str`` and ``repr`` hide the password.

    Logs, error messages and ``Settings`` reprs show ``postgresql+asyncpg://sla:***@db/sla``;
    only :meth:`get_secret_value` returns the real URL, for the engine.
    """

    _url: str

    def __post_init__(self) -> None:
        # Never quote the URL in a message: it may hold the password.
        scheme, separator, _ = self._url.partition("://")
        if not separator or not scheme:
            raise ValueError(
                "not a database URL; use sqlite+aiosqlite:///PATH or "
                "postgresql+asyncpg://USER@HOST/DB"
            )
        if scheme not in _ASYNC_DRIVERS:
            raise ValueError(
                f"unsupported database driver {scheme!r}; use {' or '.join(_ASYNC_DRIVERS)}"
            )

    def get_secret_value(self) -> str:
        return self._url

    @property
    def is_sqlite(self) -> bool:
        return self._url.startswith("sqlite")

    def __str__(self) -> str:
        return _mask_password(self._url)

    def __repr__(self) -> str:
        return f"DatabaseUrl({str(self)!r})"


def _mask_password(url: str) -> str:
    """``postgresql+asyncpg://sla:***@db/sla``: the same masking SQLAlchemy applies, without
    importing SQLAlchemy into every command that only needs the settings."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostinfo}"))


@dataclass(frozen=True, slots=True)
class ListenAddress:
    """``host:port`` for the HTTP server; IPv6 hosts in brackets (``[::1]:9630``)."""

    host: str
    port: int

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("the listen address needs a host, e.g. 127.0.0.1:9630")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port {self.port} is outside 0..65535")

    @classmethod
    def parse(cls, text: str) -> ListenAddress:
        host, colon, port_text = text.strip().rpartition(":")
        if not colon or not port_text.isdigit():
            raise ValueError(f"{text!r} is not HOST:PORT, e.g. 127.0.0.1:9630 or [::1]:9630")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
            try:
                ipaddress.IPv6Address(host)
            except ValueError:
                raise ValueError(f"{host!r} in brackets is not an IPv6 address") from None
        elif ":" in host:
            raise ValueError(f"write the IPv6 address in {text!r} in brackets: [::1]:9630")
        return cls(host, int(port_text))

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _from_text(kind: type[T], parse: Callable[[str], T], name: str) -> Callable[[object], T]:
    """A plain validator: an instance passes, text is parsed, anything else is refused."""

    def validate(value: object) -> T:
        if isinstance(value, kind):
            return value
        if isinstance(value, str):
            return parse(value)
        raise ValueError(f"{name} is a string")

    return validate


_DatabaseUrlSetting = Annotated[
    DatabaseUrl,
    NoDecode,
    PlainValidator(_from_text(DatabaseUrl, DatabaseUrl, "a database URL")),
    PlainSerializer(str),
]
_ListenSetting = Annotated[
    ListenAddress,
    NoDecode,
    PlainValidator(
        _from_text(ListenAddress, ListenAddress.parse, "a listen address like 127.0.0.1:9630")
    ),
    PlainSerializer(str),
]


class Settings(BaseSettings):
    """``SLA_MONITOR_CONFIG``, ``SLA_MONITOR_DATABASE_URL``, ``SLA_MONITOR_LISTEN``, and the
    HTTP server's tokens and TLS files.

    Loopback by default: the daemon serves metrics and a write API, and exposing them is a
    decision for whoever deploys it, not a default. Empty variables count as unset, so
    ``SLA_MONITOR_CONFIG=`` in a unit file does not mean "the current directory".

    API tokens (see :mod:`monitor.server.api.auth`): ``SLA_MONITOR_WRITE_TOKENS_FILE`` and
    ``SLA_MONITOR_READ_TOKENS_FILE`` name files with one token per line (systemd's
    ``LoadCredential=`` fits), ``SLA_MONITOR_WRITE_TOKEN`` and ``SLA_MONITOR_READ_TOKEN`` hold
    one token each; both sources may be used together. Without a write token the API refuses
    writes; with a read token, reads need a token too. ``SLA_MONITOR_TLS_CERT_FILE`` and
    ``SLA_MONITOR_TLS_KEY_FILE`` switch the server to HTTPS; they come as a pair.
    """

    model_config = SettingsConfigDict(
        env_prefix="SLA_MONITOR_",
        env_ignore_empty=True,
        frozen=True,
        hide_input_in_errors=True,  # the database URL may hold a password
    )

    config: Path | None = None
    database_url: _DatabaseUrlSetting = DatabaseUrl("sqlite+aiosqlite:///./sla-monitor.db")
    listen: _ListenSetting = ListenAddress("127.0.0.1", 9630)
    write_tokens_file: Path | None = None
    read_tokens_file: Path | None = None
    write_token: SecretStr | None = None
    read_token: SecretStr | None = None
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    location: Slug = "local"
    """``SLA_MONITOR_LOCATION``: the probe location this process is (docs/rules.md#quorum)."""
    leader_failover: Duration = timedelta(seconds=15)
    """``SLA_MONITOR_LEADER_FAILOVER``: within how long another process leads when the
    leader dies or loses the database (PostgreSQL; ``15s``)."""
    export_dir: Path | None = None
    """Where the daemon writes ``sla-report-YYYY-MM.{json,csv,html}`` and the month's manifest
    (3.2.5; the formats of ``report.export_formats``); unset: no export."""
    workers: int | None = Field(default=None, ge=0, le=MAX_WORKERS)
    """``SLA_MONITOR_WORKERS``: probe worker processes; overrides ``probing.workers`` of the
    configuration file (unset: the file decides; 0: the daemon's own process probes)."""
    ready_store_failure_grace: Duration = timedelta(seconds=30)
    """``/-/ready`` fails once the store has refused every write for this long (``30s``,
    ``2m``): results are then only buffered in memory, not kept."""

    @model_validator(mode="after")
    def _tls_pair(self) -> Settings:
        """A certificate without its key (or the reverse) is a half-done deployment; serving
        plain HTTP instead would send tokens in clear text."""
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError(
                "SLA_MONITOR_TLS_CERT_FILE and SLA_MONITOR_TLS_KEY_FILE go together: "
                "set both for HTTPS, or neither for plain HTTP"
            )
        return self


def build_ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The server's TLS context from the configured files; ``None`` for plain HTTP.

    TLS 1.2 at least: the clients are Prometheus, curl and scripts, all of which speak it.
    A missing or mismatched file fails here, at start-up, naming the file but not its
    contents (the key file is a secret).
    """
    if settings.tls_cert_file is None or settings.tls_key_file is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    for path in (settings.tls_cert_file, settings.tls_key_file):
        if not path.is_file():
            raise ValueError(f"TLS file {path} does not exist or is not a file")
    try:
        context.load_cert_chain(settings.tls_cert_file, settings.tls_key_file)
    except (ssl.SSLError, OSError) as error:
        reason = getattr(error, "reason", None) or getattr(error, "strerror", None)
        raise ValueError(
            f"cannot use TLS certificate {settings.tls_cert_file} with key "
            f"{settings.tls_key_file}: {reason or type(error).__name__}"
        ) from None
    return context
