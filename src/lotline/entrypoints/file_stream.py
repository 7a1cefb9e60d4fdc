"""A file answered in chunks, shared by the API (exports, reports) and the web pages (report
downloads)."""

from __future__ import annotations

from typing import IO, Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response


class FileStream(Response):
    """A temporary file sent in chunks, then closed. (Not StreamingResponse: that one stops
    at the first `http.disconnect` it hears, and a body-replaying middleware may send one
    straight away.)"""

    def __init__(self, handle: IO[bytes], media_type: str, filename: str) -> None:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(0)
        super().__init__(media_type=media_type, headers={
            "Content-Disposition": f'attachment; filename="{filename}"'})
        self.handle = handle
        self.headers["content-length"] = str(size)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await send({"type": "http.response.start", "status": self.status_code,
                        "headers": self.raw_headers})
            while chunk := await run_in_threadpool(self.handle.read, 1 << 16):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.handle.close()
