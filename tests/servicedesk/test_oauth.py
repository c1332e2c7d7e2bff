"""OAuth2 desk mailboxes against Debian's dovecot with an ``oauth2`` passdb.

A loopback authorization server issues tokens (client-credentials grant) and answers
dovecot's introspection, so every token the scanner sends is checked for real: a revoked or
expired one is refused by the IMAP server itself. Each test has its own token server and
dovecot, because dovecot's configuration names the token server's port.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from monitor.cli import main
from monitor.config import MailboxConfig, OAuth2Auth, ServiceDeskConfig
from monitor.servicedesk import ImapConnector, MailboxScanner, TokenRejectedError, TokenSources
from monitor.servicedesk.imap import MailboxLoginError
from monitor.store import Store
from tests.servers.dovecot import DEFAULT_ACCOUNTS, OAuth2Passdb, dovecot_problem, run_dovecot
from tests.servers.oauth import TokenServer
from tests.servicedesk.mail import DESK, Mailroom, compose

CLIENT_ID = "5f0c1e2a-sla-monitor"
CLIENT_SECRET = "Cl13nt~S3cret.Value"
USER = next(iter(DEFAULT_ACCOUNTS))

pytestmark = pytest.mark.skipif(dovecot_problem() is not None, reason=str(dovecot_problem()))


@pytest.fixture
async def token_server() -> AsyncIterator[TokenServer]:
    async with TokenServer(CLIENT_ID, CLIENT_SECRET, USER) as server:
        yield server


def oauth_room(token_server: TokenServer, *mechanisms: str) -> Iterator[Mailroom]:
    oauth2 = OAuth2Passdb(token_server.introspection_url, *([mechanisms] if mechanisms else []))
    with run_dovecot(oauth2=oauth2) as server:
        room = Mailroom(server)
        room.create()
        room.answered_question()
        yield room
        room.close()


@pytest.fixture
def room(token_server: TokenServer) -> Iterator[Mailroom]:
    """A dovecot offering OAUTHBEARER and XOAUTH2, with one question and its answer."""
    yield from oauth_room(token_server)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "client-secret"
    path.write_text(CLIENT_SECRET + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def mailbox(room: Mailroom, token_server: TokenServer, secret_file: Path) -> MailboxConfig:
    auth = OAuth2Auth(
        type="oauth2",
        token_url=token_server.token_url,
        client_id=CLIENT_ID,
        client_secret_file=secret_file,
        scope=token_server.scope,
    )
    return MailboxConfig(
        name="ekv-desk",
        url=f"imap://{room.server.host}:{room.server.port}",
        username=room.server.user,
        auth=auth,
        inbox=room.inbox,
        sent=room.sent,
        desk_addresses=(DESK,),
    )


def scanner(config: MailboxConfig, store: Store, connect: ImapConnector) -> MailboxScanner:
    return MailboxScanner(config, ServiceDeskConfig(), store, connect=connect)


def logins(room: Mailroom) -> list[str]:
    """The mechanisms of dovecot's successful logins, in order."""
    text = room.server.log_file.read_text(errors="replace")
    return [
        line.split("method=")[1].split(",")[0] for line in text.splitlines() if "Login:" in line
    ]


def leaked(server: TokenServer, *texts: str) -> list[str]:
    return [secret for secret in (CLIENT_SECRET, *server.issued) if any(secret in t for t in texts)]


async def test_a_scan_with_an_oauth2_token_reads_the_mailbox(
    room: Mailroom, token_server: TokenServer, secret_file: Path, store: Store
) -> None:
    """One token from the grant, sent with OAUTHBEARER (preferred), reads both folders."""
    config = mailbox(room, token_server, secret_file)

    with capture_logs() as logs:
        summary = await scanner(config, store, ImapConnector()).scan()

    assert (summary.new_messages, len(token_server.issued)) == (2, 1)
    assert logins(room)[-1] == "OAUTHBEARER"
    assert leaked(token_server, repr(logs)) == []


async def test_a_server_offering_only_xoauth2_is_logged_into_with_xoauth2(
    token_server: TokenServer, secret_file: Path, store: Store
) -> None:
    """Servers that predate RFC 7628 (and Microsoft's docs) use XOAUTH2."""
    for room in oauth_room(token_server, "xoauth2"):
        summary = await scanner(
            mailbox(room, token_server, secret_file), store, ImapConnector()
        ).scan()

        assert summary.new_messages == 2
        assert logins(room)[-1] == "XOAUTH2"


async def test_a_token_is_reused_until_shortly_before_it_expires_then_fetched_anew(
    room: Mailroom, token_server: TokenServer, secret_file: Path, store: Store
) -> None:
    """Two polls share a token; past expires_in minus the margin, a new one is fetched
    before the server could refuse the old one."""
    now = [1000.0]
    connect = ImapConnector(TokenSources(clock=lambda: now[0]))
    config = mailbox(room, token_server, secret_file)

    await scanner(config, store, connect).scan()
    await scanner(config, store, connect).scan()
    assert len(token_server.issued) == 1
    now[0] += token_server.expires_in - 59
    first = token_server.issued[0]
    token_server.revoke(first)  # expired, as far as the authorization server is concerned
    third = await scanner(config, store, connect).scan()

    assert third.complete
    assert len(token_server.issued) == 2
    assert token_server.introspected.count(first) == 2  # never sent after it expired


async def test_a_token_that_lives_shorter_than_the_margin_is_fetched_for_every_login(
    room: Mailroom, token_server: TokenServer, secret_file: Path, store: Store
) -> None:
    """A server issuing 30-second tokens: none is kept, so none is sent expired."""
    token_server.expires_in = 30
    connect = ImapConnector()
    config = mailbox(room, token_server, secret_file)

    await scanner(config, store, connect).scan()
    token_server.revoke(token_server.issued[0])
    await scanner(config, store, connect).scan()

    assert len(token_server.issued) == 2
    assert token_server.introspected == token_server.issued


async def test_a_revoked_token_is_replaced_once_and_the_scan_goes_on(
    room: Mailroom, token_server: TokenServer, secret_file: Path, store: Store
) -> None:
    """The server refuses a cached token before its expiry: one new token, one new login."""
    connect = ImapConnector()
    config = mailbox(room, token_server, secret_file)
    await scanner(config, store, connect).scan()
    token_server.revoke(token_server.issued[0])
    room.receive(
        compose(sender="klant@example.nl", subject="Nog een vraag", message_id="<q2@klant.nl>"),
        datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
    )

    with capture_logs() as logs:
        summary = await scanner(config, store, connect).scan()

    assert (summary.new_messages, len(token_server.issued)) == (1, 2)
    assert leaked(token_server, repr(logs)) == []


async def test_when_a_fresh_token_is_rejected_too_the_scan_fails_saying_token_rejected(
    room: Mailroom, token_server: TokenServer, secret_file: Path, store: Store
) -> None:
    """One retry, then one error naming the mailbox and the reason, with no token in it."""
    token_server.refuse_every_token = True

    with pytest.raises(TokenRejectedError) as caught:
        await scanner(mailbox(room, token_server, secret_file), store, ImapConnector()).scan()

    message = str(caught.value)
    assert message.startswith(
        f"mailbox ekv-desk: login as {USER} at {room.server.host}:{room.server.port} failed: "
        "token rejected"
    )
    assert message.endswith(", a freshly fetched one too")
    assert len(token_server.issued) == 2
    assert leaked(token_server, message) == []


async def test_a_wrong_client_secret_fails_with_the_token_endpoint_answer_not_the_secret(
    room: Mailroom, token_server: TokenServer, tmp_path: Path, store: Store
) -> None:
    """The grant's 401 invalid_client is the error; the IMAP server is never asked."""
    wrong = tmp_path / "wrong-secret"
    wrong.write_text("Not-The-Secret-42\n", encoding="utf-8")
    config = mailbox(room, token_server, wrong)

    with pytest.raises(MailboxLoginError) as caught:
        await scanner(config, store, ImapConnector()).scan()

    assert str(caught.value) == (
        f"mailbox ekv-desk: token request to {token_server.token_url} refused: "
        "HTTP 401 invalid_client (AADSTS7000215: Invalid client secret provided.)"
    )
    assert "Not-The-Secret-42" not in str(caught.value)
    assert token_server.introspected == []


async def test_mailbox_scan_with_a_wrong_client_secret_exits_1_naming_the_mailbox(
    room: Mailroom,
    token_server: TokenServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The operator's command: exit 1, one line on stderr, neither secret nor token."""
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db'}")
    wrong = tmp_path / "wrong-secret"
    wrong.write_text("Not-The-Secret-42\n", encoding="utf-8")
    config = tmp_path / "sla-monitor.yaml"
    config.write_text(
        f"""\
servicedesk:
  mailboxes:
    - name: ekv-desk
      url: "imap://{room.server.host}:{room.server.port}"
      username: {room.server.user}
      auth:
        type: oauth2
        token_url: "{token_server.token_url}"
        client_id: {CLIENT_ID}
        client_secret_file: {wrong}
        scope: "{token_server.scope}"
      inbox: {room.inbox}
      sent: {room.sent}
      desk_addresses: [{DESK}]
""",
        encoding="utf-8",
    )

    # The command runs its own event loop; the token server answers from this one.
    code = await asyncio.wait_for(
        asyncio.to_thread(main, ["mailbox", "scan", "--config", str(config)]), timeout=60
    )
    out, err = capsys.readouterr()

    assert (code, out) == (1, "")
    assert err == (
        f"mailbox ekv-desk: token request to {token_server.token_url} refused: "
        "HTTP 401 invalid_client (AADSTS7000215: Invalid client secret provided.)\n"
    )
    assert "Not-The-Secret-42" not in err
