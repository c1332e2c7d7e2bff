"""``sla-monitor analysis ...``: 3.2.6 analyses of missed figures from the command line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.store import MissAnalysisRecord, Store

CONFIG = """\
targets:
  - name: web
    probe: {type: tcp, host: 127.0.0.1, port: 9}
    slas:
      - {window: 24x7, objective: 0.99}
      - {window: business-hours, objective: 1.0}
"""


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    config = tmp_path / "sla.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("SLA_MONITOR_CONFIG", str(config))
    monkeypatch.setenv("USER", "jdevries")
    monkeypatch.setenv("LOGNAME", "jdevries")
    return url


async def _analyses(url: str) -> list[MissAnalysisRecord]:
    async with await Store.open(url) as store:
        return await store.miss_analyses()


def test_an_availability_analysis_is_stored_with_the_cli_user_as_author(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """add --target --window stores the figure, cause, measures and author cli:$USER."""
    code = main(
        [
            "analysis",
            "add",
            "--month",
            "2026-05",
            "--target",
            "web",
            "--window",
            "business-hours",
            "--cause",
            "disk full on the database host",
            "--measures",
            "alert at 80 % disk usage",
        ]
    )
    assert code == 0, capsys.readouterr().err
    [stored] = asyncio.run(_analyses(database))
    assert (stored.month, stored.kind, stored.name, stored.window, stored.author) == (
        "2026-05",
        "availability",
        "web",
        "business-hours",
        "cli:jdevries",
    )
    assert (stored.cause, stored.measures) == (
        "disk full on the database host",
        "alert at 80 % disk usage",
    )


def test_a_response_analysis_names_its_category_and_the_given_author(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """add --category stores a response analysis without a window; --author is kept."""
    args = ["analysis", "add", "--month", "2026-05", "--category", "email"]
    args += ["--cause", "two staff ill", "--measures", "standby rota", "--author", "desk-lead"]
    assert main(args) == 0, capsys.readouterr().err
    [stored] = asyncio.run(_analyses(database))
    assert (stored.kind, stored.name, stored.window, stored.author) == (
        "response",
        "email",
        None,
        "desk-lead",
    )


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        (["--target", "web", "--window", "weekends"], "--window: web has no SLA window"),
        (["--target", "crm", "--window", "24x7"], "--target: unknown target 'crm'; known: web"),
        (["--target", "web"], "--window: give a target and its window, or a category"),
        (["--category", "fax"], "--category: unknown category 'fax'"),
        (
            ["--target", "web", "--window", "24x7", "--category", "email"],
            "--category: give a category, or a target and window, not both",
        ),
    ],
)
def test_an_analysis_of_a_figure_the_config_lacks_exits_two_with_one_line(
    database: str, capsys: pytest.CaptureFixture[str], figure: list[str], expected: str
) -> None:
    """The configuration decides which figures exist, as for the API; nothing is stored."""
    args = ["analysis", "add", "--month", "2026-05", *figure, "--cause", "x", "--measures", "y"]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith(f"analysis add: {expected}")
    assert asyncio.run(_analyses(database)) == []


def test_a_blank_cause_exits_two_and_stores_nothing(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An analysis without a cause says nothing; the record refuses it."""
    args = ["analysis", "add", "--month", "2026-05", "--category", "email"]
    assert main([*args, "--cause", "  ", "--measures", "standby rota"]) == 2
    assert "cause must not be blank" in capsys.readouterr().err
    assert asyncio.run(_analyses(database)) == []


def test_list_prints_the_analyses_of_one_month_or_of_all(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """list --month shows that month's analyses with cause and measures; without, every month."""
    for month, cause in (("2026-04", "certificate expired"), ("2026-05", "disk full")):
        args = ["analysis", "add", "--month", month, "--target", "web", "--window", "24x7"]
        assert main([*args, "--cause", cause, "--measures", "line one\nline two"]) == 0
    capsys.readouterr()
    assert main(["analysis", "list", "--month", "2026-05"]) == 0
    out = capsys.readouterr().out
    assert "2026-05  availability web 24x7" in out
    assert "cause: disk full" in out
    assert "measures: line one\n    line two" in out
    assert "certificate expired" not in out
    assert main(["analysis", "list"]) == 0
    out = capsys.readouterr().out
    assert out.index("certificate expired") < out.index("disk full")
