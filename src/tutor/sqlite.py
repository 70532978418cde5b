"""Opening the tutor's SQLite files (learners, catalog) the same way: WAL, a long busy timeout, clear errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tutor.errors import TutorError

__all__ = ["connect", "create"]


@contextmanager
def connect(
    path: Path, what: str, error: type[TutorError], autocommit: bool = False
) -> Iterator[sqlite3.Connection]:
    """A connection closed on exit; one that cannot be opened raises `error` naming `what` and `path`.

    With `autocommit` the caller issues BEGIN/COMMIT itself (for IMMEDIATE write transactions).
    """
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None if autocommit else "DEFERRED")
    except sqlite3.Error as exc:
        raise error(f"Cannot open {what} {path}: {exc}") from exc
    try:
        yield conn
    finally:
        conn.close()


def create(path: Path, what: str, error: type[TutorError]) -> None:
    """Make the file's directory and switch the database to WAL (readers never wait for a writer)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path, what, error) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
