"""Work done in child processes by the concurrency tests (importable by multiprocessing's spawn)."""

from __future__ import annotations

from tutor.curriculum.progress import ProgressStore
from tutor.errors import ProgressError
from tutor.history import HistoryStore
from tutor.state.db import Database


def write_progress(url: str, worker: int, n: int) -> int:
    """`n` skill updates and `n` messages on the shared learner, and a learner of this worker's own."""
    db = Database(url, "the learner database", ProgressError)
    store, history = ProgressStore(db), HistoryStore(ProgressStore(db))
    own = f"worker-{worker}"
    store.upsert(own, name=own)
    for i in range(n):
        skill = worker * 1000 + i
        store.mark("shared", [skill], "done" if i % 2 else "in_progress")
        history.append("shared", "user", f"{worker}:{i}")
        store.mark(own, [i])
        history.append(own, "assistant", f"{worker}:{i}")
    db.dispose()
    return n
