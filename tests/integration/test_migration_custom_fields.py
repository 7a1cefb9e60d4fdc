"""Migration 0021 with data (issue 16): the lots' free-form custom fields become custom field
definitions by label, on SQLite and PostgreSQL. Lots are written at the revision before it,
then the database is upgraded and read through the services."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, insert, select, text

import lotline
from lotline.adapters import tables as t
from lotline.adapters.db import make_engine
from lotline.adapters.migrate import alembic_config, upgrade
from lotline.domain.model import CustomField

NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
POSTGRES_URL = os.environ.get("LOTLINE_TEST_POSTGRES_URL")
BEFORE_0021 = ScriptDirectory.from_config(alembic_config()).get_revision("0021").down_revision


@pytest.fixture(params=["sqlite", "postgresql"])
def old_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own, migrated only to the revision before 0021."""
    admin, schema = None, None
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        if not POSTGRES_URL:
            pytest.skip("LOTLINE_TEST_POSTGRES_URL is not set: PostgreSQL suite not run")
        schema = f"lotline_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in POSTGRES_URL else "?"
        engine = make_engine(f"{POSTGRES_URL}{separator}"
                             f"options={quote(f'-csearch_path={schema}')}")
    upgrade(engine, str(BEFORE_0021))
    yield engine
    engine.dispose()
    if admin is not None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _old_rows(engine: Engine, org: str, lots: dict[str, list[dict[str, Any]]],
              start: dt.datetime = NOW) -> str:
    """An organization with one product and a lot per entry of `lots`; the product's id."""
    product = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(insert(t.organizations).values(id=org, name=org, slug=org, settings={},
                                                    created_at=NOW))
        conn.execute(insert(t.products).values(
            id=product, org_id=org, sku="OIL", name="Olive oil", uom="EA", tracking="lot",
            removal_strategy="fefo", expiry_alert_days=30, created_at=NOW, updated_at=NOW))
        for index, (number, fields) in enumerate(lots.items()):
            made = start + dt.timedelta(minutes=index)
            conn.execute(insert(t.batches).values(
                id=str(uuid.uuid4()), org_id=org, product_id=product, supplier_key="",
                batch_number=number, batch_number_folded=number.casefold(), quantity=0,
                purchase_date=made.date(), received_at=made, status="active",
                custom_fields=fields, created_at=made, updated_at=made))
    return product


def test_free_form_fields_become_definitions_by_label(old_engine: Engine) -> None:
    org, other = str(uuid.uuid4()), str(uuid.uuid4())
    product = _old_rows(old_engine, org, {
        "L-1": [{"label": "Lot Code", "value": "LC-001",
                 "custom_field_id": "6780203000000176175"},
                {"label": "Origin", "value": "PT"}],
        "L-2": [{"label": "lot code ", "value": "LC-002"}, {"label": "Grade", "value": "A"}],
        "L-3": []})
    _old_rows(old_engine, other, {"X-1": [{"label": "Lot Code", "value": "LC-9",
                                           "custom_field_id": "6780203000000176175"}]},
              NOW + dt.timedelta(hours=1))
    upgrade(old_engine)
    with old_engine.connect() as conn:
        rows = conn.execute(select(t.custom_field_definitions.c.org_id,
                                   t.custom_field_definitions.c.id,
                                   t.custom_field_definitions.c.label,
                                   t.custom_field_definitions.c.applies_to,
                                   t.custom_field_definitions.c.type,
                                   t.custom_field_definitions.c.active)).all()
    mine = sorted((r.label, r.applies_to, r.type, r.active) for r in rows if r.org_id == org)
    assert mine == [("Grade", "batch", "text", True), ("Lot Code", "batch", "text", True),
                    ("Origin", "batch", "text", True)]
    ids = {r.label: r.id for r in rows if r.org_id == org}
    # The id clients already used is kept; the other organization's same id gets a new one.
    assert ids["Lot Code"] == "6780203000000176175"
    [theirs] = [r for r in rows if r.org_id == other]
    assert theirs.label == "Lot Code" and len(theirs.id) == 36

    svc = lotline.create_services(engine=old_engine, organization=org)
    lots = {b.batch_number: b.custom_fields
            for b in svc.batches.list(product_id=product).items}
    assert lots == {
        "L-1": [CustomField("Lot Code", "LC-001", "6780203000000176175"),
                CustomField("Origin", "PT", ids["Origin"])],
        "L-2": [CustomField("Lot Code", "LC-002", "6780203000000176175"),
                CustomField("Grade", "A", ids["Grade"])],
        "L-3": []}
    assert [d.label for d in svc.custom_fields.list("batch")] == ["Grade", "Lot Code",
                                                                  "Origin"]
    with old_engine.connect() as conn:
        assert conn.execute(select(t.products.c.custom_fields)).scalars().all() == [None, None]
