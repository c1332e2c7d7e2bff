"""The SLA core stays pure: no I/O libraries, no clock reads (docs/architecture.md)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import monitor.sla

CORE = Path(monitor.sla.__file__).parent
ALLOWED_THIRD_PARTY = {"holidays", "tzdata"}
STDLIB = set(sys.stdlib_module_names)
# Standard-library modules that do I/O or concurrency; the core must not need any of them.
FORBIDDEN_STDLIB = {
    "asyncio",
    "socket",
    "ssl",
    "subprocess",
    "os",
    "io",
    "pathlib",
    "shutil",
    "sqlite3",
    "threading",
    "multiprocessing",
    "urllib",
    "http",
    "logging",
    "time",
    "random",
    "uuid",
}
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_core_imports_only_the_standard_library_holidays_and_itself() -> None:
    """monitor.sla may import stdlib (minus I/O modules), holidays, tzdata and monitor.sla."""
    for path in core_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for root in imported_roots(tree):
            allowed = (
                root in STDLIB and root not in FORBIDDEN_STDLIB
            ) or root in ALLOWED_THIRD_PARTY
            assert allowed or root == "monitor", f"{path.name} imports {root}"
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("monitor")
            ):
                assert node.module.startswith("monitor.sla"), f"{path.name} imports {node.module}"


def test_the_core_never_reads_the_clock() -> None:
    """'now' is always an argument, so every figure is reproducible."""
    for path in core_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
                assert (name, node.func.attr) not in CLOCK_CALLS, f"{path.name}:{node.lineno}"
