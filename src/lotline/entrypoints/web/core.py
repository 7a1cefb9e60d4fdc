"""What every page handler shares: the route class that turns errors into friendly pages and
checks CSRF on every POST, and the per-request context (session + services)."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from lotline.bootstrap import Services
from lotline.domain.errors import LotlineError
from lotline.domain.statuses import Role
from lotline.entrypoints.web.replay import back_to, is_page_post, keep_and_redirect, take_kept
from lotline.entrypoints.web.session import (
    CSRF_FIELD,
    CSRF_HEADER,
    LOGIN_PATH,
    WebSession,
    csrf_matches,
    load_session,
)
from lotline.entrypoints.web.templating import is_htmx, render

log = logging.getLogger("lotline.web")

TITLES = {400: "Bad request", 401: "Sign in needed", 403: "Not allowed", 404: "Not found",
          405: "Not allowed", 409: "That cannot be done", 413: "Too large",
          422: "Invalid input", 429: "Too many attempts", 500: "Something went wrong"}


class LoginRequired(Exception):
    """No valid session: the handler sends the browser to /login."""


class CsrfFailed(Exception):
    """A POST without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class Web:
    """One request's signed-in user and the services acting as them."""

    request: Request
    session: WebSession
    svc: Services

    def require(self, role: Role, action: str) -> None:
        self.session.actor.require(role, action)

    def require_manager(self, action: str) -> None:
        self.require(Role.MANAGER, action)


def web_context(request: Request) -> Web:
    known = getattr(request.state, "web_session", None)  # a POST's session, checked already
    session = known if isinstance(known, WebSession) else load_session(request)
    if session is None:
        raise LoginRequired
    return Web(request=request, session=session,
               svc=Services(request.app.state.engine, session.actor,
                            read_engine=request.app.state.read_engine))


async def form_data(request: Request) -> FormData:
    return await request.form()


WebDep = Annotated[Web, Depends(web_context)]
FormDep = Annotated[FormData, Depends(form_data)]


def field(form: FormData, name: str) -> str:
    """A text field of a form, '' when absent (files are not text fields)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def error_page(request: Request, status: int, message: str,
               title: str | None = None) -> Response:
    """A friendly error page: the title and a sentence, never a stack trace. For htmx
    requests, a fragment swapped into the page's message area."""
    context = {"status": status, "title": title or TITLES.get(status, "Error"),
               "message": message, "request_id": request.scope.get("state", {})
               .get("request_id", "")}
    if is_htmx(request):
        return render(request, "_error_fragment.html", context, status=status,
                      headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
    return render(request, "error.html", context, status=status)


async def _to_login(request: Request) -> Response:
    """To the login page, and after it back where the user was: a GET's own address, a
    POST's page (its Referer) with the scan it carried put back in the scan box."""
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        here = back_to(request)
        scanned = (await request.form()).get("data")
        if isinstance(scanned, str) and scanned.strip():
            here += ("&" if "?" in here else "?") + urlencode({"scan": scanned.strip()})
    target = f"/login?next={quote(here, safe='/')}"
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _check_csrf(request: Request) -> None:
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    token = submitted if isinstance(submitted, str) else request.headers.get(CSRF_HEADER)
    if not csrf_matches(request, token):
        raise CsrfFailed


def _failure(request: Request, error: Exception) -> Response:
    if isinstance(error, CsrfFailed):
        return error_page(request, 403, "This form has expired or did not come from this "
                          "site (missing or wrong CSRF token). Reload the page and try again.")
    if isinstance(error, LotlineError):
        return error_page(request, error.http_status, error.message)
    if isinstance(error, RequestValidationError):
        return error_page(request, 422, "The address holds a value this page does not accept.")
    if isinstance(error, HTTPException):
        return error_page(request, error.status_code, str(error.detail))
    log.exception("unhandled error on %s %s", request.method, request.url.path,
                  exc_info=error)
    return error_page(request, 500, "The server could not finish this request. It has been "
                      "logged; try again, or tell your administrator the request id below.")


def _secure(response: Response, nonce: str, started: float) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", (
        "default-src 'self'; script-src 'self' 'nonce-" + nonce + "'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
        "object-src 'none'"))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cache-Control", "no-store")
    headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


class WebRoute(APIRoute):
    """Every page: CSRF on POST, errors as friendly pages, security headers, Server-Timing."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            started = time.perf_counter()
            nonce = secrets.token_urlsafe(16)
            request.state.csp_nonce = nonce
            kept = await take_kept(request)
            if kept is not None:  # the page a form's POST answered, shown once at its GET
                return _secure(kept, nonce, started)
            try:
                if request.method == "POST":
                    if request.url.path != LOGIN_PATH and load_session(request) is None:
                        raise LoginRequired  # expired mid-work: sign in again, not "CSRF"
                    await _check_csrf(request)
                response = await original(request)
            except LoginRequired:
                response = await _to_login(request)
            except Exception as error:  # every failure becomes a page, never a traceback
                response = _failure(request, error)
            if is_page_post(request, response):
                response = await keep_and_redirect(request, response)
            return _secure(response, nonce, started)

        return handler


def wants_html(request: Request) -> bool:
    """A browser's request (it asks for text/html before JSON), not an API client's."""
    accept = request.headers.get("accept", "")
    html, json = accept.find("text/html"), accept.find("application/json")
    return html >= 0 and (json < 0 or html < json)


def browser_not_found(request: Request) -> Response | None:
    """The HTML 404 page for a browser asking for an unknown page (None for API clients,
    who get problem+json): signed in, it has the navigation to go on from."""
    if request.url.path.startswith("/api/") or not wants_html(request):
        return None
    nonce = secrets.token_urlsafe(16)
    request.state.csp_nonce = nonce
    load_session(request)
    response = error_page(request, 404, f"There is no page at {request.url.path}. Check the "
                          "address, or go on from the menu.", title="Page not found")
    return _secure(response, nonce, time.perf_counter())


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def navigate(web: Web, url: str) -> Response:
    """Go to `url` after a POST: a 303, or for htmx a full navigation (HX-Redirect), so an
    htmx form (one that sends an Idempotency-Key) still lands on a whole page."""
    if is_htmx(web.request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return redirect(url)


def page(web: Web, template: str, context: dict[str, Any], *, status: int = 200,
         headers: dict[str, str] | None = None) -> Response:
    return render(web.request, template, context, status=status, headers=headers)
