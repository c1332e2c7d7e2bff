"""Mounting the API on the daemon's aiohttp application."""

from __future__ import annotations

from aiohttp import web

from monitor.server.api.analyses import AnalysesHandler
from monitor.server.api.auth import auth_middleware
from monitor.server.api.context import ApiContext
from monitor.server.api.deliveries import deliveries_handler
from monitor.server.api.errors import error_middleware
from monitor.server.api.maintenance import MaintenanceHandler
from monitor.server.api.openapi import OpenApiHandler
from monitor.server.api.outages import OutagesHandler
from monitor.server.api.reports import report_handler
from monitor.server.api.requests import RequestsHandler
from monitor.server.api.status import StatusHandler

__all__ = ["add_api_routes"]


def add_api_routes(app: web.Application, api: ApiContext) -> None:
    """Add ``/api/v1/*`` and the middlewares; call before the application starts.

    The error middleware is outermost so that the auth middleware's refusals and aiohttp's
    own (404, 405, 413) all leave in the one error shape. Auth covers every route of the
    application, ``/metrics`` included, except the health endpoints.
    """
    app.middlewares.append(error_middleware)
    app.middlewares.append(auth_middleware(api.tokens))
    status = StatusHandler(api)
    outages = OutagesHandler(api)
    maintenance = MaintenanceHandler(api)
    requests = RequestsHandler(api)
    analyses = AnalysesHandler(api)
    document = OpenApiHandler(api)
    app.router.add_get("/api/v1/status", status.get)
    app.router.add_get("/api/v1/outages", outages.get)
    app.router.add_get("/api/v1/maintenance", maintenance.index)
    app.router.add_post("/api/v1/maintenance", maintenance.create)
    app.router.add_get("/api/v1/maintenance/{id}", maintenance.show)
    app.router.add_delete("/api/v1/maintenance/{id}", maintenance.withdraw)
    app.router.add_post("/api/v1/maintenance/{id}/approval", maintenance.approve)
    app.router.add_post("/api/v1/outages/{id}/corrections", outages.correct)
    app.router.add_post("/api/v1/analyses", analyses.create)
    app.router.add_get("/api/v1/analyses", analyses.index)
    app.router.add_post("/api/v1/requests", requests.create)
    app.router.add_post("/api/v1/requests/{id}/resolution", requests.resolve)
    app.router.add_get("/api/v1/openapi.json", document.get)
    # Before /reports/{month}: the first route that matches serves.
    app.router.add_get("/api/v1/reports/deliveries", deliveries_handler(api))
    app.router.add_get("/api/v1/reports/{month}", report_handler(api.store, api.config, api.clock))
