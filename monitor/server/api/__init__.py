"""The daemon's HTTP API (docs/interfaces.md): status, outages, maintenance, OpenAPI.

Mounted on the metrics server by :func:`monitor.server.web.create_app` when it is given an
:class:`ApiContext`. Writes need a write token, reads a token only once read tokens are
configured; see :mod:`monitor.server.api.auth`.
"""

from monitor.server.api.app import add_api_routes
from monitor.server.api.auth import ApiTokens, TokenError, auth_middleware, tokens_from_settings
from monitor.server.api.context import ApiContext, TargetState, TargetStateName
from monitor.server.api.errors import ApiError, error_middleware
from monitor.server.api.openapi import openapi_document
from monitor.server.api.states import TargetStates

__all__ = [
    "ApiContext",
    "ApiError",
    "ApiTokens",
    "TargetState",
    "TargetStateName",
    "TargetStates",
    "TokenError",
    "add_api_routes",
    "auth_middleware",
    "error_middleware",
    "openapi_document",
    "tokens_from_settings",
]
