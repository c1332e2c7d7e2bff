"""The command line: check-config, deadline and holidays, in-process and as installed."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.cli import main
from tests.report.pdf import run_hiding_weasyprint, unavailable_reason
from tests.servers.sqlite_faults import overwrite_table_root_page

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "sla-monitor.example.yaml"
INVALID = sorted((Path(__file__).parent / "config").glob("invalid-*.yaml"))
EXPECT = re.compile(r"^# expect: (.*)$")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the settings they set themselves."""
    for name in ("SLA_MONITOR_CONFIG", "SLA_MONITOR_DATABASE_URL", "SLA_MONITOR_LISTEN"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sla-monitor.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# -- deadline -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # The rules' worked example: Friday 17:00 -> Monday 17:00.
        (["2026-06-05T17:00:00+02:00"], "2026-06-08T17:00:00+02:00"),
        # Received on Saturday: the clock starts Monday 08:00 and runs one opening day.
        (["2026-06-06T10:00:00+02:00"], "2026-06-08T18:00:00+02:00"),
        # Before opening: same day, closing time.
        (["2026-06-08T07:30:00+02:00"], "2026-06-08T18:00:00+02:00"),
        # Without an offset the time is read in the calendar's zone.
        (["2026-06-05T17:00"], "2026-06-08T17:00:00+02:00"),
        # UTC in, local out.
        (["2026-06-05T15:00:00Z"], "2026-06-08T17:00:00+02:00"),
        # King's Day (Monday 27 April 2026) is closed.
        (["2026-04-24T12:00:00+02:00"], "2026-04-28T12:00:00+02:00"),
        # Two days across Ascension Day (Thursday 14 May 2026).
        (["2026-05-13T17:00:00+02:00", "--days", "2"], "2026-05-18T17:00:00+02:00"),
        # Winter time in, winter offset out; across Christmas and the weekend.
        (["2026-12-24T09:15:00+01:00"], "2026-12-28T09:15:00+01:00"),
        (
            ["2026-06-05T09:00:00+02:00", "--mode", "end_of_next_business_day"],
            "2026-06-08T18:00:00+02:00",
        ),
    ],
)
def test_deadline_prints_the_response_deadline_in_the_calendars_zone(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    """Without a config the Dutch business-hours calendar applies (docs/rules.md#response-times)."""
    code, out, err = run(capsys, "deadline", *argv)
    assert (code, out, err) == (0, expected + "\n", "")


def test_deadline_uses_the_calendar_and_mode_of_the_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A desk that works on Good Friday and reads "end of next business day" gets that."""
    config = write(
        tmp_path,
        "calendars:\n"
        "  desk: {holidays: {exclude: [Good Friday]}}\n"
        "servicedesk: {calendar: desk, business_day: end_of_next_business_day}\n",
    )
    code, out, _ = run(capsys, "deadline", "2026-04-02T10:00:00+02:00", "--config", str(config))
    assert (code, out) == (0, "2026-04-03T18:00:00+02:00\n")
    code, out, _ = run(
        capsys,
        "deadline",
        "2026-04-02T10:00:00+02:00",
        "--config",
        str(config),
        "--calendar",
        "business-hours",
        "--mode",
        "business_hours",
    )
    assert (code, out) == (0, "2026-04-07T10:00:00+02:00\n")


def test_deadline_reads_the_config_named_by_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk tool and the daemon agree on which file is the configuration."""
    config = write(tmp_path, "calendars:\n  business-hours: {opening: '09:00-17:00'}\n")
    monkeypatch.setenv("SLA_MONITOR_CONFIG", str(config))
    code, out, _ = run(capsys, "deadline", "2026-06-06T10:00:00+02:00")
    assert (code, out) == (0, "2026-06-08T17:00:00+02:00\n")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--days", "2", "--unit", "calendar_days"], "2026-06-07T10:00:00+02:00"),
        (["--days", "2", "--unit", "working_days"], "2026-06-09T10:00:00+02:00"),
        (["--category", "woo_request"], "2026-06-07T10:00:00+02:00"),
        (["--category", "woo_request", "--unit", "working_days"], "2026-06-09T10:00:00+02:00"),
        (["--category", "information_request"], "2026-06-09T10:00:00+02:00"),
    ],
)
def test_deadline_prints_two_days_from_friday_in_calendar_or_working_days(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], expected: str
) -> None:
    """Friday 10:00 + two calendar days is Sunday 10:00, + two working days Tuesday 10:00."""
    config = write(
        tmp_path,
        "servicedesk:\n  categories:\n"
        "    woo_request: {days: 2, objective: 1.0, unit: calendar_days}\n",
    )
    code, out, err = run(
        capsys, "deadline", "2026-06-05T10:00:00+02:00", "--config", str(config), *argv
    )
    assert (code, out, err) == (0, expected + "\n", "")


def test_deadline_prints_the_resolution_term_and_its_overrun_thresholds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Complaint resolved within one working day: due Monday 18:00, +20 % and +50 % Tuesday."""
    config = write(
        tmp_path,
        "servicedesk:\n  categories:\n    complaint: {resolution: {days: 1}}\n",
    )
    code, out, _ = run(
        capsys,
        "deadline",
        "2026-06-01T08:00:00+02:00",
        "--config",
        str(config),
        "--category",
        "complaint",
        "--resolution",
    )
    assert code == 0
    assert out.splitlines() == [
        "due 2026-06-01T18:00:00+02:00",
        "over_20 2026-06-02T10:00:00+02:00",
        "over_50 2026-06-02T13:00:00+02:00",
    ]


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["yesterday"], "deadline: 'yesterday' is not an ISO-8601 instant"),
        (["2026-06-05T17:00", "--category", "chat"], "unknown category 'chat'"),
        (["2026-06-05T17:00", "--resolution"], "--resolution needs --category"),
        (
            ["2026-06-05T17:00", "--category", "email", "--resolution"],
            "'email' has no resolution term",
        ),
        (["2026-06-05T17:00", "--unit", "weeks"], "invalid choice: 'weeks'"),
        (["2026-06-05T17:00", "--calendar", "office"], "unknown calendar 'office'"),
        (["2026-06-05T17:00", "--calendar", "24x7"], "not a business calendar"),
        (["2026-06-05T17:00", "--days", "0"], "at least one working day"),
        (["2026-06-05T17:00", "--mode", "asap"], "invalid choice: 'asap'"),
    ],
)
def test_deadline_refuses_bad_input_with_exit_code_two(
    capsys: pytest.CaptureFixture[str], argv: list[str], problem: str
) -> None:
    """Mistakes at the desk are named, and nothing is printed on stdout."""
    code, out, err = run(capsys, "deadline", *argv)
    assert (code, out) == (2, "")
    assert problem in err


def test_deadline_reports_a_broken_config_file_instead_of_using_defaults(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Silently falling back to the defaults would print a wrong deadline."""
    config = write(tmp_path, "calendars:\n  desk: {opening: '08:00-18:00', open: x}\n")
    code, out, err = run(capsys, "deadline", "2026-06-05T17:00", "--config", str(config))
    assert (code, out) == (2, "")
    assert err == f"{config}:2: calendars.desk.open: unknown field (did you mean opening?)\n"


def test_a_bad_environment_setting_is_named_without_its_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong database URL stops the command, and the password stays out of the message."""
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", "mysql://sla:s3cret@db/sla")
    code, _, err = run(capsys, "deadline", "2026-06-05T17:00")
    assert code == 2
    assert err.startswith("environment: SLA_MONITOR_DATABASE_URL: unsupported database driver")
    assert "s3cret" not in err


# -- holidays -------------------------------------------------------------------------------

NL_2026 = """\
2026-01-01  New Year's Day
2026-04-03  Good Friday
2026-04-05  Easter Sunday
2026-04-06  Easter Monday
2026-04-27  King's Day
2026-05-14  Ascension Day
2026-05-24  Pentecost
2026-05-25  Pentecost Monday
2026-12-25  Christmas Day
2026-12-26  Second Day of Christmas
"""


def test_holidays_prints_the_dutch_closed_days_of_a_year(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One line per closed day, date and English name; 5 May 2026 is not among them."""
    assert run(capsys, "holidays", "--year", "2026") == (0, NL_2026, "")


def test_holidays_applies_the_includes_and_excludes_of_a_calendar(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The list printed is the list the figures use, contract exceptions included."""
    config = write(
        tmp_path,
        "calendars:\n"
        "  desk:\n"
        "    holidays: {include: [Liberation Day, 2026-12-24], exclude: [Good Friday]}\n",
    )
    code, out, _ = run(
        capsys, "holidays", "--year", "2026", "--calendar", "desk", "--config", str(config)
    )
    assert code == 0
    assert "2026-05-05  Liberation Day\n" in out
    assert "2026-12-24  closed (include)\n" in out
    assert "Good Friday" not in out


def test_holidays_defaults_to_the_current_year_in_the_calendars_zone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --year the list is of this year, as the desk sees it."""
    before = datetime.now(ZoneInfo("Europe/Amsterdam")).year
    code, out, _ = run(capsys, "holidays")
    after = datetime.now(ZoneInfo("Europe/Amsterdam")).year
    assert code == 0
    assert out.splitlines()[0][:4] in {str(before), str(after)}
    assert "New Year's Day" in out.splitlines()[0]


def test_holidays_refuses_an_unknown_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    """A typo in --calendar is an error, not an empty list."""
    code, out, err = run(capsys, "holidays", "--calendar", "kantoor")
    assert (code, out) == (2, "")
    assert "unknown calendar 'kantoor'; known: business-hours" in err


# -- check-config ---------------------------------------------------------------------------


def test_check_config_accepts_the_shipped_example_with_a_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Exit 0 and one line saying what the daemon would run."""
    code, out, err = run(capsys, "check-config", str(EXAMPLE))
    assert (code, err) == (0, "")
    assert out == (
        f"{EXAMPLE}: ok: 0 targets, 0 SLAs, 1 calendar, 0 maintenance windows, 0 mailboxes, "
        "5 request categories; timezone Europe/Amsterdam\n"
    )


def test_check_config_without_a_path_checks_the_configured_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``SLA_MONITOR_CONFIG`` is the default PATH, as for the daemon."""
    monkeypatch.setenv("SLA_MONITOR_CONFIG", str(EXAMPLE))
    code, out, _ = run(capsys, "check-config")
    assert code == 0
    assert out.startswith(f"{EXAMPLE}: ok: ")


def test_check_config_without_any_file_says_how_to_name_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """There is no implicit file: checking some other file would hide a typo in the variable."""
    code, out, err = run(capsys, "check-config")
    assert (code, out) == (2, "")
    assert err == (
        "check-config: no configuration file given; pass PATH or set SLA_MONITOR_CONFIG\n"
    )


def _expectations(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [m.group(1) for m in map(EXPECT.match, lines) if m]
    assert found, f"{path.name} has no '# expect:' line"
    return found


def test_there_is_an_invalid_example_for_every_documented_problem() -> None:
    """The table below covers each problem the issue lists, by file name."""
    names = {path.stem.removeprefix("invalid-") for path in INVALID}
    assert {
        "misspelt-key",
        "bad-zone",
        "reversed-window",
        "overlapping-windows",
        "target-without-sla",
        "objective",
        "unknown-calendar",
        "unknown-maintenance-target",
        "unknown-holiday-name",
        "duplicate-target",
        "bad-duration",
    } <= names


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_check_config_names_file_line_field_and_problem_of_each_invalid_example(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    """Each ``# expect:`` line of the file is one line of the output, and there are no others."""
    code, out, err = run(capsys, "check-config", str(path))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    expected = [f"{path}:{e}" if e[:1].isdigit() else f"{path}: {e}" for e in _expectations(path)]
    assert len(lines) == len(expected), err
    for line, prefix in zip(lines, expected, strict=True):
        assert line.startswith(prefix), (line, prefix)
    assert "s3cret" not in err


def test_check_config_reports_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong path is a config error like any other, with exit code 2."""
    code, _, err = run(capsys, "check-config", "/nonexistent/sla-monitor.yaml")
    assert code == 2
    assert err == "/nonexistent/sla-monitor.yaml: cannot read: No such file or directory\n"


# -- the program ----------------------------------------------------------------------------


def test_help_exits_zero_and_no_command_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``main`` returns argparse's exit codes instead of raising SystemExit."""
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("check-config", "deadline", "holidays"):
        assert command in out
    code, _, err = run(capsys)
    assert code == 2
    assert "required: COMMAND" in err


def _installed_script() -> Path:
    script = Path(sys.executable).with_name("sla-monitor")
    if not script.exists():
        pytest.fail(f"{script} is missing; install the project: pip install -e '.[test]'")
    return script


def test_the_installed_console_script_prints_the_acceptance_deadline() -> None:
    """``sla-monitor deadline 2026-06-05T17:00:00+02:00`` prints Monday 17:00."""
    result = subprocess.run(
        [str(_installed_script()), "deadline", "2026-06-05T17:00:00+02:00"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "2026-06-08T17:00:00+02:00\n",
        "",
    )


def test_the_installed_console_script_exits_non_zero_on_a_misspelt_key() -> None:
    """The issue's acceptance check: the message names the misspelt key."""
    path = Path(__file__).parent / "config" / "invalid-misspelt-key.yaml"
    result = subprocess.run(
        [str(_installed_script()), "check-config", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{path}:6: targets[0].probe.expect_staus: unknown field" in result.stderr


ICMP_CONFIG = """
targets:
  - name: gateway
    probe: {type: icmp, host: 127.0.0.1}
    slas: [{window: 24x7, objective: 0.99}]
"""


def test_check_config_says_plainly_when_this_host_cannot_send_icmp(tmp_path: Path) -> None:
    """Without CAP_NET_RAW and outside ping_group_range, an icmp target is refused by name."""
    path = write(tmp_path, ICMP_CONFIG)
    script = Path(sys.executable).with_name("sla-monitor")
    drop = ["setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw", "--"]
    ping_range = Path("/proc/sys/net/ipv4/ping_group_range").read_text(encoding="ascii").split()
    assert int(ping_range[0]) > 0, "this host lets gid 0 ping unprivileged; nothing to refuse"
    done = subprocess.run(
        [*drop, str(script), "check-config", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "targets[0].probe: ICMP probes cannot run" in done.stderr
    assert "CAP_NET_RAW" in done.stderr


PDF_CONFIG = "report:\n  export_formats: [json, csv, html, pdf]\n"


def test_check_config_accepts_pdf_exports_where_weasyprint_is_installed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """This host has WeasyPrint and Pango: a file exporting PDFs is fine."""
    path = write(tmp_path, PDF_CONFIG)
    code, out, err = run(capsys, "check-config", str(path))
    assert (code, err) == (0, "")
    assert out.startswith(f"{path}: ok: ")


@pytest.mark.parametrize("error", [ImportError, OSError])
def test_check_config_refuses_pdf_exports_where_weasyprint_cannot_be_imported(
    tmp_path: Path, error: type[Exception]
) -> None:
    """A missing WeasyPrint (ImportError) or Pango (OSError) is one line naming the field and
    exit 2, not a failed export every month; a file without pdf still passes there."""
    path = write(tmp_path, PDF_CONFIG)
    hidden = tmp_path / "hidden"
    done = run_hiding_weasyprint(hidden, error, "check-config", str(path))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"{path}: report.export_formats: pdf needs WeasyPrint: {unavailable_reason(error)}\n"
    )
    path.write_text("report:\n  export_formats: [json, html]\n", encoding="utf-8")
    done = run_hiding_weasyprint(hidden, error, "check-config", str(path))
    assert (done.returncode, done.stderr) == (0, "")


# -- hostile input and an unusable store ----------------------------------------------------


def test_check_config_refuses_an_alias_bomb_instead_of_expanding_it(tmp_path: Path) -> None:
    """Nine levels of nine aliases: one line and exit 2; the subprocess timeout catches a hang."""
    path = write(
        tmp_path,
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    )
    done = subprocess.run(
        [str(Path(sys.executable).with_name("sla-monitor")), "check-config", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert done.returncode == 2
    assert re.fullmatch(
        rf"{re.escape(str(path))}:\d+: aliases expand to more than .*\n", done.stderr
    )


def test_check_config_reports_a_password_file_that_does_not_exist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The daemon would never log in to the desk mailbox: the check fails now, naming the file."""
    secret = tmp_path / "imap-password"
    path = write(
        tmp_path,
        "servicedesk:\n  mailboxes:\n    - name: desk\n      url: imaps://imap.example.nl\n"
        f"      username: u\n      password_file: {secret}\n"
        "      desk_addresses: [desk@example.nl]\n",
    )
    code, out, err = run(capsys, "check-config", str(path))
    assert (code, out) == (2, "")
    assert err == (
        f"{path}: servicedesk.mailboxes[0].password_file: cannot read {secret}: "
        "No such file or directory\n"
    )
    secret.write_text("pw\n", encoding="utf-8")
    assert run(capsys, "check-config", str(path))[0] == 0


def test_a_report_month_no_datetime_can_hold_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--month 0001-01`` says which years are accepted and exits 2, without a traceback."""
    code, _, err = run(capsys, "report", "--month", "0001-01")
    assert code == 2
    assert err.splitlines()[-1].endswith(
        "argument --month: the month 0001-01 lies outside the years 1970 to 9998"
    )


def _page_corrupted_store(directory: Path) -> Path:
    """A real store whose outages table page is overwritten with garbage."""
    path = directory / "corrupt.db"
    subprocess.run(
        [str(Path(sys.executable).with_name("sla-monitor")), "report", "--month", "2026-05"],
        env={"SLA_MONITOR_DATABASE_URL": f"sqlite+aiosqlite:///{path}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        check=True,
        timeout=60,
    )
    overwrite_table_root_page(path, "outages")
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda d: d / "missing" / "sla.db",
            r"cannot open the SQLite file .*/missing/sla\.db: the directory .*/missing does "
            r"not exist; create the directory .*",
        ),
        (
            lambda d: (d / "file").write_bytes(b"x") and d / "file" / "sla.db",
            r"cannot open the SQLite file .*/file/sla\.db: .*/file is a file, not a directory; .*",
        ),
        (
            lambda d: (
                (d / "garbage.db").write_bytes(b"not a database at all\n" * 100)
                and d / "garbage.db"
            ),
            r"the SQLite file .*/garbage\.db is damaged \(file is not a database\); restore it "
            r"from a backup, or move it away to start an empty store",
        ),
        (
            _page_corrupted_store,
            r"the SQLite file .*/corrupt\.db is damaged \(database disk image is malformed\); .*",
        ),
    ],
    ids=["missing-directory", "directory-is-a-file", "garbage-file", "corrupted-page"],
)
def test_an_unusable_store_is_one_line_saying_what_to_do_and_exit_1(
    tmp_path: Path, make: Callable[[Path], Path], expected: str
) -> None:
    """No SQLAlchemy traceback and no SQL: the cause, the file and the way out."""
    database = make(tmp_path)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("sla-monitor")), "report", "--month", "2026-05"],
        env={
            "SLA_MONITOR_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    assert re.fullmatch(f"report: {expected}\n", done.stderr), done.stderr
