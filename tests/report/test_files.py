"""Report files are replaced in one step, with the umask's mode, and leave no debris."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitor.report.files import stage, write_atomically


def test_writing_replaces_the_file_with_the_new_text_and_leaves_no_temporary(
    tmp_path: Path,
) -> None:
    """An existing report is replaced whole; the directory holds only the final file."""
    path = tmp_path / "sla-report-2026-05.csv"
    path.write_text("old\n", encoding="utf-8")
    write_atomically(path, "new\r\nlines\n")
    assert path.read_bytes() == b"new\r\nlines\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_staged_file_has_the_mode_the_umask_allows(tmp_path: Path) -> None:
    """Under umask 027 a staged file is 0640, as the operator's other files would be."""
    before = os.umask(0o027)
    try:
        staged = stage(tmp_path / "sla-report-2026-05.json", "{}")
    finally:
        os.umask(before)
    assert staged.parent == tmp_path
    assert staged.stat().st_mode & 0o777 == 0o640


def test_a_failed_rename_removes_the_temporary_and_keeps_the_old_file(tmp_path: Path) -> None:
    """A directory in the way of the final name: the old state stays, no temporary is left."""
    path = tmp_path / "sla-report-2026-05.html"
    path.mkdir()
    (path / "inside").write_text("keep", encoding="utf-8")
    with pytest.raises(IsADirectoryError):
        write_atomically(path, "<html></html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    assert (path / "inside").read_text(encoding="utf-8") == "keep"
