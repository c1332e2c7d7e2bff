"""The export job's Dutch PDF and manifest, and ``sla-monitor report verify`` on them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config import Config
from monitor.report import run_exports
from monitor.report.manifest import Status, verify_directory
from monitor.sla.months import Month
from tests.report import seed
from tests.report.pdf import flat, page_count, page_texts
from tests.report.seed import Seeded

NAMES = [
    "sla-report-2026-05.csv",
    "sla-report-2026-05.html",
    "sla-report-2026-05.pdf",
    "sla-report-2026-05.manifest.json",
    "sla-report-2026-05.json",
]


def verify(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["report", "verify", *argv])
    out, _ = capsys.readouterr()
    return code, out.splitlines()


@pytest.fixture
async def exported(seeded: Seeded, dutch_config: Config, tmp_path: Path) -> Path:
    """May 2026 exported by the job on Wednesday 3 June, in Dutch, with the PDF."""
    directory = tmp_path / "exports"
    written = await run_exports(
        seeded.store, dutch_config, directory, seed.FINAL_NOW, clock=lambda: seed.FINAL_NOW
    )
    assert [path.name for path in written] == NAMES
    return directory


def test_the_export_job_writes_a_dutch_pdf_of_a_month_with_misses(exported: Path) -> None:
    """The job's PDF is the Dutch report with its misses, final, on numbered A4 pages."""
    pdf = exported / "sla-report-2026-05.pdf"
    pages = page_texts(pdf)
    assert len(pages) == page_count(pdf)
    whole = flat(" ".join(pages))
    assert "2. Niet-behaalde service levels" in whole
    assert "it-system · business-hours: 97,763 % tegen een norm van 100 %" in whole
    assert "Reactietijd email: 57,142 %" in whole  # 4 of 7 once final: E4 late, E8 in time
    assert "definitief sinds 2 juni 2026 18:00" in whole
    assert "NIET DEFINITIEF" not in whole


def test_the_manifest_lists_every_file_with_its_digest_and_names_the_evidence(
    exported: Path,
) -> None:
    """SHA-256 and size of each file as written; the JSON report is the evidence (3.2.5)."""
    manifest = json.loads((exported / "sla-report-2026-05.manifest.json").read_bytes())
    assert manifest["format"] == "sla-monitor-manifest/1"
    assert (manifest["month"], manifest["requirement"]) == ("2026-05", "3.2.5")
    assert manifest["evidence"] == "sla-report-2026-05.json"
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert sorted(listed) == sorted(name for name in NAMES if "manifest" not in name)
    for name, entry in listed.items():
        data = (exported / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        assert entry["role"] == ("evidence" if name.endswith(".json") else "rendering")


def test_report_verify_passes_on_the_export_as_written(
    exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One ok line per file, exit 0."""
    code, lines = verify(capsys, str(exported))
    assert code == 0
    assert lines == [f"ok        {name}" for name in sorted(NAMES) if "manifest" not in name]


def test_report_verify_fails_when_one_byte_of_a_file_changed(
    exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A single flipped byte in the PDF is named; the other files stay ok; exit 1."""
    pdf = exported / "sla-report-2026-05.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    code, lines = verify(capsys, str(exported))
    assert code == 1
    assert [line.split()[:2] for line in lines] == [
        ["ok", "sla-report-2026-05.csv"],
        ["ok", "sla-report-2026-05.html"],
        ["ok", "sla-report-2026-05.json"],
        ["changed", "sla-report-2026-05.pdf"],
    ]


def test_report_verify_fails_when_a_file_is_removed_or_one_is_added(
    exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A removed file is missing, a file no manifest lists is unlisted; both exit 1."""
    (exported / "sla-report-2026-05.html").unlink()
    code, lines = verify(capsys, str(exported))
    assert code == 1
    assert "missing   sla-report-2026-05.html (listed, not found)" in lines
    (exported / "sla-report-2026-05.xlsx").write_bytes(b"spreadsheet")
    checks = {c.name: c.status for c in verify_directory(exported, Month(2026, 5))}
    assert checks["sla-report-2026-05.xlsx"] is Status.UNLISTED
    assert checks["sla-report-2026-05.html"] is Status.MISSING


def test_report_verify_without_a_manifest_is_an_error_not_a_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing to compare never reads as nothing changed: exit 2, the reason on stderr."""
    (tmp_path / "sla-report-2026-05.json").write_text("{}\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["report", "verify", str(tmp_path)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert "no manifest to verify against" in err
