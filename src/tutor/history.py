"""Conversations and answer feedback, per learner, in the same SQLite file as their progress.

The UI restores a learner's conversation after a page reload from here; operators export the
thumbs up/down (with question, answer and sources) to grow the eval sets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tutor.curriculum.progress import ProgressStore
from tutor.timeutil import utc_now

__all__ = ["HistoryStore"]


class HistoryStore:
    def __init__(self, progress: ProgressStore) -> None:
        self._db = progress

    def append(self, learner_id: str, role: str, content: str, meta: dict[str, Any] | None = None) -> int:
        with self._db._write() as conn:
            cur = conn.execute(
                "INSERT INTO messages (learner_id, role, content, meta, created_at) VALUES (?, ?, ?, ?, ?)",
                (
                    learner_id,
                    role,
                    content,
                    json.dumps(meta, ensure_ascii=False) if meta else None,
                    utc_now(),
                ),
            )
            return int(cur.lastrowid or 0)

    def messages(self, learner_id: str, limit: int = 200) -> list[dict[str, Any]]:
        with self._db._connect() as conn:
            rows = conn.execute(
                "SELECT role, content, meta FROM (SELECT * FROM messages WHERE learner_id=? ORDER BY id DESC LIMIT ?) "
                "ORDER BY id",
                (learner_id, limit),
            ).fetchall()
        return [{"role": r, "content": c, "meta": json.loads(m) if m else {}} for r, c, m in rows]

    def clear(self, learner_id: str) -> None:
        with self._db._write() as conn:
            conn.execute("DELETE FROM messages WHERE learner_id=?", (learner_id,))

    def drop_last_answer(self, learner_id: str) -> str | None:
        """For 'retry': remove the last exchange and return its question."""
        with self._db._write() as conn:
            rows = conn.execute(
                "SELECT id, role, content FROM messages WHERE learner_id=? ORDER BY id DESC LIMIT 2",
                (learner_id,),
            ).fetchall()
            if len(rows) < 2 or rows[0][1] != "assistant" or rows[1][1] != "user":
                return None
            conn.execute("DELETE FROM messages WHERE id IN (?, ?)", (rows[0][0], rows[1][0]))
            return str(rows[1][2])

    def add_feedback(
        self,
        learner_id: str,
        rating: int,
        question: str,
        answer: str,
        sources: list[dict[str, Any]],
        meta: dict[str, Any] | None = None,
    ) -> None:
        with self._db._write() as conn:
            conn.execute(
                "INSERT INTO feedback (learner_id, rating, question, answer, sources, meta, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    learner_id,
                    1 if rating > 0 else -1,
                    question,
                    answer,
                    json.dumps(sources, ensure_ascii=False),
                    json.dumps(meta or {}, ensure_ascii=False),
                    utc_now(),
                ),
            )

    def feedback(self) -> Iterator[dict[str, Any]]:
        with self._db._connect() as conn:
            rows = conn.execute(
                "SELECT learner_id, rating, question, answer, sources, meta, created_at "
                "FROM feedback ORDER BY id"
            ).fetchall()
        for learner, rating, q, a, s, m, at in rows:
            yield {
                "learner": learner,
                "rating": "up" if rating > 0 else "down",
                "question": q,
                "answer": a,
                "sources": json.loads(s),
                "meta": json.loads(m or "{}"),
                "created_at": at,
            }

    def export_feedback(self, path: Path) -> int:
        n = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for row in self.feedback():
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
        tmp.replace(path)
        return n
