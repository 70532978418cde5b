"""Opening the learner and catalog stores from the settings (the composition root's one call each)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import SecretStr

from tutor.errors import IndexStoreError, ProgressError, TutorError
from tutor.state.db import Database, sqlite_url
from tutor.state.migrate import AREAS, upgrade
from tutor.state.settings import StateSettings

__all__ = ["STORES", "migrate_all", "open_all", "open_database"]

# store -> (file in the data dir when state.url is unset, what it is called in messages, its error)
STORES: dict[str, tuple[str, str, type[TutorError]]] = {
    "learners": ("learners.sqlite", "the learner database", ProgressError),
    "catalog": ("catalog.sqlite", "the resource catalog", IndexStoreError),
}


def open_database(cfg: StateSettings, data_dir: Path, store: str, migrate: bool | None = None) -> Database:
    """The `store` database (`state.url`, else its SQLite file in `data_dir`), migrated when asked.

    `migrate=None` follows `state.auto_migrate`; SQLite files are always brought up to date
    (one process owns them, and an old data dir must keep working).
    """
    filename, what, error = STORES[store]
    url = cfg.url.get_secret_value() if cfg.url else sqlite_url(data_dir / filename)
    db = Database(url, what, error, pool_size=cfg.pool_size, connect_timeout_s=cfg.connect_timeout_s)
    if migrate or (migrate is None and (cfg.auto_migrate or db.is_sqlite)):
        try:
            upgrade(db, AREAS[store])
        except BaseException:
            db.dispose()  # a refused or failed migration must not leave a pooled connection open
            raise
    return db


@contextmanager
def open_all(cfg: StateSettings, data_dir: Path, url: str | None = None) -> Iterator[dict[str, Database]]:
    """Both stores, migrated, closed on exit (`url` overrides `state.url`, e.g. an import's target)."""
    if url:
        cfg = cfg.model_copy(update={"url": SecretStr(url)})
    dbs: dict[str, Database] = {}
    try:
        for store in STORES:
            dbs[store] = open_database(cfg, data_dir, store, migrate=True)
        yield dbs
    finally:
        for db in dbs.values():
            db.dispose()


def migrate_all(
    cfg: StateSettings, data_dir: Path, url: str | None = None
) -> dict[str, tuple[str | None, str]]:
    """`tutor state migrate`: each store's (revision before, revision after); idempotent."""
    if url:
        cfg = cfg.model_copy(update={"url": SecretStr(url)})
    out = {}
    for store in STORES:
        db = open_database(cfg, data_dir, store, migrate=False)
        try:
            out[store] = upgrade(db, AREAS[store])
        finally:
            db.dispose()
    return out
