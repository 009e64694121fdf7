"""consents keep the language of the text shown

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consents") as batch:
        batch.add_column(
            sa.Column("lang", sa.String(length=8), server_default="fr", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("consents") as batch:
        batch.drop_column("lang")
