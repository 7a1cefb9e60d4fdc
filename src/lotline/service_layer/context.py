"""Who is acting, for which organization, and what time it is for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from lotline.domain.errors import PermissionDenied
from lotline.domain.statuses import Role

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Actor:
    """The principal every operation runs as: organization, name for the ledger, role."""

    org_id: str
    name: str
    role: Role
    clock: Clock = field(default=utc_now, compare=False)
    user_id: str | None = None  # the user behind a token or an API key, when there is one

    def now(self) -> dt.datetime:
        return self.clock().astimezone(dt.UTC)

    def today(self, timezone: str) -> dt.date:
        """"Today" is the date in the organization's time zone (DESIGN §3)."""
        return self.now().astimezone(ZoneInfo(timezone)).date()

    def require(self, role: Role, action: str) -> None:
        if not self.role.at_least(role):
            raise PermissionDenied(
                f"{action} needs the {role.value} role; {self.name} is {self.role.value}",
                required=role.value, role=self.role.value)
