"""API keys move into the learner store (they were a separate api_keys.sqlite per data dir).

Replicas on one PostgreSQL then share every key. `tutor.api.keys.KeyStore` copies the rows of an
old api_keys.sqlite in once (it knows the data dir; a migration does not).

Revision ID: l0002
Revises: l0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "l0002"
down_revision = "l0001"
branch_labels = None
depends_on = None


def _table() -> sa.Table:
    return sa.Table(
        "api_keys", sa.MetaData(),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("learner_id", sa.Text),
        sa.Column("secret_sha256", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.Text),
    )  # fmt: skip


def upgrade() -> None:
    _table().create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    _table().drop(op.get_bind(), checkfirst=True)
