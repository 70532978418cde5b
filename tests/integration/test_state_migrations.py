"""Migrations from an old data dir, `tutor state migrate/export/import`, SQLite -> PostgreSQL -> SQLite.

`tests/data/old_state/*.sql` are dumps of a data dir written by main's hand-written SQLite code
(before SQLAlchemy): the new stores must open it in place, data intact.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.config import load_settings
from tutor.curriculum.progress import ProgressStore
from tutor.errors import ProgressError
from tutor.history import HistoryStore
from tutor.state.migrate import AREAS, head_revision
from tutor.state.open import open_all, open_database

OLD = Path(__file__).resolve().parents[1] / "data" / "old_state"


def _old_data_dir(data: Path) -> Path:
    data.mkdir(parents=True, exist_ok=True)
    for name in ("learners", "catalog"):
        with sqlite3.connect(data / f"{name}.sqlite") as conn:
            conn.executescript((OLD / f"{name}.sql").read_text(encoding="utf-8"))
        conn.close()
    return data


def _facts(data: Path, url: str | None = None) -> dict[str, object]:
    """What a learner and the catalog look like through the stores (compared across databases)."""
    settings = load_settings(data_dir=data, state={"url": url} if url else {})
    with open_all(settings.state, data) as dbs:
        progress = ProgressStore(dbs["learners"])
        history = HistoryStore(progress)
        from tutor.curriculum.quiz import QuizStore
        from tutor.resources.store import CatalogStore

        catalog = CatalogStore(dbs["catalog"])
        return {
            "learners": [progress.get(x).model_dump() for x in progress.list()],
            "messages": history.messages("amy"),
            "feedback": list(history.feedback()),
            "quiz": sorted(QuizStore(dbs["learners"]).suggested_done("amy")),
            "catalog": [dict(r) for r in catalog.resources()],  # insertion order on SQLite
            "docs": catalog.doc_revs(),
        }


def _sorted(facts: dict[str, object]) -> dict[str, object]:
    """A server has no insertion order for the catalog (first seen, then URL): compare as sets."""
    return {**facts, "catalog": sorted(facts["catalog"], key=lambda r: r["url"])}  # type: ignore[call-overload]


def test_an_old_data_dir_is_adopted_in_place(tmp_path: Path) -> None:
    data = _old_data_dir(tmp_path / "old")
    facts = _facts(data)
    amy = facts["learners"][0]  # type: ignore[index]
    assert amy == {
        "id": "amy", "name": "Amy", "finished": [1, 2], "in_progress": [4],
        "hours_per_day": 3.0, "goal": "做 RAG 应用", "language": "zh",
    }  # fmt: skip
    assert [m["content"] for m in facts["messages"]] == ["什么是 RAG？", "检索增强生成 [1]"]  # type: ignore[union-attr]
    assert facts["quiz"] == [1] and facts["docs"] == {"roadmap": "rev1"}
    assert [(r["url"], r["etag"]) for r in facts["catalog"]] == [  # type: ignore[union-attr]
        ("https://example.org/b", '"x1"'),  # insertion order kept
        ("https://example.org/a", None),
    ]
    with sqlite3.connect(data / "learners.sqlite") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version_learners").fetchone()[0] == "l0002"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3  # an older tutor still opens it
    conn.close()
    # new writes on the adopted file continue its id sequence
    settings = load_settings(data_dir=data)
    db = open_database(settings.state, data, "learners")
    assert HistoryStore(ProgressStore(db)).append("amy", "user", "again") == 3
    db.dispose()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    data = _old_data_dir(tmp_path / "old")
    with sqlite3.connect(data / "learners.sqlite") as conn:
        conn.execute("CREATE TABLE alembic_version_learners (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version_learners VALUES ('l9999')")
    conn.close()
    with pytest.raises(ProgressError, match="schema l9999, newer than this tutor"):
        open_database(load_settings(data_dir=data).state, data, "learners")


def test_cli_migrate_is_idempotent(tmp_path: Path) -> None:
    data = _old_data_dir(tmp_path / "old")
    runner = CliRunner()
    first = runner.invoke(app, ["--data-dir", str(data), "state", "migrate"])
    assert first.exit_code == 0, first.output
    assert "learners: empty -> l0002" in first.output and "catalog: empty -> c0001" in first.output
    again = runner.invoke(app, ["--data-dir", str(data), "state", "migrate"])
    assert "learners: already at l0002" in again.output and "catalog: already at c0001" in again.output


def _round_trip(tmp_path: Path, target_url: str | None) -> tuple[dict[str, object], dict[str, object]]:
    """old SQLite dir -> export -> import into the target -> export -> import into a new SQLite dir;
    returns (what the source holds, what came back), both as the stores show them."""
    src = _old_data_dir(tmp_path / "src")
    runner = CliRunner()
    dump = tmp_path / "state.jsonl"
    out = runner.invoke(app, ["--data-dir", str(src), "state", "export", str(dump)])
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())  # rich wraps long lines
    assert (
        "exported 14 rows" in said and "learners 2" in said and "messages 2" in said and "resources 2" in said
    )
    header = json.loads(dump.read_text(encoding="utf-8").splitlines()[0])
    assert header["revisions"] == {"learners": head_revision(AREAS["learners"]), "catalog": "c0001"}
    mid = tmp_path / "mid"
    url_args = ["--url", target_url] if target_url else []
    imp = runner.invoke(app, ["--data-dir", str(mid), "state", "import", str(dump), *url_args])
    assert imp.exit_code == 0, imp.output
    assert "imported 14 rows" in " ".join(imp.output.split()), imp.output
    again = runner.invoke(app, ["--data-dir", str(mid), "state", "import", str(dump), *url_args])
    assert again.exit_code == 2 and "is not empty" in " ".join(again.output.split())  # never merged silently
    assert _sorted(_facts(mid, target_url)) == _sorted(_facts(src))
    dump2 = tmp_path / "state2.jsonl"
    assert (
        runner.invoke(app, ["--data-dir", str(mid), "state", "export", str(dump2), *url_args]).exit_code == 0
    )
    back = tmp_path / "back"
    assert runner.invoke(app, ["--data-dir", str(back), "state", "import", str(dump2)]).exit_code == 0
    if target_url is None:
        assert _facts(back) == _facts(src)  # SQLite all the way: even the catalog's order is kept
    assert _sorted(_facts(back)) == _sorted(_facts(src))
    settings = load_settings(data_dir=mid, state={"url": target_url} if target_url else {})
    db = open_database(settings.state, mid, "learners")
    assert HistoryStore(ProgressStore(db)).append("amy", "user", "new") == 3  # ids continue after import
    db.dispose()
    return _facts(src), _facts(back)


def test_export_import_round_trip_sqlite(tmp_path: Path) -> None:
    source, back = _round_trip(tmp_path, None)
    assert back == source and source["learners"]  # SQLite all the way: even the catalog's order is kept


@pytest.mark.integration
def test_export_import_round_trip_postgresql(tmp_path: Path, pg_url: str) -> None:
    source, back = _round_trip(tmp_path, pg_url)
    assert _sorted(back) == _sorted(source) and source["learners"]


def test_import_of_a_foreign_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"hello": 1}\n', encoding="utf-8")
    out = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "d"), "state", "import", str(bad)])
    assert out.exit_code == 2 and "not a `tutor state export` file" in " ".join(out.output.split())


def test_api_keys_of_an_old_data_dir_move_into_the_learner_store(tmp_path: Path) -> None:
    """main's API (before this branch) kept keys in <data_dir>/api_keys.sqlite; they keep working."""
    from tutor.api.keys import KeyStore
    from tutor.state.settings import StateSettings

    data = _old_data_dir(tmp_path / "old")
    with sqlite3.connect(data / "api_keys.sqlite") as conn:  # the schema main's KeyStore created
        conn.execute(
            "CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, learner_id TEXT, "
            "secret_sha256 TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)"
        )
        secret = "s3cret"
        digest = hashlib.sha256(secret.encode()).hexdigest()
        conn.execute("INSERT INTO api_keys VALUES ('abc123', 'laptop', 'amy', ?, 't', NULL)", (digest,))
    conn.close()
    db = open_database(StateSettings(), data, "learners")
    keys = KeyStore(db, legacy=data / "api_keys.sqlite")
    found = keys.verify(f"tk-abc123-{secret}")
    assert found is not None and found.learner == "amy"
    assert not (data / "api_keys.sqlite").exists() and (data / "api_keys.sqlite.migrated").exists()
    assert KeyStore(db, legacy=data / "api_keys.sqlite").verify(f"tk-abc123-{secret}") is not None
    new = keys.create("web")
    assert keys.verify(new.secret) is not None and keys.verify(new.secret + "x") is None
    db.dispose()


def test_stores_opened_at_once_in_one_process_all_migrate(tmp_path: Path) -> None:
    """The UI opens the learner store while its start-up ingest opens the catalog, in two threads.

    alembic's `context` is a module-global proxy; without one upgrade at a time per process this
    failed in CI (`module 'alembic.context' has no attribute 'config'`) and here crashed outright.
    """
    import threading

    settings = load_settings(data_dir=tmp_path)
    errors: list[str] = []
    jobs = [(tmp_path / f"d{i}", store) for i in range(6) for store in ("learners", "catalog")]

    def open_one(data: Path, store: str) -> None:
        try:
            open_database(settings.state, data, store).dispose()
        except Exception as exc:  # noqa: BLE001 - collected: a thread's exception would not fail the test
            errors.append(f"{data.name}/{store}: {exc!r}")

    for data, _ in jobs:
        data.mkdir(exist_ok=True)
    threads = [threading.Thread(target=open_one, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for data, store in jobs:
        with sqlite3.connect(data / f"{store}.sqlite") as conn:
            table = f"alembic_version_{store}"
            assert conn.execute(f"SELECT version_num FROM {table}").fetchone() == (
                head_revision(AREAS[store]),
            )
        conn.close()
