"""Read-your-writes over HTTP when reads that may lag go to a replica (DESIGN §9).

Each request runs in a read session (service_layer/consistency.py) seeded with the token the
client sends back: the `LOTLINE-Consistency-Token` header, else the web UI's
`lotline_consistency` cookie. A request that wrote answers with the primary's position after
its writes in that header (and, for a browser with a session, in the cookie, so the page the
form redirects to shows the change); its reads that may lag are served by the replica only
once the replica has replayed the token, else by the primary. Added by create_app only when a
replica is configured: without one nothing here runs."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool

from lotline.entrypoints.api.middleware import ASGIApp, Message, Receive, Scope, Send
from lotline.entrypoints.api.responses import problem
from lotline.service_layer.consistency import ReadSession, reading_session, valid_token

HEADER = b"lotline-consistency-token"
HEADER_NAME = "LOTLINE-Consistency-Token"
COOKIE = "lotline_consistency"
SESSION_COOKIE = "lotline_session"  # the web UI's session (entrypoints/web/session.py)
# Long enough for any redirect and the pages after it; by then a replica has caught up.
COOKIE_SECONDS = 60

log = logging.getLogger("lotline.consistency")


class ConsistencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given, cookies = _given(scope)
        if given is not None and not valid_token(given):
            await problem(422, "validation_error", "Invalid input",
                          f"{HEADER_NAME} must be a token this server gave (like 16/B374D848)",
                          errors=[{"field": HEADER_NAME, "message": "not a consistency token",
                                   "value": given[:40]}])(scope, receive, send)
            return
        if given is None:
            cookie = cookies.get(COOKIE)
            given = cookie if cookie is not None and valid_token(cookie) else None
        session = ReadSession(given)
        browser = SESSION_COOKIE in cookies

        async def send_with_token(message: Message) -> None:
            if message["type"] == "http.response.start" and session.pending:
                token = await _position(session)
                if token is not None:
                    message["headers"] = [*message.get("headers", []),
                                          *_token_headers(token, browser)]
            await send(message)

        with reading_session(session):
            await self.app(scope, receive, send_with_token)


def _given(scope: Scope) -> tuple[str | None, dict[str, str]]:
    """The header's token (None when absent) and the request's cookies."""
    header: str | None = None
    cookies: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        if key == HEADER:
            header = bytes(value).decode("latin-1").strip()
        elif key == b"cookie":
            for pair in bytes(value).decode("latin-1").split(";"):
                name, _, text = pair.strip().partition("=")
                cookies.setdefault(name, text)
    return header, cookies


async def _position(session: ReadSession) -> str | None:
    """The primary's position after the request's writes; None (no token: the client's next
    read may lag) if the primary cannot say — the write itself has committed already."""
    try:
        return await run_in_threadpool(session.token)
    except Exception:  # the answer must still go out
        log.warning("could not read the primary's position for a consistency token",
                    exc_info=True)
        return None


def _token_headers(token: str, browser: bool) -> list[tuple[bytes, bytes]]:
    headers = [(HEADER, token.encode("latin-1"))]
    if browser:
        cookie = f"{COOKIE}={token}; Path=/; Max-Age={COOKIE_SECONDS}; HttpOnly; SameSite=Lax"
        headers.append((b"set-cookie", cookie.encode("latin-1")))
    return headers
