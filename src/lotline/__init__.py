"""lotline: lot (batch) and serial-number traceability.

    import lotline
    svc = lotline.create_services()        # LOTLINE_DATABASE_URL, else sqlite:///lotline.db
"""

from __future__ import annotations

from lotline import errors
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
__all__ = [
    "HoldKind", "LocationKind", "LotStatus", "MovementKind", "RemovalStrategy", "Role",
    "SerialStatus", "Services", "Tracking", "create_services", "errors",
]
