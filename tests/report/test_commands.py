"""``sla-monitor report`` and ``sla-monitor import outages`` as a user runs them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.store import Store, StoredOutage
from tests.report import seed
from tests.report.pdf import run_hiding_weasyprint, unavailable_reason

AS_OF_FINAL = "2026-06-03T12:00:00+02:00"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the settings they set themselves."""
    for name in ("SLA_MONITOR_CONFIG", "SLA_MONITOR_DATABASE_URL", "SLA_MONITOR_LISTEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The seeded May 2026 in a SQLite file that ``SLA_MONITOR_DATABASE_URL`` points at."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"

    async def fill() -> None:
        async with await Store.open(url) as store:
            await seed.seed(store, seed.config(tmp_path))

    asyncio.run(fill())
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", url)
    return url


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "sla-monitor.yaml"
    path.write_text(seed.CONFIG_TEXT, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()  # the seeding's log lines are not the command's output
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def outages(url: str, target: str) -> list[StoredOutage]:
    async def read() -> list[StoredOutage]:
        async with await Store.open(url) as store:
            return await store.outages(target=target)

    return asyncio.run(read())


# -- report -------------------------------------------------------------------------------


def test_report_prints_the_previous_months_json_by_default(
    capsys: pytest.CaptureFixture[str], database: str, config_file: Path
) -> None:
    """As of 3 June the default month is May: final, email 4 of 7 in time."""
    code, out, err = run(capsys, "report", "--config", str(config_file), "--as-of", AS_OF_FINAL)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["month"], data["final"]) == ("2026-05", True)
    assert data["generated_at"] == AS_OF_FINAL
    email = data["response"][0]
    assert (email["category"], email["met"], email["breached"], email["pending"]) == (
        "email",
        4,
        3,
        0,
    )
    assert data["availability"][0]["unplanned_downtime_seconds"] == 24_300.0


@pytest.mark.parametrize("name", ["csv", "html", "json"])
def test_report_writes_any_format_to_a_file_and_leaves_no_temporary_file(
    capsys: pytest.CaptureFixture[str],
    database: str,
    config_file: Path,
    tmp_path: Path,
    name: str,
) -> None:
    """--output replaces the file whole; nothing else appears in the directory."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / f"may.{name}"
    code, out, err = run(
        capsys,
        "report", "--month", "2026-05", "--format", name, "--output", str(target),
        "--config", str(config_file), "--as-of", AS_OF_FINAL,
    )  # fmt: skip
    assert (code, out, err) == (0, "", "")
    assert [p.name for p in out_dir.iterdir()] == [f"may.{name}"]
    text = target.read_text(encoding="utf-8")
    if name == "csv":
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        figures = [r for r in rows if r["kind"] != "late_request"]
        assert [r["met"] for r in figures] == [
            "true",
            "false",
            "false",
            "false",
            "true",
            "",
            "true",
        ]
        late = [r["request_id"] for r in rows if r["kind"] == "late_request"]
        assert late == ["E5", "E3", "E4"]
    elif name == "html":
        assert text.startswith("<!DOCTYPE html>")
        assert 'Service Level Report <span class="month">May 2026</span>' in text
        assert "NOT FINAL" not in text
    else:
        assert json.loads(text)["month"] == "2026-05"


def test_report_output_honours_the_umask(
    capsys: pytest.CaptureFixture[str], database: str, config_file: Path, tmp_path: Path
) -> None:
    """Under ``umask 077`` the written report is readable by its owner only."""
    target = tmp_path / "may.json"
    before = os.umask(0o077)
    try:
        code, _, _ = run(
            capsys,
            "report", "--month", "2026-05", "--output", str(target),
            "--config", str(config_file), "--as-of", AS_OF_FINAL,
        )  # fmt: skip
    finally:
        os.umask(before)
    assert code == 0
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--month", "2026-13"], "month must be 1..12"),
        (["--month", "May"], "is not a month of the form YYYY-MM"),
        (["--month", "2026-07"], "report: the month 2026-07 has not started yet"),
        (["--format", "docx"], "invalid choice: 'docx'"),
        (["--as-of", "2026-06-03T12:00"], "needs a UTC offset"),
        (["--export-dir", "x", "--month", "2026-05"], "it takes no --month, --format or --output"),
    ],
)
def test_report_refuses_bad_arguments_with_exit_2(
    capsys: pytest.CaptureFixture[str],
    database: str,
    config_file: Path,
    argv: list[str],
    problem: str,
) -> None:
    """Each mistake is named on stderr; nothing goes to stdout."""
    extra = [] if "--as-of" in argv else ["--as-of", AS_OF_FINAL]
    code, out, err = run(capsys, "report", *argv, *extra, "--config", str(config_file))
    assert (code, out) == (2, "")
    assert problem in err


def test_report_on_a_fresh_database_is_an_empty_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No config, no data: the four default categories, nothing decided, no error."""
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    code, out, err = run(capsys, "report", "--month", "2026-05", "--as-of", AS_OF_FINAL)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["availability"] == []
    assert [(r["category"], r["received"], r["ratio"]) for r in data["response"]] == [
        ("email", 0, None),
        ("complaint", 0, None),
        ("escalation", 0, None),
        ("information_request", 0, None),
    ]


def test_report_export_dir_writes_the_due_month_once(
    capsys: pytest.CaptureFixture[str], database: str, config_file: Path, tmp_path: Path
) -> None:
    """On 3 June May is due: three files and their manifest; a second run writes nothing."""
    directory = tmp_path / "exports"
    argv = ("report", "--export-dir", str(directory), "--config", str(config_file))
    code, out, err = run(capsys, *argv, "--as-of", AS_OF_FINAL)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"wrote {directory / 'sla-report-2026-05.csv'}",
        f"wrote {directory / 'sla-report-2026-05.html'}",
        f"wrote {directory / 'sla-report-2026-05.manifest.json'}",
        f"wrote {directory / 'sla-report-2026-05.json'}",
    ]
    assert run(capsys, *argv, "--as-of", "2026-06-04T09:00:00+02:00") == (0, "", "")


def test_report_export_dir_refuses_pdf_where_weasyprint_cannot_be_imported(
    tmp_path: Path, config_file: Path
) -> None:
    """The timer's export names the field and exits 2 before it opens the store or writes a
    file, instead of failing at every run."""
    config_file.write_text(
        seed.CONFIG_TEXT + "report:\n  export_formats: [json, csv, html, pdf]\n", encoding="utf-8"
    )
    directory = tmp_path / "exports"
    store = tmp_path / "untouched.db"
    done = run_hiding_weasyprint(
        tmp_path / "hidden",
        ImportError,
        *("report", "--export-dir", str(directory), "--config", str(config_file)),
        env={"SLA_MONITOR_DATABASE_URL": f"sqlite+aiosqlite:///{store}"},
    )
    assert (done.returncode, done.stdout) == (2, "")
    reason = unavailable_reason(ImportError)
    assert done.stderr == f"{config_file}: report.export_formats: pdf needs WeasyPrint: {reason}\n"
    assert not directory.exists()
    assert not store.exists()


# -- import outages -------------------------------------------------------------------------

GOOD = """\
target,start,end,reason
it-system,2026-04-02T10:00:00+02:00,2026-04-02T11:00:00+02:00,from the old monitor
it-system,2026-04-05T23:00:00+02:00,,still down when exported
"""


def write(tmp_path: Path, text: str, name: str = "outages.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_outages_stores_every_row_and_a_reimport_changes_nothing(
    capsys: pytest.CaptureFixture[str], database: str, config_file: Path, tmp_path: Path
) -> None:
    """Two new outages (one open); the same file again: both unchanged."""
    path = write(tmp_path, GOOD)
    argv = ("import", "outages", str(path), "--config", str(config_file))
    assert run(capsys, *argv) == (0, f"{path}: 2 outages read: 2 new, 0 closed, 0 unchanged\n", "")
    before = outages(database, "it-system")
    assert run(capsys, *argv) == (0, f"{path}: 2 outages read: 0 new, 0 closed, 2 unchanged\n", "")
    assert outages(database, "it-system") == before
    imported = [o for o in before if o.source == "import"]
    assert [(o.cause, o.end is None) for o in imported] == [
        ("from the old monitor", False),
        ("still down when exported", True),
    ]


def test_import_outages_closes_an_open_outage_but_never_changes_a_stored_end(
    capsys: pytest.CaptureFixture[str], database: str, config_file: Path, tmp_path: Path
) -> None:
    """An end for the open one closes it; a different end for a closed one is a conflict."""
    argv = ("--config", str(config_file))
    run(capsys, "import", "outages", str(write(tmp_path, GOOD)), *argv)
    later = GOOD.replace(",,still down", ",2026-04-06T01:00:00+02:00,still down")
    path = write(tmp_path, later, "later.csv")
    assert run(capsys, "import", "outages", str(path), *argv)[:2] == (
        0,
        f"{path}: 2 outages read: 0 new, 1 closed, 1 unchanged\n",
    )
    closed = [o for o in outages(database, "it-system") if o.cause == "still down when exported"]
    assert closed[0].end is not None
    assert closed[0].end.isoformat() == "2026-04-05T23:00:00+00:00"
    moved = later.replace("2026-04-02T11:00:00+02:00", "2026-04-02T12:00:00+02:00")
    path = write(tmp_path, moved, "moved.csv")
    code, out, err = run(capsys, "import", "outages", str(path), *argv)
    assert (code, out) == (2, "")
    assert f"{path}:2: the it-system outage starting 2026-04-02T08:00:00+00:00 is already " in err
    assert "with end 2026-04-02T09:00:00+00:00; the file says end 2026-04-02T10:00:00+00:00" in err
    assert f"{path}: nothing imported (1 conflict(s))" in err


def test_import_outages_names_every_bad_row_and_imports_nothing(
    capsys: pytest.CaptureFixture[str], database: str, config_file: Path, tmp_path: Path
) -> None:
    """Unknown target, naive, unreadable, reversed, future, duplicate: all, by line."""
    path = write(
        tmp_path,
        "target,start,end,reason\n"
        "it-system,2026-04-02T10:00:00+02:00,2026-04-02T11:00:00+02:00,good row\n"
        "mail-server,2026-04-03T10:00:00+02:00,,unknown target\n"
        "it-system,2026-04-04T10:00:00,,naive start\n"
        "it-system,yesterday,,unreadable\n"
        "\n"
        "it-system,2026-04-05T10:00:00+02:00,2026-04-05T09:00:00+02:00,reversed\n"
        "it-system,2099-01-01T00:00:00+01:00,,future\n"
        "portal,2026-04-06T10:00:00+02:00\n"
        '"it-system","2026-04-02T08:00:00Z","",duplicate of line 2\n',
    )
    before = outages(database, "it-system")
    code, out, err = run(capsys, "import", "outages", str(path), "--config", str(config_file))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{path}:3: unknown target 'mail-server'; configured: it-system, portal",
        f"{path}:4: start '2026-04-04T10:00:00' has no UTC offset; write it as "
        "2026-04-04T10:00:00+02:00 or 2026-04-04T10:00:00Z",
        f"{path}:5: start 'yesterday' is not an ISO-8601 instant (2026-05-03T10:00:00+02:00)",
        f"{path}:7: end 2026-04-05T09:00:00+02:00 is not after start 2026-04-05T10:00:00+02:00",
        f"{path}:8: start 2099-01-01T00:00:00+01:00 lies in the future",
        f"{path}:9: expected 4 fields, found 2",
        f"{path}:10: the same outage (target and start) as line 2",
        f"{path}: nothing imported (7 problem(s))",
    ]
    assert outages(database, "it-system") == before


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", ":1: the file is empty; expected target,start,end,reason"),
        (
            "target,begin,end,reason\n",
            ":1: the header must be target,start,end,reason (missing start; unknown 'begin')",
        ),
    ],
)
def test_import_outages_requires_the_header_of_design_section_3(
    capsys: pytest.CaptureFixture[str],
    database: str,
    config_file: Path,
    tmp_path: Path,
    text: str,
    problem: str,
) -> None:
    """The header names the four columns; anything else is refused on line 1."""
    path = write(tmp_path, text)
    code, _, err = run(capsys, "import", "outages", str(path), "--config", str(config_file))
    assert code == 2
    assert f"{path}{problem}" in err


def test_report_as_of_an_earlier_instant_sees_nothing_recorded_after_it(
    capsys: pytest.CaptureFixture[str], database: str, config_file: Path
) -> None:
    """As of Mon 18 May 12:00 the requests, outages, sessions and registrations after it
    do not exist: no later request is pending, no later outage or window is listed."""
    code, out, err = run(
        capsys, "report", "--month", "2026-05", "--config", str(config_file),
        "--as-of", "2026-05-18T12:00:00+02:00",
    )  # fmt: skip
    assert (code, err) == (0, "")
    data = json.loads(out)
    email = data["response"][0]
    assert [r["id"] for r in email["requests"]] == ["E5", "E7", "E1"]
    assert (email["received"], email["pending"]) == (3, 0)
    it_system = data["availability"][0]
    starts = [o["start"] for o in it_system["outages"]]
    assert starts == [
        "2026-04-30T22:00:00+02:00",
        "2026-05-10T02:30:00+02:00",
        "2026-05-12T10:00:00+02:00",
    ]
    # 2 h + 0.5 h + 1.5 h; nothing after the 18th, monitored time only up to it.
    assert it_system["unplanned_downtime_seconds"] == 4 * 3600.0
    assert it_system["unmonitored_seconds"] == 0.0
    assert [m["name"] for m in data["maintenance"] if m["kind"] == "registered"] == ["db-upgrade"]


def test_import_outages_warns_about_overlapping_outages_naming_both_lines(
    capsys: pytest.CaptureFixture[str], database: str, config_file: Path, tmp_path: Path
) -> None:
    """Overlaps are imported (the figures take the union) and reported with their lines."""
    path = write(
        tmp_path,
        "target,start,end,reason\n"
        "it-system,2026-04-02T10:00:00+02:00,2026-04-02T12:00:00+02:00,long\n"
        "portal,2026-04-02T10:30:00+02:00,2026-04-02T11:30:00+02:00,other target\n"
        "it-system,2026-04-02T11:00:00+02:00,2026-04-02T11:30:00+02:00,inside line 2\n"
        "it-system,2026-04-02T12:00:00+02:00,2026-04-02T12:30:00+02:00,touches only\n",
    )
    code, out, err = run(capsys, "import", "outages", str(path), "--config", str(config_file))
    assert (code, out) == (0, f"{path}: 4 outages read: 4 new, 0 closed, 0 unchanged\n")
    assert err.splitlines() == [
        f"{path}:4: warning: this it-system outage overlaps the one on line 2; the figures "
        "count the time they share once"
    ]


def test_import_outages_of_many_chunks_is_all_or_nothing_on_a_conflict(
    capsys: pytest.CaptureFixture[str],
    database: str,
    config_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Chunks already written are rolled back when a later chunk holds a conflict."""
    monkeypatch.setattr("monitor.report.outage_import.CHUNK", 2)
    run(capsys, "import", "outages", str(write(tmp_path, GOOD)), "--config", str(config_file))
    before = outages(database, "it-system")
    rows = "".join(
        f"it-system,2026-03-{day:02d}T10:00:00+02:00,2026-03-{day:02d}T11:00:00+02:00,new\n"
        for day in range(1, 8)
    )
    moved = GOOD.replace("2026-04-02T11:00:00+02:00", "2026-04-02T12:00:00+02:00")
    path = write(tmp_path, "target,start,end,reason\n" + rows + moved.split("\n", 1)[1], "b.csv")
    code, out, err = run(capsys, "import", "outages", str(path), "--config", str(config_file))
    assert (code, out) == (2, "")
    assert f"{path}:9: the it-system outage starting 2026-04-02T08:00:00+00:00" in err
    assert outages(database, "it-system") == before


def test_import_outages_lists_at_most_a_thousand_problems_and_counts_the_rest(
    capsys: pytest.CaptureFixture[str], database: str, config_file: Path, tmp_path: Path
) -> None:
    """A file wrong on every line gives a bounded error, not one line per row."""
    path = write(tmp_path, "target,start,end,reason\n" + "nowhere,x,,\n" * 1500)
    code, _, err = run(capsys, "import", "outages", str(path), "--config", str(config_file))
    lines = err.splitlines()
    assert code == 2
    assert len(lines) == 1002
    assert lines[-2] == f"{path}: 2000 more problem(s) not shown"
    assert lines[-1] == f"{path}: nothing imported (3000 problem(s))"
