"""API keys: hashed at rest, learner or client scope, revocation, and the `tutor keys` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.api.keys import ApiKeyError, KeyStore
from tutor.errors import ProgressError


def test_a_key_verifies_and_only_its_hash_is_stored(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.sqlite")
    new = store.create("amy's laptop", "amy")
    assert new.secret.startswith(f"tk-{new.key.id}-")
    assert store.verify(new.secret) == new.key and new.key.learner == "amy" and new.key.scope == "learner:amy"
    secret_part = new.secret.split("-", 2)[2]
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert secret_part.encode() not in stored  # only the SHA-256 is at rest


def test_wrong_malformed_and_revoked_keys_are_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.sqlite")
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


def test_bad_names_and_learner_ids_are_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.sqlite")
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
