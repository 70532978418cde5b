"""Retrievers over the live index, exposed through LangChain's `BaseRetriever`.

`HybridRetriever` fuses dense (Chroma) and keyword (BM25) rankings with
weighted reciprocal rank fusion, drops near-duplicates, and can rerank with a
cross-encoder.  The rest of the app only sees the `BaseRetriever` interface.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from tutor.config import RetrievalSettings
from tutor.errors import ConfigError
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.live import LiveIndex
from tutor.index.store import StoredChunk
from tutor.patterns import CJK
from tutor.resources.cards import CARDS_DOC
from tutor.resources.intent import asks_for_resources
from tutor.textsim import trigrams

__all__ = [
    "BM25Retriever",
    "DenseRetriever",
    "HybridRetriever",
    "RETRIEVER_MODES",
    "TutorRetriever",
    "Reranker",
    "build_retriever",
    "dedup",
    "from_lc_document",
    "rrf_fuse",
    "to_lc_document",
]


@runtime_checkable
class Reranker(Protocol):
    """Reorders candidates best-first (e.g. a cross-encoder)."""

    def rerank(self, query: str, chunks: Sequence[StoredChunk]) -> list[StoredChunk]: ...


def to_lc_document(chunk: StoredChunk) -> LCDocument:
    return LCDocument(
        page_content=chunk.text,
        id=chunk.id,
        metadata={**chunk.metadata, "id": chunk.id, "score": chunk.score},
    )


def from_lc_document(doc: LCDocument) -> StoredChunk:
    meta = dict(doc.metadata)
    return StoredChunk(
        id=str(meta.pop("id", doc.id or "")),
        text=doc.page_content,
        metadata=meta,
        score=float(meta.pop("score", 0.0)),
    )


def dedup(chunks: Sequence[StoredChunk], threshold: float) -> list[StoredChunk]:
    """Keep the first of any group of near-identical passages (input is best-first)."""
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


def rrf_fuse(rankings: Sequence[tuple[float, Sequence[StoredChunk]]], rrf_k: int) -> list[StoredChunk]:
    """Weighted reciprocal rank fusion; each result keeps the per-retriever scores in metadata."""
    fused: dict[str, StoredChunk] = {}
    scores: dict[str, float] = {}
    for n, (weight, ranking) in enumerate(rankings):
        for rank, chunk in enumerate(ranking, 1):
            if chunk.id not in fused:
                fused[chunk.id] = StoredChunk(chunk.id, chunk.text, dict(chunk.metadata))
            fused[chunk.id].metadata[f"score_{n}"] = chunk.score
            scores[chunk.id] = scores.get(chunk.id, 0.0) + weight / (rrf_k + rank)
    order = sorted(scores, key=lambda cid: -scores[cid])
    out = []
    for cid in order:
        chunk = fused[cid]
        chunk.score = scores[cid]
        out.append(chunk)
    return out


class TutorRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: LiveIndex
    embedder: Callable[[], TutorEmbeddings]  # loaded on the first dense query, not before
    cfg: RetrievalSettings
    reranker: Reranker | None = None
    k: int = 5
    where: dict[str, Any] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        return [to_lc_document(c) for c in self.search(query)]

    def search(self, query: str) -> list[StoredChunk]:
        raise NotImplementedError

    def where_for(self, query: str) -> dict[str, Any] | None:
        """Resource cards answer questions that ask for resources; elsewhere they would crowd out the material."""
        if (self.where and "doc" in self.where) or asks_for_resources(query):
            return self.where
        return {**(self.where or {}), "doc": {"$ne": CARDS_DOC}}


class DenseRetriever(TutorRetriever):
    """Cosine similarity over the configured embedder's vectors in Chroma."""

    def search(self, query: str) -> list[StoredChunk]:
        manifest = self.index.require()
        assert manifest.collection is not None  # require() guarantees a collection
        vector = self.embedder().embed_query(query)
        hits = self.index.store.query(
            manifest.collection, vector, self.k, manifest.live_revs, self.where_for(query)
        )
        for h in hits:
            h.metadata["dense_score"] = h.score
        return hits


class BM25Retriever(TutorRetriever):
    """Keyword retrieval (jieba + stemming) over the BM25 index kept beside the collection."""

    def search(self, query: str) -> list[StoredChunk]:
        hits = self.index.bm25().search(query, self.k, self.where_for(query))
        for h in hits:
            h.metadata["bm25_score"] = h.score
        return hits


class HybridRetriever(TutorRetriever):
    """Dense + BM25 fused by weighted RRF, de-duplicated, optionally cross-encoder reranked."""

    def search(self, query: str) -> list[StoredChunk]:
        cfg = self.cfg
        n = max(cfg.candidates, self.k)
        parts = {"index": self.index, "embedder": self.embedder, "cfg": cfg, "k": n, "where": self.where}
        dense = DenseRetriever(**parts).search(query)
        sparse = BM25Retriever(**parts).search(query)
        bm25_weight = cfg.bm25_weight if CJK.search(query) else cfg.bm25_weight_no_cjk
        fused = rrf_fuse([(cfg.dense_weight, dense), (bm25_weight, sparse)], cfg.rrf_k)
        for chunk in fused:
            chunk.metadata["dense_score"] = chunk.metadata.pop("score_0", None)
            chunk.metadata["bm25_score"] = chunk.metadata.pop("score_1", None)
        fused = dedup(fused, cfg.dedup_similarity)
        if self.reranker is not None:
            fused = self.reranker.rerank(query, fused[:n])
        return fused[: self.k]


RETRIEVER_MODES: dict[str, type[TutorRetriever]] = {
    "dense": DenseRetriever,
    "bm25": BM25Retriever,
    "hybrid": HybridRetriever,
}


def build_retriever(
    mode: str,
    index: LiveIndex,
    embedder: Callable[[], TutorEmbeddings],
    cfg: RetrievalSettings,
    reranker: Reranker | None = None,
    k: int | None = None,
    where: dict[str, Any] | None = None,
) -> TutorRetriever:
    """A LangChain retriever for `mode` over the live index."""
    if mode not in RETRIEVER_MODES:
        raise ConfigError(f"Unknown retrieval mode '{mode}'; choose one of {sorted(RETRIEVER_MODES)}")
    return RETRIEVER_MODES[mode](
        index=index, embedder=embedder, cfg=cfg, reranker=reranker, k=k or cfg.k, where=where
    )
