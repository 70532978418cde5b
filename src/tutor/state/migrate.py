"""Alembic migrations of the two stores, run programmatically (no alembic.ini, nothing to install).

The scripts ship inside the package (`tutor/state/migrations/<store>/`), each store with its own
version table, so the learners and the catalog can share one PostgreSQL database or live in two
SQLite files as they always did. An upgrade holds the write lock (SQLite `BEGIN IMMEDIATE`,
a PostgreSQL advisory lock): replicas starting together migrate once, the others wait and find
nothing to do.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, text

from tutor.state.db import Database
from tutor.state.schema import CATALOG, LEARNERS

__all__ = ["AREAS", "Area", "current_revision", "head_revision", "upgrade"]

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
LEGACY_LEARNERS_VERSION = 3  # PRAGMA user_version the hand-written SQLite code stopped at
# alembic's `context`/`op` are module-global proxies: two upgrades running at once in one process
# (the UI opens the learner store while its start-up ingest opens the catalog) clobber each other's
# and fail with "module 'alembic.context' has no attribute 'config'". One upgrade at a time per process.
_ALEMBIC = threading.Lock()


@dataclass(frozen=True)
class Area:
    """One store: its tables, its migration scripts and its version table."""

    name: str
    metadata: MetaData
    lock_key: int  # PostgreSQL advisory lock held while migrating

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.name}"

    def config(self, conn: Connection | None = None) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("path_separator", "os")
        cfg.set_main_option("version_locations", str(MIGRATIONS / self.name))
        cfg.attributes.update(connection=conn, metadata=self.metadata, version_table=self.version_table)
        return cfg


AREAS = {
    "learners": Area("learners", LEARNERS, 0x7475_0001),
    "catalog": Area("catalog", CATALOG, 0x7475_0002),
}


def head_revision(area: Area) -> str:
    head = ScriptDirectory.from_config(area.config()).get_current_head()
    assert head is not None, f"no migrations shipped for {area.name}"
    return head


def _current(conn: Connection, area: Area) -> str | None:
    ctx = MigrationContext.configure(conn, opts={"version_table": area.version_table})
    return ctx.get_current_revision()


def current_revision(db: Database, area: Area) -> str | None:
    """The revision the database is at (None: never migrated by this tutor)."""
    with db.read() as conn:
        return _current(conn, area)


def _refuse_newer(db: Database, conn: Connection, area: Area) -> None:
    """A database written by a newer tutor is left alone: downgrading it silently would lose data."""
    known = {s.revision for s in ScriptDirectory.from_config(area.config()).walk_revisions()}
    rev = _current(conn, area)
    newer = rev is not None and rev not in known
    if db.is_sqlite and area.name == "learners" and not newer:
        legacy = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
        newer = legacy > LEGACY_LEARNERS_VERSION
        rev = rev or f"v{legacy}"
    if newer:
        raise db.error(
            f"{db.shown_url} has {area.name} schema {rev}, newer than this tutor "
            f"({head_revision(area)}); upgrade tutor"
        )


def upgrade(db: Database, area: Area) -> tuple[str | None, str]:
    """Bring `area`'s tables to the newest revision; returns (before, after). Idempotent."""
    with _ALEMBIC, db.write() as conn:
        if not db.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": area.lock_key})
        _refuse_newer(db, conn, area)
        before = _current(conn, area)
        command.upgrade(area.config(conn), "head")
        after = _current(conn, area)
        if db.is_sqlite and area.name == "learners":
            # an older tutor opening this file finds the schema it knows instead of re-creating it
            conn.exec_driver_sql(f"PRAGMA user_version={LEGACY_LEARNERS_VERSION}")
    if before != after:
        log.info("migrated the %s store at %s: %s -> %s", area.name, db.shown_url, before, after)
    assert after is not None
    return before, after
