"""A constant endpoint with no middleware at all, for the benchmark's request-path comparison
(`make bench`): served by the same app object and server as the API, so the difference between
it and a lookup is exactly what lotline puts on a request (middleware, authentication, routing,
the query, serialisation, logging). Present only when LOTLINE_BENCH_CONSTANT is set."""

from __future__ import annotations

import os

from lotline.entrypoints.api.middleware import ASGIApp, Receive, Scope, Send

ENV_VAR = "LOTLINE_BENCH_CONSTANT"
PATH_PREFIX = "/_bench/constant/"
BODY = b'{"id":"00000000-0000-0000-0000-000000000000","status":"IN_STOCK"}'
HEADERS = [(b"content-type", b"application/json"),
           (b"content-length", str(len(BODY)).encode("ascii"))]


def wanted() -> bool:
    return bool(os.environ.get(ENV_VAR))


class ConstantProbe:
    """The outermost layer: answers PATH_PREFIX... with a constant, passes the rest on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).startswith(PATH_PREFIX):
            await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
            await send({"type": "http.response.body", "body": BODY})
            return
        await self.app(scope, receive, send)
