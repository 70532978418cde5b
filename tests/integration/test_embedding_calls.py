"""A no-LLM answer costs at most two embedding calls (issue 17 item 2), with the real model and index.

The caching embedder (`tutor.index.vector_cache`) counts every call that reaches the model.  Once the
answer texts are warmed (what the UI does after its start-up ingest), an answer embeds its question
and nothing else; the answers are the ones computed without the disk cache.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import CORPUS, make_settings
from tutor.app import App, build

pytestmark = [pytest.mark.slow, pytest.mark.integration]

QUESTIONS = [
    "技术变革中程序员怎么重新出发？",
    "这个算法有哪些优缺点？",
    "开发环境怎么搭建？",
    "How do programmers come back after a technology change?",
]


def _app(tmp_path: Path, models_dir: Path, embedder, name: str, cache: bool) -> App:
    docs = tmp_path / "corpus"
    if not docs.exists():
        docs.mkdir()
        shutil.copy(CORPUS / "tech-change-comeback.md", docs)
    settings = make_settings(
        tmp_path / name, models_dir, corpus={"paths": [docs]}, embeddings={"cache_vectors": cache}
    )
    app = build(settings, embedder=embedder)
    report = app.ingest()
    assert not report.failed, report.failed
    return app


def test_a_warmed_answer_embeds_only_its_question(tmp_path: Path, models_dir: Path, embedder) -> None:
    app = _app(tmp_path, models_dir, embedder, "cached", cache=True)
    plain = _app(tmp_path, models_dir, embedder, "plain", cache=False)
    assert app.warm_answer_vectors() > 0 and plain.warm_answer_vectors() == 0
    counter = app.load_embedder()
    app.ask("你好，我想了解一下 RAG")  # router examples: once per data dir, not per answer

    compositions = []
    for question in QUESTIONS:
        before = counter.calls
        answer = app.ask(question)
        assert counter.calls - before <= 2, (question, counter.calls - before)
        compositions.append(answer.composition)
        assert answer.text == plain.ask(question).text  # the vectors are the same, so is the answer

        again = counter.calls
        app.ask(question)
        assert counter.calls == again  # the same question again: nothing to embed
    assert "blocks" in compositions  # the composer really ran on passages


def test_an_answer_without_warm_up_embeds_each_block_once(tmp_path: Path, models_dir: Path, embedder) -> None:
    app = _app(tmp_path, models_dir, embedder, "cold", cache=True)
    counter = app.load_embedder()
    app.ask("你好，我想了解一下 RAG")
    first = counter.calls
    app.ask(QUESTIONS[0])
    assert counter.calls - first <= 3  # the question, the new blocks, the undecided sentences
    restarted = build(app.settings, embedder=embedder)  # another process on the same data dir
    restarted.ask("你好，我想了解一下 RAG")
    counter = restarted.load_embedder()
    before = counter.calls
    restarted.ask(QUESTIONS[0])
    assert counter.calls - before == 1  # only the question: the blocks were kept on disk
