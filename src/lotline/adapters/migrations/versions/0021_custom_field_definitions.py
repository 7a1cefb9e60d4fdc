"""custom field definitions (DESIGN §9); products and serials carry custom fields; the lots'
free-form custom fields become definitions by label

Revision ID: 0021
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from alembic import op

import lotline.adapters.types as lt

revision = '0021'
down_revision = "0022"
branch_labels = None
depends_on = None

DEFINITIONS = sa.table(
    'custom_field_definitions', sa.column('id', sa.String), sa.column('org_id', sa.String),
    sa.column('label', sa.String), sa.column('label_folded', sa.String),
    sa.column('applies_to', sa.String), sa.column('type', sa.String),
    sa.column('active', sa.Boolean), sa.column('created_at', lt.UTCDateTime()),
    sa.column('updated_at', lt.UTCDateTime()))
BATCHES = sa.table('batches', sa.column('id', sa.String), sa.column('org_id', sa.String),
                   sa.column('custom_fields', sa.JSON), sa.column('created_at', lt.UTCDateTime()))


def upgrade() -> None:
    op.create_table(
        'custom_field_definitions',
        sa.Column('id', sa.String(length=100), nullable=False),
        sa.Column('org_id', sa.String(length=36), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('label_folded', sa.String(length=200), nullable=False),
        sa.Column('applies_to', sa.String(length=10), nullable=False),
        sa.Column('type', sa.String(length=10), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', lt.UTCDateTime(), nullable=False),
        sa.Column('updated_at', lt.UTCDateTime(), nullable=False),
        sa.CheckConstraint("applies_to IN ('batch', 'serial', 'product')",
                           name=op.f('ck_custom_field_definitions_applies_to')),
        sa.CheckConstraint("type IN ('text', 'number', 'date')",
                           name=op.f('ck_custom_field_definitions_type')),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.id'],
                                name=op.f('fk_custom_field_definitions_org_id_organizations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_field_definitions')),
        sa.UniqueConstraint('org_id', 'applies_to', 'label_folded',
                            name=op.f('uq_custom_field_definitions_org_id_applies_to_'
                                      'label_folded')),
    )
    for table in ('products', 'serials'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('custom_fields', sa.JSON(), nullable=True))
    define_free_form_fields(op.get_bind())


def _fold(label: str) -> str:
    return " ".join(label.split()).casefold()


def define_free_form_fields(conn: sa.Connection) -> None:
    """Each distinct label (ignoring case and blanks) of each organization's lots becomes a
    text definition for lots, in the order the lots were made. It keeps the custom_field_id
    its values already carried when that id is free (clients go on using it), else gets a
    new UUID; every value is rewritten to name its definition and its first-seen label."""
    now = dt.datetime.now(dt.UTC)
    taken: set[str] = set()
    defined: dict[tuple[str, str], dict[str, Any]] = {}
    rows = conn.execute(sa.select(BATCHES.c.id, BATCHES.c.org_id, BATCHES.c.custom_fields)
                        .where(sa.cast(BATCHES.c.custom_fields, sa.Text) != '[]')
                        .order_by(BATCHES.c.created_at, BATCHES.c.id)).all()
    for batch_id, org_id, fields in rows:
        if not fields:
            continue
        rewritten = []
        for item in fields:
            label = str(item.get('label') or '').strip() or 'Custom field'
            key = (org_id, _fold(label))
            definition = defined.get(key)
            if definition is None:
                wanted = str(item.get('custom_field_id') or '')
                field_id = wanted if wanted and wanted not in taken and len(wanted) <= 100 \
                    else str(uuid.uuid4())
                taken.add(field_id)
                definition = defined[key] = {
                    'id': field_id, 'org_id': org_id, 'label': label[:200],
                    'label_folded': key[1][:200], 'applies_to': 'batch', 'type': 'text',
                    'active': True, 'created_at': now, 'updated_at': now}
            rewritten.append({'custom_field_id': definition['id'],
                              'label': definition['label'], 'value': item.get('value', '')})
        conn.execute(sa.update(BATCHES).where(BATCHES.c.id == batch_id)
                     .values(custom_fields=rewritten))
    if defined:
        conn.execute(sa.insert(DEFINITIONS), list(defined.values()))


def downgrade() -> None:
    for table in ('serials', 'products'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('custom_fields')
    op.drop_table('custom_field_definitions')
