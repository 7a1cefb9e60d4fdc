"""/login and /logout."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from starlette.responses import Response

from lotline.domain.errors import RateLimited, Unauthorized, ValidationError
from lotline.entrypoints.web.core import FormDep, WebRoute, field, redirect
from lotline.entrypoints.web.forms import FormState
from lotline.entrypoints.web.session import (
    LOGIN_CSRF_COOKIE,
    LOGIN_PATH,
    SESSION_COOKIE,
    clear_cookie,
    load_session,
    new_login_csrf,
    safe_next,
    session_token,
    set_cookie,
)
from lotline.entrypoints.web.templating import render
from lotline.service_layer.identity import IdentityService

router = APIRouter(route_class=WebRoute, include_in_schema=False)
LOGIN_FORM_SECONDS = 2 * 60 * 60


def _login_page(request: Request, form: FormState, target: str, status: int = 200) -> Response:
    token = new_login_csrf()
    request.state.csrf_token = token
    response = render(request, "login.html", {"form": form, "next": target}, status=status)
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token, max_age=LOGIN_FORM_SECONDS,
               path=LOGIN_PATH)
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    if load_session(request) is not None:
        return redirect(safe_next(next))
    return _login_page(request, FormState(values={"username": ""}), safe_next(next))


@router.post("/login")
def login(request: Request, form: FormDep) -> Response:
    username, password = field(form, "username").strip(), field(form, "password")
    target = safe_next(field(form, "next"))
    state = FormState(values={"username": username})
    identity: IdentityService = request.app.state.identity
    try:
        if not username or not password:
            raise ValidationError.single("username", "enter your username and password")
        issued = identity.authenticate(username, password)
    except (Unauthorized, ValidationError) as error:
        state.add(None, error.message if isinstance(error, ValidationError)
                  else "Unknown username or wrong password.")
        return _login_page(request, state, target, status=401)
    except RateLimited:
        state.add(None, "Too many failed attempts for this username; wait a minute and retry.")
        return _login_page(request, state, target, status=429)
    response = redirect(target)
    seconds = int((issued.expires_at - dt.datetime.now(dt.UTC)).total_seconds())
    set_cookie(response, request, SESSION_COOKIE, issued.access_token, max_age=max(seconds, 60))
    clear_cookie(response, request, LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
    return response


@router.get("/logout")
def logout_form(request: Request) -> Response:
    if load_session(request) is None:
        return redirect("/login")
    return render(request, "logout.html", {})


@router.post("/logout")
def logout(request: Request) -> Response:
    token = session_token(request)
    if token is not None:
        identity: IdentityService = request.app.state.identity
        identity.revoke_token(token)
    response = redirect("/login")
    clear_cookie(response, request, SESSION_COOKIE)
    return response
