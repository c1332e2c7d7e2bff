"""Where the desk finds a late request's mail: the locator in the CSV and HTML reports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.figures.evidence import Evidence
from monitor.report import build_report, render
from monitor.report.csv_format import COLUMNS
from monitor.sla.months import Month
from monitor.store.records import MailLocator, RequestLocator
from tests.report.test_model import CONFIG, FakeRequest
from tests.servers.dovecot import DovecotServer
from tests.servicedesk.mail import DESK, Mailroom, compose

NOVEMBER = Month(2026, 11)
LOCATOR_COLUMNS = [
    c for c in COLUMNS if c.startswith(("request_", "answer_")) and c != "request_id"
]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def november(locators: dict[str, RequestLocator]) -> tuple[str, str]:
    """Three late e-mail requests of November 2026 as known on 8 December: L1 answered late
    from a mailbox with hostile folder names, L2 imported, L3 answered after the report."""
    requests = [
        FakeRequest("L1", "email", at(3, 8, 12), at(5, 9), source="mailbox"),
        FakeRequest("L2", "email", at(10, 9), None, source="import"),
        FakeRequest("L3", "email", at(16, 9), at(30, 9), source="mailbox"),
    ]
    now = at(20, 12)
    period = NOVEMBER.interval(CONFIG.zone)
    report = build_report(CONFIG, NOVEMBER, Evidence(span=period), requests, now, locators=locators)
    return render(report, "html"), render(report, "csv")


HOSTILE = RequestLocator(
    MailLocator("ekv-desk", "INBOX", 1712, 42, at(3, 8, 12)),
    MailLocator("ekv-desk", 'Sent <b>"&amp;"</b>', 1713, 7, at(5, 9)),
)
LATER = RequestLocator(
    MailLocator("ekv-desk", "INBOX", 1712, 43, at(16, 9)),
    MailLocator("ekv-desk", "Sent", 1713, 8, at(30, 9)),
)


def test_the_html_names_mailbox_folder_uid_and_internaldate_of_a_late_request() -> None:
    """In the missed service levels and in the response section, escaped, in the report's
    zone; an imported request says it came from no mailbox."""
    html, _ = november({"L1": HOSTILE, "L3": LATER})
    line = "request: ekv-desk · INBOX · UIDVALIDITY 1712 · UID 42 · 2026-11-03 09:12"
    misses = html[html.index('<section id="misses">') : html.index('<section id="availability">')]
    response = html[html.index('<section id="response">') : html.index('<section id="descr')]
    for section in (misses, response):
        assert line in section
        assert (
            "answer: ekv-desk · Sent &lt;b&gt;&quot;&amp;amp;&quot;&lt;/b&gt; · UIDVALIDITY 1713"
            " · UID 7 · 2026-11-05 10:00"
        ) in section
        assert "not from a mailbox (import)" in section
    assert "<b>" not in html
    assert '"&amp;"' not in html


def test_an_answer_sent_after_the_report_is_not_named() -> None:
    """L3 was still unanswered on 20 November: its request is located, its answer is not."""
    html, text = november({"L1": HOSTILE, "L3": LATER})
    assert "UID 43 · 2026-11-16 10:00" in html
    assert "UID 8 ·" not in html
    rows = {r["request_id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert (rows["L3"]["request_uid"], rows["L3"]["answer_uid"]) == ("43", "")
    assert rows["L3"]["answered_at"] == ""


def test_the_csv_has_a_row_per_late_request_with_its_locator_columns() -> None:
    """Exact values; hostile text survives CSV quoting; imported requests leave them empty."""
    _, text = november({"L1": HOSTILE, "L3": LATER})
    late = [r for r in csv.DictReader(io.StringIO(text, newline="")) if r["kind"] == "late_request"]
    assert [r["request_id"] for r in late] == ["L1", "L2", "L3"]
    first = late[0]
    assert {c: first[c] for c in LOCATOR_COLUMNS} == {
        "request_mailbox": "ekv-desk",
        "request_folder": "INBOX",
        "request_uidvalidity": "1712",
        "request_uid": "42",
        "request_internaldate": "2026-11-03T09:12:00+01:00",
        "answer_mailbox": "ekv-desk",
        "answer_folder": 'Sent <b>"&amp;"</b>',
        "answer_uidvalidity": "1713",
        "answer_uid": "7",
        "answer_internaldate": "2026-11-05T10:00:00+01:00",
    }
    assert (first["outcome"], first["source"]) == ("breached", "mailbox")
    assert {c: late[1][c] for c in LOCATOR_COLUMNS} == dict.fromkeys(LOCATOR_COLUMNS, "")
    assert late[1]["source"] == "import"


# -- a real mailbox scan --------------------------------------------------------------------


@pytest.fixture
def mailroom(dovecot: DovecotServer) -> Iterator[Mailroom]:
    """An empty inbox and sent folder in the session's dovecot, for this test only."""
    room = Mailroom(dovecot)
    room.create()
    yield room
    room.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_scanned_late_mail_is_located_in_the_csv_and_html_reports(
    tmp_path: Path,
    mailroom: Mailroom,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """After ``mailbox scan`` of the loopback dovecot, both reports name where the late
    request and its answer lie, matching the JSON report, and nothing of the message."""
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 's.db'}")
    monkeypatch.delenv("SLA_MONITOR_CONFIG", raising=False)
    mailroom.receive(
        compose(sender="klant@example.nl", subject="Printer kapot", message_id="<p@klant.nl>"),
        datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
    )
    mailroom.send(
        compose(sender=DESK, subject="Re: Printer kapot", message_id="<r@example.test>",
                in_reply_to="<p@klant.nl>"),
        datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    )  # fmt: skip
    config = tmp_path / "sla-monitor.yaml"
    config.write_text(
        "servicedesk:\n  mailboxes:\n    - name: ekv-desk\n"
        f'      url: "imap://{mailroom.server.host}:{mailroom.server.port}"\n'
        f"      username: {mailroom.server.user}\n"
        f"      password_file: {mailroom.server.password_file}\n"
        f"      inbox: {mailroom.inbox}\n      sent: {mailroom.sent}\n"
        f"      desk_addresses: [{DESK}]\n",
        encoding="utf-8",
    )
    assert run(capsys, "mailbox", "scan", "--config", str(config))[0] == 0
    common = ("--month", "2026-03", "--config", str(config), "--as-of", "2026-04-08T12:00+02:00")
    outputs = {}
    for name in ("json", "csv", "html"):
        code, out, err = run(capsys, "report", "--format", name, *common)
        assert (code, err) == (0, "")
        outputs[name] = out
    [request] = json.loads(outputs["json"])["response"][0]["requests"]
    located = request["locator"]
    inbox, sent = located["request"], located["answer"]

    [row] = [
        r
        for r in csv.DictReader(io.StringIO(outputs["csv"], newline=""))
        if r["kind"] == "late_request"
    ]
    assert row["request_id"] == request["id"]
    assert {c: row[c] for c in LOCATOR_COLUMNS} == {
        f"{role}_{part}": str(mail[part])
        for role, mail in (("request", inbox), ("answer", sent))
        for part in ("mailbox", "folder", "uidvalidity", "uid", "internaldate")
    }
    assert (row["request_folder"], row["answer_folder"]) == (mailroom.inbox, mailroom.sent)

    html = outputs["html"]
    assert (
        f"request: ekv-desk · {mailroom.inbox} · UIDVALIDITY {inbox['uidvalidity']} · UID 1 · "
        "2026-03-02 11:00"
    ) in html
    assert (
        f"answer: ekv-desk · {mailroom.sent} · UIDVALIDITY {sent['uidvalidity']} · UID 1 · "
        "2026-03-04 16:00"
    ) in html
    for text in (outputs["csv"], html):
        for private in ("Printer", "klant@", DESK, "4711"):
            assert private not in text
