"""Migration 0033 with data (issue 15): events captured before it get the refs the typed-list
query parameters look up (business transactions, sources, destinations, transformationID,
error declaration), on SQLite and PostgreSQL. Events are written at the revision before it,
as capture wrote them then, and the database is upgraded and queried through the services."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, insert, select

import lotline
from epcis_query_kit import query_events
from lotline.adapters import tables as t
from lotline.adapters.migrate import alembic_config, upgrade
from lotline.domain.epcis_index import index_event

NOW = dt.datetime(2026, 4, 11, 10, 0, tzinfo=dt.UTC)
BEFORE_0033 = ScriptDirectory.from_config(alembic_config()).get_revision("0033").down_revision
OLD_ROLES = {"epcList", "childEPCs", "inputEPCList", "outputEPCList", "parentID",
             "quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}


@pytest.fixture(params=["sqlite", "postgresql"])
def old_engine(request: pytest.FixtureRequest,
               database_at: Callable[[str, str], Any]) -> Engine:
    """A database of its own, migrated only to the revision before 0033."""
    return database_at(request.param, str(BEFORE_0033)).engine


def _captured_before(engine: Engine, org: str) -> None:
    """The kit's six events as capture stored them before 0033: identifier refs only."""
    capture = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(insert(t.organizations).values(id=org, name=org, slug=org, settings={},
                                                    created_at=NOW))
        conn.execute(insert(t.epcis_captures).values(
            id=capture, org_id=org, created_at=NOW, finished_at=NOW, running=False,
            success=True, error_behaviour="rollback", event_count=6, captured_count=6,
            errors=[], receipt_ids=[], expected_lots=[]))
        for event in query_events():
            index, row_id = index_event(event), str(uuid.uuid4())
            conn.execute(insert(t.epcis_events).values(
                id=row_id, org_id=org, capture_id=capture, event_key=index.key,
                event_type=index.event_type, event_time=index.event_time, action=index.action,
                biz_step=index.biz_step, disposition=index.disposition,
                read_point=index.read_point, biz_location=index.biz_location, namespaces={},
                event=event))
            old = sorted((role, value) for role, value in index.refs if role in OLD_ROLES)
            if old:
                conn.execute(insert(t.epcis_event_refs), [
                    {"event_id": row_id, "org_id": org, "role": role, "value": value}
                    for role, value in old])


def test_events_captured_before_are_found_by_the_typed_parameters(old_engine: Engine) -> None:
    org = f"old-{uuid.uuid4().hex[:8]}"
    _captured_before(old_engine, org)
    upgrade(old_engine)
    r = t.epcis_event_refs.c
    with old_engine.connect() as conn:
        added = sorted(conn.execute(select(r.role, r.value).where(
            r.org_id == org, r.role.not_in(sorted(OLD_ROLES)))).all())
    assert added == [
        ("bizTransaction", "desadv urn:epcglobal:cbv:bt:0614141000005:DA-1"),
        ("bizTransaction", "desadv urn:epcglobal:cbv:bt:0614141000005:DA-77"),
        ("bizTransaction", "po urn:epcglobal:cbv:bt:4012345000009:PO-1"),
        ("destination", "location https://id.gs1.org/414/4012345000009"),
        ("destination", "location https://id.gs1.org/414/4012345000009"),
        ("destination", "owning_party https://id.gs1.org/417/4012345000009"),
        ("errorDeclaration", "declared"),
        ("source", "owning_party https://id.gs1.org/417/0614141000005"),
        ("source", "owning_party https://id.gs1.org/417/0614141000005"),
        ("transformationID", "urn:uuid:tx-1")]
    svc = lotline.create_services(organization=org, engine=old_engine)
    page = svc.epcis_query.events({"EQ_destination_location": [
        "https://id.gs1.org/414/4012345000009"], "orderDirection": ["DESC"]})
    assert [e["eventID"] for e in page.document["epcisBody"]["queryResults"]["resultsBody"][
        "eventList"]] == ["urn:uuid:ship-1", "urn:uuid:q-5"]
