"""The Grafana dashboards: valid against the schema of ``@grafana/schema``, queries that
promtool parses, and only the metrics docs/interfaces.md publishes.

Grafana has no server here. The JSON schemas in ``grafana/schema/`` were generated from the
npm package (``grafana/schema/generate.sh``) and are read with ``jsonschema``; npm is not
needed to run these tests.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.prometheus.promql import PUBLIC_METRICS, REPOSITORY, check_expressions, metric_names

GRAFANA = REPOSITORY / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
SCHEMA = GRAFANA / "schema"

# Concrete values for Grafana's template variables, so promtool sees plain PromQL.
BUILT_IN = {"__rate_interval": "1m", "__interval": "1m", "__range": "1h"}
SAMPLE_VALUES = {"target": "it-system", "window": "24x7", "category": "email"}
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)")
_LABEL_VALUES = re.compile(r"^label_values\((?:(?P<selector>.+),\s*)?(?P<label>\w+)\)$")


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def validator(path: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in board.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def substitute(expr: str, board: dict[str, Any]) -> str:
    declared = {variable["name"] for variable in board["templating"]["list"]}

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name in BUILT_IN:
            return BUILT_IN[name]
        assert name in declared, f"query uses ${name}, which the dashboard does not declare"
        return SAMPLE_VALUES[name]

    return _VARIABLE.sub(value, expr)


def queries() -> Iterator[tuple[str, str]]:
    """(where, PromQL) for every panel target and every query variable of every dashboard."""
    for path in DASHBOARDS:
        board = load(path)
        for panel in panels(board):
            for target in panel.get("targets", []):
                where = f"{path.name} panel {panel['id']} ({panel['title']}) {target['refId']}"
                yield where, substitute(target["expr"], board)
        for variable in board["templating"]["list"]:
            if variable["type"] == "query":
                match = _LABEL_VALUES.match(variable["query"])
                assert match is not None, f"{path.name} ${variable['name']}: not label_values()"
                selector = match.group("selector") or "up"
                yield f"{path.name} variable ${variable['name']}", substitute(selector, board)


QUERIES = dict(queries())


def test_there_are_the_overview_and_the_service_desk_dashboards() -> None:
    """Both dashboards of the issue exist, each with a unique, stable uid for provisioning."""
    assert [path.name for path in DASHBOARDS] == ["service-desk.json", "sla-overview.json"]
    uids = [load(path)["uid"] for path in DASHBOARDS]
    assert len(set(uids)) == len(uids)


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_dashboard_validates_against_the_grafana_schema(path: Path) -> None:
    """The dashboard JSON is a valid ``Dashboard`` of ``@grafana/schema``."""
    validator(SCHEMA / "dashboard.schema.json").validate(load(path))


def test_the_schema_rejects_a_misspelt_panel_field() -> None:
    """The generated schema is strict: an unknown panel field fails, so validation bites."""
    board = copy.deepcopy(load(GRAFANA / "dashboards" / "sla-overview.json"))
    board["panels"][1]["titel"] = "typo"
    errors = list(validator(SCHEMA / "dashboard.schema.json").iter_errors(board))
    causes = [cause.message for error in errors for cause in [error, *error.context]]
    assert "Additional properties are not allowed ('titel' was unexpected)" in causes


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_panel_options_validate_against_their_panel_schemas(path: Path) -> None:
    """Every panel's options and custom field config match its plugin's schema."""
    checked = 0
    for panel in panels(load(path)):
        if panel["type"] == "row":
            continue
        options = SCHEMA / "panels" / f"{panel['type']}.options.schema.json"
        assert options.exists(), f"no schema for panel type {panel['type']!r}"
        validator(options).validate(panel["options"])
        custom = SCHEMA / "panels" / f"{panel['type']}.fieldconfig.schema.json"
        if custom.exists():
            validator(custom).validate(panel["fieldConfig"]["defaults"].get("custom", {}))
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize(("where", "expr"), QUERIES.items(), ids=list(QUERIES))
def test_query_is_parsed_by_promtool(where: str, expr: str, tmp_path: Path) -> None:
    """promtool parses the query once template variables have concrete values."""
    result = check_expressions({where: expr}, tmp_path)
    assert result.returncode == 0, f"{where}: {expr}\n{result.stdout}{result.stderr}"


def test_the_promtool_check_rejects_a_broken_query(tmp_path: Path) -> None:
    """The parse check is real: an unbalanced parenthesis fails it."""
    result = check_expressions({"broken": "sum by (target (sla_target_up)"}, tmp_path)
    assert result.returncode != 0
    assert "parse error" in result.stdout + result.stderr


@pytest.mark.parametrize(("where", "expr"), QUERIES.items(), ids=list(QUERIES))
def test_query_uses_only_published_metrics(where: str, expr: str) -> None:
    """Each metric a query selects is in docs/interfaces.md's list."""
    used = metric_names(expr)
    assert used, f"{where} selects no metric: {expr}"
    assert used <= PUBLIC_METRICS, f"{where} uses unpublished {sorted(used - PUBLIC_METRICS)}"


def test_the_overview_covers_every_sla_figure_the_issue_asks_for() -> None:
    """Availability this month and last, objective, budget, state, maintenance, latency."""
    board = load(GRAFANA / "dashboards" / "sla-overview.json")
    text = " ".join(t["expr"] for p in panels(board) for t in p.get("targets", []))
    for needle in (
        'sla_availability_ratio{target=~"$target", window=~"$window", period="current_month"}',
        'sla_availability_ratio{target=~"$target", window=~"$window", period="previous_month"}',
        "sla_objective_ratio",
        "sla_error_budget_remaining_seconds",
        "sla_target_up",
        "sla_in_maintenance",
        "probe_duration_seconds",
    ):
        assert needle in text
    state = [p for p in panels(board) if p["type"] == "state-timeline"]
    assert any("sla_target_up" in t["expr"] for p in state for t in p["targets"])


def test_the_target_state_says_not_probed_outside_the_schedule() -> None:
    """A target outside its probing schedule reads "not probed", not red or green."""
    board = load(GRAFANA / "dashboards" / "sla-overview.json")
    [state] = [p for p in panels(board) if p["title"] == "Target state"]
    [target] = state["targets"]
    assert "sla_target_probing" in target["expr"]
    [mapping] = state["fieldConfig"]["defaults"]["mappings"]
    texts = {value: option["text"] for value, option in mapping["options"].items()}
    assert texts == {
        "0": "down",
        "1": "up",
        "2": "down in maintenance",
        "3": "maintenance",
        "4": "not probed (outside schedule)",
    }


def test_the_service_desk_board_covers_ratio_objective_open_and_overdue() -> None:
    """Response ratio per category against its objective, open and overdue requests."""
    board = load(GRAFANA / "dashboards" / "service-desk.json")
    used = set().union(
        *(metric_names(t["expr"]) for p in panels(board) for t in p.get("targets", []))
    )
    assert {
        "servicedesk_response_ratio",
        "servicedesk_response_objective_ratio",
        "servicedesk_requests_open",
        "servicedesk_requests_overdue",
    } <= used


@pytest.mark.parametrize(
    ("name", "variables"),
    [
        ("sla-overview.json", ["datasource", "target", "window"]),
        ("service-desk.json", ["datasource", "category"]),
    ],
)
def test_dashboard_has_its_template_variables(name: str, variables: list[str]) -> None:
    """A data source variable first, then the label variables the issue names."""
    board = load(GRAFANA / "dashboards" / name)
    declared = [variable["name"] for variable in board["templating"]["list"]]
    assert declared == variables
    assert board["templating"]["list"][0]["type"] == "datasource"


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_every_panel_queries_through_the_datasource_variable(path: Path) -> None:
    """No panel is tied to one Grafana's data source uid."""
    for panel in panels(load(path)):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_panels_fit_the_grid_without_overlapping(path: Path) -> None:
    """Unique ids; every panel inside the 24 columns; no two panels cover the same cell."""
    board = load(path)
    ids = [panel["id"] for panel in panels(board)]
    assert len(set(ids)) == len(ids)
    boxes = []
    for panel in panels(board):
        pos = panel["gridPos"]
        assert pos["x"] >= 0, panel["title"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        boxes.append((panel["title"], pos))
    for (first, a), (second, b) in combinations(boxes, 2):
        apart = (
            a["x"] + a["w"] <= b["x"]
            or b["x"] + b["w"] <= a["x"]
            or a["y"] + a["h"] <= b["y"]
            or b["y"] + b["h"] <= a["y"]
        )
        assert apart, f"{first!r} overlaps {second!r}"


def test_provisioning_loads_the_dashboards_from_files_and_a_prometheus_source() -> None:
    """The provider reads a folder of JSON files; the example data source is Prometheus."""
    provider = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "sla-monitor.yaml").read_text()
    )
    assert provider["apiVersion"] == 1
    [entry] = provider["providers"]
    assert entry["type"] == "file"
    assert entry["options"]["path"].startswith("/")
    datasources = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.example.yaml").read_text()
    )
    assert [source["type"] for source in datasources["datasources"]] == ["prometheus"]
