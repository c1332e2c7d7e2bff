"""Typed configuration of every probe kind, one section per protocol.

Like blackbox_exporter's modules, each kind has its own section with defaults applied at parse
time and unknown fields rejected, so a misspelt ``expect_staus`` fails ``check-config`` instead
of silently probing with the default. The ``type`` field selects the section (a discriminated
union), which gives error messages that name the right fields.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SecretStr,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from probes._json import JsonPath, JsonScalar, json_equal, json_number, json_scalar, render

__all__ = [
    "DnsProbeConfig",
    "Duration",
    "HttpProbeConfig",
    "IcmpProbeConfig",
    "ImapProbeConfig",
    "JsonCondition",
    "ProbeConfig",
    "SecretRef",
    "SipProbeConfig",
    "SmtpProbeConfig",
    "TcpProbeConfig",
    "TlsProbeConfig",
    "parse_duration",
]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: object) -> timedelta:
    """``"30s"``, ``"1m30s"``, ``"500ms"``, ``"2h"``, a number of seconds, or a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("a duration must be like 30s, 5m, 500ms or 1h")
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    if not isinstance(value, str):
        raise ValueError("a duration must be like 30s, 5m, 500ms or 1h")
    text = value.strip().lower()
    position, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if not text or position != len(text):
        raise ValueError(f"{value!r} is not a duration like 30s, 5m, 500ms or 1h")
    return timedelta(seconds=total)


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("a duration must be greater than zero")
    return value


def _format_duration(value: timedelta) -> str:
    return f"{value.total_seconds():g}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    AfterValidator(_positive),
    PlainSerializer(_format_duration, return_type=str),
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(_Section):
    """Where a secret lives: a file (systemd ``LoadCredential``) or an environment variable.

    The secret itself is never part of the configuration, so a config file can be shown,
    logged and committed without leaking it.
    """

    password_file: Path | None = None
    password_env: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SecretRef:
        if self.password_file is not None and self.password_env is not None:
            raise ValueError("give password_file or password_env, not both")
        return self

    @property
    def configured(self) -> bool:
        return self.password_file is not None or self.password_env is not None

    def read(self) -> SecretStr | None:
        """Read the secret now (files can be rotated); ``None`` when none is configured."""
        if self.password_file is not None:
            return SecretStr(self.password_file.read_text(encoding="utf-8").rstrip("\r\n"))
        if self.password_env is not None:
            value = os.environ.get(self.password_env)
            if value is None:
                raise LookupError(f"environment variable {self.password_env} is not set")
            return SecretStr(value)
        return None


class _Probe(_Section):
    timeout: Duration = timedelta(seconds=10)


class JsonCondition(_Section):
    """One condition on a JSON response body: every value ``path`` matches must hold.

    ``expect`` compares with JSON equality (``true`` is not ``1``); ``at_least``/``at_most``
    bound a number, e.g. ``agents_available`` at least 1 for a staffed phone queue
    (requirements 3.2.7, 3.2.8). A condition is one kind or the other, never both.
    """

    path: JsonPath
    expect: Annotated[JsonScalar, PlainValidator(json_scalar)] = None
    at_least: Annotated[float, Field(strict=True, allow_inf_nan=False)] | None = None
    at_most: Annotated[float, Field(strict=True, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> JsonCondition:
        if ("expect" in self.model_fields_set) == self.bounded:
            raise ValueError("give expect, or at_least and/or at_most")
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError("at_least is greater than at_most")
        return self

    @model_serializer(mode="wrap")
    def _as_written(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        """Only the fields of the condition's kind, so a dump validates again unchanged."""
        data: dict[str, object] = handler(self)
        if self.bounded:
            data.pop("expect", None)
        return {k: v for k, v in data.items() if v is not None or k not in ("at_least", "at_most")}

    @property
    def bounded(self) -> bool:
        return self.at_least is not None or self.at_most is not None

    def holds(self, value: object) -> bool:
        if not self.bounded:
            return json_equal(value, self.expect)
        number = json_number(value)
        return (
            number is not None
            and (self.at_least is None or number >= self.at_least)
            and (self.at_most is None or number <= self.at_most)
        )

    def wanted(self) -> str:
        """What the condition asks for, in the words of a failure message."""
        if self.at_least is not None and self.at_most is not None:
            return f"a number from {self.at_least:g} to {self.at_most:g}"
        if self.at_least is not None:
            return f"a number of at least {self.at_least:g}"
        if self.at_most is not None:
            return f"a number of at most {self.at_most:g}"
        return render(self.expect)


def _one_or_more(value: object) -> object:
    """``body_json`` may be one condition (a mapping) or a list of them."""
    return [value] if isinstance(value, dict) else value


class HttpProbeConfig(_Probe):
    """HTTP(S) GET/HEAD with status, body, JSON and response-time checks."""

    type: Literal["http"] = "http"
    url: Annotated[str, Field(pattern=r"^https?://")]
    method: Literal["GET", "HEAD"] = "GET"
    expect_status: list[Annotated[int, Field(ge=100, le=599)]] | None = None
    body_contains: str | None = None
    body_regex: str | None = None
    body_json: Annotated[list[JsonCondition], BeforeValidator(_one_or_more)] = Field(
        default_factory=list
    )
    max_response_time: Duration | None = None
    follow_redirects: bool = True
    verify_tls: bool = True
    ca_file: Path | None = None
    max_body_bytes: Annotated[int, Field(gt=0)] = 1024 * 1024
    headers: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _body_checks_usable(self) -> HttpProbeConfig:
        if self.body_regex is not None:
            try:
                re.compile(self.body_regex)
            except re.error as error:
                raise ValueError(f"body_regex does not compile: {error}") from error
        if self.body_json and self.method == "HEAD":
            raise ValueError("body_json needs method GET: the answer to HEAD has no body")
        return self


class TcpProbeConfig(_Probe):
    """A TCP connect: the port accepts connections."""

    type: Literal["tcp"] = "tcp"
    host: str
    port: Annotated[int, Field(gt=0, lt=65536)]


class DnsProbeConfig(_Probe):
    """Resolve a name, optionally through a given server and expecting given addresses."""

    type: Literal["dns"] = "dns"
    name: str
    record_type: Literal["A", "AAAA"] = "A"
    server: str | None = None
    port: Annotated[int, Field(gt=0, lt=65536)] = 53
    expect_addresses: list[str] = Field(default_factory=list)


class TlsProbeConfig(_Probe):
    """A TLS handshake: certificate valid, hostname matching, enough days left."""

    type: Literal["tls"] = "tls"
    host: str
    port: Annotated[int, Field(gt=0, lt=65536)] = 443
    server_name: str | None = None
    verify: bool = True
    min_days_left: Annotated[int, Field(ge=0)] = 0
    ca_file: Path | None = None


class IcmpProbeConfig(_Probe):
    """ICMP echo; needs root or an unprivileged ping group (net.ipv4.ping_group_range)."""

    type: Literal["icmp"] = "icmp"
    host: str
    count: Annotated[int, Field(ge=1, le=10)] = 1
    privileged: bool | None = None


class _LineServerProbe(_Probe):
    """A line-protocol server (SMTP, IMAP): implicit TLS, or STARTTLS on the plain port."""

    host: str
    port: Annotated[int, Field(gt=0, lt=65536)]
    tls: bool = False
    starttls: bool = False
    verify_tls: bool = True
    ca_file: Path | None = None


class SmtpProbeConfig(_LineServerProbe):
    """The mail channel: a 220 banner, EHLO, optionally STARTTLS (requirements 3.2.7/3.2.8)."""

    type: Literal["smtp"] = "smtp"
    port: Annotated[int, Field(gt=0, lt=65536)] = 25
    helo_name: str = "sla-monitor.invalid"


class ImapProbeConfig(_LineServerProbe):
    """The desk mailbox: greeting, optionally STARTTLS and LOGIN with a secret."""

    type: Literal["imap"] = "imap"
    port: Annotated[int, Field(gt=0, lt=65536)] = 143
    username: str | None = None
    password_file: Path | None = None
    password_env: str | None = None

    @model_validator(mode="after")
    def _login_complete(self) -> ImapProbeConfig:
        if self.password_file is not None and self.password_env is not None:
            raise ValueError("give password_file or password_env, not both")
        has_secret = self.password_file is not None or self.password_env is not None
        if has_secret and self.username is None:
            raise ValueError("a password needs a username")
        return self

    @property
    def secret(self) -> SecretRef:
        return SecretRef(password_file=self.password_file, password_env=self.password_env)


class SipProbeConfig(_Probe):
    """The phone channel: SIP OPTIONS; any final response (>= 200) means reachable."""

    type: Literal["sip"] = "sip"
    host: str
    port: Annotated[int, Field(gt=0, lt=65536)] = 5060
    transport: Literal["udp", "tcp"] = "udp"
    uri: str | None = None


ProbeConfig = Annotated[
    HttpProbeConfig
    | TcpProbeConfig
    | DnsProbeConfig
    | TlsProbeConfig
    | IcmpProbeConfig
    | SmtpProbeConfig
    | ImapProbeConfig
    | SipProbeConfig,
    Field(discriminator="type"),
]
