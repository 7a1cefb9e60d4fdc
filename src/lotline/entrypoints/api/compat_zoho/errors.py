"""Errors on the seed 003 surface keep its envelope: `{"code": <non-zero>, "message": ...}`
with the HTTP status DESIGN §6 gives the same error elsewhere. `code` is that HTTP status
(seed 003 names no error codes); field errors stay listed under `errors`."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from lotline.entrypoints.api.compat_zoho import PREFIX
from lotline.entrypoints.api.responses import LotlineJSONResponse


def on_compat_surface(request: Request) -> bool:
    path = request.url.path
    return path == PREFIX or path.startswith(PREFIX + "/")


def enveloped(problem: Response) -> Response:
    """The problem+json answer rewritten as seed 003's envelope, status and headers kept."""
    body = json.loads(bytes(problem.body))
    content = {"code": problem.status_code, "message": str(body.get("detail", ""))}
    if "errors" in body:
        content["errors"] = body["errors"]
    headers = {k: v for k, v in problem.headers.items()
               if k.lower() not in ("content-length", "content-type")}
    return LotlineJSONResponse(content, status_code=problem.status_code, headers=headers)
