"""Time-ordered ids (UUIDv7): new rows land at the end of their indexes."""

from __future__ import annotations

import uuid_utils


def new_id() -> str:
    return str(uuid_utils.uuid7())
