"""The query-side retrieval levers over one live index: the query rewriter and the document router.

Both depend on what is indexed (the glossary is read from the chunks, the router embeds one
card per document), so both are rebuilt when the BM25 index changes and reused otherwise.
The composition root (`tutor.app`) builds one `QueryLevers` and hands it to every retriever;
`hooks` is where the curriculum's query understanding (stage/skill references) can join in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence

from tutor.config import RetrievalSettings
from tutor.index.bm25 import BM25Index
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.live import LiveIndex
from tutor.index.query import Glossary, QueryExtra, QueryPlan, QueryRewriter, build_glossary
from tutor.index.routing import DocRouter, cards_from_chunks

__all__ = ["QueryLevers"]

log = logging.getLogger(__name__)


class QueryLevers:
    """What the retrievers see for a question (`plan`) and which document it is about (`router`)."""

    def __init__(
        self,
        index: LiveIndex,
        embedder: Callable[[], TutorEmbeddings],
        cfg: RetrievalSettings,
        hooks: Sequence[QueryExtra] = (),
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.cfg = cfg
        #: question -> text to append to the query (or None), e.g. stage/skill references
        self.hooks: list[QueryExtra] = list(hooks)
        self._rewriter: tuple[tuple[object, ...], BM25Index | None, QueryRewriter] | None = None
        self._router: tuple[BM25Index, DocRouter] | None = None

    def plan(self, question: str) -> QueryPlan:
        """The dense and keyword texts for `question` (retrieval.time_expressions, bilingual_glossary, hooks)."""
        return self.rewriter().plan(question)

    def rewriter(self) -> QueryRewriter:
        cfg = self.cfg
        if not (cfg.time_expressions or cfg.bilingual_glossary or self.hooks):
            return QueryRewriter()
        key = (cfg.time_expressions, cfg.bilingual_glossary, tuple(self.hooks))
        bm25 = self.index.bm25() if cfg.bilingual_glossary else None
        if self._rewriter is not None and self._rewriter[0] == key and self._rewriter[1] is bm25:
            return self._rewriter[2]
        glossary = Glossary()
        if bm25 is not None:
            headings = sorted({h for m in bm25.metadata for h in json.loads(m.get("headings", "[]"))})
            glossary = build_glossary(bm25.texts, headings)
            log.info("bilingual glossary: %d English terms from the material", len(glossary))
        rewriter = QueryRewriter(
            time_expressions=cfg.time_expressions,
            bilingual=cfg.bilingual_glossary,
            glossary=glossary,
            extra=self.hooks,
        )
        self._rewriter = (key, bm25, rewriter)
        return rewriter

    def router(self) -> DocRouter:
        """One card per live document (title + lead sentences), embedded once per index."""
        bm25 = self.index.bm25()
        if self._router is not None and self._router[0] is bm25:
            return self._router[1]
        router = DocRouter(cards_from_chunks(bm25.texts, bm25.metadata), self.embedder().embed_documents)
        self._router = (bm25, router)
        return router
