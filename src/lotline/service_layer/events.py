"""Reading the change feed (DESIGN §9): pages after a cursor, in commit order."""

from __future__ import annotations

from collections.abc import Sequence

from lotline.domain.errors import FieldError, ValidationError
from lotline.domain.events import EVENT_TYPES, FEED_LIMIT_MAX, EventPage
from lotline.service_layer.base import Service


class EventFeedService(Service):
    def page(self, after: str | None = None, types: Sequence[str] | None = None,
             limit: int = 100) -> EventPage:
        """Events after the cursor `after` (an event id this organization's feed handed out;
        None: from the start), of `types` (all when empty), at most `limit`. `next_cursor`
        is the last item's cursor, or `after` itself when nothing new is visible yet."""
        wanted = check_types(types)
        if not 1 <= limit <= FEED_LIMIT_MAX:
            raise ValidationError.single("limit", f"must be between 1 and {FEED_LIMIT_MAX}",
                                         limit)
        with self.reading() as uow:
            position = None
            if after is not None and after != "":
                position = uow.events.repository.position_of(parse_cursor(after))
                if position is None:
                    raise ValidationError.single(
                        "after", "is not a cursor of this organization's change feed", after)
            items = uow.events.repository.page(position, wanted, limit)
        next_cursor = items[-1].cursor if items else (after or None)
        return EventPage(items=items, next_cursor=next_cursor)


def check_types(types: Sequence[str] | None) -> list[str]:
    wanted = [name for raw in (types or ()) for name in raw.split(",") if name.strip()]
    wanted = [name.strip() for name in wanted]
    unknown = [name for name in wanted if name not in EVENT_TYPES]
    if unknown:
        raise ValidationError([FieldError(
            "types", f"unknown event type {name!r}; valid types: {', '.join(EVENT_TYPES)}",
            name) for name in unknown])
    return wanted


def parse_cursor(after: str) -> int:
    if not after.isdigit() or len(after) > 19:
        raise ValidationError.single(
            "after", "is not a cursor of this organization's change feed", after)
    return int(after)
