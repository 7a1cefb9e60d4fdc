"""The app for ASGI servers that build it themselves, once per worker process:

    uvicorn --factory lotline.entrypoints.api.asgi:app_from_environment

reads LOTLINE_DATABASE_URL (else sqlite:///lotline.db). `lotline serve --workers N` uses it."""

from __future__ import annotations

from fastapi import FastAPI

from lotline.entrypoints.api.app import create_app


def app_from_environment() -> FastAPI:
    return create_app(None)
