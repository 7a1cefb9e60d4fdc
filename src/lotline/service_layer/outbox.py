"""The change feed's outbox as the unit of work hands it to use cases: `uow.events.add(type,
data)` writes the event in the change's own transaction (DESIGN §9)."""

from __future__ import annotations

from typing import Any

from lotline.domain.events import EVENT_TYPES, event_document
from lotline.service_layer.context import Actor
from lotline.service_layer.query_ports import EventRepository


class EventOutbox:
    """Events of one unit of work, stamped with its actor and the moment they are added."""

    def __init__(self, repository: EventRepository, actor: Actor) -> None:
        self.repository = repository
        self.actor = actor

    def add(self, type_: str, data: dict[str, Any]) -> None:
        if type_ not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type_!r}")  # a programming error
        self.repository.add(type_, event_document(data), actor=self.actor.name,
                            moment=self.actor.now())
