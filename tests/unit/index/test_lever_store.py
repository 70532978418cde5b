"""The retrieval levers' data stored with the BM25 generation, loaded back without the chunks, and the
fallback for an index saved before it was stored (tutor.index.lever_store)."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tutor.index.bm25 import BM25Index
from tutor.index.lever_store import FORMS, read_lever, write_lever
from tutor.index.levers import QueryLevers
from tutor.index.roadmap_sections import Target
from tutor.index.settings import RetrievalSettings
from tutor.index.store import StoredChunk

ROADMAP = "ai-roadmap"


def _chunk(cid: str, doc: str, text: str, headings: list[str], index: int = 0) -> StoredChunk:
    meta = {"doc": doc, "title": doc, "index": index, "headings": json.dumps(headings, ensure_ascii=False)}
    return StoredChunk(cid, text, meta)


CHUNKS = [
    _chunk(
        "r1",
        ROADMAP,
        "**监督学习**\n- 线性回归\n- 决策树\n\n**无监督学习**\n- K-means 聚类\n- PCA 降维",
        ["阶段 1：机器学习（2 个月）", "技能点 4：机器学习基础 ⭐⭐⭐", "核心内容"],
    ),
    _chunk(
        "r2",
        ROADMAP,
        "| 资源 | 类型 |\n|---|---|\n| 吴恩达 | 视频课程 |\n\n数学基础 → 机器学习 → 深度学习 → RAG",
        ["阶段 1：机器学习（2 个月）", "技能点 4：机器学习基础 ⭐⭐⭐", "学习资源"],
        1,
    ),
    _chunk(
        "e1",
        "essay",
        "## 9. 附录：常见问题与解答\n\n**Q1：如何高效利用时间？**\n每天固定两小时。\n\n**Q2：需要数学吗？**\n需要线性代数（Linear Algebra）。",
        ["9. 附录：常见问题与解答"],
    ),
    _chunk("e2", "essay", "**技术咨询**：为公司提供检索增强生成（RAG）方案。", ["3.3 算法优缺点"], 1),
]
QUESTIONS = [
    "把很多维度的数据压到两三维",
    "What are the downsides?",
    "需要数学吗？",
    "接下来学什么",
    "RAG 咨询",
]


def _vector(text: str) -> list[float]:
    """A deterministic 8-dimensional toy embedding (the same text, the same vector)."""
    digest = hashlib.sha256(text.encode()).digest()
    return [b / 255.0 - 0.4 for b in digest[:8]]


class _Embedder:
    def __init__(self) -> None:
        self.passages = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.passages += len(texts)
        return [_vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return _vector(text)


class _Index:
    """The part of LiveIndex the levers use: the live BM25 index."""

    def __init__(self, bm25: BM25Index) -> None:
        self._bm25 = bm25

    def bm25(self) -> BM25Index:
        return self._bm25


CFG = RetrievalSettings(bilingual_glossary=True, doc_routing_weight=0.5, item_view_weight=0.5)


def _levers(bm25: BM25Index, embedder: _Embedder) -> QueryLevers:
    return QueryLevers(_Index(bm25), lambda: embedder, CFG)  # type: ignore[arg-type]


def _saved(tmp_path: Path, with_levers: bool) -> Path:
    """A BM25 generation saved the way an ingest saves it (lever data in the same swap), or without."""
    built = BM25Index.build(CHUNKS)
    writer = _levers(built, _Embedder())
    built.save(tmp_path / "bm25", extra=(lambda tmp: writer.store(built, tmp)) if with_levers else None)
    return tmp_path / "bm25"


def _answers(levers: QueryLevers) -> dict[str, Any]:
    """Everything the retrievers ask the levers for, on a few questions."""
    out: dict[str, Any] = {"headings": levers._headings(), "paths": levers.heading_paths()}
    out["kinds"] = [(p.pattern, w) for p, w in levers.resource_kinds().kinds]
    out["glossary"] = levers.glossary().en_to_zh
    out["roadmap"] = [
        c.id for c in levers.roadmap_passages([Target("技能点 4：机器学习基础", ("学习资源",))])
    ]
    for q in QUESTIONS:
        v = _vector(q)
        out[q] = (
            [(c.id, c.score) for c in levers.sections().rank(v, 3)],
            levers.sections().block_similarity(["r1", "r2", "e1", "e2"], v),
            [(c.id, c.score) for c in levers.faq().rank(v)[0]],
            [(c.id, c.score) for c in levers.items().rank(v, 3)],
            [(c.id, c.score) for c in levers.sequences().rank(v, lambda d: d == ROADMAP)],
            levers.concepts()(q),
            levers.router().scores(q, v),
            levers.plan(q).keyword_text,
        )
    return out


def test_levers_load_from_the_stored_generation_with_identical_answers_and_no_chunk_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = _answers(_levers(BM25Index.build(CHUNKS), _Embedder()))
    loaded = BM25Index.load(_saved(tmp_path, with_levers=True))
    assert loaded is not None
    for name in ("texts", "metadata"):  # loading must not read every chunk's text or metadata
        monkeypatch.setattr(type(loaded.records), name, lambda self: pytest.fail("read every chunk"))
    embedder = _Embedder()
    assert _answers(_levers(loaded, embedder)) == computed
    assert embedder.passages == 0  # nothing re-embedded: the block, FAQ, card and concept vectors are stored
    stored = sorted(p.name for p in (tmp_path / "bm25" / "levers").iterdir())
    assert stored == sorted(_levers(loaded, embedder).stored_names())
    assert np.load(tmp_path / "bm25" / "levers" / "sections" / "vectors.npy").dtype == np.float32


def test_an_index_saved_without_lever_data_computes_them_and_says_once_to_re_ingest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    computed = _answers(_levers(BM25Index.build(CHUNKS), _Embedder()))
    loaded = BM25Index.load(_saved(tmp_path, with_levers=False))
    assert loaded is not None
    levers, embedder = _levers(loaded, _Embedder()), _Embedder()
    levers.embedder = lambda: embedder  # type: ignore[method-assign]
    assert levers.missing_stored(loaded.directory) == levers.stored_names()
    with caplog.at_level(logging.INFO, logger="tutor.index.levers"):
        assert _answers(levers) == computed
    told = [r for r in caplog.records if "Re-run `tutor ingest`" in r.getMessage()]
    assert len(told) == 1 and told[0].levelno == logging.INFO
    assert embedder.passages > 0  # computed as before


def test_a_half_written_or_other_version_lever_is_not_read(tmp_path: Path) -> None:
    bm25 = BM25Index.build(CHUNKS)
    levers = _levers(bm25, _Embedder())
    write_lever(tmp_path, "sections", levers.sections())
    assert read_lever(tmp_path, "sections") is not None
    meta = tmp_path / "levers" / "sections" / "meta.json"
    meta.write_text(json.dumps({"version": FORMS["sections"].version + 1}))
    assert read_lever(tmp_path, "sections") is None  # a later layout: computed, not misread
    meta.unlink()
    assert read_lever(tmp_path, "sections") is None  # arrays without meta.json: interrupted, not complete
    assert read_lever(None, "sections") is None  # an index that was never saved


def test_a_failed_store_keeps_the_bm25_generation_without_lever_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tutor.config import load_settings
    from tutor.index.live import LiveIndex

    index = LiveIndex(load_settings("default", data_dir=tmp_path / "data", corpus={"paths": []}))

    class _Broken:
        def store(self, bm25: BM25Index, directory: Path) -> None:
            (directory / "levers" / "sections").mkdir(parents=True)
            raise RuntimeError("embedder gone")

        def missing_stored(self, directory: Path | None) -> list[str]:
            return ["sections"]

    index.lever_writer = lambda: _Broken()
    bm25 = BM25Index.build(CHUNKS)
    with caplog.at_level(logging.WARNING):
        bm25.save(tmp_path / "bm25", extra=lambda tmp: index._store_levers(bm25, tmp))
    assert "embedder gone" in caplog.text
    assert (tmp_path / "bm25" / "chunks.json").is_file() and not (tmp_path / "bm25" / "levers").exists()
    assert index.levers_missing() == ["sections"]


def test_an_interrupted_store_leaves_the_previous_generation(tmp_path: Path) -> None:
    first = _saved(tmp_path, with_levers=True)
    before = sorted(p.name for p in (first / "levers").iterdir())
    bm25 = BM25Index.build(CHUNKS[:2])

    def interrupted(tmp: Path) -> None:
        _levers(bm25, _Embedder()).store(bm25, tmp)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        bm25.save(first, extra=interrupted)
    loaded = BM25Index.load(first)
    assert loaded is not None and loaded.ids == [c.id for c in CHUNKS]  # the old chunks and their levers
    assert sorted(p.name for p in (first / "levers").iterdir()) == before
    assert (
        len(FORMS["sections"].load(_levers(loaded, _Embedder()), loaded, read_lever(first, "sections")).docs)
        == 4
    )
