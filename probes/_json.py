"""JSON conditions on an HTTP response body: a JSONPath parsed once, then judged per probe.

They let the phone channel of the service desk (requirements 3.2.7, 3.2.8) be measured as a
caller experiences it: a telephony platform's queue API says whether the desk's queue is open
and staffed, which a SIP OPTIONS answer from the exchange cannot say. The rules are in
docs/rules.md#the-phone-channel-as-a-caller-experiences-it: the whole body must be JSON, the
path must match at least one value, and every matched value must satisfy the condition.

jsonpath-ng's extended parser is used because it supports filter expressions
(``$.queues[?(@.name=='servicedesk')].open``), which selecting one queue out of a list needs;
it is pure Python, typed, and has no dependencies of its own. Syntax it has deprecated (an
unquoted word as a filter operand, ``|``, ``&``) is refused at load, so a configuration that
loads today still loads with its next major version.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from probes.base import Detail

if TYPE_CHECKING:
    from jsonpath_ng import JSONPath

    from probes.config import JsonCondition

__all__ = [
    "VALUES_LIMIT",
    "JsonPath",
    "JsonScalar",
    "check_json",
    "json_equal",
    "json_number",
    "json_scalar",
    "render",
]

JsonScalar = bool | int | float | str | None

VALUES_LIMIT = 200
"""Characters of matched values kept in a result's details and messages."""


class JsonPath:
    """A JSONPath expression, parsed when the configuration loads, never per probe.

    Two paths are equal when their text is, so a reloaded configuration with the same
    conditions compares equal to the running one.
    """

    __slots__ = ("_compiled", "text")

    def __init__(self, text: str) -> None:
        # Imported here: every command loads the configuration, few configurations have paths.
        from jsonpath_ng.exceptions import JSONPathError
        from jsonpath_ng.ext.parser import parse as parse_extended

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", DeprecationWarning)
                compiled = parse_extended(text)
        except DeprecationWarning as warning:
            raise ValueError(f"deprecated JSONPath syntax: {warning}") from warning
        except JSONPathError as error:
            raise ValueError(f"not a JSONPath expression: {error}") from error
        self.text = text
        self._compiled: JSONPath = compiled

    def find(self, document: object) -> list[object]:
        """The values the expression selects in ``document``, in document order."""
        return [match.value for match in self._compiled.find(document)]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonPath) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"JsonPath({self.text!r})"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validated from a string (or an existing path), written back as its text."""
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                str, return_schema=core_schema.str_schema()
            ),
        )

    @classmethod
    def _validate(cls, value: object) -> JsonPath:
        if isinstance(value, JsonPath):
            return value
        if not isinstance(value, str):
            raise ValueError("a JSONPath expression must be a string")
        return cls(value)


def json_scalar(value: object) -> JsonScalar:
    """A YAML value usable as ``expect``: what JSON has besides arrays and objects."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise ValueError("expect must be true, false, null, a number or a string")


def check_json(
    conditions: Sequence[JsonCondition],
    body: str,
    *,
    truncated: bool,
    max_body_bytes: int,
    details: dict[str, Detail],
) -> tuple[str, str] | None:
    """``(error_class, message)`` of the first condition that fails, or ``None``.

    Every condition is evaluated, so ``details["json[i]"]`` shows what each path matched even
    when an earlier one failed. A body cut at the cap is refused rather than parsed: its
    prefix is never valid JSON, and saying why is more useful than a parser position.
    """
    if truncated:
        return (
            "invalid_json",
            f"body is longer than max_body_bytes ({max_body_bytes}), so not checked as JSON",
        )
    try:
        document = json.loads(body, parse_constant=_not_json)
    except (ValueError, RecursionError) as error:
        return "invalid_json", f"body is not JSON: {error}"
    failure: tuple[str, str] | None = None
    for index, condition in enumerate(conditions):
        values = condition.path.find(document)
        details[f"json[{index}]"] = render(values)
        if failure is None:
            failure = _judge(condition, values)
    return failure


def _not_json(constant: str) -> object:
    """Python's parser takes NaN and Infinity; JSON (RFC 8259) has no such numbers."""
    raise ValueError(f"{constant} is not a JSON number")


def _judge(condition: JsonCondition, values: list[object]) -> tuple[str, str] | None:
    if not values:
        return "json_mismatch", f"{condition.path} matched nothing"
    if all(condition.holds(value) for value in values):
        return None
    found = render(values[0]) if len(values) == 1 else render(values)
    return (
        "json_mismatch",
        f"{condition.path} is {found}, expected {'' if len(values) == 1 else 'each to be '}"
        f"{condition.wanted()}",
    )


def json_equal(found: object, wanted: object) -> bool:
    """JSON equality: ``true`` is not ``1`` and ``"1"`` is not ``1``, as Python would have it."""
    if isinstance(found, bool) or isinstance(wanted, bool):
        return type(found) is type(wanted) and found == wanted
    if json_number(found) is not None and json_number(wanted) is not None:
        return found == wanted
    return type(found) is type(wanted) and found == wanted


def json_number(value: object) -> float | None:
    """The value as a number if JSON would call it one (a boolean is not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def render(value: object, limit: int = VALUES_LIMIT) -> str:
    """Compact JSON, cut to ``limit`` characters: peer data stays short in rows and logs."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
