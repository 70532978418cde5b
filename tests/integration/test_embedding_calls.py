"""A no-LLM answer costs at most two embedding calls (issue 17 item 2), with the real model and index.

The caching embedder (`tutor.index.vector_cache`) counts every call that reaches the model.  Once the
answer texts are warmed (what the UI and `tutor serve` do after the start-up ingest), an answer
embeds its question and little else, and the answers are the ones computed without the disk cache.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tutor.app import App, build
from tutor.index.vector_cache import store_for

pytestmark = [pytest.mark.slow, pytest.mark.integration]

DOC = """# 混合检索入门

## 什么是混合检索

混合检索把 BM25 关键词检索和向量检索结合起来，再用 RRF（倒数排名融合）合并两路结果。
关键词检索擅长精确的术语和编号，向量检索擅长同义改写和跨语言的问题。

## 怎么做混合检索

1. 用 jieba 分词，为每个段落建立 BM25 索引。
2. 用 embedding 模型把段落编码成向量，存进 Chroma。
3. 同一个问题分别查两路，各取前 30 条。
4. 用 RRF 融合两路排名，去掉近似重复的段落。

## 常见问题

**向量数据库怎么选？** 小项目用 Chroma 或 FAISS 就够了，规模大了再考虑 Milvus 或 Qdrant。

**BM25 的参数要调吗？** 一般保持 k1=1.5、b=0.75 即可，先把分词做好。
"""

QUESTIONS = ["怎么做混合检索？", "向量数据库怎么选？", "What is hybrid retrieval?"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, models_dir: Path, embedder) -> Path:
    """A small real index (one document), built once for the module."""
    root = tmp_path_factory.mktemp("embedding-calls")
    (root / "corpus").mkdir()
    (root / "corpus" / "hybrid-retrieval.md").write_text(DOC, encoding="utf-8")
    report = _app(root, models_dir, embedder, cache=True).ingest()
    assert not report.failed, report.failed
    return root


def _app(root: Path, models_dir: Path, embedder, cache: bool, cache_dir: Path | None = None) -> App:
    embeddings: dict = {"cache_vectors": cache}
    if cache_dir is not None:  # else the session's shared cache (tests/conftest.py)
        embeddings["vector_cache_dir"] = cache_dir
    settings = make_settings(
        root / "data", models_dir, corpus={"paths": [root / "corpus"]}, embeddings=embeddings
    )
    return build(settings, embedder=embedder)


def test_without_warm_up_blocks_are_embedded_once_then_read_from_disk(
    data: Path, models_dir: Path, embedder, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-cache"  # not the session's: nothing embedded yet
    app = _app(data, models_dir, embedder, cache=True, cache_dir=empty)
    counter = app.load_embedder()
    app.ask("RAG 是什么？")  # once per process: router examples (once per data dir), document cards
    before = counter.calls
    assert (app.ask(QUESTIONS[0]).composition or "").startswith("blocks")
    assert counter.calls - before <= 3  # the question, its new blocks, its undecided lines
    restarted = _app(data, models_dir, embedder, cache=True, cache_dir=empty)  # another process, same cache
    restarted.ask("RAG 是什么？")
    counter = restarted.load_embedder()
    calls, texts = counter.calls, counter.texts
    restarted.ask(QUESTIONS[0])
    # only queries, one text each: the question (and the how-to lookup's "… 具体步骤 方法" variant);
    # blocks, passages and lines were kept on disk
    assert counter.calls - calls <= 2 and counter.texts - texts == counter.calls - calls


def test_a_warmed_answer_embeds_only_its_question(data: Path, models_dir: Path, embedder) -> None:
    app = _app(data, models_dir, embedder, cache=True)
    plain = _app(data, models_dir, embedder, cache=False)
    assert app.warm_answer_vectors() > 0 and plain.warm_answer_vectors() == 0
    counter = app.load_embedder()
    app.ask("RAG 是什么？")

    compositions = []
    for question in QUESTIONS:
        before = counter.calls
        answer = app.ask(question)
        assert counter.calls - before <= 2, (question, counter.calls - before)
        compositions.append(answer.composition)
        assert answer.text == plain.ask(question).text  # the same vectors, so the same answer

        again = counter.calls
        app.ask(question)
        assert counter.calls == again  # the same question again: nothing to embed
    assert any((c or "").startswith("blocks") for c in compositions)  # the composer ran on passages


def test_an_ingest_with_an_empty_cache_embeds_and_a_second_data_dir_reuses_it(
    data: Path, models_dir: Path, embedder, tmp_path: Path
) -> None:
    """The shared vector cache (`embeddings.vector_cache_dir`): a fresh data dir over an empty cache embeds
    its derived texts (section, item and heading vectors) for real; a second data dir over the same cache
    embeds only its passages (Chroma's) and its question, and answers and retrieves exactly as the first."""
    cache = tmp_path / "cache"
    results = []
    for name in ("first", "second"):
        root = tmp_path / name
        shutil.copytree(data / "corpus", root / "corpus")
        app = _app(root, models_dir, embedder, cache=True, cache_dir=cache)
        assert not app.ingest().failed
        counter = app.load_embedder()
        hits = app.retrieve(QUESTIONS[0], k=5)
        answer = app.ask(QUESTIONS[1])
        results.append((counter.texts, [(h.doc, h.text, h.score) for h in hits], answer.text))
        stored = store_for(embedder, cache, "query/passage").count()
        assert stored > 0, "the derived texts were embedded into the cache"
    (first_texts, *first), (second_texts, *second) = results
    assert second == first  # cached vectors are the model's own: the same hits, scores and answer
    assert second_texts < first_texts, (first_texts, second_texts)
