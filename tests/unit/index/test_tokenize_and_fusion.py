from __future__ import annotations

from tutor.index.retriever import dedup, rrf_fuse
from tutor.index.store import StoredChunk
from tutor.index.tokenize import tokenize


def test_chinese_is_segmented_and_stop_words_dropped() -> None:
    tokens = tokenize("有哪些向量数据库可以选？")
    assert "向量" in tokens and "数据库" in tokens
    assert not {"有", "哪些", "可以", "？"} & set(tokens)


def test_english_is_lowercased_and_stemmed_and_mixed_text_works() -> None:
    assert tokenize("Learning Transformers with the LangChain docs") == [
        "learn",
        "transform",
        "langchain",
        "doc",
    ]
    mixed = tokenize("RAG 里怎么做混合检索（BM25 + Vector）")
    assert {"rag", "混合", "检索", "bm25", "vector"} <= set(mixed)


def _c(cid: str, text: str = "", score: float = 0.0, **meta) -> StoredChunk:
    return StoredChunk(cid, text or cid, dict(meta), score)


def test_rrf_rewards_agreement_and_respects_weights() -> None:
    dense = [_c("a"), _c("b"), _c("c")]
    sparse = [_c("c"), _c("b"), _c("d")]
    fused = rrf_fuse([(1.0, dense), (1.0, sparse)], rrf_k=60)
    assert [c.id for c in fused][:2] == ["b", "c"] or [c.id for c in fused][:2] == ["c", "b"]
    assert {c.id for c in fused} == {"a", "b", "c", "d"}
    dense_only = rrf_fuse([(1.0, dense), (0.0, sparse)], rrf_k=60)
    assert [c.id for c in dense_only][:3] == ["a", "b", "c"]
    assert fused[0].score > fused[-1].score > 0


def test_dedup_drops_near_identical_passages_keeping_the_better() -> None:
    text = "- Chroma：轻量级向量数据库\n- Qdrant：高性能向量数据库\n- Milvus：开源向量数据库"
    chunks = [
        _c("a", text),
        _c("b", text + "。"),
        _c("c", "全职学习：每天 8 小时"),
        _c("d", "x", chunk_hash="h"),
        _c("e", "y", chunk_hash="h"),
    ]
    assert [c.id for c in dedup(chunks, 0.9)] == ["a", "c", "d"]
