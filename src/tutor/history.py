"""Conversations and answer feedback, per learner, in the same database as their progress.

The UI restores a learner's conversation after a page reload from here; operators export the
thumbs up/down (with question, answer and sources) to grow the eval sets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from tutor.curriculum.progress import ProgressStore
from tutor.state.schema import feedback, messages
from tutor.timeutil import utc_now

__all__ = ["HistoryStore"]


MAX_MESSAGE_CHARS = 20_000  # an answer with its sources fits easily; a flood does not


def _row(learner_id: str, role: str, content: str, meta: dict[str, Any] | None) -> dict[str, Any]:
    if len(content) > MAX_MESSAGE_CHARS:
        content = content[:MAX_MESSAGE_CHARS] + " …"
    return {
        "learner_id": learner_id,
        "role": role,
        "content": content,
        "meta": json.dumps(meta, ensure_ascii=False) if meta else None,
        "created_at": utc_now(),
    }


class HistoryStore:
    """Messages and feedback in the learner database (the tables `ProgressStore` migrated)."""

    def __init__(self, progress: ProgressStore) -> None:
        self._db = progress.db

    def append(self, learner_id: str, role: str, content: str, meta: dict[str, Any] | None = None) -> int:
        """Store one message; content over MAX_MESSAGE_CHARS is cut (every page load carries the history)."""
        with self._db.write() as conn:
            return int(
                conn.execute(
                    insert(messages).values(_row(learner_id, role, content, meta)).returning(messages.c.id)
                ).scalar_one()
            )

    def append_exchange(
        self, learner_id: str, question: str, answer: str, meta: dict[str, Any] | None = None
    ) -> None:
        """Store a question and its answer in one transaction: a process killed half-way (a replica
        behind a balancer) leaves both or neither, never a question without its answer."""
        rows = [_row(learner_id, "user", question, None), _row(learner_id, "assistant", answer, meta)]
        with self._db.write() as conn:
            for row in rows:  # one INSERT each: ids keep the order
                conn.execute(insert(messages).values(row))

    def messages(self, learner_id: str, limit: int = 200) -> list[dict[str, Any]]:
        last = (
            select(*messages.c["id", "role", "content", "meta"])
            .where(messages.c.learner_id == learner_id)
            .order_by(messages.c.id.desc())
            .limit(limit)
        )
        with self._db.read() as conn:
            rows = conn.execute(last).all()
        return [
            {"role": r, "content": c, "meta": json.loads(m) if m else {}} for _, r, c, m in reversed(rows)
        ]

    def clear(self, learner_id: str) -> None:
        with self._db.write() as conn:
            conn.execute(delete(messages).where(messages.c.learner_id == learner_id))

    def drop_last_answer(self, learner_id: str) -> str | None:
        """For 'retry': remove the last exchange and return its question."""
        last_two = (
            select(*messages.c["id", "role", "content"])
            .where(messages.c.learner_id == learner_id)
            .order_by(messages.c.id.desc())
            .limit(2)
        )
        with self._db.write() as conn:
            rows = conn.execute(last_two).all()
            if len(rows) < 2 or rows[0].role != "assistant" or rows[1].role != "user":
                return None
            conn.execute(delete(messages).where(messages.c.id.in_([rows[0].id, rows[1].id])))
            return str(rows[1].content)

    def add_feedback(
        self,
        learner_id: str,
        rating: int,
        question: str,
        answer: str,
        sources: list[dict[str, Any]],
        meta: dict[str, Any] | None = None,
    ) -> None:
        row = {
            "learner_id": learner_id,
            "rating": 1 if rating > 0 else -1,
            "question": question,
            "answer": answer,
            "sources": json.dumps(sources, ensure_ascii=False),
            "meta": json.dumps(meta or {}, ensure_ascii=False),
            "created_at": utc_now(),
        }
        with self._db.write() as conn:
            conn.execute(insert(feedback).values(row))

    def feedback(self) -> Iterator[dict[str, Any]]:
        with self._db.read() as conn:
            rows = conn.execute(select(feedback).order_by(feedback.c.id)).all()
        for row in rows:
            yield {
                "learner": row.learner_id,
                "rating": "up" if row.rating > 0 else "down",
                "question": row.question,
                "answer": row.answer,
                "sources": json.loads(row.sources),
                "meta": json.loads(row.meta or "{}"),
                "created_at": row.created_at,
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
