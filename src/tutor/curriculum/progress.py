"""Learner profiles and progress in SQLite (WAL, versioned schema, safe for concurrent writers)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, Field

from tutor import sqlite
from tutor.errors import ProgressError
from tutor.timeutil import utc_now

__all__ = ["LearnerProfile", "ProgressStore"]

_MIGRATIONS: list[str] = [
    # v1
    """
    CREATE TABLE learners (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hours_per_day REAL NOT NULL DEFAULT 2,
        goal TEXT,
        language TEXT NOT NULL DEFAULT 'zh',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE skill_status (
        learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        skill INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('done', 'in_progress')),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (learner_id, skill)
    );
    """,
    # v2: conversations and answer feedback (tutor.history)
    """
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL,
        meta TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX messages_by_learner ON messages(learner_id, id);
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        learner_id TEXT NOT NULL,
        rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        sources TEXT NOT NULL,
        meta TEXT,
        created_at TEXT NOT NULL
    );
    """,
]


class LearnerProfile(BaseModel):
    id: str
    name: str
    finished: list[int] = Field(default_factory=list)
    in_progress: list[int] = Field(default_factory=list)
    hours_per_day: float = 2.0
    goal: str | None = None
    language: str = "zh"


class ProgressStore:
    """One SQLite file under the data dir; every write is a short IMMEDIATE transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        sqlite.create(path, "learner database", ProgressError)
        with self._connect() as conn:
            self._migrate(conn)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with sqlite.connect(self.path, "learner database", ProgressError, autocommit=True) as conn:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _migrate(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(_MIGRATIONS):
                raise ProgressError(
                    f"{self.path} has schema v{version}, newer than this tutor (v{len(_MIGRATIONS)}); upgrade tutor"
                )
            for n, script in enumerate(_MIGRATIONS[version:], version + 1):
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={n}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def get(self, learner_id: str) -> LearnerProfile:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, name, hours_per_day, goal, language FROM learners WHERE id=?", (learner_id,)
            ).fetchone()
            if row is None:
                raise ProgressError(
                    f"No learner '{learner_id}'; create one with `tutor progress set --learner {learner_id} --name NAME`"
                )
            status = conn.execute(
                "SELECT skill, status FROM skill_status WHERE learner_id=? ORDER BY skill", (learner_id,)
            ).fetchall()
        return LearnerProfile(
            id=row[0],
            name=row[1],
            hours_per_day=row[2],
            goal=row[3],
            language=row[4],
            finished=[s for s, st in status if st == "done"],
            in_progress=[s for s, st in status if st == "in_progress"],
        )

    def exists(self, learner_id: str) -> bool:
        with self._connect() as conn:
            return conn.execute("SELECT 1 FROM learners WHERE id=?", (learner_id,)).fetchone() is not None

    def list(self) -> list[str]:
        with self._connect() as conn:
            return [r[0] for r in conn.execute("SELECT id FROM learners ORDER BY id")]

    def upsert(
        self,
        learner_id: str,
        name: str | None = None,
        hours_per_day: float | None = None,
        goal: str | None = None,
        language: str | None = None,
    ) -> LearnerProfile:
        if not learner_id.strip():
            raise ProgressError("learner id must not be empty")
        if hours_per_day is not None and not 0 < hours_per_day <= 24:
            raise ProgressError(f"hours per day must be between 0 and 24, got {hours_per_day}")
        now = utc_now()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO learners (id, name, hours_per_day, goal, language, created_at, updated_at) "
                "VALUES (?, ?, COALESCE(?, 2), ?, COALESCE(?, 'zh'), ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name=COALESCE(?, name), hours_per_day=COALESCE(?, hours_per_day), "
                "goal=COALESCE(?, goal), language=COALESCE(?, language), updated_at=?",
                (
                    learner_id,
                    name or learner_id,
                    hours_per_day,
                    goal,
                    language,
                    now,
                    now,
                    name,
                    hours_per_day,
                    goal,
                    language,
                    now,
                ),
            )
        return self.get(learner_id)

    def mark(self, learner_id: str, skills: Sequence[int], status: str = "done") -> LearnerProfile:
        if status not in ("done", "in_progress"):
            raise ProgressError(f"status must be 'done' or 'in_progress', got '{status}'")
        self.get(learner_id)
        now = utc_now()
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO skill_status (learner_id, skill, status, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(learner_id, skill) DO UPDATE SET status=excluded.status, updated_at=excluded.updated_at",
                [(learner_id, s, status, now) for s in skills],
            )
        return self.get(learner_id)

    def unmark(self, learner_id: str, skills: Sequence[int]) -> LearnerProfile:
        self.get(learner_id)
        with self._write() as conn:
            conn.executemany(
                "DELETE FROM skill_status WHERE learner_id=? AND skill=?", [(learner_id, s) for s in skills]
            )
        return self.get(learner_id)
