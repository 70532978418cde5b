"""The caching embedder: the question embedded once, stable texts kept on disk, every model call counted."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from tutor.chain.answer import Source
from tutor.chain.citations import check_citations
from tutor.chain.router import Router
from tutor.chain.warm import answer_texts
from tutor.config import EmbeddingSettings
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.store import StoredChunk
from tutor.index.threads import apply_thread_policy
from tutor.index.vector_cache import CachedEmbeddings, VectorStore, normalise, store_for


class HashEmbedder(TutorEmbeddings):
    """A deterministic stand-in for the model: a unit vector from the text's hash; records each call."""

    model_id = "hash"
    dimension = 8

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def _vector(self, text: str) -> list[float]:
        raw = np.frombuffer(hashlib.sha256(text.encode()).digest()[:32], dtype=np.uint8).astype(np.float32)
        v = raw[: self.dimension] - 127.5
        return (v / np.linalg.norm(v)).tolist()

    def embed_documents(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
        self.batches.append(list(texts))
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        self.batches.append(list(texts))
        return [self._vector(t) for t in texts]


def _cached(tmp_path: Path, inner: HashEmbedder | None = None) -> tuple[CachedEmbeddings, HashEmbedder]:
    inner = inner or HashEmbedder()
    return CachedEmbeddings(inner, store_for(inner, tmp_path / "vectors")), inner


def test_the_same_question_is_embedded_once_whatever_its_whitespace(tmp_path: Path) -> None:
    cached, inner = _cached(tmp_path)
    first = cached.embed_query("RAG 里怎么做混合检索？")
    again = cached.embed_query("  RAG   里怎么做混合检索？\n")
    assert again == first
    assert inner.batches == [["RAG 里怎么做混合检索？"]]
    assert (cached.calls, cached.texts) == (1, 1)
    assert normalise(" a \n b ") == "a b"


def test_misses_of_one_call_are_embedded_together_and_only_they(tmp_path: Path) -> None:
    cached, inner = _cached(tmp_path)
    cached.embed_query("b")
    vectors = cached.embed_queries(["a", "b", "c", "a"])
    assert inner.batches == [["b"], ["a", "c"]]
    assert vectors[0] == vectors[3] == inner._vector("a")
    assert vectors[1] == inner._vector("b")
    assert cached.calls == 2


def test_questions_stay_in_memory_stable_texts_go_to_disk(tmp_path: Path) -> None:
    cached, _ = _cached(tmp_path)
    cached.embed_query("a learner's question")
    assert cached.store is not None and cached.store.count() == 0
    cached.embed_stored(["block one", "block two"])
    assert cached.store.count() == 2


def test_stored_vectors_survive_the_process(tmp_path: Path) -> None:
    first, _ = _cached(tmp_path)
    expected = first.embed_stored(["passage one", "passage two"])
    second, inner = _cached(tmp_path)  # a new process: same data dir, same model
    assert second.embed_stored(["passage two", "passage one"]) == [expected[1], expected[0]]
    assert inner.batches == [] and second.calls == 0


def test_another_model_never_reads_these_vectors(tmp_path: Path) -> None:
    first, _ = _cached(tmp_path)
    first.embed_stored(["passage"])
    other = HashEmbedder()
    other.model_id = "other"
    second, inner = _cached(tmp_path, other)
    second.embed_stored(["passage"])
    assert inner.batches == [["passage"]]
    same_file = VectorStore(tmp_path / "vectors" / "hash-8.sqlite", namespace="hash-8/passage-prefix")
    assert same_file.get_many(["passage"]) == {}  # another prefix: another namespace


def test_the_query_lru_forgets_the_oldest(tmp_path: Path) -> None:
    inner = HashEmbedder()
    cached = CachedEmbeddings(inner, None, lru_size=2)
    for text in ["a", "b", "c", "a"]:
        cached.embed_query(text)
    assert inner.batches == [["a"], ["b"], ["c"], ["a"]]
    cached.embed_stored(["c"])  # no store: the memory cache serves stable texts too
    assert cached.calls == 4


def test_an_unusable_store_costs_a_warning_not_the_answer(tmp_path: Path, caplog) -> None:
    blocker = tmp_path / "vectors"
    blocker.write_text("a file where the cache directory should be")
    cached, inner = _cached(tmp_path)
    with caplog.at_level(logging.WARNING, logger="tutor.index.vector_cache"):
        assert cached.embed_stored(["x"]) == [inner._vector("x")]
        cached.embed_stored(["x"])
    assert "unusable" in caplog.text
    assert len(inner.batches) == 2  # nothing kept, nothing broken


def test_calls_are_logged_at_debug(tmp_path: Path, caplog) -> None:
    cached, _ = _cached(tmp_path)
    with caplog.at_level(logging.DEBUG, logger="tutor.index.vector_cache"):
        cached.embed_queries(["one", "two"])
    assert "embedding call #1: queries, 2 text(s)" in caplog.text


def _sources() -> list[Source]:
    texts = [
        "混合检索把 BM25 关键词检索和向量检索结合起来，再用 RRF 融合排名。",
        "LoRA 是一种参数高效微调方法，只训练低秩矩阵，显存占用小。",
        "向量数据库可以选 Chroma、Milvus、FAISS 或 Qdrant。",
    ]
    return [Source(n=i + 1, id=str(i), doc="d", title="T", text=t) for i, t in enumerate(texts)]


def test_the_citation_check_embeds_its_sentences_in_one_call(tmp_path: Path) -> None:
    text = "天空是蓝色的，因为瑞利散射[1]。猫喜欢晒太阳[2]。月亮绕着地球转[3]。海水是咸的[1]。"
    cached, inner = _cached(tmp_path)
    cleaned, checks, _ = check_citations(text, _sources(), cached, 0.99, 0.3)
    assert len(checks) == 4 and all(c.similarity is not None for c in checks)
    assert len(inner.batches) == 2  # the passages, then the four sentences together
    assert sorted(inner.batches[1]) == sorted(
        ["天空是蓝色的，因为瑞利散射。", "猫喜欢晒太阳。", "月亮绕着地球转。", "海水是咸的。"]
    )
    plain, plain_checks, _ = check_citations(text, _sources(), HashEmbedder(), 0.99, 0.3)
    assert cleaned == plain and checks == plain_checks  # same verdicts as embedding one by one


def test_citations_decided_by_overlap_embed_nothing(tmp_path: Path) -> None:
    cached, inner = _cached(tmp_path)
    check_citations("LoRA 只训练低秩矩阵，显存占用小[2]。", _sources(), cached, 0.8, 0.3)
    assert inner.batches == []


def test_router_examples_are_embedded_once_per_data_dir(tmp_path: Path) -> None:
    examples = {"material": ["RAG 是什么", "向量数据库"], "chitchat": ["你好呀", "谢谢"]}
    first, inner = _cached(tmp_path)
    Router(first, examples).route("LoRA 显存")
    assert len(inner.batches) == 2  # the examples in one call, then the question
    second, inner2 = _cached(tmp_path)
    Router(second, examples).route("LoRA 显存")
    assert inner2.batches == [["LoRA 显存"]]  # examples read from disk


def test_warmed_answers_embed_only_their_question(tmp_path: Path) -> None:
    from tutor.chain.compose import select_blocks
    from tutor.chain.sections import source_of

    chunk = StoredChunk(
        id="c1",
        text="## 混合检索\n\n混合检索结合 BM25 和向量检索。\n\n- 第一步：建 BM25 索引\n- 第二步：向量检索\n- 第三步：RRF 融合",
        metadata={"doc": "rag", "title": "RAG", "headings": '["RAG", "混合检索"]'},
    )
    texts = answer_texts([chunk])
    assert source_of(1, chunk).text in texts and len(texts) >= 2
    cached, inner = _cached(tmp_path)
    cached.embed_stored(texts)
    inner.batches.clear()
    select_blocks("怎么做混合检索？", [source_of(1, chunk)], cached)
    assert inner.batches == [["怎么做混合检索？"]]


def test_thread_policy_is_set_only_before_torch_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setitem(sys.modules, "torch", object())  # torch already loaded: too late to matter
    apply_thread_policy(EmbeddingSettings())
    assert "OMP_WAIT_POLICY" not in os.environ
    monkeypatch.delitem(sys.modules, "torch")
    apply_thread_policy(EmbeddingSettings(omp_wait_policy=""))
    assert "OMP_WAIT_POLICY" not in os.environ
    apply_thread_policy(EmbeddingSettings())
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # the operator's environment wins
    apply_thread_policy(EmbeddingSettings())
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"


class PrefixedEmbedder(HashEmbedder):
    """Like e5: a passage is embedded with another prefix than a query, so the vectors differ."""

    def embed_documents(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
        self.batches.append(list(texts))
        return [self._vector("passage: " + t) for t in texts]


def test_passage_vectors_of_blocks_and_cards_survive_the_process(tmp_path: Path) -> None:
    first, inner = _cached(tmp_path, PrefixedEmbedder())
    texts = ["技能点 11 › RAG - 向量检索", "a routing card"]
    expected = first.embed_stored_passages(texts)
    assert expected == inner.embed_documents(texts)  # the passage vectors, not the query ones
    assert first.embed_stored(texts) != expected  # the same text as a stored query is kept apart
    second, again = _cached(tmp_path, PrefixedEmbedder())  # a new process (a CLI call)
    assert second.embed_stored_passages(list(reversed(texts))) == [expected[1], expected[0]]
    assert again.batches == [] and second.calls == 0


def test_passage_vectors_without_a_store_are_computed(tmp_path: Path) -> None:
    inner = PrefixedEmbedder()
    cached = CachedEmbeddings(inner, None)
    assert cached.embed_stored_passages(["a block"]) == inner.embed_documents(["a block"])
