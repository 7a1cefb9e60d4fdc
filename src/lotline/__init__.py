"""lotline: lot (batch) and serial-number traceability.

    import lotline
    svc = lotline.create_services()        # LOTLINE_DATABASE_URL, else sqlite:///lotline.db
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lotline import errors

if TYPE_CHECKING:
    from fastapi import FastAPI
from lotline.bootstrap import Services, create_services
from lotline.domain.statuses import (
    HoldKind,
    LocationKind,
    LotStatus,
    MovementKind,
    RemovalStrategy,
    Role,
    SerialStatus,
    Tracking,
)

__version__ = "0.1.0"


def create_app(database_url: str | None = None, **kwargs: Any) -> FastAPI:
    """The FastAPI app (imported on first use: the library alone does not load FastAPI)."""
    from lotline.entrypoints.api import create_app as _create_app

    return _create_app(database_url, **kwargs)


__all__ = [
    "HoldKind", "LocationKind", "LotStatus", "MovementKind", "RemovalStrategy", "Role",
    "SerialStatus", "Services", "Tracking", "create_app", "create_services", "errors",
]
