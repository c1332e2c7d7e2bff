"""Configuration errors that name the file, the field and the problem (docs/rules.md#bad-input).

One line per problem, in the form compilers and linters use, so editors can jump to it::

    sla.yaml:12: targets[0].probe.expect_staus: unknown field (did you mean expect_status?)
    sla.yaml:31: targets[1].slas[0].window: unknown calendar 'office'; known: 24x7, business-hours

Messages are built from pydantic's error *type* and our own validator texts, never from the
input value, because a configuration may sit next to a secret (an HTTP header, a URL with a
password) that must not reach a log.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from monitor.config._paths import PathElement, format_path
from monitor.config._problems import PROBLEM_TYPE
from monitor.config._yaml import line_of
from monitor.errors import SlaMonitorError

__all__ = ["ConfigError", "ConfigProblem", "problems_from_validation_error"]


@dataclass(frozen=True, slots=True, order=True)
class ConfigProblem:
    """One problem: where (line, field path) and what. ``path`` is empty for the whole file."""

    line: int | None
    path: str
    message: str

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line is not None else source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(SlaMonitorError):
    """A configuration file that cannot be used; ``str()`` gives one line per problem."""

    def __init__(self, source: str, problems: Sequence[ConfigProblem]) -> None:
        self.source = source
        self.problems = tuple(
            sorted(problems, key=lambda p: (p.line is None, p.line or 0, p.path, p.message))
        )
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [problem.render(self.source) for problem in self.problems]


def problems_from_validation_error(
    error: ValidationError,
    data: object,
    root: yaml.Node | None = None,
    model: type[BaseModel] | None = None,
) -> list[ConfigProblem]:
    """Translate pydantic's errors into located problems.

    ``data`` is the validated input: pydantic's locations contain steps that are not in the
    file (the tag of a tagged union, ``[key]`` for a mapping key), and walking the data tells
    them apart. ``root`` gives line numbers; ``model`` enables "did you mean" for unknown keys.
    """
    problems: list[ConfigProblem] = []
    for detail in error.errors(include_url=False, include_input=False):
        loc = tuple(detail["loc"])
        path = _visible_path(_as_written(loc, data), data)
        if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path = (*path, _unquote(str(detail.get("ctx", {}).get("discriminator", "type"))))
        message = _message(detail, loc, model)
        problems.append(ConfigProblem(line_of(root, path), format_path(path), message))
    return problems


def _as_written(loc: tuple[PathElement, ...], data: object) -> tuple[PathElement, ...]:
    """The location in the file's own spelling of the maintenance section.

    ``maintenance`` is a list of windows or ``{notice: ..., windows: [...]}``; the model keeps
    them as ``maintenance`` and ``maintenance_notice``, so an error in the mapping form must be
    pointed back at ``maintenance.windows[i]`` or ``maintenance.notice``.
    """
    section = data.get("maintenance") if isinstance(data, Mapping) else None
    if not isinstance(section, Mapping) or not loc:
        return loc
    if loc[0] == "maintenance_notice":
        return ("maintenance", "notice", *loc[1:])
    if loc[0] == "maintenance" and len(loc) > 1 and isinstance(loc[1], int):
        return ("maintenance", "windows", *loc[1:])
    return loc


def _visible_path(loc: tuple[PathElement, ...], data: object) -> tuple[PathElement, ...]:
    if data is None:  # nothing to walk (e.g. settings from the environment): trust the loc
        return tuple(element for element in loc if element != "[key]")
    visible: list[PathElement] = []
    current: object = data
    for position, element in enumerate(loc):
        if element == "[key]":
            break
        if isinstance(current, Mapping) and element in current:
            current = current[element]
        elif isinstance(current, list | tuple) and isinstance(element, int):
            current = current[element] if 0 <= element < len(current) else None
        elif position != len(loc) - 1 and current is not None:
            continue  # a union tag or another step pydantic adds; it is not in the file
        elif not isinstance(current, Mapping):
            break  # a union branch name after a scalar: the scalar itself is the field
        else:
            current = None  # a missing key: name it, it is what the user has to add
        visible.append(element)
    return tuple(visible)


def _message(detail: Mapping[str, Any], loc: tuple[PathElement, ...], model: type | None) -> str:
    kind = str(detail["type"])
    text = str(detail["msg"])
    context: Mapping[str, Any] = detail.get("ctx") or {}
    if kind == PROBLEM_TYPE:
        return text
    if kind == "extra_forbidden":
        return "unknown field" + _suggestion(loc, model)
    if kind == "missing":
        return "missing required field"
    if kind == "timezone_aware":
        return "needs a UTC offset, e.g. 2026-06-14T02:00:00+02:00"
    if kind == "union_tag_invalid":
        expected = _unquote(str(context.get("expected_tags", "")))
        return f"unknown type {context.get('tag')!r}; use one of {expected}"
    if kind == "union_tag_not_found":
        return "missing required field"
    if kind == "too_short":
        count = int(context.get("min_length", 1))
        return f"needs at least {count} {'entry' if count == 1 else 'entries'}"
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    return text[:1].lower() + text[1:]


def _unquote(text: str) -> str:
    return text.replace("'", "")


def _suggestion(loc: tuple[PathElement, ...], model: type | None) -> str:
    if model is None or not loc or not isinstance(loc[-1], str):
        return ""
    fields = _fields_at(model, loc[:-1])
    if not fields:
        return ""
    close = difflib.get_close_matches(loc[-1], fields, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]}?)"
    return f" (known: {', '.join(fields)})"


def _fields_at(model: type, loc: tuple[PathElement, ...]) -> list[str] | None:
    """Field names of the section at ``loc``, following the schema's own types."""
    current: Any = model
    for element in loc:
        current = _step(_unwrap(current), element)
        if current is None:
            return None
    section = _unwrap(current)
    if isinstance(section, type) and issubclass(section, BaseModel):
        return list(section.model_fields)
    return None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _step(annotation: Any, element: PathElement) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(element))
        return None if field is None else field.annotation
    origin = get_origin(annotation)
    if origin in (tuple, list) and isinstance(element, int):
        return get_args(annotation)[0]
    if origin is dict:
        return get_args(annotation)[1]
    if origin in (typing.Union, types.UnionType):
        # A tagged union: pydantic puts the tag value in the location.
        for member in get_args(annotation):
            candidate = _unwrap(member)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                tag = candidate.model_fields.get("type")
                if (
                    tag is not None
                    and get_origin(tag.annotation) is Literal
                    and element in get_args(tag.annotation)
                ):
                    return candidate
    return None
