"""Post/redirect/get for every page form (issue 12): a browser's POST that answers with a page
(a form back with its errors, a new API key shown once, a scan result without htmx) is kept
for two minutes and the browser is sent (303) to the GET address of the page it came from,
which shows the kept page once. The address bar never holds a POST address, so a reload only
reads.

The kept pages are in the database (service_layer/page_replays.py), so whichever server
process answers the GET shows the page; the browser holds only the key, in a cookie."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from lotline.entrypoints.web.session import SESSION_COOKIE, clear_cookie, set_cookie
from lotline.service_layer.page_replays import KEEP_SECONDS, PageReplays

REPLAY_COOKIE = "lotline_replay"
KEPT_HEADERS = ("content-type", "content-security-policy", "cache-control")
MAX_KEY_LENGTH = 100


def _owner(request: Request) -> str:
    """Whose page it is: the session's cookie (stored hashed), so nobody else can read it."""
    return request.cookies.get(SESSION_COOKIE, "")


def _pages(request: Request) -> PageReplays:
    pages: PageReplays = request.app.state.page_replays
    return pages


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


async def keep_and_redirect(request: Request, response: Response) -> Response:
    target = back_to(request)
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    key = await run_in_threadpool(_pages(request).keep, _owner(request), urlsplit(target).path,
                                  response.status_code, headers, bytes(response.body))
    redirect = Response(status_code=303, headers={"Location": target})
    for value in response.headers.getlist("set-cookie"):
        redirect.headers.append("set-cookie", value)
    set_cookie(redirect, request, REPLAY_COOKIE, key, max_age=KEEP_SECONDS)
    return redirect


async def take_kept(request: Request) -> Response | None:
    """The kept page for this GET (once), or None."""
    key = request.cookies.get(REPLAY_COOKIE)
    if request.method != "GET" or not key or len(key) > MAX_KEY_LENGTH:
        return None
    kept = await run_in_threadpool(_pages(request).take, key, _owner(request),
                                   request.url.path)
    if kept is None:
        return None
    response = Response(kept.body, status_code=kept.status, headers=kept.headers)
    clear_cookie(response, request, REPLAY_COOKIE)
    return response
