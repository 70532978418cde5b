"""One SQLAlchemy engine per store, opened the same way on SQLite and on a database server.

SQLite (the embedded default) gets WAL, a 30 s busy timeout, foreign keys and `BEGIN IMMEDIATE`
for writes, so concurrent writers from several processes queue instead of failing half-way.
A server URL (`state.url`, PostgreSQL) gets a small pool with pre-ping. Every database error
leaves as the store's own `TutorError` subclass naming the URL (password hidden).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url

from tutor.errors import TutorError

__all__ = ["Database", "sqlite_url"]

log = logging.getLogger(__name__)

_WRITE = "tutor_write"


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


class Database:
    """A store's engine; `read()` and `write()` are short transactions that raise `error` on failure."""

    def __init__(
        self,
        url: str | URL,
        what: str,
        error: type[TutorError],
        pool_size: int = 5,
        connect_timeout_s: int = 10,
    ) -> None:
        try:
            self.url = make_url(url)
        except exc.ArgumentError as e:
            raise error(
                f"state.url '{url}' is not a database URL ({e}); use e.g. postgresql+psycopg://user@host/db"
            ) from e
        self.what = what
        self.error = error
        self.engine = self._engine(pool_size, connect_timeout_s)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def shown_url(self) -> str:
        """The URL for messages and logs (password hidden)."""
        return self.url.render_as_string(hide_password=True)

    @property
    def sqlite_path(self) -> Path | None:
        return Path(self.url.database) if self.is_sqlite and self.url.database else None

    def _engine(self, pool_size: int, connect_timeout_s: int) -> Engine:
        if not self.is_sqlite:
            args: dict[str, Any] = (
                {"connect_timeout": connect_timeout_s} if "postgres" in self.url.drivername else {}
            )
            return create_engine(self.url, pool_size=pool_size, pool_pre_ping=True, connect_args=args)
        path = self.sqlite_path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(self.url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(**{_WRITE: True})
                with conn.begin():
                    yield conn
        except exc.DBAPIError as e:
            reason = str(e.orig).strip().splitlines()[0] if e.orig else str(e)
            raise self.error(f"Cannot use {self.what} at {self.shown_url}: {reason}") from e

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (never blocks writers on SQLite's WAL)."""
        with self._transaction(write=False) as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any exception."""
        with self._transaction(write=True) as conn:
            yield conn

    def insert(self, table: Table) -> sqlite.Insert | postgresql.Insert:
        """An INSERT with `on_conflict_do_update/_nothing` (the upsert both databases speak)."""
        if self.is_sqlite:
            return sqlite.insert(table)
        if self.url.get_backend_name() == "postgresql":
            return postgresql.insert(table)
        raise self.error(f"{self.shown_url}: only SQLite and PostgreSQL are supported for state.url")

    def ping(self) -> None:
        """Raise `error` (naming the URL) unless the database answers (readiness checks)."""
        with self.read() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        """Close pooled connections (tests, short-lived commands)."""
        self.engine.dispose()


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    """pysqlite's own transaction handling is switched off so `_sqlite_begin` decides how to begin."""
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer (persistent, cheap to repeat)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    """Writes take the lock up front (IMMEDIATE): no deadlock when two readers both try to upgrade."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")
