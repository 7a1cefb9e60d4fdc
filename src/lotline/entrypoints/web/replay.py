"""Post/redirect/get for every page form (issue 12): a browser's POST that answers with a page
(a form back with its errors, a new API key shown once, a scan result without htmx) is kept
for a minute and the browser is sent (303) to the GET address of the page it came from, which
shows the kept page once. The address bar never holds a POST address, so a reload only reads.

The kept pages live in this process (a few hundred at most, two minutes each): with several
server processes, a GET on another one shows the page fresh, without the kept errors."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from lotline.entrypoints.web.session import SESSION_COOKIE, clear_cookie, set_cookie

REPLAY_COOKIE = "lotline_replay"
KEEP_SECONDS = 120
MAX_KEPT = 300
KEPT_HEADERS = ("content-type", "content-security-policy", "cache-control")


@dataclass(frozen=True, slots=True)
class Kept:
    owner: str
    path: str
    status: int
    body: bytes
    headers: dict[str, str]
    until: float


_KEPT: OrderedDict[str, Kept] = OrderedDict()
_LOCK = threading.Lock()


def _owner(request: Request) -> str:
    """Whose page it is: the session's cookie (hashed), so nobody else can read it."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest()


def is_page_post(request: Request, response: Response) -> bool:
    """A browser's form POST answered by an HTML page (htmx and scripts get the answer)."""
    if request.method != "POST" or request.headers.get("hx-request") == "true":
        return False
    if "text/html" not in request.headers.get("accept", ""):
        return False
    is_redirect = 300 <= response.status_code < 400
    return not is_redirect and response.headers.get("content-type", "").startswith("text/html")


def back_to(request: Request) -> str:
    """The GET address the form came from (its Referer on this site), else the POST's own."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return request.url.path


def keep_and_redirect(request: Request, response: Response) -> Response:
    key = secrets.token_urlsafe(18)
    target = back_to(request)
    body = bytes(response.body)
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    now = time.monotonic()
    with _LOCK:
        for old in [k for k, kept in _KEPT.items() if kept.until < now]:
            del _KEPT[old]
        while len(_KEPT) >= MAX_KEPT:
            _KEPT.popitem(last=False)
        _KEPT[key] = Kept(_owner(request), urlsplit(target).path, response.status_code, body,
                          headers, now + KEEP_SECONDS)
    redirect = Response(status_code=303, headers={"Location": target})
    for value in response.headers.getlist("set-cookie"):
        redirect.headers.append("set-cookie", value)
    set_cookie(redirect, request, REPLAY_COOKIE, key, max_age=KEEP_SECONDS)
    return redirect


def take_kept(request: Request) -> Response | None:
    """The kept page for this GET (once), or None."""
    key = request.cookies.get(REPLAY_COOKIE)
    if request.method != "GET" or not key:
        return None
    with _LOCK:
        kept = _KEPT.pop(key, None)
    fits = kept is not None and kept.until >= time.monotonic() and \
        kept.owner == _owner(request) and kept.path == request.url.path
    response = Response(kept.body, status_code=kept.status, headers=kept.headers) \
        if fits and kept is not None else None
    if response is None:
        return None
    clear_cookie(response, request, REPLAY_COOKIE)
    return response
