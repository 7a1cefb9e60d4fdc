"""idempotency claims keep the response's headers; API keys name the user they act for

Revision ID: 0008
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_api_keys_user_id_users'), 'users',
                                    ['user_id'], ['id'])
    # Existing keys act for the user who made them, when that was a user of the same
    # organization (created_by holds the username); keys the system made stay unowned.
    op.execute(sa.text(
        "UPDATE api_keys SET user_id = (SELECT u.id FROM users u WHERE u.org_id = "
        "api_keys.org_id AND u.username = api_keys.created_by)"))


def downgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_keys_user_id_users'), type_='foreignkey')
        batch_op.drop_column('user_id')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_column('headers')
