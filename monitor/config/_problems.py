"""Raise several located problems at once from inside a pydantic validator.

A cross-field check (an unknown calendar in ``targets[2].slas[1].window``) knows exactly
which field is wrong. Raising a plain ``ValueError`` would attach the message to the whole
model; raising a ``ValidationError`` with explicit locations lets pydantic prefix them with
the model's own position, so the user is pointed at the field and its YAML line.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = ["PROBLEM_TYPE", "Loc", "duplicate_name", "raise_problems"]

Loc = tuple[str | int, ...]

PROBLEM_TYPE = "config_problem"
"""The pydantic error type of problems raised here; its message is shown as written."""


def raise_problems(title: str, problems: Sequence[tuple[Loc, str]]) -> None:
    """Raise all ``problems`` as one ``ValidationError``; do nothing when there are none."""
    if not problems:
        return
    details = [
        InitErrorDetails(
            type=PydanticCustomError(PROBLEM_TYPE, "{message}", {"message": message}),
            loc=loc,
            input=None,
        )
        for loc, message in problems
    ]
    raise ValidationError.from_exception_data(title, details)


def duplicate_name(
    section: str, what: str, names: Sequence[str], index: int
) -> list[tuple[Loc, str]]:
    """The problem of ``names[index]`` if an earlier entry of ``section`` has that name:
    names are how the report, the metrics and the API refer to an entry."""
    first = names.index(names[index])
    if first == index:
        return []
    return [
        (
            (section, index, "name"),
            f"duplicate {what} name {names[index]!r} (also {section}[{first}])",
        )
    ]
