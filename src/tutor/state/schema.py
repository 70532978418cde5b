"""The tables of the tutor's state, as SQLAlchemy Core metadata (one MetaData per store).

They describe exactly what the hand-written SQLite code created (learners.sqlite schema v3 and
catalog.sqlite), so a data dir made by an older tutor is adopted as it is. Timestamps stay ISO
strings (`tutor.timeutil.utc_now`), JSON stays text: both read the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)

__all__ = [
    "CATALOG",
    "LEARNERS",
    "api_keys",
    "contexts",
    "docs",
    "feedback",
    "learners",
    "messages",
    "quiz_results",
    "resources",
    "skill_status",
]

LEARNERS = MetaData()
CATALOG = MetaData()


learners = Table(
    "learners",
    LEARNERS,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("hours_per_day", Float, nullable=False, server_default="2"),
    Column("goal", Text),
    Column("language", Text, nullable=False, server_default="zh"),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)

skill_status = Table(
    "skill_status",
    LEARNERS,
    Column("learner_id", Text, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("skill", Integer, primary_key=True, autoincrement=False),
    Column("status", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    CheckConstraint("status IN ('done', 'in_progress')", name="skill_status_status"),
)

messages = Table(
    "messages",
    LEARNERS,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", Text, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("role", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("meta", Text),
    Column("created_at", Text, nullable=False),
    CheckConstraint("role IN ('user', 'assistant')", name="messages_role"),
    Index("messages_by_learner", "learner_id", "id"),
    sqlite_autoincrement=True,
)

feedback = Table(
    "feedback",
    LEARNERS,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", Text, nullable=False),
    Column("rating", Integer, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("sources", Text, nullable=False),
    Column("meta", Text),
    Column("created_at", Text, nullable=False),
    CheckConstraint("rating IN (-1, 1)", name="feedback_rating"),
    sqlite_autoincrement=True,
)

quiz_results = Table(
    "quiz_results",
    LEARNERS,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", Text, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("skill", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("passed", Integer, nullable=False),
    Column("criteria_met", Integer, nullable=False),
    Column("detail", Text, nullable=False),
    Column("taken_at", Text, nullable=False),
    Index("quiz_by_learner", "learner_id", "skill", "id"),
    sqlite_autoincrement=True,
)

api_keys = Table(  # tutor.api.keys: hashed API keys, beside the learners they may belong to
    "api_keys",
    LEARNERS,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("learner_id", Text),
    Column("secret_sha256", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("revoked_at", Text),
)

docs = Table(
    "docs",
    CATALOG,
    Column("doc", Text, primary_key=True),
    Column("rev", Text, nullable=False),
)

resources = Table(
    "resources",
    CATALOG,
    Column("url", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", Text),
    Column("lang", Text),
    Column("stars", Integer),
    Column("first_seen", Text, nullable=False),
    Column("last_fetched", Text),
    Column("last_checked", Text),
    Column("status", Text),
    Column("detail", Text),
    Column("http_status", Integer),
    Column("final_url", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("content_hash", Text),
    Column("page_doc", Text),
)

contexts = Table(
    "contexts",
    CATALOG,
    Column("url", Text, nullable=False),
    Column("doc", Text, nullable=False),
    Column("headings", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("sentence", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("stage", Integer),
    Column("skill", Integer),
    Index("contexts_by_url", "url"),
    Index("contexts_by_doc", "doc"),
)
