"""The service desk's rule modules stay pure like the core: no I/O, no clock."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import monitor.servicedesk

PACKAGE = Path(monitor.servicedesk.__file__).parent
PURE = ["headers.py", "classify.py", "threading.py", "privacy.py", "importer.py", "figures.py"]
# io is allowed for io.StringIO only: the csv module reads a string through it, in memory.
FORBIDDEN = {
    "asyncio", "socket", "ssl", "subprocess", "os", "pathlib", "shutil", "sqlite3",
    "threading", "multiprocessing", "urllib", "http", "logging", "time", "random", "uuid",
    "imaplib", "smtplib", "select", "selectors", "signal", "tempfile",
}  # fmt: skip
ALLOWED_MONITOR = (
    "monitor.servicedesk.",
    "monitor.sla.",
    "monitor.store.records",
    "monitor.config",
    "monitor.errors",  # the error root: imports nothing
)
CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("name", PURE)
def test_a_rule_module_imports_only_the_standard_library_without_io_and_monitor_values(
    name: str,
) -> None:
    """Headers, classification, threading, hashing, CSV parsing and figures need no I/O."""
    tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
    for module in imports(tree):
        root = module.split(".")[0]
        if root == "monitor":
            assert module.startswith(ALLOWED_MONITOR), f"{name} imports {module}"
        else:
            assert root in sys.stdlib_module_names, f"{name} imports {module}"
            assert root not in FORBIDDEN, f"{name} imports {module}"


@pytest.mark.parametrize("name", PURE)
def test_a_rule_module_never_reads_the_clock(name: str) -> None:
    """'now' is an argument, so a figure can be recomputed for any instant."""
    for node in ast.walk(ast.parse((PACKAGE / name).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            assert (owner_name, node.func.attr) not in CLOCK, f"{name}:{node.lineno}"
