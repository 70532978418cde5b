"""API keys, hashed at rest: only `tutor keys create` ever shows the secret, once.

A key is `tk-<id>-<secret>`: the id finds the row, the secret is checked against its SHA-256 with a
constant-time compare.  The secret is 32 random bytes, so a fast hash is the right one (a slow
password hash protects guessable secrets, and would cost every request).  A key either belongs to a
learner (it can touch only that learner's data) or to a client (a front-end acting for many learners).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tutor import sqlite
from tutor.curriculum.progress import validate_learner_id
from tutor.errors import TutorError
from tutor.timeutil import utc_now

__all__ = ["ApiKey", "ApiKeyError", "KeyStore", "NewKey"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    learner_id TEXT,
    secret_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
)
"""
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
    """One SQLite file under the data dir (WAL), so every replica sharing the data dir sees each key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        sqlite.create(path, "API key database", ApiKeyError)
        with self._connect() as conn:
            conn.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with sqlite.connect(self.path, "API key database", ApiKeyError) as conn:
            with conn:  # commit on success
                yield conn

    def create(self, name: str, learner: str | None = None) -> NewKey:
        """A new key for a learner (only their data) or, with `learner=None`, for a client."""
        name = name.strip()
        if not name or len(name) > 100:
            raise ApiKeyError("a key needs a name of 1-100 characters saying who or what uses it")
        if learner is not None:
            validate_learner_id(learner)
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32).replace("-", "_")
        row = ApiKey(key_id, name, learner, utc_now())
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO api_keys (id, name, learner_id, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?)",
                (key_id, name, learner, _digest(secret), row.created_at),
            )
        return NewKey(row, f"{_PREFIX}-{key_id}-{secret}")

    def verify(self, presented: str) -> ApiKey | None:
        """The live key `presented` is, or None (unknown, malformed, wrong secret or revoked)."""
        prefix, _, rest = presented.partition("-")
        key_id, _, secret = rest.partition("-")
        if prefix != _PREFIX or not key_id or not secret:
            return None
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, name, learner_id, created_at, revoked_at, secret_sha256 FROM api_keys WHERE id=?",
                (key_id,),
            ).fetchone()
        if row is None or row[4] is not None or not hmac.compare_digest(row[5], _digest(secret)):
            return None
        return ApiKey(*row[:5])

    def revoke(self, key_id: str) -> ApiKey:
        with self._connect() as conn:
            updated = conn.execute(
                "UPDATE api_keys SET revoked_at=? WHERE id=? AND revoked_at IS NULL", (utc_now(), key_id)
            ).rowcount
        found = [k for k in self.list(include_revoked=True) if k.id == key_id]
        if not found:
            raise ApiKeyError(f"no API key with id '{key_id}'; `tutor keys list` shows the ids")
        if not updated and found[0].revoked_at is None:  # pragma: no cover - a concurrent un-revoke
            raise ApiKeyError(f"API key '{key_id}' could not be revoked")
        return found[0]

    def list(self, include_revoked: bool = False) -> list[ApiKey]:
        query = "SELECT id, name, learner_id, created_at, revoked_at FROM api_keys"
        if not include_revoked:
            query += " WHERE revoked_at IS NULL"
        with self._connect() as conn:
            return [ApiKey(*row) for row in conn.execute(query + " ORDER BY created_at, id")]
