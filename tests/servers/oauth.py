"""An OAuth2 authorization server on loopback: client-credentials grant and introspection.

``POST /token`` is the grant of RFC 6749 §4.4 as Microsoft's identity platform answers it:
the form's ``client_id``/``client_secret`` must match, and a good request gets a fresh
``access_token`` with ``expires_in``; a wrong secret gets HTTP 401 ``invalid_client``.
``POST /introspect`` is RFC 7662, for dovecot's ``oauth2`` passdb: an issued token that is
neither revoked nor expired is ``{"active": true, "username": ...}``, anything else
``{"active": false}``. A test revokes or expires tokens to see how the client copes.

Use::

    async with TokenServer(client_id="sla", client_secret="s3cret", username=user) as server:
        ...  # server.token_url, server.introspection_url
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from aiohttp import web

__all__ = ["TokenServer"]


@dataclass
class TokenServer:
    client_id: str
    client_secret: str
    username: str
    """The mailbox user every token of this client stands for."""
    scope: str = "https://outlook.office365.com/.default"
    expires_in: int = 3600
    issued: list[str] = field(default_factory=list)
    """Every access token handed out, in order."""
    refused_grants: int = 0
    inactive: set[str] = field(default_factory=set)
    """Tokens revoked or expired: introspection calls them inactive."""
    refuse_every_token: bool = False
    """Introspection calls every token inactive, including fresh ones."""
    introspected: list[str] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _port: int = 0

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/token"

    @property
    def introspection_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/introspect"

    def revoke(self, token: str) -> None:
        self.inactive.add(token)

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/token", self._token)
        app.router.add_post("/introspect", self._introspect)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            self.refused_grants += 1
            return web.json_response(
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
                status=401,
            )
        if form.get("scope") != self.scope:
            return web.json_response({"error": "invalid_scope"}, status=400)
        token = f"at-{len(self.issued) + 1}-{secrets.token_urlsafe(24)}"
        self.issued.append(token)
        return web.json_response(
            {"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token}
        )

    async def _introspect(self, request: web.Request) -> web.Response:
        form = await request.post()
        token = str(form.get("token", ""))
        self.introspected.append(token)
        if self.refuse_every_token or token not in self.issued or token in self.inactive:
            return web.json_response({"active": False})
        return web.json_response({"active": True, "username": self.username})
