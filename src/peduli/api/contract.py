"""What HTTP promises for every route at once, kept in one place rather than per route.

- ``OPTIONS`` on any path answers 204 with ``Allow`` naming the methods its routes serve,
  and a 405 names them too (Starlette names only those of the first route matching the
  path, and answers ``OPTIONS`` itself with a 405).
- A body sent as JSON is read strictly: every value must be of the JSON type its field
  declares (``core.schemas.strict_json``); HTML forms, which send only text, are not.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Match, Mount, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from peduli.core.schemas import strict_json

# What a mounted application (static files) serves.
MOUNT_METHODS = frozenset({"GET", "HEAD"})
ROUTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(router: Router, scope: Scope) -> list[str]:
    """The methods the routes at this request's path serve (OPTIONS too); empty: no route.

    Each method is asked of the routing table itself (``matches``), so routers included in
    routers count as FastAPI nests them.
    """
    methods: set[str] = set()
    for route in router.routes:
        if isinstance(route, Mount):
            if route.matches({**scope, "method": "GET"})[0] == Match.FULL:
                methods |= MOUNT_METHODS
            continue
        for method in ROUTED_METHODS:
            if route.matches({**scope, "type": "http", "method": method})[0] == Match.FULL:
                methods.add(method)
    if not methods:
        return []
    return [m for m in (*ROUTED_METHODS, "OPTIONS") if m in methods or m == "OPTIONS"]


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


class HttpContract:
    """ASGI middleware: answers OPTIONS from the routing table; reads JSON bodies strictly."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            allowed = allowed_methods(self.router, scope)
            if allowed:
                answer = Response(status_code=204, headers={"Allow": ", ".join(allowed)})
                await answer(scope, receive, send)
                return
        if _is_json(scope):
            with strict_json():
                await self.app(scope, receive, send)
            return
        await self.app(scope, receive, send)
