"""followup_events (follow-ups asked and answered)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followup_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.String(length=40), nullable=True),
        sa.Column("ref", sa.String(length=160), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref", name="uq_followup_events_ref"),
    )
    with op.batch_alter_table("followup_events", schema=None) as batch_op:
        batch_op.create_index("ix_followup_events_conversation", ["conversation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("followup_events", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_events_conversation")
    op.drop_table("followup_events")
