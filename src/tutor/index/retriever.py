"""Retrievers over the live index, exposed through LangChain's `BaseRetriever`.

`HybridRetriever` fuses dense (Chroma) and keyword (BM25) rankings with
weighted reciprocal rank fusion, drops near-duplicates, and can rerank with a
cross-encoder.  The rest of the app only sees the `BaseRetriever` interface.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from tutor.index.store import StoredChunk

if TYPE_CHECKING:
    from tutor.services import Services

__all__ = [
    "BM25Retriever",
    "DenseRetriever",
    "HybridRetriever",
    "RETRIEVER_MODES",
    "dedup",
    "from_lc_document",
    "rrf_fuse",
    "to_lc_document",
]


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


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


def _trigrams(text: str) -> set[str]:
    compact = "".join(text.split())
    return {compact[i : i + 3] for i in range(max(1, len(compact) - 2))}


def dedup(chunks: Sequence[StoredChunk], threshold: float) -> list[StoredChunk]:
    """Keep the first of any group of near-identical passages (input is best-first)."""
    kept: list[tuple[StoredChunk, set[str]]] = []
    for chunk in chunks:
        grams = _trigrams(chunk.text)
        duplicate = any(
            (chunk.metadata.get("chunk_hash") and chunk.metadata.get("chunk_hash") == other.metadata.get("chunk_hash"))
            or len(grams & g) / max(1, len(grams | g)) >= threshold
            for other, g in kept
        )
        if not duplicate:
            kept.append((chunk, grams))
    return [c for c, _ in kept]


def rrf_fuse(
    rankings: Sequence[tuple[float, Sequence[StoredChunk]]], rrf_k: int
) -> list[StoredChunk]:
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


class _TutorRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    services: Any
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
        from tutor.resources.cards import CARDS_DOC
        from tutor.resources.intent import asks_for_resources

        if (self.where and "doc" in self.where) or asks_for_resources(query):
            return self.where
        return {**(self.where or {}), "doc": {"$ne": CARDS_DOC}}


class DenseRetriever(_TutorRetriever):
    """Cosine similarity over the configured embedder's vectors in Chroma."""

    def search(self, query: str) -> list[StoredChunk]:
        svc: Services = self.services
        plan = svc.query_plan(query)
        return self.search_vector(svc.embedder.embed_query(plan.dense_text), self.where_for(query))

    def search_vector(self, vector: Sequence[float], where: dict[str, Any] | None) -> list[StoredChunk]:
        svc: Services = self.services
        manifest = svc.require_index()
        hits = svc.store.query(manifest.collection, vector, self.k, manifest.live_revs, where)
        for h in hits:
            h.metadata["dense_score"] = h.score
        return hits


class BM25Retriever(_TutorRetriever):
    """Keyword retrieval (jieba + stemming) over the BM25 index kept beside the collection."""

    def search(self, query: str) -> list[StoredChunk]:
        return self.search_text(self.services.query_plan(query).keyword_text, self.where_for(query))

    def search_text(self, text: str, where: dict[str, Any] | None) -> list[StoredChunk]:
        hits = self.services.bm25_index().search(text, self.k, where)
        for h in hits:
            h.metadata["bm25_score"] = h.score
        return hits


def _doc_allowed(where: dict[str, Any] | None) -> Any:
    from tutor.index.bm25 import _matches

    wanted = (where or {}).get("doc")
    return (lambda doc: True) if wanted is None else (lambda doc: _matches(doc, wanted))


def _by_document(fused: Sequence[StoredChunk], doc_rank: dict[str, int]) -> list[StoredChunk]:
    """The candidates re-listed document by document (best document first, fused order within)."""
    last = len(doc_rank) + 1
    return sorted(fused, key=lambda c: doc_rank.get(c.doc, last))  # stable: fused order within a document


class HybridRetriever(_TutorRetriever):
    """Dense + BM25 fused by weighted RRF, de-duplicated, optionally cross-encoder reranked.

    Optional levers (retrieval.*, each off by default unless eval/README.md shows it helps):
    query rewrites (`QueryRewriter`), document routing (`DocRouter`) as one more RRF list or a
    restriction to one document, and pseudo-relevance feedback as a third BM25 list.
    """

    def search(self, query: str) -> list[StoredChunk]:
        svc: Services = self.services
        cfg = svc.settings.retrieval
        n = max(cfg.candidates, self.k)
        plan = svc.query_plan(query)
        where = self.where_for(query)
        vector = svc.embedder.embed_query(plan.dense_text)

        doc_rank: dict[str, int] = {}
        routed = None
        if cfg.doc_routing_weight > 0 or cfg.doc_routing_restrict_margin is not None:
            router = svc.doc_router()
            ranked = router.scores(query, vector)
            doc_rank = {doc: r for r, (doc, _) in enumerate(ranked, 1)}
            pinned = where is not None and isinstance(where.get("doc"), str)
            routed = None if pinned else router.restrict_to(
                query, ranked, cfg.doc_routing_restrict_margin, _doc_allowed(where))
            if routed:
                from tutor.index.routing import strip_document_reference

                where = {**(where or {}), "doc": routed}
                rest = strip_document_reference(query)
                if rest != query:  # within the document, search for what is asked, not for the document
                    plan = svc.query_plan(rest)
                    vector = svc.embedder.embed_query(plan.dense_text)

        dense = DenseRetriever(services=svc, k=n).search_vector(vector, where)
        bm25 = BM25Retriever(services=svc, k=n)
        sparse = bm25.search_text(plan.keyword_text, where)
        bm25_weight = cfg.bm25_weight if _CJK.search(query) else cfg.bm25_weight_no_cjk
        lists: list[tuple[float, Sequence[StoredChunk]]] = [(cfg.dense_weight, dense), (bm25_weight, sparse)]
        fused = rrf_fuse(lists, cfg.rrf_k)
        if cfg.prf_terms > 0 and fused:
            from tutor.index.bm25 import feedback_terms
            from tutor.index.tokenize import tokenize

            terms = feedback_terms(svc.bm25_index(), [c.id for c in fused[: cfg.prf_docs]], cfg.prf_terms,
                                   exclude=tokenize(plan.keyword_text))
            if terms:
                lists.append((cfg.prf_weight * bm25_weight,
                              bm25.search_text(plan.keyword_text + " " + " ".join(terms), where)))
        if cfg.doc_routing_weight > 0 and doc_rank:
            lists.append((cfg.doc_routing_weight, _by_document(fused, doc_rank)))
        if routed and cfg.doc_routing_heading_weight > 0:
            lists.append((cfg.doc_routing_heading_weight, svc.doc_router().by_heading(fused, vector)))
        if len(lists) > 2:
            fused = rrf_fuse(lists, cfg.rrf_k)
        for chunk in fused:
            chunk.metadata["dense_score"] = chunk.metadata.pop("score_0", None)
            chunk.metadata["bm25_score"] = chunk.metadata.pop("score_1", None)
            for extra in range(2, len(lists)):
                chunk.metadata.pop(f"score_{extra}", None)
        fused = dedup(fused, cfg.dedup_similarity)
        if svc.reranker is not None:
            fused = svc.reranker.rerank(query, fused[:n])
        return fused[: self.k]


RETRIEVER_MODES: dict[str, type[_TutorRetriever]] = {
    "dense": DenseRetriever,
    "bm25": BM25Retriever,
    "hybrid": HybridRetriever,
}
