"""Issue 17, store side: unfiltered dense queries checked against the manifest, BM25 filter masks and
records on disk, and the one-pass near-duplicate removal (same decisions as the all-pairs one)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tutor.index.bm25 import BM25Index, top_positive
from tutor.index.dedup import dedup
from tutor.index.manifest import DocEntry, Manifest
from tutor.index.records import Column, filter_mask
from tutor.index.store import ChromaStore, StoredChunk
from tutor.index.tokenize import tokenize
from tutor.textsim import trigrams


def _chunk(cid: str, doc: str, text: str, rev: str = "r1", stage: int = -1, **meta: Any) -> StoredChunk:
    return StoredChunk(
        cid,
        text,
        {"doc": doc, "rev": rev, "stage": stage, "title": doc, "headings": "[]", "index": 0, **meta},
    )


# --- dedup --------------------------------------------------------------------------------------------
def _all_pairs_dedup(chunks: list[StoredChunk], threshold: float) -> list[StoredChunk]:
    """The implementation issue 17 replaced (quadratic), kept here as the reference."""
    kept: list[tuple[StoredChunk, set[str]]] = []
    for chunk in chunks:
        grams = trigrams(chunk.text)
        duplicate = any(
            (
                chunk.metadata.get("chunk_hash")
                and chunk.metadata.get("chunk_hash") == other.metadata.get("chunk_hash")
            )
            or len(grams & g) / max(1, len(grams | g)) >= threshold
            for other, g in kept
        )
        if not duplicate:
            kept.append((chunk, grams))
    return [c for c, _ in kept]


def test_dedup_makes_the_same_decisions_as_all_pairs_and_stops_at_the_limit() -> None:
    rng = random.Random(3)
    words = ["向量", "数据库", "检索", "模型", "训练", "Chroma", "Milvus", "学习", "资源", "教程"]
    for trial in range(200):
        base = [" ".join(rng.choices(words, k=rng.randint(1, 12))) for _ in range(6)]
        chunks = []
        for i in range(rng.randint(0, 25)):
            text = rng.choice(base) + rng.choice(["", "。", " 补充", ""])
            meta = {"chunk_hash": f"h{rng.randint(0, 8)}"} if rng.random() < 0.3 else {}
            chunks.append(StoredChunk(f"c{i}", text, meta))
        threshold = rng.choice([0.5, 0.8, 0.9])
        reference = [c.id for c in _all_pairs_dedup(chunks, threshold)]
        assert [c.id for c in dedup(chunks, threshold)] == reference, trial
        limit = rng.randint(1, 6)
        assert [c.id for c in dedup(chunks, threshold, limit=limit)] == reference[:limit], trial


def test_dedup_looks_no_further_than_it_needs() -> None:
    def candidates() -> Iterator[StoredChunk]:
        yield StoredChunk("a", "一二三四五", {})
        yield StoredChunk("a2", "一二三四五。", {})  # a near-duplicate of a: skipped, not kept
        yield StoredChunk("b", "六七八九十", {})
        raise AssertionError("examined a candidate after the limit was reached")

    assert [c.id for c in dedup(candidates(), 0.6, limit=2)] == ["a", "b"]


# --- BM25 masks and records -------------------------------------------------------------------------
def _corpus() -> list[StoredChunk]:
    return [
        _chunk("a:r1:0000", "a", "向量数据库 Chroma 入门", stage=1),
        _chunk("a:r1:0001", "a", "向量数据库 Milvus 部署", stage=2),
        _chunk("b:r2:0000", "b", "向量数据库 的学习资源 推荐", stage=2),
        _chunk("resource-cards:r3:0000", "resource-cards", "向量数据库 资源卡片 Qdrant", stage=-1),
    ]


def test_filter_mask_follows_chroma_semantics_for_equality_and_ne() -> None:
    chunks = _corpus()
    columns = {key: Column.of([c.metadata.get(key) for c in chunks]) for key in ("doc", "stage")}
    metadata = [c.metadata for c in chunks]

    def rows(where: dict[str, Any]) -> list[int]:
        return [i for i, v in enumerate(filter_mask(columns, where, len(chunks), lambda: metadata)) if v]

    assert rows({"doc": "a"}) == [0, 1]
    assert rows({"doc": {"$ne": "resource-cards"}}) == [0, 1, 2]
    assert rows({"stage": 2}) == [1, 2]
    assert rows({"stage": 2, "doc": {"$ne": "b"}}) == [1]
    assert rows({"doc": "nowhere"}) == []
    assert rows({"title": "b"}) == [2] and "title" in columns  # a key without a column gets one, once


def test_bm25_search_filters_with_the_mask_and_returns_at_most_k(tmp_path: Path) -> None:
    index = BM25Index.build(_corpus())
    assert {h.doc for h in index.search("向量数据库", 10, {"doc": {"$ne": "resource-cards"}})} == {"a", "b"}
    assert [h.id for h in index.search("向量数据库", 10, {"doc": "b"})] == ["b:r2:0000"]
    assert len(index.search("向量数据库", 2)) == 2
    assert index.search("向量数据库", 5, {"doc": "missing"}) == []


def test_top_positive_is_the_exact_top_k_of_the_positive_scores_ties_by_row() -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    for _ in range(200):
        n, k = int(rng.integers(1, 300)), int(rng.integers(1, 40))
        # few distinct values and many zeros: ties at the cut, and the case bm25s' argpartition is slow on
        scores = (rng.integers(0, 6, n) * (rng.random(n) < 0.3)).astype(np.float32) / 3
        reference = sorted(
            ((i, float(v)) for i, v in enumerate(scores) if v > 0), key=lambda r: (-r[1], r[0])
        )
        assert top_positive(scores, k) == reference[:k]
    assert top_positive(np.zeros(5, dtype=np.float32), 3) == []
    assert top_positive(np.ones(3, dtype=np.float32), 0) == []


def _bm25s_hits(index: BM25Index, query: str, k: int) -> list[tuple[str, float]]:
    raw = index.retriever
    tokens = [t for t in tokenize(query) if t in raw.vocab_dict]
    docs, scores = raw.retrieve([tokens], k=k, show_progress=False, n_threads=0)
    return [(index.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


_TIED = [_chunk(f"c:r4:{i:04d}", "c", f"Chroma 部署 第{i}步") for i in range(6)]  # equal scores
_QUERIES = (("向量数据库", 4), ("Milvus 部署", 3), ("Chroma 部署", 5), ("Chroma", 10))


def test_bm25_search_below_the_threshold_is_exactly_bm25s_own_top_k() -> None:
    index = BM25Index.build(_corpus() + _TIED)
    for query, k in _QUERIES:
        assert [(h.id, h.score) for h in index.search(query, k)] == _bm25s_hits(index, query, k)


def test_bm25_search_above_the_threshold_has_bm25s_scores_and_breaks_ties_by_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tutor.index.bm25 as bm25

    monkeypatch.setattr(bm25, "TOP_POSITIVE_MIN_ROWS", 0)
    index = BM25Index.build(_corpus() + _TIED)

    def by_score(hits: list[tuple[str, float]], cut: float) -> dict[float, set[str]]:
        return {s: {i for i, t in hits if t == s} for _, s in hits if s != cut}

    for query, k in _QUERIES:
        expected = _bm25s_hits(index, query, k)
        got = [(h.id, h.score) for h in index.search(query, k)]
        assert got and [s for _, s in got] == [s for _, s in expected]  # the same scores, best first
        # the same chunks, except which of those tied at the k-th score (bm25s: arbitrary; here: by row)
        assert by_score(got, got[-1][1]) == by_score(expected, got[-1][1])
        rows = {cid: i for i, cid in enumerate(index.ids)}
        assert all(rows[a] < rows[b] for (a, s), (b, t) in zip(got, got[1:], strict=False) if s == t)


def test_bm25_records_live_on_disk_and_come_back_for_the_hits_only(tmp_path: Path) -> None:
    built = BM25Index.build(_corpus())
    expected = [(h.id, h.text, h.metadata, round(h.score, 5)) for h in built.search("Milvus 部署", 3)]
    built.save(tmp_path / "bm25")
    assert {p.name for p in (tmp_path / "bm25").iterdir()} >= {"records.jsonl", "offsets.npy", "columns.npz"}
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded is not None and loaded.fingerprint == built.fingerprint
    hits = loaded.search("Milvus 部署", 3)
    assert [(h.id, h.text, h.metadata, round(h.score, 5)) for h in hits] == expected
    hits[0].metadata["bm25_score"] = 1.0  # callers annotate hits: that must not leak into the index
    assert "bm25_score" not in loaded.search("Milvus 部署", 3)[0].metadata
    assert loaded.texts == [c.text for c in _corpus()]
    assert [m["doc"] for m in loaded.metadata] == ["a", "a", "b", "resource-cards"]
    assert [h.id for h in loaded.search("向量数据库", 5, {"stage": 2})] != []


def test_an_index_saved_in_the_old_layout_is_rebuilt_not_misread(tmp_path: Path) -> None:
    built = BM25Index.build(_corpus())
    built.save(tmp_path / "bm25")
    chunks_json = tmp_path / "bm25" / "chunks.json"
    chunks_json.write_text('{"fingerprint": "x", "ids": [], "metadata": [], "texts": []}')
    assert BM25Index.load(tmp_path / "bm25") is None


# --- dense queries without the revision filter ---------------------------------------------------------
class _Collection:
    """Chroma's query on a list of rows: nearest by dot product, `where` as Chroma evaluates it."""

    def __init__(self, rows: list[tuple[StoredChunk, list[float]]]) -> None:
        self.rows = rows
        self.filters: list[dict[str, Any] | None] = []
        self.included: list[list[str]] = []
        self.fetched: list[list[str]] = []

    def query(self, query_embeddings: list[list[float]], n_results: int, where: Any, include: Any) -> Any:
        self.filters.append(where)
        q = query_embeddings[0]
        allowed = [(c, v) for c, v in self.rows if _matches(c.metadata, where)]
        allowed.sort(key=lambda cv: -sum(a * b for a, b in zip(q, cv[1], strict=True)))
        top = allowed[:n_results]
        dist = [1 - sum(a * b for a, b in zip(q, v, strict=True)) for _, v in top]
        self.included.append(list(include))
        out: dict[str, Any] = {"ids": [[c.id for c, _ in top]], "distances": [dist]}
        if "documents" in include:
            out["documents"] = [[c.text for c, _ in top]]
        if "metadatas" in include:
            out["metadatas"] = [[dict(c.metadata) for c, _ in top]]
        return out

    def get(self, ids: list[str], include: Any) -> Any:
        self.fetched.append(list(ids))
        rows = [c for c, _ in self.rows if c.id in ids]
        return {
            "ids": [c.id for c in rows],
            "documents": [c.text for c in rows],
            "metadatas": [c.metadata for c in rows],
        }


def _matches(meta: dict[str, Any], where: Any) -> bool:
    if where is None:
        return True
    if "$and" in where:
        return all(_matches(meta, w) for w in where["$and"])
    ((key, wanted),) = where.items()
    if isinstance(wanted, dict):
        if "$in" in wanted:
            return meta.get(key) in wanted["$in"]
        return bool(meta.get(key) != wanted["$ne"])
    return bool(meta.get(key) == wanted)


class _Client:
    def __init__(self, collection: _Collection) -> None:
        self.collection = collection
        self.opened = 0

    def get_collection(self, name: str, embedding_function: Any = None) -> _Collection:
        self.opened += 1
        return self.collection


def _manifest(tmp_path: Path, **revs: str) -> Manifest:
    m = Manifest(path=tmp_path / "manifest.json", model_id="m", collection="c")
    for doc, rev in revs.items():
        m.docs[doc] = DocEntry(doc, rev, f"/{doc}.md", doc, [])
    return m


def test_manifest_says_which_hits_are_live(tmp_path: Path) -> None:
    m = _manifest(tmp_path, a="r2")
    assert m.is_live(_chunk("a:r2:0000", "a", "x", rev="r2"))
    assert not m.is_live(_chunk("a:r1:0000", "a", "x", rev="r1"))  # the old revision, not yet deleted
    assert not m.is_live(_chunk("gone:r1:0000", "gone", "x", rev="r1"))  # a removed document


@pytest.mark.parametrize("stale_near", [False, True])
def test_dense_query_runs_unfiltered_and_falls_back_when_a_stale_chunk_shows(
    tmp_path: Path, stale_near: bool
) -> None:
    rows = [
        (_chunk("a:r2:0000", "a", "new a", rev="r2"), [1.0, 0.0]),
        (_chunk("b:r1:0000", "b", "b", rev="r1"), [0.8, 0.6]),
        (_chunk("c:r1:0000", "c", "c", rev="r1"), [0.0, 1.0]),
    ]
    if stale_near:  # an interrupted update left the previous revision of `a` in the collection
        rows.append((_chunk("a:r1:0000", "a", "old a", rev="r1"), [0.99, 0.14]))
    collection = _Collection(rows)
    store = ChromaStore(_Client(collection), where="test")
    manifest = _manifest(tmp_path, a="r2", b="r1", c="r1")
    hits = store.query("c", [1.0, 0.0], 2, manifest.live_revs, is_live=manifest.is_live)
    assert [h.id for h in hits] == ["a:r2:0000", "b:r1:0000"]
    # no filter at all; a stale hit (here one whose revision another document shares, which the old
    # revision filter would have let through) makes it look further, still unfiltered
    assert collection.filters == ([None, None] if stale_near else [None])


def test_dense_query_falls_back_to_the_revision_filter_when_stale_chunks_crowd_the_top(
    tmp_path: Path,
) -> None:
    rows = [(_chunk(f"a:r1:{i:04d}", "a", f"old {i}", rev="r1"), [1.0, 0.01 * i]) for i in range(12)]
    rows.append((_chunk("a:r2:0000", "a", "new", rev="r2"), [0.0, 1.0]))
    collection = _Collection(rows)
    store = ChromaStore(_Client(collection), where="test")
    manifest = _manifest(tmp_path, a="r2")
    hits = store.query("c", [1.0, 0.0], 1, manifest.live_revs, is_live=manifest.is_live)
    assert [h.id for h in hits] == ["a:r2:0000"]
    assert collection.filters == [None, None, {"rev": {"$in": ["r2"]}}]


def test_exclusions_are_applied_after_an_unfiltered_query_and_equalities_stay_filters(tmp_path: Path) -> None:
    rows = [
        (_chunk("resource-cards:r9:0000", "resource-cards", "card", rev="r9"), [1.0, 0.0]),
        (_chunk("a:r1:0000", "a", "a0", rev="r1", stage=2), [0.9, 0.43]),
        (_chunk("a:r1:0001", "a", "a1", rev="r1", stage=3), [0.6, 0.8]),
        (_chunk("b:r1:0000", "b", "b0", rev="r1", stage=2), [0.0, 1.0]),
    ]
    collection = _Collection(rows)
    store = ChromaStore(_Client(collection), where="test")
    manifest = _manifest(tmp_path, **{"a": "r1", "b": "r1", "resource-cards": "r9"})
    no_cards = {"doc": {"$ne": "resource-cards"}}
    hits = store.query("c", [1.0, 0.0], 2, manifest.live_revs, no_cards, is_live=manifest.is_live)
    assert [h.id for h in hits] == ["a:r1:0000", "a:r1:0001"]
    assert collection.filters == [None]
    hits = store.query(
        "c", [1.0, 0.0], 5, manifest.live_revs, {**no_cards, "stage": 2}, is_live=manifest.is_live
    )
    assert [h.id for h in hits] == ["a:r1:0000", "b:r1:0000"]
    assert collection.filters[-1] == {"stage": 2}
    # without is_live (tools that keep their own collections), the revision filter is still applied
    store.query("c", [1.0, 0.0], 1, ["r1"])
    assert collection.filters[-1] == {"rev": {"$in": ["r1"]}}


def test_dense_hits_take_their_texts_from_the_records_and_unknown_ids_from_chroma(tmp_path: Path) -> None:
    rows = [
        (_chunk("a:r1:0000", "a", "a0", rev="r1"), [1.0, 0.0]),
        (_chunk("a:r1:0001", "a", "a1", rev="r1"), [0.9, 0.43]),
        (_chunk("b:r1:0000", "b", "b0", rev="r1"), [0.0, 1.0]),
    ]
    records = BM25Index.build([c for c, _ in rows[:2]])  # b was written after the BM25 index
    records.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded is not None
    collection = _Collection(rows)
    client = _Client(collection)
    store = ChromaStore(client, where="test")
    manifest = _manifest(tmp_path, a="r1", b="r1")
    for _ in range(2):
        hits = store.query(
            "c", [1.0, 0.0], 3, manifest.live_revs, is_live=manifest.is_live, lookup=loaded.lookup
        )
        assert [(h.id, h.text, h.metadata["doc"]) for h in hits] == [
            ("a:r1:0000", "a0", "a"),
            ("a:r1:0001", "a1", "a"),
            ("b:r1:0000", "b0", "b"),
        ]
    assert collection.included == [["distances"], ["distances"]]  # Chroma sends no texts or metadata
    assert collection.fetched == [["b:r1:0000"], ["b:r1:0000"]]  # only what the records lack
    assert client.opened == 1  # the collection handle is kept between queries
    store.close()
    store.query("c", [1.0, 0.0], 1, manifest.live_revs, is_live=manifest.is_live)
    assert client.opened == 2 and collection.included[-1] == ["documents", "metadatas", "distances"]


def test_a_cached_collection_handle_that_went_stale_is_reopened(tmp_path: Path) -> None:
    class _Gone:
        def query(self, **_: Any) -> Any:
            raise RuntimeError("Collection abc does not exist")  # dropped and rebuilt by an ingest

    rows = [(_chunk("a:r1:0000", "a", "a0", rev="r1"), [1.0, 0.0])]
    client = _Client(_Collection(rows))
    store = ChromaStore(client, where="test")
    store._handles["c"] = _Gone()
    manifest = _manifest(tmp_path, a="r1")
    hits = store.query("c", [1.0, 0.0], 1, manifest.live_revs, is_live=manifest.is_live)
    assert [h.id for h in hits] == ["a:r1:0000"] and client.opened == 1
