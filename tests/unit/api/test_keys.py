"""API keys: hashed at rest, learner or client scope, revocation, and the `tutor keys` commands."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.api.keys import ApiKeyError, KeyStore
from tutor.errors import ProgressError
from tutor.state.open import open_database
from tutor.state.settings import StateSettings


def _store(data_dir: Path) -> KeyStore:
    """The key table of a learner store in `data_dir` (SQLite, as without state.url)."""
    return KeyStore(open_database(StateSettings(), data_dir, "learners"))


def test_a_key_verifies_and_only_its_hash_is_stored(tmp_path: Path) -> None:
    store = _store(tmp_path)
    new = store.create("amy's laptop", "amy")
    assert new.secret.startswith(f"tk-{new.key.id}-")
    assert store.verify(new.secret) == new.key and new.key.learner == "amy" and new.key.scope == "learner:amy"
    secret_part = new.secret.split("-", 2)[2]
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert secret_part.encode() not in stored  # only the SHA-256 is at rest


def test_wrong_malformed_and_revoked_keys_are_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    new = store.create("web")
    assert new.key.learner is None and new.key.scope == "client"
    assert store.verify(new.secret[:-1] + ("A" if new.secret[-1] != "A" else "B")) is None
    for bad in ("", "tk", "tk--", "Bearer x", f"xx-{new.key.id}-secret", f"tk-{new.key.id}-"):
        assert store.verify(bad) is None
    store.revoke(new.key.id)
    assert store.verify(new.secret) is None
    assert [k.id for k in store.list()] == [] and store.list(include_revoked=True)[0].revoked_at
    with pytest.raises(ApiKeyError, match="no API key with id 'nope'"):
        store.revoke("nope")


def test_keys_of_an_older_data_dir_are_moved_in_once(tmp_path: Path) -> None:
    old = _store(tmp_path / "old")
    new = old.create("web")
    legacy = tmp_path / "api_keys.sqlite"
    with sqlite3.connect(legacy) as conn:  # the file an older tutor wrote: the same table, alone
        conn.execute(
            "CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, learner_id TEXT, "
            "secret_sha256 TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)"
        )
        with old.db.read() as src:
            rows = src.exec_driver_sql(
                "SELECT id, name, learner_id, secret_sha256, created_at, revoked_at FROM api_keys"
            ).all()
        conn.executemany("INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.close()
    moved = KeyStore(open_database(StateSettings(), tmp_path / "data", "learners"), legacy=legacy)
    assert moved.verify(new.secret) == new.key
    assert not legacy.exists() and legacy.with_name("api_keys.sqlite.migrated").exists()


def test_bad_names_and_learner_ids_are_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with pytest.raises(ApiKeyError, match="name"):
        store.create("  ")
    with pytest.raises(ProgressError, match="learner id"):
        store.create("x", "<script>")


def test_the_keys_commands(tmp_path: Path) -> None:
    from tutor.cli import app

    runner = CliRunner()
    created = runner.invoke(app, ["keys", "create", "--name", "amy", "--learner", "amy"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    listed = runner.invoke(app, ["keys", "list", "--json"])
    (row,) = json.loads(listed.output)
    assert row["scope"] == "learner:amy" and secret not in listed.output
    assert runner.invoke(app, ["keys", "revoke", row["id"]]).exit_code == 0
    assert json.loads(runner.invoke(app, ["keys", "list", "--json"]).output) == []
    missing = runner.invoke(app, ["keys", "revoke", "nope"])
    assert missing.exit_code == 2 and "tutor keys list" in missing.output
