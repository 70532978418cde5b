"""Conversations and feedback per learner; a v1 learner database is migrated in place."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tutor.curriculum.progress import ProgressStore
from tutor.history import HistoryStore


def test_messages_are_per_learner_and_retry_drops_the_last_exchange(tmp_path: Path) -> None:
    progress = ProgressStore(tmp_path / "learners.sqlite")
    for who in ("amy", "bob"):
        progress.upsert(who)
    history = HistoryStore(progress)
    history.append("amy", "user", "RAG 是什么？")
    history.append("amy", "assistant", "检索增强生成 [1]", {"sources": [{"n": 1}]})
    history.append("bob", "user", "hi")
    assert [m["role"] for m in history.messages("amy")] == ["user", "assistant"]
    assert history.messages("amy")[1]["meta"] == {"sources": [{"n": 1}]}
    assert [
        m["content"] for m in HistoryStore(ProgressStore(tmp_path / "learners.sqlite")).messages("bob")
    ] == ["hi"]
    assert history.drop_last_answer("amy") == "RAG 是什么？" and history.messages("amy") == []
    assert history.drop_last_answer("bob") is None  # no answer to retry
    history.clear("bob")
    assert history.messages("bob") == []


def test_feedback_export_is_jsonl(tmp_path: Path) -> None:
    progress = ProgressStore(tmp_path / "learners.sqlite")
    history = HistoryStore(progress)
    history.add_feedback("amy", 1, "Q1", "A1 [1]", [{"n": 1, "doc": "roadmap"}])
    history.add_feedback("amy", -1, "Q2", "A2", [])
    out = tmp_path / "out" / "feedback.jsonl"
    assert history.export_feedback(out) == 2
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["rating"] for r in rows] == ["up", "down"] and rows[0]["sources"][0]["doc"] == "roadmap"


def test_a_v1_database_gains_the_new_tables(tmp_path: Path) -> None:
    path = tmp_path / "learners.sqlite"
    with sqlite3.connect(path) as conn:  # what the previous release created
        conn.executescript(
            "CREATE TABLE learners (id TEXT PRIMARY KEY, name TEXT NOT NULL, hours_per_day REAL NOT NULL "
            "DEFAULT 2, goal TEXT, language TEXT NOT NULL DEFAULT 'zh', created_at TEXT NOT NULL, "
            "updated_at TEXT NOT NULL); CREATE TABLE skill_status (learner_id TEXT NOT NULL, skill INTEGER "
            "NOT NULL, status TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (learner_id, skill));"
            "INSERT INTO learners VALUES ('amy','Amy',2,NULL,'zh','t','t'); PRAGMA user_version=1;"
        )
    store = ProgressStore(path)
    assert store.schema_version == "l0002" and store.get("amy").name == "Amy"
    HistoryStore(store).append("amy", "user", "still here")
