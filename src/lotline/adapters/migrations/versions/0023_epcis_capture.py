"""EPCIS capture: capture jobs, captured events verbatim and their identifiers (DESIGN §9)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import lotline.adapters.types as lt

revision = '0023'
down_revision = "0026"
branch_labels = None
depends_on = None


def _org(table: str) -> list[Any]:
    return [sa.Column('org_id', sa.String(length=36), nullable=False),
            sa.ForeignKeyConstraint(['org_id'], ['organizations.id'],
                                    name=op.f(f'fk_{table}_org_id_organizations'))]


def upgrade() -> None:
    op.create_table(
        'epcis_captures',
        sa.Column('id', sa.String(length=36), nullable=False), *_org('epcis_captures'),
        sa.Column('created_at', lt.UTCDateTime(), nullable=False),
        sa.Column('finished_at', lt.UTCDateTime(), nullable=True),
        sa.Column('running', sa.Boolean(), nullable=False),
        sa.Column('success', sa.Boolean(), nullable=False),
        sa.Column('error_behaviour', sa.String(length=20), nullable=False),
        sa.Column('event_count', sa.Integer(), nullable=False),
        sa.Column('captured_count', sa.Integer(), nullable=False),
        sa.Column('errors', sa.JSON(), nullable=False),
        sa.Column('receipt_ids', sa.JSON(), nullable=False),
        sa.Column('expected_lots', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_epcis_captures')),
    )
    op.create_table(
        'epcis_events',
        sa.Column('id', sa.String(length=36), nullable=False), *_org('epcis_events'),
        sa.Column('capture_id', sa.String(length=36), nullable=False),
        sa.Column('event_key', sa.String(length=2000), nullable=False),
        sa.Column('event_type', sa.String(length=40), nullable=False),
        sa.Column('event_time', lt.UTCDateTime(), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=True),
        sa.Column('biz_step', sa.String(length=2000), nullable=True),
        sa.Column('disposition', sa.String(length=2000), nullable=True),
        sa.Column('read_point', sa.String(length=2000), nullable=True),
        sa.Column('biz_location', sa.String(length=2000), nullable=True),
        sa.Column('namespaces', sa.JSON(), nullable=False),
        sa.Column('event', sa.JSON(), nullable=False),
        sa.Column('receipt_id', sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(['capture_id'], ['epcis_captures.id'],
                                name=op.f('fk_epcis_events_capture_id_epcis_captures')),
        sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'],
                                name=op.f('fk_epcis_events_receipt_id_receipts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_epcis_events')),
        sa.UniqueConstraint('org_id', 'event_key', name=op.f('uq_epcis_events_org_id_event_key')),
    )
    op.create_index('ix_epcis_events_org_id_event_time_event_key', 'epcis_events',
                    ['org_id', 'event_time', 'event_key'], unique=False)
    op.create_table(
        'epcis_event_refs',
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('role', sa.String(length=40), nullable=False),
        sa.Column('value', sa.String(length=2000), nullable=False),
        *_org('epcis_event_refs'),
        sa.ForeignKeyConstraint(['event_id'], ['epcis_events.id'],
                                name=op.f('fk_epcis_event_refs_event_id_epcis_events')),
        sa.PrimaryKeyConstraint('event_id', 'role', 'value', name=op.f('pk_epcis_event_refs')),
    )
    op.create_index('ix_epcis_event_refs_org_id_value', 'epcis_event_refs',
                    ['org_id', 'value'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_epcis_event_refs_org_id_value', table_name='epcis_event_refs')
    op.drop_table('epcis_event_refs')
    op.drop_index('ix_epcis_events_org_id_event_time_event_key', table_name='epcis_events')
    op.drop_table('epcis_events')
    op.drop_table('epcis_captures')
