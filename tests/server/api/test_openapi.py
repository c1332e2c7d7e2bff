"""The OpenAPI document: well-formed, complete, in step with the handlers and the models."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from aiohttp import web
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from monitor.config import Config
from monitor.server.api import ApiContext, ApiTokens, add_api_routes, openapi_document
from monitor.server.api.maintenance import DeleteRequest, NewMaintenanceWindow
from monitor.server.api.requests import NewRequest
from monitor.store import Store
from tests.server.api.conftest import CATEGORIES, WRITE_TOKEN, Harness, MakeHarness, bearer
from tests.server.api.test_status import snapshot_for

DOCUMENT = openapi_document(["mail", "web"], reads_protected=False, categories=CATEGORIES)
METHODS = {"get", "post", "put", "patch", "delete"}
APPROVER_TOKEN = "approver-token-0123456789abcdef"


def validator(name: str) -> jsonschema_rs.Validator:
    """A validator for one component, resolving its references inside the document."""
    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": DOCUMENT["components"]},
        validate_formats=True,
    )


def assert_conforms(name: str, instance: Any) -> None:
    errors = [str(e) for e in validator(name).iter_errors(instance)]
    assert errors == [], f"{name}: {errors}"


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def test_the_document_is_openapi_3_1_and_serialises_as_json() -> None:
    """The top-level fields a tool reads first, and plain JSON all the way down."""
    assert DOCUMENT["openapi"] == "3.1.0"
    assert DOCUMENT["info"]["title"] == "sla-monitor"
    assert json.loads(json.dumps(DOCUMENT)) == DOCUMENT
    assert DOCUMENT["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": DOCUMENT["components"]["securitySchemes"]["bearer"]["description"],
    }


@pytest.mark.parametrize(
    ("targets", "categories", "reads_protected"),
    [(["mail", "web"], CATEGORIES, False), ([], [], True)],
)
def test_the_document_validates_against_the_openapi_3_1_schema(
    targets: list[str], categories: list[str], reads_protected: bool
) -> None:
    """Generated components and hand-written paths together form a valid OpenAPI 3.1 document."""
    document = openapi_document(targets, reads_protected=reads_protected, categories=categories)
    validate(document, cls=OpenAPIV31SpecValidator)


@pytest.mark.parametrize("name", sorted(DOCUMENT["components"]["schemas"]))
def test_every_component_is_a_valid_json_schema(name: str) -> None:
    """Checked against the 2020-12 meta-schema, the dialect of OpenAPI 3.1."""
    jsonschema_rs.meta.validate(DOCUMENT["components"]["schemas"][name])


def test_every_reference_resolves() -> None:
    """A dangling $ref would make clients and schemathesis fail on first use."""
    schemas = DOCUMENT["components"]["schemas"]
    for ref in set(references(DOCUMENT)):
        match = re.fullmatch(r"#/components/schemas/(\w+)", ref)
        assert match is not None, ref
        assert match.group(1) in schemas, ref


def test_every_operation_documents_its_errors_in_the_error_shape() -> None:
    """Unique operation ids; 401 with a challenge header; every 4xx/5xx is an Error."""
    ids = []
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            ids.append(operation["operationId"])
            responses = operation["responses"]
            assert "401" in responses, (method, path)
            assert "WWW-Authenticate" in responses["401"]["headers"]
            for code, response in responses.items():
                if int(code) >= 400:
                    content = response["content"]["application/json"]["schema"]
                    assert content == {"$ref": "#/components/schemas/Error"}, (code, path)
    assert len(ids) == len(set(ids))


async def test_the_document_lists_exactly_the_routes_the_api_serves(
    store: Store, config: Config
) -> None:
    """Nothing served undocumented, nothing documented unserved."""
    app = web.Application()
    add_api_routes(app, ApiContext(store=store, config=lambda: config, tokens=ApiTokens()))
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.method != "HEAD" and route.resource is not None
    }
    documented = {
        (method, path)
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method in METHODS
    }
    assert served == documented


@pytest.mark.parametrize(
    ("model", "name"),
    [
        (NewMaintenanceWindow, "NewMaintenanceWindow"),
        (DeleteRequest, "DeleteRequest"),
        (NewRequest, "NewRequest"),
    ],
)
def test_request_schemas_name_the_fields_the_models_accept(model: Any, name: str) -> None:
    """The hand-written body schemas and the pydantic models cannot drift apart."""
    schema = DOCUMENT["components"]["schemas"][name]
    assert set(schema["properties"]) == set(model.model_fields)
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    assert set(schema["required"]) == required
    assert schema["additionalProperties"] is False


def test_the_target_enum_follows_the_configuration_and_reads_follow_protection() -> None:
    """Target names come from the config; read security is optional unless protected."""
    open_reads = openapi_document(["web"], reads_protected=False)
    closed = openapi_document([], reads_protected=True)
    targets = "components", "schemas", "NewMaintenanceWindow", "properties", "targets", "items"
    node: Any = open_reads
    for key in targets:
        node = node[key]
    assert node["enum"] == ["web"]
    assert open_reads["paths"]["/api/v1/status"]["get"]["security"] == [{"bearer": []}, {}]
    assert closed["paths"]["/api/v1/status"]["get"]["security"] == [{"bearer": []}]
    post = closed["paths"]["/api/v1/maintenance"]["post"]
    assert post["security"] == [{"bearer": []}]


def test_the_category_enum_follows_the_configuration_and_the_webhook_needs_a_write_token() -> None:
    """Request categories come from servicedesk.categories; recording one is a write."""
    configured = openapi_document([], reads_protected=False, categories=["complaint", "email"])
    unconfigured = openapi_document([], reads_protected=False)
    new_request = "components", "schemas", "NewRequest", "properties", "category"
    node: Any = configured
    other: Any = unconfigured
    for key in new_request:
        node, other = node[key], other[key]
    assert node["enum"] == ["complaint", "email"]
    assert "enum" not in other
    post = configured["paths"]["/api/v1/requests"]["post"]
    assert post["security"] == [{"bearer": []}]
    assert sorted(post["responses"]) == sorted(
        ["200", "201", "400", "401", "403", "409", "413", "415", "422", "503"]
    )


async def test_success_responses_conform_to_their_schemas(
    make_harness: MakeHarness, config: Config
) -> None:
    """The paths fuzzing rarely reaches (201, a withdrawn window, figures) match the document."""
    async with make_harness(snapshot=snapshot_for(config)) as h:
        created = await register_and_check(h)
        detail = await h.client.get(f"/api/v1/maintenance/{created['id']}")
        assert_conforms("MaintenanceWindowDetail", await detail.json())
        retro = await h.register(
            start="2026-06-01T02:00:00+02:00",
            end="2026-06-01T03:00:00+02:00",
        )
        assert_conforms("MaintenanceWindow", await retro.json())
        withdrawn = await h.client.delete(
            f"/api/v1/maintenance/{created['id']}?by=ops", headers=bearer()
        )
        assert_conforms("MaintenanceWindow", await withdrawn.json())
        listing = await h.client.get("/api/v1/maintenance?include_deleted=true")
        assert_conforms("MaintenanceList", await listing.json())
        assert_conforms("Status", await (await h.client.get("/api/v1/status")).json())
        assert_conforms("OutageList", await (await h.client.get("/api/v1/outages")).json())
        served = await (await h.client.get("/api/v1/openapi.json")).json()
        assert served == DOCUMENT


async def register_and_check(h: Harness) -> dict[str, Any]:
    response = await h.register()
    assert response.status == 201
    body: dict[str, Any] = await response.json()
    assert_conforms("MaintenanceWindow", body)
    return body


async def test_error_responses_conform_to_the_error_schema(harness: Harness) -> None:
    """401, 404, 405, 409, 413, 415 and 422 all leave in the documented shape."""
    own = await (await harness.register()).json()
    responses = [
        await harness.client.post("/api/v1/maintenance", json={}),
        await harness.client.get("/api/v1/nothing"),
        await harness.client.put("/api/v1/status", headers=bearer()),
        await harness.client.post(f"/api/v1/maintenance/{own['id']}/approval", headers=bearer()),
        await harness.client.post("/api/v1/maintenance", data=b"x" * 70_000, headers=bearer()),
        await harness.client.post("/api/v1/maintenance", data="x", headers=bearer()),
        await harness.register(targets=["crm"]),
    ]
    assert [r.status for r in responses] == [401, 404, 405, 409, 413, 415, 422]
    for response in responses:
        assert response.content_type == "application/json"
        assert_conforms("Error", await response.json())
    assert responses[2].headers["Allow"]


async def test_an_approved_window_with_its_approval_in_the_trail_conforms(
    make_harness: MakeHarness,
) -> None:
    """The audit trail's approve entry is an action the document names, and it is served."""
    tokens = ApiTokens.of(write=[("ops", WRITE_TOKEN), ("client", APPROVER_TOKEN)])
    async with make_harness(tokens=tokens) as h:
        created = await (await h.register()).json()
        url = f"/api/v1/maintenance/{created['id']}/approval"
        approved = await h.client.post(url, headers=bearer(APPROVER_TOKEN))
        assert approved.status == 200
        detail = await (await h.client.get(f"/api/v1/maintenance/{created['id']}")).json()
        assert [c["action"] for c in detail["changes"]] == ["create", "approve"]
        assert_conforms("MaintenanceWindowDetail", detail)
