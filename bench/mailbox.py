"""Benchmark: scanning a desk mailbox of 50,000 messages, then 100 new ones.

Usage (from the repository root)::

    .venv/bin/python bench/mailbox.py                       # 50,000 messages, SQLite
    .venv/bin/python bench/mailbox.py --messages 10000 --new 100
    .venv/bin/python bench/mailbox.py --database-url postgresql+asyncpg://user@127.0.0.1/db

Prints progress to stderr and one table to stdout; asserts nothing.

Method
------
*Server.* Debian's dovecot on loopback, started with ``tests/servers/dovecot.py`` (its own
configuration, passwd-file and maildir in a temporary directory). The mailbox is filled by
writing files straight into the maildir (``cur/`` of the inbox and of ``.Sent``) with
dovecot's naming and the file's mtime set to the INTERNALDATE, owned by the mail user: far
faster than APPEND, and what dovecot itself does on delivery. The mail imitates a desk: 40 %
customer requests, 34 % answers in the sent folder, 10 % follow-ups, 6 % acknowledgements,
4 % out-of-office replies and bounces, 6 % newsletters, spread over January-March 2026, each
with a realistic header (Received chain, DKIM signature, ~2 KB) and a short body.

*Dovecot's index.* Before the first scan the folders are opened once (``EXAMINE``), so
dovecot builds its uid list and index; that time is dovecot's, shown as its own row. The
header cache for the fields we fetch is *not* warmed: the first scan pays for dovecot reading
50,000 files, as it would on a real first scan.

*Ours.* Each scan runs ``MailboxScanner.scan()`` in a fresh Python process (this file, role
``_scan``) against a fresh SQLite store in a temporary directory (or ``--database-url``), so
its peak RSS (``VmHWM``) belongs to that scan alone and includes the interpreter, the
imports and opening the store (about 90 MB before any work). Rows: the first scan
(everything); the incremental scan after ``--new`` messages were APPENDed (half requests,
half answers); an idle scan with nothing new. CPU is user+system of the scanning process;
dovecot's CPU is not included.
"""

from __future__ import annotations

import argparse
import asyncio
import imaplib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this file's folder is sys.path[0]; the repository root is what we need.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from tests.servers.dovecot import DovecotServer

DESK = "desk@example.test"
START = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
SPAN = timedelta(days=85)
DKIM = "b=" + "A" * 340


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the mailbox --------------------------------------------------------------------------------


def header_block(
    *,
    sender: str,
    to: str,
    subject: str,
    message_id: str,
    at: datetime,
    in_reply_to: str | None = None,
    extra: tuple[str, ...] = (),
) -> str:
    lines = [
        f"Return-Path: <{sender}>",
        f"Delivered-To: {to}",
        f"Received: from mx1.example.nl (mx1.example.nl [192.0.2.25]) by mx.example.test "
        f"with ESMTPS id {message_id[1:13]}; {at:%a, %d %b %Y %H:%M:%S +0000}",
        "Received: from [10.0.0.7] (unknown [10.0.0.7]) by mx1.example.nl (Postfix) "
        f"with ESMTPSA id 4Q{message_id[1:9]}; {at:%a, %d %b %Y %H:%M:%S +0000}",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.nl; s=mail;",
        "\tt=1767600000; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;",
        f"\th=From:To:Subject:Date:Message-ID; {DKIM}",
        f"Message-ID: {message_id}",
        f"Date: {at:%a, %d %b %Y %H:%M:%S +0000}",
        f'From: "{sender.split("@")[0].title()}" <{sender}>',
        f"To: {to}",
        f"Subject: {subject}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "User-Agent: Mozilla Thunderbird",
    ]
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
        lines.append(f"References: {in_reply_to}")
    lines.extend(extra)
    return "\r\n".join(lines)


BODY = "Beste servicedesk,\r\n\r\n" + "Dit is een regel tekst van een gewone klantmail.\r\n" * 25


def desk_messages(count: int, seed: int = 7) -> list[tuple[str, datetime, bytes]]:
    """(folder role, INTERNALDATE, message) for a desk of ``count`` messages."""
    rng = random.Random(seed)
    shares = {"request": 0.40, "answer": 0.34, "follow": 0.10, "ack": 0.06, "auto": 0.04}
    requests = int(count * shares["request"])
    out: list[tuple[str, datetime, bytes]] = []
    customers = [f"klant{i}@example.nl" for i in range(requests // 3 + 1)]
    subjects = ["Vraag over factuur", "Klacht over storing", "Informatieverzoek", "Escalatie"]
    ids: list[tuple[str, str, datetime]] = []
    for i in range(requests):
        sender = rng.choice(customers)
        at = START + SPAN * rng.random()
        mid = f"<q{i}.{rng.getrandbits(40):x}@example.nl>"
        ids.append((mid, sender, at))
        text = header_block(
            sender=sender, to=DESK, subject=rng.choice(subjects), message_id=mid, at=at
        )
        out.append(("inbox", at, (text + "\r\n\r\n" + BODY).encode()))

    def reply_to(kind: str, n: int) -> None:
        for i in range(n):
            mid, sender, received = rng.choice(ids)
            if kind == "answer":
                at = received + timedelta(hours=rng.expovariate(1 / 14))
                text = header_block(
                    sender=DESK,
                    to=sender,
                    subject="Re: uw vraag",
                    message_id=f"<a{i}@example.test>",
                    at=at,
                    in_reply_to=mid,
                )
                out.append(("sent", at, (text + "\r\n\r\n" + BODY).encode()))
            elif kind == "ack":
                at = received + timedelta(seconds=5)
                text = header_block(
                    sender=DESK,
                    to=sender,
                    subject="Ontvangstbevestiging",
                    message_id=f"<k{i}@example.test>",
                    at=at,
                    in_reply_to=mid,
                    extra=("Auto-Submitted: auto-replied",),
                )
                out.append(("sent", at, (text + "\r\n\r\n" + BODY).encode()))
            elif kind == "follow":
                at = received + timedelta(hours=rng.uniform(1, 48))
                text = header_block(
                    sender=sender,
                    to=DESK,
                    subject="Re: aanvulling",
                    message_id=f"<f{i}@example.nl>",
                    at=at,
                    in_reply_to=mid,
                )
                out.append(("inbox", at, (text + "\r\n\r\n" + BODY).encode()))
            else:
                at = received + timedelta(minutes=rng.uniform(1, 60))
                text = header_block(
                    sender=sender,
                    to=DESK,
                    subject="Automatisch antwoord",
                    message_id=f"<o{i}@example.nl>",
                    at=at,
                    in_reply_to=mid,
                    extra=("Auto-Submitted: auto-replied", "X-Autoreply: yes"),
                )
                out.append(("inbox", at, (text + "\r\n\r\n" + BODY).encode()))

    reply_to("answer", int(count * shares["answer"]))
    reply_to("follow", int(count * shares["follow"]))
    reply_to("ack", int(count * shares["ack"]))
    reply_to("auto", int(count * shares["auto"]))
    for i in range(count - len(out)):
        at = START + SPAN * rng.random()
        text = header_block(
            sender="nieuwsbrief@leverancier.example",
            to=DESK,
            subject="Nieuwsbrief",
            message_id=f"<n{i}@leverancier.example>",
            at=at,
            extra=("Precedence: bulk", "List-Id: <nieuws.leverancier>"),
        )
        out.append(("inbox", at, (text + "\r\n\r\n" + BODY).encode()))
    return out


def write_maildir(
    maildir: Path, messages: list[tuple[str, datetime, bytes]], uid: int, gid: int
) -> None:
    """Files in ``cur/`` named as dovecot names them, mtime = INTERNALDATE, owned by mail."""
    folders = {"inbox": maildir, "sent": maildir / ".Sent"}
    for folder in folders.values():
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
    for number, (role, at, data) in enumerate(messages):
        stamp = at.timestamp()
        path = folders[role] / "cur" / f"{int(stamp)}.M{number}P1.bench:2,"
        path.write_bytes(data)
        os.utime(path, (stamp, stamp))
        os.chown(path, uid, gid)
    for directory in [maildir, *maildir.rglob("*")]:
        if directory.is_dir():
            os.chown(directory, uid, gid)


def imap(server: DovecotServer) -> imaplib.IMAP4:
    connection = imaplib.IMAP4(server.host, server.port)
    connection.login(server.user, server.password)
    return connection


# -- one scan in its own process ----------------------------------------------------------------


def scan_in_process(config_json: str, database_url: str) -> None:
    import sqlalchemy as sa

    from monitor.commands._common import command_logger
    from monitor.config import ServiceDeskConfig
    from monitor.servicedesk.scanner import MailboxScanner
    from monitor.store import Store
    from monitor.store.schema import requests as table

    desk = ServiceDeskConfig.model_validate_json(config_json)

    async def run() -> dict[str, object]:
        async with await Store.open(database_url, logger=command_logger()) as store:
            started = time.perf_counter()
            cpu = time.process_time()
            summary = await MailboxScanner(
                desk.mailboxes[0], desk, store, logger=command_logger()
            ).scan()
            seconds = time.perf_counter() - started
            used = time.process_time() - cpu
            async with store.engine.connect() as connection:
                requests = await connection.scalar(sa.select(sa.func.count()).select_from(table))
        return {
            "seconds": seconds,
            "cpu": used,
            "new": summary.new_messages,
            "changed": None if summary.requests is None else summary.requests.changed,
            "requests": requests,
            "rss_mb": peak_rss_mb(),
        }

    print(json.dumps(asyncio.run(run())))


def peak_rss_mb() -> float:
    """VmHWM of this process. Not ``ru_maxrss``: Linux carries that over ``exec`` from the
    forking parent, which here holds the whole generated mailbox."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_scan(config_json: str, database_url: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "_scan", config_json, database_url],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"scan failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()

    from monitor.config import ServiceDeskConfig
    from tests.servers.dovecot import run_dovecot

    with run_dovecot() as server, tempfile.TemporaryDirectory(prefix="bench-mailbox-") as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'store.db'}"
        log(f"generating {args.messages:,} messages")
        messages = desk_messages(args.messages)
        started = time.perf_counter()
        write_maildir(server.maildir, messages, server.mail_uid, server.mail_gid)
        log(f"maildir written in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        connection = imap(server)
        for folder in ("INBOX", "Sent"):
            connection.select(folder, readonly=True)
        connection.logout()
        indexing = time.perf_counter() - started
        log(f"dovecot indexed the folders in {indexing:.1f} s")

        desk = ServiceDeskConfig.model_validate(
            {
                "mailboxes": [
                    {
                        "name": "bench-desk",
                        "url": f"imap://{server.host}:{server.port}",
                        "username": server.user,
                        "password_file": str(server.password_file),
                        "desk_addresses": [DESK],
                    }
                ]
            }
        )
        config_json = desk.model_dump_json()
        log("first scan")
        first = run_scan(config_json, url)
        log(f"first scan: {first}")

        connection = imap(server)
        base = START + SPAN + timedelta(days=1)
        for i in range(args.new):
            at = base + timedelta(minutes=i)
            if i % 2 == 0:
                text = header_block(
                    sender=f"nieuw{i}@example.nl",
                    to=DESK,
                    subject="Nieuwe vraag",
                    message_id=f"<new{i}@example.nl>",
                    at=at,
                )
                folder = "INBOX"
            else:
                text = header_block(
                    sender=DESK,
                    to=f"nieuw{i - 1}@example.nl",
                    subject="Re: Nieuwe vraag",
                    message_id=f"<newr{i}@example.test>",
                    at=at,
                    in_reply_to=f"<new{i - 1}@example.nl>",
                )
                folder = "Sent"
            connection.append(
                folder, None, imaplib.Time2Internaldate(at), (text + "\r\n\r\n" + BODY).encode()
            )
        connection.logout()
        log(f"incremental scan after {args.new} new messages")
        incremental = run_scan(config_json, url)
        log(f"incremental scan: {incremental}")
        idle = run_scan(config_json, url)
        log(f"idle scan: {idle}")

    print()
    print(
        f"mailbox scan benchmark: {args.messages:,} messages, loopback dovecot, "
        f"{'SQLite' if args.database_url is None else 'PostgreSQL'}; "
        f"{os.cpu_count()} CPUs"
    )
    print()
    print(
        f"| {'scan':<28} | {'messages':>8} | {'requests':>8} | {'seconds':>7} | {'CPU s':>6} | "
        f"{'msg/s':>7} | {'peak RSS MB':>11} |"
    )
    print(f"|{'-' * 30}|{'-' * 10}|{'-' * 10}|{'-' * 9}|{'-' * 8}|{'-' * 9}|{'-' * 13}|")
    print(
        f"| {'dovecot index (not ours)':<28} | {args.messages:>8,} | {'':>8} | {indexing:>7.2f} | "
        f"{'':>6} | {'':>7} | {'':>11} |"
    )
    for name, row in (
        ("first scan", first),
        (f"incremental (+{args.new})", incremental),
        ("idle (nothing new)", idle),
    ):
        rate = row["new"] / row["seconds"] if row["new"] else 0.0
        print(
            f"| {name:<28} | {int(row['new']):>8,} | {int(row['requests']):>8,} | "
            f"{row['seconds']:>7.2f} | {row['cpu']:>6.2f} | {rate:>7,.0f} | "
            f"{row['rss_mb']:>11.0f} |"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_scan":
        scan_in_process(sys.argv[2], sys.argv[3])
    else:
        main()
