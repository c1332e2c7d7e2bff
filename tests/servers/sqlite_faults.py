"""Real damage to a real SQLite file, for the tests of what a damaged store looks like."""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["overwrite_table_root_page"]


def overwrite_table_root_page(database: Path, table: str) -> None:
    """Fill the root page of ``table`` with garbage, as a failing disk would: the schema
    still reads (migrations pass), the table itself no longer does."""
    with sqlite3.connect(database) as connection:
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    connection.close()
    with database.open("r+b") as handle:
        handle.seek(page_size * (root - 1))
        handle.write(b"\xa5" * page_size)
