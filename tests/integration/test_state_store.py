"""The learner and catalog stores behave the same on SQLite and on a real PostgreSQL 15.

PostgreSQL cases are marked `integration`; they use the session's throwaway cluster (or
TUTOR_TEST_PG_URL) and a fresh database per test.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from tests.state_workers import write_progress
from tutor.curriculum.progress import LearnerProfile, ProgressStore
from tutor.curriculum.quiz import QuizResult, QuizStore
from tutor.errors import IndexStoreError, ProgressError
from tutor.history import HistoryStore
from tutor.resources.catalog import CatalogEntry, Context
from tutor.resources.store import CatalogStore
from tutor.state.db import Database, sqlite_url
from tutor.state.migrate import AREAS, head_revision, upgrade

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]


_OPEN: list[Database] = []


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "state.sqlite")
    else:
        yield request.getfixturevalue("pg_url")
    while _OPEN:  # pooled connections are closed before the test database is dropped
        _OPEN.pop().dispose()


def _db(url: str, store: str) -> Database:
    error = ProgressError if store == "learners" else IndexStoreError
    db = Database(url, f"the {store} store", error)
    _OPEN.append(db)
    return db


def _learners(url: str) -> ProgressStore:
    db = _db(url, "learners")
    upgrade(db, AREAS["learners"])
    return ProgressStore(db)


def _catalog(url: str) -> CatalogStore:
    db = _db(url, "catalog")
    upgrade(db, AREAS["catalog"])
    return CatalogStore(db)


def test_progress_round_trips(url: str) -> None:
    store = _learners(url)
    assert store.schema_version == head_revision(AREAS["learners"])
    store.db.ping()
    store.upsert("amy", name="Amy", hours_per_day=3, goal="做 RAG 应用", language="zh")
    store.mark("amy", [1, 2])
    store.mark("amy", [4], "in_progress")
    store.mark("amy", [2], "in_progress")  # a second status for one skill replaces the first
    assert _learners(url).get("amy") == LearnerProfile(
        id="amy", name="Amy", finished=[1], in_progress=[2, 4], hours_per_day=3, goal="做 RAG 应用"
    )
    store.unmark("amy", [4])
    store.upsert("amy", hours_per_day=1.5)  # fields not given keep their value
    again = store.get("amy")
    assert (again.in_progress, again.hours_per_day, again.goal, again.name) == (
        [2],
        1.5,
        "做 RAG 应用",
        "Amy",
    )
    assert store.list() == ["amy"] and store.exists("amy") and not store.exists("bob")
    with pytest.raises(ProgressError, match="tutor progress set --learner ghost"):
        store.get("ghost")


def test_history_feedback_and_quizzes(url: str) -> None:
    store = _learners(url)
    store.upsert("amy")
    history = HistoryStore(store)
    first = history.append("amy", "user", "什么是 RAG？")
    second = history.append("amy", "assistant", "检索增强生成", {"sources": [1]})
    assert second > first
    assert history.messages("amy") == [
        {"role": "user", "content": "什么是 RAG？", "meta": {}},
        {"role": "assistant", "content": "检索增强生成", "meta": {"sources": [1]}},
    ]
    assert history.messages("amy", limit=1)[0]["content"] == "检索增强生成"  # the newest ones
    assert history.drop_last_answer("amy") == "什么是 RAG？" and history.messages("amy") == []
    history.add_feedback("amy", -5, "q", "a", [{"doc": "roadmap"}])
    assert [(f["rating"], f["sources"]) for f in history.feedback()] == [("down", [{"doc": "roadmap"}])]
    quizzes = QuizStore(store.db)
    result = QuizResult(learner="amy", skill=3, score=1.0, passed=True, criteria_met=True, suggest_done=True)
    quizzes.record(result)
    assert quizzes.suggested_done("amy") == {3}
    with pytest.raises(ProgressError, match="Cannot store the quiz result for 'ghost'"):
        quizzes.record(result.model_copy(update={"learner": "ghost"}))  # no such learner: foreign key


def test_catalog_round_trips(url: str) -> None:
    catalog = _catalog(url)
    ctx = Context("roadmap", ["阶段一"], 12, "学 B", "table", 1, 1)
    b = CatalogEntry("https://example.org/b", "B", "课程", None, 5, [ctx])
    catalog.replace_doc("roadmap", "r1", {b.url: b})
    catalog.record_fetch(b.url, status="ok", etag='"x"', ignored="nope")
    b2 = CatalogEntry(b.url, "B2", None, "英文", None, [ctx])  # a re-ingest keeps facts it does not know
    catalog.replace_doc("roadmap", "r2", {b.url: b2})
    row = catalog.get(b.url)
    assert row is not None
    assert (row.name, row.type, row.lang, row.stars, row.status, row.etag) == (
        "B2",
        "课程",
        "英文",
        5,
        "ok",
        '"x"',
    )
    assert catalog.doc_revs() == {"roadmap": "r2"}
    assert [r.url for r in catalog.resources(skill=1)] == [b.url] and catalog.resources(skill=2) == []
    assert catalog.resources()[0]["contexts"][0]["headings"] == ["阶段一"]
    catalog.remove_doc("roadmap")
    assert catalog.resources() == [] and catalog.doc_revs() == {}


def test_migrating_twice_changes_nothing(url: str) -> None:
    db = _db(url, "learners")
    before, after = upgrade(db, AREAS["learners"])
    assert before is None and after == head_revision(AREAS["learners"])
    assert upgrade(db, AREAS["learners"]) == (after, after)


@pytest.mark.parametrize("processes", [4])
def test_concurrent_processes_lose_nothing(url: str, processes: int) -> None:
    """4 processes x 50 updates and 50 messages on one shared learner and on a learner each."""
    n = 50
    store = _learners(url)
    store.upsert("shared")
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = list(pool.map(write_progress, [url] * processes, range(processes), [n] * processes))
    assert done == [n] * processes
    shared = store.get("shared")
    assert len(shared.finished) + len(shared.in_progress) == processes * n
    history = HistoryStore(store)
    assert len(history.messages("shared", limit=10_000)) == processes * n
    for w in range(processes):
        assert store.get(f"worker-{w}").finished == list(range(n))
        assert len(history.messages(f"worker-{w}", limit=10_000)) == n
    assert sorted(store.list()) == sorted(["shared", *(f"worker-{w}" for w in range(processes))])


def test_unreachable_server_names_the_url() -> None:
    from tests.servers import free_port

    url = f"postgresql+psycopg://tutor:secret@127.0.0.1:{free_port()}/tutor"
    db = Database(url, "the learner database", ProgressError, connect_timeout_s=2)
    with pytest.raises(
        ProgressError, match=r"Cannot use the learner database at postgresql\+psycopg://tutor:\*\*\*@127"
    ):
        db.ping()  # the readiness check
    with pytest.raises(ProgressError, match=r"at postgresql\+psycopg://tutor:\*\*\*@127"):
        ProgressStore(db).list()


def test_a_bad_url_is_a_clear_error() -> None:
    with pytest.raises(ProgressError, match="state.url 'nonsense' is not a database URL"):
        Database("nonsense", "the learner database", ProgressError)
