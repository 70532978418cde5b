"""The query-side retrieval levers over one live index: the query rewriter and the document router.

Both depend on what is indexed (the glossary is read from the chunks, the router embeds one
card per document), so both are rebuilt when the BM25 index changes and reused otherwise.
The composition root (`tutor.app`) builds one `QueryLevers` and hands it to every retriever;
`hooks` is where the curriculum's query understanding joins in (`ReferenceSections`: the headings
of the stages and skills a question names, appended to what both retrievers search for).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from tutor.config import RetrievalSettings
from tutor.index.bm25 import BM25Index
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.live import LiveIndex
from tutor.index.query import Glossary, QueryExtra, QueryPlan, QueryRewriter, build_glossary
from tutor.index.routing import DocRouter, cards_from_chunks, refers_to_document

__all__ = ["QueryLevers", "ReferenceSections"]

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
        router = DocRouter(
            cards_from_chunks(bm25.texts, bm25.metadata),
            self.embedder().embed_documents,
            name_weight=self.cfg.doc_routing_name_weight,
        )
        self._router = (bm25, router)
        return router


class _References(Protocol):
    """What the query understanding (`tutor.chain.understanding.Understanding`) says a question names."""

    @property
    def stages(self) -> Sequence[int]: ...
    @property
    def skills(self) -> Sequence[int]: ...
    @property
    def aspects(self) -> Sequence[str]: ...
    @property
    def evidence(self) -> dict[str, str]: ...


class _Headed(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def heading(self) -> str: ...


class _Roadmap(Protocol):
    @property
    def stages(self) -> Sequence[_Headed]: ...
    @property
    def skills(self) -> Sequence[_Headed]: ...


_STARS = re.compile(r"\s*[⭐★☆]+\s*$")
_NUMBERED = re.compile(r"[0-9０-９零〇一二两三四五六七八九十]")


class ReferenceSections:
    """A query hook: the roadmap headings of the stages and skills a question refers to.

    "阶段 2 学什么", "what does stage 0 cover", "技能点 14 的框架", "the engineering stage": the
    learner names a section by its number or name, which neither BM25 (an English "stage 0") nor the
    embedder (a bare number) can match to the heading; appending the heading ("阶段 0：基础准备（1-2
    个月）") lets both find it.  A question about what comes after a stage also gets the next stage.
    `named=False` leaves out skills recognised only by name ("PyTorch"), which already match by
    themselves.  Anything that cannot be understood (no roadmap configured) adds nothing.
    """

    def __init__(
        self,
        understand: Callable[[str], _References],
        roadmap: Callable[[], _Roadmap],
        named: bool = False,
        limit: int = 3,
    ) -> None:
        self.understand = understand
        self.roadmap = roadmap
        self.named = named
        self.limit = limit

    def __call__(self, question: str) -> str | None:
        try:
            refs, roadmap = self.understand(question), self.roadmap()
        except Exception as exc:  # noqa: BLE001 - a rewrite must never fail the search
            log.debug("no reference sections for %r: %s", question, exc)
            return None
        stages = {s.number: s.heading for s in roadmap.stages}
        skills = {s.number: s.heading for s in roadmap.skills}
        wanted = [stages[n] for n in refs.stages if n in stages]
        if "next" in refs.aspects and refs.stages and max(refs.stages) + 1 in stages:
            wanted.append(stages[max(refs.stages) + 1])
        for n in refs.skills:
            by_number = bool(_NUMBERED.search(refs.evidence.get(f"skill {n}", "")))
            # a skill's name inside a question about an article is a topic of that article
            if n in skills and (by_number or (self.named and not refers_to_document(question))):
                wanted.append(skills[n])
        headings = list(dict.fromkeys(_STARS.sub("", h).strip() for h in wanted))
        if not headings or len(headings) > self.limit:
            return None  # many references: a question about the whole roadmap, not one section
        return " ".join(headings)
