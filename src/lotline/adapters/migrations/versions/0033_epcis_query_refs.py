"""EPCIS query refs: events captured before the typed-list parameters get their refs (business
transactions, sources, destinations by type, transformationID, error declaration), so
EQ_bizTransaction_{type}, EQ_source_{type}, EQ_destination_{type}, EQ_transformationID and
EXISTS_errorDeclaration find them as they find events captured from now on

Revision ID: 0033
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lotline.domain.epcis_index import event_refs

revision = '0033'
down_revision = "0023"
branch_labels = None
depends_on = None

NEW_ROLES = ("bizTransaction", "source", "destination", "transformationID", "errorDeclaration")
EVENTS_PER_BATCH = 1000
events = sa.table("epcis_events", sa.column("id", sa.String), sa.column("org_id", sa.String),
                  sa.column("event", sa.JSON))
refs = sa.table("epcis_event_refs", sa.column("event_id", sa.String),
                sa.column("org_id", sa.String), sa.column("role", sa.String),
                sa.column("value", sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    last = ""
    while True:
        rows = bind.execute(sa.select(events.c.id, events.c.org_id, events.c.event)
                            .where(events.c.id > last).order_by(events.c.id)
                            .limit(EVENTS_PER_BATCH)).all()
        if not rows:
            return
        added = [{"event_id": row.id, "org_id": row.org_id, "role": role, "value": value}
                 for row in rows for role, value in sorted(event_refs(row.event))
                 if role in NEW_ROLES]
        if added:
            bind.execute(sa.insert(refs), added)
        last = rows[-1].id


def downgrade() -> None:
    op.execute(sa.delete(refs).where(refs.c.role.in_(NEW_ROLES)))
