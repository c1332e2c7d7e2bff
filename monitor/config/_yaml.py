"""YAML reading that keeps line numbers and refuses duplicate keys.

``yaml.safe_load`` forgets where a value came from and lets a second ``name:`` in the same
mapping silently replace the first, which in a file that decides money is a bug waiting to
happen. So the document is composed into nodes first (they carry line marks), checked for
duplicate keys, then constructed with the safe constructor. The node tree is kept so that an
error in ``targets[0].probe.expect_staus`` can be reported with its line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import yaml

from monitor.config._paths import PathElement, format_path
from monitor.errors import SlaMonitorError

__all__ = [
    "MAX_ALIAS_EXPANSION",
    "YamlDocument",
    "YamlError",
    "YamlProblem",
    "line_of",
    "load_yaml",
]

_MERGE_TAG = "tag:yaml.org,2002:merge"

MAX_ALIAS_EXPANSION = 100_000
"""Most nodes that aliases may add when the document is expanded into plain data.

An alias is a reference, so nine lines of nested aliases (the "billion laughs") describe a
billion values: cheap to parse, but everything that walks the data afterwards (validation,
the duplicate-key check) would take hours and gigabytes. A real configuration uses a few
aliases for shared SLA lists; a hundred thousand extra nodes is far beyond that.
"""


@dataclass(frozen=True, slots=True)
class YamlProblem:
    line: int | None
    path: str
    message: str


class YamlError(SlaMonitorError):
    """The text is not a usable YAML document; each problem has its line."""

    def __init__(self, problems: Sequence[YamlProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """The constructed data and the node tree it came from (``None`` for an empty text)."""

    data: object
    root: yaml.Node | None


# libyaml's parser when PyYAML was built with it: composing 10,000 targets takes 1.4 s instead
# of 7.9 s, and the pure-Python parser's garbage left the daemon 150 MB larger for good.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """The safe loader, with impossible dates reported at their line."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> date:
        # PyYAML's own constructor lets a ValueError escape for 2026-02-30, without a mark.
        try:
            parsed: date = super().construct_yaml_timestamp(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid date or time", node.start_mark
            ) from None
        return parsed


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def load_yaml(text: str) -> YamlDocument:
    """Parse one YAML document safely; raise :class:`YamlError` on syntax errors and
    duplicate keys, never echoing the offending line (it may hold a secret)."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return YamlDocument(None, None)
        _check_expansion(root)
        duplicates = list(_duplicate_keys(root, (), set(), set()))
        if duplicates:
            raise YamlError(duplicates)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        raise YamlError([_syntax_problem(error)]) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        # Unmarked failures of the constructors; their text may quote the input.
        raise YamlError([YamlProblem(None, "", "not valid YAML")]) from None
    finally:
        loader.dispose()
    return YamlDocument(data, root)


def _syntax_problem(error: yaml.MarkedYAMLError) -> YamlProblem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    problem = error.problem or "unreadable YAML"
    if isinstance(error, yaml.constructor.ConstructorError) and error.context is None:
        return YamlProblem(line, "", problem)
    if error.context:
        problem = f"{error.context}, {problem}"
    return YamlProblem(line, "", f"YAML syntax error: {problem}")


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand beyond :data:`MAX_ALIAS_EXPANSION` nodes.

    Counts the expanded size bottom-up, each distinct node once (a memo by identity), so the
    check itself is linear in the text however deep the aliases nest. A merge key's value is
    an alias too and is counted the same way.
    """
    expanded: dict[int, int] = {}
    distinct = 0
    # Iterative post-order walk: a deeply nested document must not hit Python's recursion
    # limit here. A node met again while still open is an alias cycle: counted as one.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            size = 1 + sum(expanded.get(id(child), 1) for child in _children(node))
            expanded[key] = size
            if size - distinct > MAX_ALIAS_EXPANSION:
                raise YamlError([_expansion_problem(node)])
            continue
        if key in expanded or key in open_nodes:
            continue
        distinct += 1
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield key_node
            yield value_node
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def _expansion_problem(node: yaml.Node) -> YamlProblem:
    return YamlProblem(
        node.start_mark.line + 1,
        "",
        f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} extra values; "
        "write the shared parts out or use fewer nested aliases",
    )


def _duplicate_keys(
    node: yaml.Node, path: tuple[PathElement, ...], active: set[int], seen_nodes: set[int]
) -> Iterator[YamlProblem]:
    # ``active`` guards against alias cycles (``&a [*a]``); ``seen_nodes`` makes a shared
    # subtree (an alias) checked once, at its first path, so the walk is linear in the text.
    if id(node) in active or id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key_path = (*path, _key_text(key_node))
            if isinstance(key_node, yaml.ScalarNode):
                key = (key_node.tag, key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    yield YamlProblem(
                        line, format_path(key_path), f"duplicate key (first at line {seen[key]})"
                    )
                else:
                    seen[key] = line
            yield from _duplicate_keys(value_node, key_path, active, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*path, index), active, seen_nodes)
    active.discard(id(node))


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "?"


def line_of(root: yaml.Node | None, path: Sequence[PathElement]) -> int | None:
    """The line of the deepest node along ``path``: the key line for a mapping entry, the
    item line for a sequence entry, the enclosing mapping's line for a missing key."""
    if root is None:
        return None
    node: yaml.Node = root
    line = root.start_mark.line + 1
    for element in path:
        found = _child(node, element)
        if found is None:
            break
        line, node = found
    return line


def _child(node: yaml.Node, element: PathElement) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        # After construction merge keys are flattened into node.value; the last entry wins,
        # as it does in the constructed data.
        match: tuple[int, yaml.Node] | None = None
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(element):
                match = (key_node.start_mark.line + 1, value_node)
        return match
    if isinstance(node, yaml.SequenceNode) and isinstance(element, int):
        items: list[yaml.Node] = node.value
        if 0 <= element < len(items):
            return items[element].start_mark.line + 1, items[element]
    return None
