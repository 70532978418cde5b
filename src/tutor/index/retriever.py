"""Retrievers over the live index, exposed through LangChain's `BaseRetriever`.

`HybridRetriever` fuses dense (Chroma) and keyword (BM25) rankings with
weighted reciprocal rank fusion, drops near-duplicates, and can rerank with a
cross-encoder.  The rest of the app only sees the `BaseRetriever` interface.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from tutor.errors import ConfigError
from tutor.index.bm25 import feedback_terms, matches
from tutor.index.dedup import dedup
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.levers import QueryLevers
from tutor.index.lexicon_sections import concept_list
from tutor.index.live import LiveIndex
from tutor.index.memory import memory_list
from tutor.index.query import QueryPlan
from tutor.index.ranker import Candidates
from tutor.index.rescore import learned_candidates, learned_order, rule_order
from tutor.index.roadmap_sections import RoadmapSections
from tutor.index.routing import refers_to_document, strip_document_reference, within_document
from tutor.index.sections import asks_next_step
from tutor.index.settings import RetrievalSettings
from tutor.index.store import StoredChunk
from tutor.index.tokenize import tokenize
from tutor.patterns import CJK
from tutor.resources.cards import CARDS_DOC
from tutor.resources.intent import asks_for_resources

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
    levers: QueryLevers  # query rewrites and document routing (retrieval.* levers)
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
        vector = self.embedder().embed_query(self.levers.plan(query).dense_text)
        return self.search_vector(vector, self.where_for(query))

    def search_vector(self, vector: Sequence[float], where: dict[str, Any] | None) -> list[StoredChunk]:
        manifest = self.index.require()
        assert manifest.collection is not None  # require() guarantees a collection
        keywords = self.index.loaded_bm25(manifest)  # its records hold the hits' texts: not read from Chroma
        hits = self.index.store.query(
            manifest.collection,
            list(vector),
            self.k,
            manifest.live_revs,
            where,
            is_live=manifest.is_live,
            lookup=keywords.lookup if keywords is not None else None,
        )
        for h in hits:
            h.metadata["dense_score"] = h.score
        return hits


class BM25Retriever(TutorRetriever):
    """Keyword retrieval (jieba + stemming) over the BM25 index kept beside the collection."""

    def search(self, query: str) -> list[StoredChunk]:
        return self.search_text(self.levers.plan(query).keyword_text, self.where_for(query))

    def search_text(self, text: str, where: dict[str, Any] | None) -> list[StoredChunk]:
        hits = self.index.bm25().search(text, self.k, where)
        for h in hits:
            h.metadata["bm25_score"] = h.score
        return hits


def _doc_allowed(where: dict[str, Any] | None) -> Callable[[str], bool]:
    wanted = (where or {}).get("doc")
    return (lambda doc: True) if wanted is None else (lambda doc: matches(doc, wanted))


def _by_document(fused: Sequence[StoredChunk], doc_rank: dict[str, int]) -> list[StoredChunk]:
    """The candidates re-listed document by document (best document first, fused order within)."""
    return sorted(fused, key=lambda c: doc_rank.get(c.doc, len(doc_rank) + 1))  # stable: fused order within


_Named = tuple[str, float, Sequence[StoredChunk]]  # an RRF list: its name, weight and ranking


@dataclass
class _Routing:
    """What document routing decided for one question: the document ranking and, maybe, the one document."""

    doc_rank: dict[str, int] = field(default_factory=dict)
    routed: str | None = None
    named: bool = False  # the question names a document (searched without its document clause when routed)


class HybridRetriever(TutorRetriever):
    """Dense + BM25 fused by weighted RRF, de-duplicated, optionally cross-encoder reranked.

    Optional levers (retrieval.*, each off by default unless eval/README.md shows it helps):
    query rewrites (`QueryRewriter`), document routing (`DocRouter`) as one more RRF list or a
    restriction to one document, and pseudo-relevance feedback as a third BM25 list.
    """

    def search(self, query: str) -> list[StoredChunk]:
        cfg = self.cfg
        fused, vector, lists = self._fused(query)
        if cfg.learned_ranker:
            fused = learned_order(self.levers, cfg, query, fused, vector, lists)
        elif cfg.rescore_block_weight > 0 or cfg.rescore_stage_weight > 0:
            fused = rule_order(self.levers, cfg, query, fused, vector)
        if self.reranker is not None:
            fused = self.reranker.rerank(query, fused[: max(cfg.candidates, self.k)])
        return fused[: self.k]

    def candidates(self, query: str) -> Candidates:
        """The fused top candidates and what the learned ranker sees of them (`tutor eval train-ranker`)."""
        fused, vector, lists = self._fused(query)
        return learned_candidates(self.levers, self.cfg, query, fused, vector, lists)

    def _fused(
        self, query: str
    ) -> tuple[list[StoredChunk], Sequence[float], dict[str, Sequence[StoredChunk]]]:
        """The de-duplicated fusion of every list, the question's vector, and the lists by name."""
        cfg = self.cfg
        n = max(cfg.candidates, self.k)
        plan = self.levers.plan(query)
        where = self.where_for(query)
        vector = self.embedder().embed_query(plan.dense_text)
        routing = self._route(query, vector, where)
        if routing.routed:
            where = {**(where or {}), "doc": routing.routed}
            rest = strip_document_reference(query)
            if rest != query:  # within the document, search for what is asked, not for the document
                with within_document():
                    plan = self.levers.plan(rest)
                kinds = self.levers.section_kinds().dropped(query, rest) if cfg.section_kinds != "off" else ""
                if kinds:  # the section asked for, named in the dropped clause
                    dense_text = (
                        f"{plan.dense_text} {kinds}" if cfg.section_kinds == "both" else plan.dense_text
                    )
                    plan = replace(plan, dense_text=dense_text, keyword_text=f"{plan.keyword_text} {kinds}")
                vector = self.embedder().embed_query(plan.dense_text)

        parts = {"index": self.index, "embedder": self.embedder, "cfg": cfg, "levers": self.levers, "k": n}
        dense = DenseRetriever(**parts).search_vector(vector, where)
        bm25 = BM25Retriever(**parts)
        sparse = bm25.search_text(plan.keyword_text, where)
        bm25_weight = cfg.bm25_weight if CJK.search(query) else cfg.bm25_weight_no_cjk
        named: list[_Named] = [("dense", cfg.dense_weight, dense), ("bm25", bm25_weight, sparse)]
        fused = rrf_fuse([(w, r) for _, w, r in named], cfg.rrf_k)
        named += self._extra_lists(
            fused, plan, bm25, bm25_weight * cfg.prf_weight, where, routing, vector, dense
        )
        embed = lambda q: vector if q == plan.dense_text else self.embedder().embed_query(q)  # noqa: E731
        named += memory_list(self.levers, cfg, query, embed, fused, _doc_allowed(where))  # the asked question
        fused = rrf_fuse([(w, r) for _, w, r in named], cfg.rrf_k) if len(named) > 2 else fused
        for chunk in fused:
            chunk.metadata["dense_score"] = chunk.metadata.pop("score_0", None)
            chunk.metadata["bm25_score"] = chunk.metadata.pop("score_1", None)
            for extra in range(2, len(named)):
                chunk.metadata.pop(f"score_{extra}", None)
        second_stage = cfg.learned_ranker or cfg.rescore_block_weight > 0 or cfg.rescore_stage_weight > 0
        keep = n if self.reranker is not None else max(self.k, cfg.rescore_depth if second_stage else 0)
        return dedup(fused, cfg.dedup_similarity, limit=keep), vector, {name: r for name, _, r in named}

    def _route(self, query: str, vector: Sequence[float], where: dict[str, Any] | None) -> _Routing:
        """Rank the documents for the question; restrict to one when it names a document that clearly wins."""
        cfg = self.cfg
        pinned = where is not None and isinstance(where.get("doc"), str)
        may_restrict = (
            cfg.doc_routing_restrict_margin is not None and not pinned and refers_to_document(query)
        )
        named = refers_to_document(query)
        if cfg.doc_routing_weight <= 0 and not may_restrict:
            # nothing would use the ranking: scoring every document card per question was a third of
            # a hybrid query at 100k chunks (2,000 documents; issue 17)
            return _Routing(named=named)
        router = self.levers.router()
        ranked = router.scores(query, vector)
        routed = None
        if may_restrict:
            routed = router.restrict_to(query, ranked, cfg.doc_routing_restrict_margin, _doc_allowed(where))
        doc_rank = {doc: r for r, (doc, _) in enumerate(ranked, 1)} if cfg.doc_routing_weight > 0 else {}
        return _Routing(doc_rank, routed, named)

    def _extra_lists(
        self,
        fused: list[StoredChunk],
        plan: QueryPlan,
        bm25: BM25Retriever,
        prf_weight: float,
        where: dict[str, Any] | None,
        routing: _Routing,
        vector: Sequence[float],
        dense: Sequence[StoredChunk] = (),
    ) -> list[_Named]:
        """The optional RRF lists: feedback-expanded BM25, the document ranking, the section view, the heading ranking."""
        cfg = self.cfg
        lists: list[_Named] = []
        read = dense if cfg.prf_source == "dense" else fused
        if cfg.prf_terms > 0 and read:
            top = [c.id for c in read[: cfg.prf_docs]]
            terms = feedback_terms(self.index.bm25(), top, cfg.prf_terms, exclude=tokenize(plan.keyword_text))
            if terms:
                lists.append(
                    ("prf", prf_weight, bm25.search_text(plan.keyword_text + " " + " ".join(terms), where))
                )
        if cfg.doc_routing_weight > 0 and routing.doc_rank:
            lists.append(("route", cfg.doc_routing_weight, _by_document(fused, routing.doc_rank)))
        # blocks leave tables out, so the view has no say on questions that tables answer (resources)
        if cfg.section_view_weight > 0 and not self._asks_for_resources(plan.question):
            view = self.levers.sections().rank(vector, max(cfg.candidates, self.k), _doc_allowed(where))
            lists.append(("section_view", cfg.section_view_weight, view))
        asks_next = asks_next_step(plan.question)
        if cfg.item_view_weight > 0 and self._items_apply(plan.question, asks_next):
            items = self.levers.items().rank(vector, max(cfg.candidates, self.k), _doc_allowed(where))
            lists.append(("items", cfg.item_view_weight, items))
        if cfg.faq_weight > 0:
            faq, closest = self.levers.faq().rank(vector, _doc_allowed(where))
            block_best = float(self.levers.sections().best_blocks(vector).max(initial=-2.0))
            if faq and closest >= block_best - cfg.faq_margin:
                lists.append(("faq", cfg.faq_weight, faq))
        if cfg.next_step_weight > 0 and asks_next:
            lists.append(
                ("sequence", cfg.next_step_weight, self.levers.sequences().rank(vector, _doc_allowed(where)))
            )
        with within_document() if routing.named else nullcontext():  # routed: its clause is gone
            lists += self._roadmap_lists(plan.question, asks_next, where)
        if routing.routed and cfg.doc_routing_heading_weight > 0:
            by_heading = self.levers.router().by_heading(fused, vector)
            lists.append(("heading", cfg.doc_routing_heading_weight, by_heading))
        return lists

    def _roadmap_lists(self, question: str, asks_next: bool, where: dict[str, Any] | None) -> list[_Named]:
        """The understood roadmap section: the named skill's (stage's) asked-about part (aspect_section_weight)."""
        sections = self.levers.roadmap
        if sections is None or refers_to_document(question):
            return []  # a question about an essay is not the roadmap's
        lists = self._next_lists(sections, question, asks_next, where)
        if asks_next or self.cfg.aspect_section_weight <= 0:  # what comes next is not the named section
            return lists
        passages = self.levers.roadmap_passages(sections.aspect_targets(question), _doc_allowed(where))
        lists += [("aspect", self.cfg.aspect_section_weight, passages)] if passages else []
        return lists + concept_list(self.levers, self.cfg, question, _doc_allowed(where))  # index.lexicon

    def _next_lists(
        self, sections: RoadmapSections, question: str, asks_next: bool, where: dict[str, Any] | None
    ) -> list[_Named]:
        """The section after the named stage or skill (next_section_weight), the candidates interleaved."""
        if self.cfg.next_section_weight <= 0:
            return []
        targets = sections.next_targets(question, asks_next)
        passages = self.levers.roadmap_passages(
            targets, _doc_allowed(where), self.cfg.next_section_rows, interleave=True
        )
        return [("next_section", self.cfg.next_section_weight, passages)] if passages else []

    def _items_apply(self, question: str, asks_next: bool) -> bool:
        """The item view (a concept described in other words) has no say on tables, nor where switched off."""
        cfg = self.cfg
        if asks_next and not cfg.item_view_next:
            return False
        if refers_to_document(question):  # the named document's own sections answer; items elsewhere compete
            return False
        if CJK.search(question) and cfg.item_view_cjk != "all":
            # a Chinese question that has its keyword: BM25 and the passage vectors find it
            if cfg.item_view_cjk == "off" or self.levers.concepts().names_a_term(question):
                return False
        return not self._asks_for_resources(question)

    def _asks_for_resources(self, question: str) -> bool:
        """Resource words, or (retrieval.resource_kinds) an English name of a resource kind the material lists."""
        if asks_for_resources(question):
            return True
        return self.cfg.resource_kinds != "off" and bool(self.levers.resource_kinds().named(question))


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
    levers: QueryLevers | None = None,
) -> TutorRetriever:
    """A LangChain retriever for `mode` over the live index.

    Pass the application's `levers` to share the rewriter and the document router (built once
    per index) between retrievers; without them each retriever builds its own.
    """
    if mode not in RETRIEVER_MODES:
        raise ConfigError(f"Unknown retrieval mode '{mode}'; choose one of {sorted(RETRIEVER_MODES)}")
    return RETRIEVER_MODES[mode](
        index=index,
        embedder=embedder,
        cfg=cfg,
        levers=levers or QueryLevers(index, embedder, cfg),
        reranker=reranker,
        k=k or cfg.k,
        where=where,
    )
