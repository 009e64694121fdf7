"""privacy: encrypted contact fields, withdrawals, audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 19:03:46.353231
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("lead_id", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.String(length=400), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_lead", ["lead_id"], unique=False)

    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=12), nullable=False, server_default="answer")
        )

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("renewal_asked_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.alter_column(
            "user_ref",
            existing_type=sa.VARCHAR(length=128),
            type_=sa.Text(),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "first_name",
            existing_type=sa.VARCHAR(length=80),
            type_=sa.Text(),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "phone", existing_type=sa.VARCHAR(length=32), type_=sa.Text(), existing_nullable=True
        )
        batch_op.drop_constraint(batch_op.f("uq_contacts_channel_user"), type_="unique")

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.alter_column(
            "user_ref",
            existing_type=sa.VARCHAR(length=128),
            type_=sa.Text(),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "first_name",
            existing_type=sa.VARCHAR(length=80),
            type_=sa.Text(),
            existing_nullable=True,
        )


def downgrade() -> None:

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.alter_column(
            "first_name",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=80),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "user_ref",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=128),
            existing_nullable=False,
        )

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_contacts_channel_user"), ["channel", "user_ref"]
        )
        batch_op.alter_column(
            "phone", existing_type=sa.Text(), type_=sa.VARCHAR(length=32), existing_nullable=True
        )
        batch_op.alter_column(
            "first_name",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=80),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "user_ref",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=128),
            existing_nullable=False,
        )
        batch_op.drop_column("renewal_asked_at")
        batch_op.drop_column("stopped_at")

    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_lead")

    op.drop_table("audit_log")
