"""Learners baseline: the schema the hand-written SQLite code reached (user_version 3).

Each table is created only when missing, so a learners.sqlite made by an older tutor (v1, v2 or v3)
is adopted in place and an empty database (SQLite or PostgreSQL) gets the whole schema.

Revision ID: l0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "l0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> sa.MetaData:
    m = sa.MetaData()
    sa.Table(
        "learners", m,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("hours_per_day", sa.Float, nullable=False, server_default="2"),
        sa.Column("goal", sa.Text),
        sa.Column("language", sa.Text, nullable=False, server_default="zh"),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
    )  # fmt: skip
    sa.Table(
        "skill_status", m,
        sa.Column("learner_id", sa.Text, sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("skill", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.CheckConstraint("status IN ('done', 'in_progress')", name="skill_status_status"),
    )  # fmt: skip
    sa.Table(
        "messages", m,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("learner_id", sa.Text, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("meta", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.CheckConstraint("role IN ('user', 'assistant')", name="messages_role"),
        sa.Index("messages_by_learner", "learner_id", "id"),
        sqlite_autoincrement=True,
    )  # fmt: skip
    sa.Table(
        "feedback", m,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("learner_id", sa.Text, nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("meta", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.CheckConstraint("rating IN (-1, 1)", name="feedback_rating"),
        sqlite_autoincrement=True,
    )  # fmt: skip
    sa.Table(
        "quiz_results", m,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("learner_id", sa.Text, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("skill", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("criteria_met", sa.Integer, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("taken_at", sa.Text, nullable=False),
        sa.Index("quiz_by_learner", "learner_id", "skill", "id"),
        sqlite_autoincrement=True,
    )  # fmt: skip
    return m


def upgrade() -> None:
    _tables().create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    _tables().drop_all(op.get_bind(), checkfirst=True)
