"""Catalog baseline: the schema of catalog.sqlite as the hand-written code created it.

Tables are created only when missing, so an existing catalog.sqlite is adopted in place.

Revision ID: c0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> sa.MetaData:
    m = sa.MetaData()
    sa.Table(
        "docs", m, sa.Column("doc", sa.Text, primary_key=True), sa.Column("rev", sa.Text, nullable=False)
    )
    text = ("type", "lang")
    fetch = ("last_fetched", "last_checked", "status", "detail")
    later = ("final_url", "etag", "last_modified", "content_hash", "page_doc")
    sa.Table(
        "resources", m,
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        *(sa.Column(c, sa.Text) for c in text),
        sa.Column("stars", sa.Integer),
        sa.Column("first_seen", sa.Text, nullable=False),
        *(sa.Column(c, sa.Text) for c in fetch),
        sa.Column("http_status", sa.Integer),
        *(sa.Column(c, sa.Text) for c in later),
    )  # fmt: skip
    sa.Table(
        "contexts", m,
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
        sa.Column("headings", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("sentence", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("stage", sa.Integer),
        sa.Column("skill", sa.Integer),
        sa.Index("contexts_by_url", "url"),
        sa.Index("contexts_by_doc", "doc"),
    )  # fmt: skip
    return m


def upgrade() -> None:
    _tables().create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    _tables().drop_all(op.get_bind(), checkfirst=True)
