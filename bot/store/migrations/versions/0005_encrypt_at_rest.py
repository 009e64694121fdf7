"""encrypt at rest: the keys' check values

Conversation states and message texts are encrypted by the bot itself (rows written
before this revision are sealed once when a worker with the keys starts: migrations
have no keys); the schema only gains the table the keys are checked against.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 23:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_checks",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("key_checks")
