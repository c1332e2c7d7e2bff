"""``sla-monitor import requests`` and ``sla-monitor mailbox scan``, as an operator runs them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.commands._common import command_logger
from monitor.store import RequestRecord, Store
from tests.servicedesk.mail import DESK, Mailroom, compose

GOOD = (
    "id,category,received_at,answered_at\n"
    "INC-1,email,2026-03-02T10:00:00+01:00,2026-03-02T15:30:00+01:00\n"
    "INC-2,complaint,2026-03-03T09:00:00+01:00,\n"
)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite store the commands find through SLA_MONITOR_DATABASE_URL."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", url)
    monkeypatch.delenv("SLA_MONITOR_CONFIG", raising=False)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def stored(url: str) -> list[RequestRecord]:
    async def read() -> list[RequestRecord]:
        async with await Store.open(url, logger=command_logger()) as store:
            return await store.requests()

    return asyncio.run(read())


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- import requests ----------------------------------------------------------------------------


def test_importing_a_good_file_stores_every_request_in_a_fresh_database(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 0, a one-line summary, and the rows in the store (created on the way)."""
    csv = write(tmp_path / "export.csv", GOOD)

    code, out, err = run(capsys, "import", "requests", str(csv), "--channel", "topdesk")

    assert (code, err) == (0, "")
    assert out == f"{csv}: 2 requests read, 2 new or changed\n"
    records = stored(database)
    assert [(r.id, r.source, r.channel) for r in records] == [
        ("INC-1", "import", "topdesk"),
        ("INC-2", "import", "topdesk"),
    ]
    assert records[0].answered_at == datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def test_importing_the_same_file_again_changes_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Idempotent on id: the second run reports no change and the rows are as they were."""
    csv = write(tmp_path / "export.csv", GOOD)
    run(capsys, "import", "requests", str(csv))
    before = stored(database)

    code, out, _ = run(capsys, "import", "requests", str(csv))

    assert (code, out) == (0, f"{csv}: 2 requests read, 0 new or changed\n")
    assert stored(database) == before


def test_a_later_export_with_resolutions_completes_the_imported_requests(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """3.2.40: the same requests again with a resolved_at column: one changed, then none."""
    run(capsys, "import", "requests", str(write(tmp_path / "march.csv", GOOD)))
    resolved = write(
        tmp_path / "march-resolved.csv",
        "id,category,received_at,answered_at,resolved_at\n"
        "INC-1,email,2026-03-02T10:00:00+01:00,2026-03-02T15:30:00+01:00,\n"
        "INC-2,complaint,2026-03-03T09:00:00+01:00,,2026-03-04T12:00:00+01:00\n",
    )

    code, out, _ = run(capsys, "import", "requests", str(resolved))

    assert (code, out) == (0, f"{resolved}: 2 requests read, 1 new or changed\n")
    assert [r.resolved_at for r in stored(database)] == [
        None,
        datetime(2026, 3, 4, 11, 0, tzinfo=UTC),
    ]
    _, again, _ = run(capsys, "import", "requests", str(resolved))
    assert again == f"{resolved}: 2 requests read, 0 new or changed\n"


def test_a_file_with_bad_rows_names_them_all_and_imports_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """All or nothing: good rows are not imported while any row is bad; exit 2."""
    csv = write(
        tmp_path / "export.csv",
        GOOD + "INC-3,portal,2026-03-04T09:00:00+01:00,\nINC-4,email,2026-03-04T09:00:00,\n",
    )

    code, out, err = run(capsys, "import", "requests", str(csv))

    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{csv}:4: unknown category 'portal' (configured: complaint, email, escalation, "
        "information_request)",
        f"{csv}:5: received_at '2026-03-04T09:00:00' has no offset (write e.g. "
        "2026-03-04T09:00:00+02:00 or 2026-03-04T09:00:00Z)",
        f"{csv}: nothing imported (2 problem(s))",
    ]
    assert stored(database) == []


def test_the_configured_categories_decide_which_rows_are_good(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A category added in the configuration is accepted by the import."""
    config = write(
        tmp_path / "sla-monitor.yaml",
        "servicedesk:\n  categories:\n    portal: {days: 1, objective: 0.9}\n",
    )
    csv = write(
        tmp_path / "export.csv",
        "id,category,received_at,answered_at\nP-1,portal,2026-03-04T09:00:00+01:00,\n",
    )

    code, _, err = run(capsys, "import", "requests", str(csv), "--config", str(config))

    assert (code, err) == (0, "")
    assert [r.category for r in stored(database)] == ["portal"]


def test_a_reimport_without_answers_keeps_the_answers_already_stored(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An older export must not erase an answer a newer one brought."""
    run(capsys, "import", "requests", str(write(tmp_path / "new.csv", GOOD)))
    old = write(
        tmp_path / "old.csv",
        "id,category,received_at,answered_at\nINC-1,email,2026-03-02T10:00:00+01:00,\n",
    )

    code, out, _ = run(capsys, "import", "requests", str(old))

    assert (code, out) == (0, f"{old}: 1 requests read, 0 new or changed\n")
    assert stored(database)[0].answered_at == datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def test_a_missing_file_is_reported_by_name(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 and the path in the message."""
    code, _, err = run(capsys, "import", "requests", str(tmp_path / "nope.csv"))
    assert code == 2
    assert err.startswith(f"{tmp_path / 'nope.csv'}: cannot read:")


def test_import_needs_a_kind(capsys: pytest.CaptureFixture[str]) -> None:
    """``import`` alone is a usage error that lists the kinds."""
    code, _, err = run(capsys, "import")
    assert code == 2
    assert "requests" in err


# -- mailbox scan -------------------------------------------------------------------------------


def desk_config(tmp_path: Path, room: Mailroom, *, password_file: Path | None = None) -> Path:
    secret = password_file or room.server.password_file
    return write(
        tmp_path / "sla-monitor.yaml",
        f"""\
servicedesk:
  mailboxes:
    - name: ekv-desk
      url: "imap://{room.server.host}:{room.server.port}"
      username: {room.server.user}
      password_file: {secret}
      inbox: {room.inbox}
      sent: {room.sent}
      desk_addresses: [{DESK}]
""",
    )


def test_mailbox_scan_reads_the_desk_and_a_second_scan_finds_nothing_new(
    database: str, tmp_path: Path, mailroom: Mailroom, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 0 with one line per mailbox; scanning again changes nothing."""
    mailroom.answered_question()
    config = desk_config(tmp_path, mailroom)

    first = run(capsys, "mailbox", "scan", "--config", str(config))
    second = run(capsys, "mailbox", "scan", "--config", str(config), "--name", "ekv-desk")

    assert first == (
        0,
        f"ekv-desk: 2 new messages ({mailroom.inbox} 1, {mailroom.sent} 1); "
        "requests: 1 new or changed, 0 removed\n",
        "",
    )
    assert second == (
        0,
        f"ekv-desk: 0 new messages ({mailroom.inbox} 0, {mailroom.sent} 0); requests unchanged\n",
        "",
    )
    [record] = stored(database)
    assert record.answered_at == datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


def test_mailbox_scan_with_a_wrong_password_fails_naming_the_mailbox_not_the_password(
    database: str, tmp_path: Path, mailroom: Mailroom, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 1; stderr says which mailbox and user, and never the secret."""
    wrong = write(tmp_path / "imap-password", "Geheim-Wachtwoord-42\n")
    config = desk_config(tmp_path, mailroom, password_file=wrong)

    code, out, err = run(capsys, "mailbox", "scan", "--config", str(config))

    assert (code, out) == (1, "")
    assert err.startswith(f"mailbox ekv-desk: login as {mailroom.server.user} at ")
    assert "Geheim-Wachtwoord-42" not in err


def test_mailbox_scan_of_an_unreachable_server_fails_naming_the_mailbox(
    database: str, tmp_path: Path, mailroom: Mailroom, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 1 with where it tried to connect."""
    config = desk_config(tmp_path, mailroom)
    config.write_text(config.read_text().replace(f":{mailroom.server.port}", ":1"))

    code, _, err = run(capsys, "mailbox", "scan", "--config", str(config))

    assert code == 1
    assert (
        err == f"mailbox ekv-desk: cannot connect to {mailroom.server.host}:1: Connection refused\n"
    )


def test_mailbox_scan_of_an_unknown_name_lists_the_configured_ones(
    database: str, tmp_path: Path, mailroom: Mailroom, capsys: pytest.CaptureFixture[str]
) -> None:
    """A typo in --name is a usage error, exit 2."""
    config = desk_config(tmp_path, mailroom)
    code, _, err = run(capsys, "mailbox", "scan", "--config", str(config), "--name", "ekv")
    assert code == 2
    assert err == "mailbox scan: unknown mailbox 'ekv'; configured: ekv-desk\n"


def test_mailbox_scan_without_configuration_says_how_to_give_one(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a config there are no mailboxes to scan: exit 2 with the fix."""
    code, _, err = run(capsys, "mailbox", "scan")
    assert code == 2
    assert "give --config PATH or set SLA_MONITOR_CONFIG" in err


# -- request show and the report's locators -----------------------------------------------------


def test_a_late_mail_request_can_be_found_from_request_show_and_the_report(
    database: str, tmp_path: Path, mailroom: Mailroom, capsys: pytest.CaptureFixture[str]
) -> None:
    """The late request names mailbox, folder, UIDVALIDITY/UID and INTERNALDATE of itself and
    of its answer, and nothing of the message; an "Afwezig" reply is no second request."""
    mailroom.receive(
        compose(sender="klant@example.nl", subject="Printer kapot", message_id="<p@klant.nl>"),
        datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
    )
    mailroom.receive(
        compose(sender="collega@klant.nl", subject="Afwezig: Printer kapot",
                message_id="<ooo@klant.nl>", in_reply_to="<x@elsewhere.nl>"),
        datetime(2026, 3, 2, 10, 5, tzinfo=UTC),
    )  # fmt: skip
    mailroom.send(
        compose(sender=DESK, subject="Re: Printer kapot", message_id="<r@example.test>",
                in_reply_to="<p@klant.nl>"),
        datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    )  # fmt: skip
    config = desk_config(tmp_path, mailroom)
    assert run(capsys, "mailbox", "scan", "--config", str(config))[0] == 0
    [record] = stored(database)

    async def numbering() -> dict[str, int]:
        async with await Store.open(database, logger=command_logger()) as store:
            states = await store.mailbox_state("ekv-desk")
        return {folder: state.uidvalidity for folder, state in states.items()}

    uidvalidity = asyncio.run(numbering())
    code, out, err = run(capsys, "request", "show", record.id, "--config", str(config))
    assert (code, err) == (0, "")
    assert f"id:           {record.id}\n" in out
    assert "deadline:     2026-03-03T11:00:00+01:00\n" in out
    assert "outcome:      breached\n" in out
    assert (
        f"request mail: mailbox ekv-desk, folder {mailroom.inbox}, "
        f"UIDVALIDITY {uidvalidity[mailroom.inbox]}, UID 1, "
        "INTERNALDATE 2026-03-02T11:00:00+01:00\n"
    ) in out
    assert (
        f"answer mail: mailbox ekv-desk, folder {mailroom.sent}, "
        f"UIDVALIDITY {uidvalidity[mailroom.sent]}, UID 1, "
        "INTERNALDATE 2026-03-04T16:00:00+01:00\n"
    ) in out
    for private in ("Printer", "klant@", "collega", DESK):
        assert private not in out

    code, out, err = run(
        capsys, "report", "--month", "2026-03", "--config", str(config),
        "--as-of", "2026-04-08T12:00:00+02:00",
    )  # fmt: skip
    assert (code, err) == (0, "")
    [line] = json.loads(out)["response"][0]["requests"]
    assert (line["id"], line["outcome"]) == (record.id, "breached")
    assert line["locator"] == {
        "request": {
            "mailbox": "ekv-desk",
            "folder": mailroom.inbox,
            "uidvalidity": uidvalidity[mailroom.inbox],
            "uid": 1,
            "internaldate": "2026-03-02T11:00:00+01:00",
        },
        "answer": {
            "mailbox": "ekv-desk",
            "folder": mailroom.sent,
            "uidvalidity": uidvalidity[mailroom.sent],
            "uid": 1,
            "internaldate": "2026-03-04T16:00:00+01:00",
        },
    }


def test_request_show_of_an_unknown_id_says_so_in_one_line(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 and one clear line; nothing on stdout."""
    code, out, err = run(capsys, "request", "show", "desk:nope")
    assert (code, out) == (2, "")
    assert err == "request: no request with id 'desk:nope' in the store\n"


def test_request_show_prints_the_resolution_term_and_its_outcome(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """3.2.40: a complaint resolved Tuesday 10:06 after a ten-hour term: over_20 at 121 %."""
    config = write(
        tmp_path / "config.yaml",
        "servicedesk:\n  categories:\n    complaint: {resolution: {days: 1}}\n",
    )
    csv = write(
        tmp_path / "complaints.csv",
        "id,category,received_at,answered_at,resolved_at\n"
        "K-1,complaint,2026-06-01T08:00:00+02:00,,2026-06-02T10:06:00+02:00\n",
    )
    run(capsys, "import", "requests", str(csv), "--config", str(config))

    code, out, _ = run(capsys, "request", "show", "K-1", "--config", str(config))

    assert code == 0
    assert out.splitlines()[-3:] == [
        "resolve by:   2026-06-01T18:00:00+02:00",
        "resolved:     2026-06-02T10:06:00+02:00",
        "resolution:   over_20 (121% of the term)",
    ]
