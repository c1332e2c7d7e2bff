"""The configuration as the daemon loads it (monitor/daemon/_config.py): a compact copy of
what :func:`load_config` reads, refused with the same lines."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config
from monitor.daemon._config import ConfigSource

EXAMPLE = Path(__file__).parents[2] / "config" / "sla-monitor.example.yaml"

TARGETS = """\
timezone: Europe/Amsterdam
calendars:
  office: {weekdays: [mon, tue, wed, thu, fri], opening: "08:00-18:00"}
targets:
  - name: portal
    probe: {type: http, url: "https://portal.example.test/health", timeout: 5s}
    interval: 30s
    slas: [{window: office, objective: 0.995}]
  - name: desk
    probe: {type: tcp, host: 127.0.0.1, port: 25}
    slas: [{window: 24x7, objective: 0.99}]
"""


def source(path: Path) -> ConfigSource:
    return ConfigSource(path, reload_timeout=timedelta(seconds=30))


@pytest.mark.parametrize("text", [TARGETS, EXAMPLE.read_text("utf-8")], ids=["targets", "example"])
def test_the_daemon_loads_a_copy_equal_to_what_load_config_reads(text: str, tmp_path: Path) -> None:
    """The compacting copy changes where the models lie in memory, not what they say."""
    path = tmp_path / "sla.yaml"
    path.write_text(text, "utf-8")
    loaded = source(path).load()
    assert loaded == load_config(path)
    assert loaded is not load_config(path)
    assert [t.name for t in loaded.targets] == [t.name for t in load_config(path).targets]


def test_a_refused_file_gives_the_daemon_the_same_lines_as_load_config(tmp_path: Path) -> None:
    """File, line, field and problem come out of the daemon's loader exactly as before."""
    path = tmp_path / "sla.yaml"
    path.write_text(TARGETS.replace("interval: 30s", "interval: soon"), "utf-8")
    with pytest.raises(ConfigError) as direct:
        load_config(path)
    with pytest.raises(ConfigError) as daemon:
        source(path).load()
    assert daemon.value.lines() == direct.value.lines()
    assert daemon.value.lines()[0].startswith(f"{path}:7: targets[0].interval: ")
