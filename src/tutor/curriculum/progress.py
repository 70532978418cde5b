"""Learner profiles and progress in the learner database (SQLAlchemy: SQLite by default, PostgreSQL via state.url)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy import delete, select

from tutor.errors import ProgressError
from tutor.state import schema as t
from tutor.state.db import Database, sqlite_url
from tutor.state.migrate import AREAS, current_revision, upgrade
from tutor.timeutil import utc_now

MAX_ID_CHARS = 64
MAX_NAME_CHARS = 100
MAX_GOAL_CHARS = 500
_LEARNER_ID = re.compile(rf"[\w.@+-]{{1,{MAX_ID_CHARS}}}")


def validate_learner_id(learner_id: str) -> str:
    """Learner ids are short names (letters of any script, digits, . _ @ + -): they are stored, shown
    and used as keys, so a megabyte id or markup in one is refused with the rule."""
    if not _LEARNER_ID.fullmatch(learner_id or ""):
        shown = (learner_id or "")[:40] + ("…" if len(learner_id or "") > 40 else "")
        raise ProgressError(
            f"learner id '{shown}' is not allowed: use 1-{MAX_ID_CHARS} letters, digits or . _ @ + -"
        )
    return learner_id


__all__ = ["LearnerProfile", "ProgressStore"]


class LearnerProfile(BaseModel):
    id: str
    name: str
    finished: list[int] = Field(default_factory=list)
    in_progress: list[int] = Field(default_factory=list)
    hours_per_day: float = 2.0
    goal: str | None = None
    language: str = "zh"


class ProgressStore:
    """Learners and their skill status in the learner database (SQLite file or `state.url`)."""

    def __init__(self, db: Database | Path) -> None:
        if isinstance(db, Path):  # a SQLite file, migrated on open (tests, scripts, older callers)
            db = Database(sqlite_url(db), "the learner database", ProgressError)
            upgrade(db, AREAS["learners"])
        self.db = db

    @property
    def path(self) -> Path | None:
        """The SQLite file (None on a database server)."""
        return self.db.sqlite_path

    @property
    def schema_version(self) -> str | None:
        """The Alembic revision of the learner tables."""
        return current_revision(self.db, AREAS["learners"])

    def get(self, learner_id: str) -> LearnerProfile:
        with self.db.read() as conn:
            row = conn.execute(
                select(*t.learners.c["id", "name", "hours_per_day", "goal", "language"]).where(
                    t.learners.c.id == learner_id
                )
            ).first()
            if row is None:
                raise ProgressError(
                    f"No learner '{learner_id}'; create one with `tutor progress set --learner {learner_id} --name NAME`"
                )
            status = conn.execute(
                select(t.skill_status.c.skill, t.skill_status.c.status)
                .where(t.skill_status.c.learner_id == learner_id)
                .order_by(t.skill_status.c.skill)
            ).all()
        return LearnerProfile(
            id=row.id,
            name=row.name,
            hours_per_day=row.hours_per_day,
            goal=row.goal,
            language=row.language,
            finished=[s for s, st in status if st == "done"],
            in_progress=[s for s, st in status if st == "in_progress"],
        )

    def exists(self, learner_id: str) -> bool:
        with self.db.read() as conn:
            return (
                conn.execute(select(t.learners.c.id).where(t.learners.c.id == learner_id)).first() is not None
            )

    def list(self) -> list[str]:
        with self.db.read() as conn:
            return list(conn.execute(select(t.learners.c.id).order_by(t.learners.c.id)).scalars())

    def upsert(
        self,
        learner_id: str,
        name: str | None = None,
        hours_per_day: float | None = None,
        goal: str | None = None,
        language: str | None = None,
    ) -> LearnerProfile:
        validate_learner_id(learner_id)
        if name is not None and len(name) > MAX_NAME_CHARS:
            raise ProgressError(f"name is {len(name)} characters; keep it under {MAX_NAME_CHARS}")
        if goal is not None and len(goal) > MAX_GOAL_CHARS:
            raise ProgressError(f"goal is {len(goal)} characters; keep it under {MAX_GOAL_CHARS}")
        if hours_per_day is not None and not 0 < hours_per_day <= 24:
            raise ProgressError(f"hours per day must be between 0 and 24, got {hours_per_day}")
        now = utc_now()
        given = {"name": name, "hours_per_day": hours_per_day, "goal": goal, "language": language}
        changes = {k: v for k, v in given.items() if v is not None}
        row = {
            "id": learner_id,
            "name": name or learner_id,
            "hours_per_day": 2 if hours_per_day is None else hours_per_day,
            "goal": goal,
            "language": language or "zh",
            "created_at": now,
            "updated_at": now,
        }
        stmt = self.db.insert(t.learners).values(row)
        with self.db.write() as conn:  # one statement: two replicas creating one learner both succeed
            conn.execute(
                stmt.on_conflict_do_update(index_elements=["id"], set_={**changes, "updated_at": now})
            )
        return self.get(learner_id)

    def mark(self, learner_id: str, skills: Sequence[int], status: str = "done") -> LearnerProfile:
        if status not in ("done", "in_progress"):
            raise ProgressError(f"status must be 'done' or 'in_progress', got '{status}'")
        self.get(learner_id)
        now = utc_now()
        if skills:
            rows = [
                {"learner_id": learner_id, "skill": s, "status": status, "updated_at": now} for s in skills
            ]
            stmt = self.db.insert(t.skill_status)
            with self.db.write() as conn:
                conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["learner_id", "skill"],
                        set_={"status": stmt.excluded.status, "updated_at": stmt.excluded.updated_at},
                    ),
                    rows,
                )
        return self.get(learner_id)

    def unmark(self, learner_id: str, skills: Sequence[int]) -> LearnerProfile:
        self.get(learner_id)
        with self.db.write() as conn:
            conn.execute(
                delete(t.skill_status).where(
                    t.skill_status.c.learner_id == learner_id, t.skill_status.c.skill.in_(list(skills))
                )
            )
        return self.get(learner_id)
