"""Probe locations in the configuration: who probes what, the quorum, the shared rules."""

from __future__ import annotations

import pytest

from monitor.config import ConfigError, parse_config

BASE = """
timezone: Europe/Amsterdam
locations:
  - {name: a, description: first floor}
  - {name: b}
  - {name: c}
targets:
  - name: web
    probe: {type: http, url: "URL"}
    slas: [{window: 24x7, objective: 0.99}]
  - name: mail
    probe: {type: tcp, host: 127.0.0.1, port: 25}
    locations: [a, b]
    quorum: 1
    slas: [{window: 24x7, objective: OBJECTIVE}]
"""


def config_with(url: str = "http://127.0.0.1:9/", objective: str = "0.99") -> str:
    return BASE.replace("URL", url).replace("OBJECTIVE", objective)


def test_a_target_is_probed_from_every_location_unless_it_names_its_own() -> None:
    """web from a, b and c with a majority of 2; mail from a and b with its own quorum 1."""
    config = parse_config(config_with())
    web, mail = config.targets
    assert config.target_locations(web, "a") == ("a", "b", "c")
    assert config.quorum(web, "a") == 2
    assert config.target_locations(mail, "a") == ("a", "b")
    assert config.quorum(mail, "a") == 1
    assert [t.name for t in config.targets_at("c")] == ["web"]


def test_without_a_locations_section_the_process_is_the_one_location() -> None:
    """An existing file keeps working: one location, named by the process, quorum 1."""
    config = parse_config(
        """
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:9/"}
    slas: [{window: 24x7, objective: 0.99}]
"""
    )
    assert config.location_names("local") == ("local",)
    assert config.quorum(config.targets[0], "local") == 1
    assert config.targets_at("local") == config.targets


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("locations: [a, b]", "locations: [a, x]"), "unknown location 'x'; known: a, b, c"),
        (("quorum: 1", "quorum: 3"), "quorum 3 is more than the target's 2 location(s)"),
        (("  - {name: c}", "  - {name: b}"), "duplicate location name 'b'"),
    ],
)
def test_a_location_that_does_not_add_up_is_one_clear_problem(
    change: tuple[str, str], problem: str
) -> None:
    """Unknown locations, an unreachable quorum and a duplicate name are refused by name."""
    with pytest.raises(ConfigError) as caught:
        parse_config(config_with().replace(*change))
    assert any(problem in line for line in caught.value.lines()), caught.value.lines()


def test_the_rules_digest_ignores_how_a_location_reaches_a_target() -> None:
    """Another URL is the same rules; another objective is a different target rule."""
    here = parse_config(config_with()).rules_digest()
    there = parse_config(config_with(url="http://127.0.0.2:9/")).rules_digest()
    stricter = parse_config(config_with(objective="0.999")).rules_digest()
    assert here == there
    assert {part for part in here if here[part] != stricter[part]} == {"target mail"}
