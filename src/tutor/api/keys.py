"""API keys, hashed at rest: only `tutor keys create` ever shows the secret, once.

A key is `tk-<id>-<secret>`: the id finds the row, the secret is checked against its SHA-256 with a
constant-time compare.  The secret is 32 random bytes, so a fast hash is the right one (a slow
password hash protects guessable secrets, and would cost every request).  A key either belongs to a
learner (it can touch only that learner's data) or to a client (a front-end acting for many learners).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update

from tutor.curriculum.progress import validate_learner_id
from tutor.errors import TutorError
from tutor.state.db import Database, sqlite_url
from tutor.state.migrate import AREAS, upgrade
from tutor.state.schema import api_keys
from tutor.timeutil import utc_now

__all__ = ["ApiKey", "ApiKeyError", "KeyStore", "NewKey"]

log = logging.getLogger(__name__)

_PUBLIC = (
    api_keys.c.id,
    api_keys.c.name,
    api_keys.c.learner_id,
    api_keys.c.created_at,
    api_keys.c.revoked_at,
)
_PREFIX = "tk"


class ApiKeyError(TutorError):
    """An API key cannot be created, found or revoked; says which and what to do."""


@dataclass(frozen=True)
class ApiKey:
    """A stored key, without its secret."""

    id: str
    name: str
    learner: str | None
    created_at: str
    revoked_at: str | None = None

    @property
    def scope(self) -> str:
        return f"learner:{self.learner}" if self.learner else "client"


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # the full `tk-<id>-<secret>` string; shown once, never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class KeyStore:
    """The `api_keys` table of the learner store (SQLite in the data dir, or `state.url`), so every
    replica sharing the store sees each key."""

    def __init__(self, db: Database | Path, legacy: Path | None = None) -> None:
        if isinstance(db, Path):  # a SQLite file of its own, migrated on open (tests, scripts)
            db = Database(sqlite_url(db), "the API key store", ApiKeyError)
            upgrade(db, AREAS["learners"])
        self.db = db
        if legacy is not None and legacy.is_file():
            self._adopt(legacy)

    def _adopt(self, legacy: Path) -> None:
        """Copy the keys of an older tutor's api_keys.sqlite in once, then rename that file."""
        try:  # read-only: a file another replica just moved away is not re-created empty
            with sqlite3.connect(f"file:{legacy}?mode=ro", uri=True) as old:
                rows = old.execute(
                    "SELECT id, name, learner_id, secret_sha256, created_at, revoked_at FROM api_keys"
                ).fetchall()
            old.close()
        except sqlite3.OperationalError as exc:
            log.info("no API keys to move from %s (%s)", legacy, exc)
            return
        cols = ("id", "name", "learner_id", "secret_sha256", "created_at", "revoked_at")
        if rows:
            stmt = self.db.insert(api_keys).on_conflict_do_nothing(index_elements=["id"])
            with self.db.write() as conn:
                conn.execute(stmt, [dict(zip(cols, r, strict=True)) for r in rows])
        try:
            legacy.rename(legacy.with_name(legacy.name + ".migrated"))
        except FileNotFoundError:  # another replica moved it first; the rows are in either way
            return
        log.info("moved %d API keys from %s into %s", len(rows), legacy, self.db.shown_url)

    def create(self, name: str, learner: str | None = None) -> NewKey:
        """A new key for a learner (only their data) or, with `learner=None`, for a client."""
        name = name.strip()
        if not name or len(name) > 100:
            raise ApiKeyError("a key needs a name of 1-100 characters saying who or what uses it")
        if learner is not None:
            validate_learner_id(learner)
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32).replace("-", "_")
        row = ApiKey(key_id, name, learner, utc_now())
        values = {"id": key_id, "name": name, "learner_id": learner, "secret_sha256": _digest(secret)}
        with self.db.write() as conn:
            conn.execute(insert(api_keys).values(**values, created_at=row.created_at))
        return NewKey(row, f"{_PREFIX}-{key_id}-{secret}")

    def verify(self, presented: str) -> ApiKey | None:
        """The live key `presented` is, or None (unknown, malformed, wrong secret or revoked)."""
        prefix, _, rest = presented.partition("-")
        key_id, _, secret = rest.partition("-")
        if prefix != _PREFIX or not key_id or not secret:
            return None
        with self.db.read() as conn:
            row = conn.execute(
                select(*_PUBLIC, api_keys.c.secret_sha256).where(api_keys.c.id == key_id)
            ).first()
        if (
            row is None
            or row.revoked_at is not None
            or not hmac.compare_digest(row.secret_sha256, _digest(secret))
        ):
            return None
        return ApiKey(*row[:5])

    def revoke(self, key_id: str) -> ApiKey:
        live = api_keys.c.revoked_at.is_(None)
        with self.db.write() as conn:
            updated = conn.execute(
                update(api_keys).where(api_keys.c.id == key_id, live).values(revoked_at=utc_now())
            ).rowcount
        found = [k for k in self.list(include_revoked=True) if k.id == key_id]
        if not found:
            raise ApiKeyError(f"no API key with id '{key_id}'; `tutor keys list` shows the ids")
        if not updated and found[0].revoked_at is None:  # pragma: no cover - a concurrent un-revoke
            raise ApiKeyError(f"API key '{key_id}' could not be revoked")
        return found[0]

    def list(self, include_revoked: bool = False) -> list[ApiKey]:
        query = select(*_PUBLIC).order_by(api_keys.c.created_at, api_keys.c.id)
        if not include_revoked:
            query = query.where(api_keys.c.revoked_at.is_(None))
        with self.db.read() as conn:
            return [ApiKey(*row) for row in conn.execute(query)]
