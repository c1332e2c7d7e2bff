"""Writing realistic desk mail into the loopback dovecot: folders per test, fixed dates."""

from __future__ import annotations

import imaplib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from monitor.config import MailboxConfig
from tests.servers.dovecot import DovecotServer

DESK = "desk@example.test"


def compose(
    *,
    sender: str,
    to: str = DESK,
    subject: str = "Vraag",
    message_id: str | None,
    date: datetime | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    extra: tuple[str, ...] = (),
    body: str = "Beste servicedesk,\r\n\r\nMijn klantnummer is 4711-0815.\r\n",
) -> bytes:
    """An RFC 5322 message written line by line, so tests can write broken headers too."""
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}"]
    if message_id is not None:
        lines.append(f"Message-ID: {message_id}")
    if date is not None:
        lines.append(f"Date: {date.strftime('%a, %d %b %Y %H:%M:%S %z')}")
    if in_reply_to is not None:
        lines.append(f"In-Reply-To: {in_reply_to}")
    if references is not None:
        lines.append(f"References: {references}")
    lines.extend(extra)
    if not any(line.lower().startswith("content-type:") for line in extra):
        lines.extend(["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"])
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")


@dataclass
class Mailroom:
    """A desk mailbox of this test's own: an inbox and a sent folder in the shared dovecot."""

    server: DovecotServer
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    _writer: imaplib.IMAP4 | None = field(default=None, repr=False)

    @property
    def inbox(self) -> str:
        return f"In-{self.tag}"

    @property
    def sent(self) -> str:
        return f"Out-{self.tag}"

    def _login(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4(self.server.host, self.server.port, timeout=10)
        connection.login(self.server.user, self.server.password)
        return connection

    def create(self) -> None:
        connection = self._login()
        try:
            for folder in (self.inbox, self.sent):
                status, data = connection.create(folder)
                assert status == "OK", data
        finally:
            connection.logout()

    def recreate_inbox(self) -> None:
        """Delete and create the inbox again: the server gives it a new UIDVALIDITY."""
        connection = self._login()
        try:
            assert connection.delete(self.inbox)[0] == "OK"
            assert connection.create(self.inbox)[0] == "OK"
        finally:
            connection.logout()

    def append(self, folder: str, message: bytes, internaldate: datetime) -> None:
        """APPEND sets INTERNALDATE to ``internaldate``: the server's receipt instant."""
        if self._writer is None:
            self._writer = self._login()
        stamp = imaplib.Time2Internaldate(internaldate)
        status, data = self._writer.append(folder, None, stamp, message)
        assert status == "OK", data

    def close(self) -> None:
        if self._writer is not None:
            self._writer.logout()
            self._writer = None

    def receive(self, message: bytes, at: datetime) -> None:
        self.append(self.inbox, message, at)

    def send(self, message: bytes, at: datetime) -> None:
        self.append(self.sent, message, at)

    def answered_question(self) -> None:
        """A customer's question on 2 March 2026 10:00 and the desk's answer an hour later."""
        self.receive(
            compose(sender="klant@example.nl", subject="Vraag", message_id="<q@klant.example.nl>"),
            datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        )
        self.send(
            compose(sender=DESK, subject="Re: Vraag", message_id="<a@example.test>",
                    in_reply_to="<q@klant.example.nl>"),
            datetime(2026, 3, 2, 11, 0, tzinfo=UTC),
        )  # fmt: skip

    def flags(self, folder: str) -> list[bytes]:
        connection = self._login()
        try:
            connection.select(folder, readonly=True)
            status, data = connection.fetch("1:*", "(FLAGS)")
            assert status == "OK", data
            return [item for item in data if isinstance(item, bytes)]
        finally:
            connection.logout()

    def config(
        self,
        name: str = "desk",
        *,
        password_file: Path | None = None,
        port: int | None = None,
    ) -> MailboxConfig:
        return MailboxConfig(
            name=name,
            url=f"imap://{self.server.host}:{port or self.server.port}",
            username=self.server.user,
            password_file=password_file or self.server.password_file,
            inbox=self.inbox,
            sent=self.sent,
            desk_addresses=(DESK,),
        )
