"""The query-side retrieval levers over one live index: the query rewriter and the document router.

Both depend on what is indexed, so both are rebuilt when the BM25 index changes and reused otherwise.  The
composition root (`tutor.app`) builds one `QueryLevers` for every retriever; `hooks` is where the query
understanding joins in (`ReferenceSections`: the named stages' and skills' headings, searched for too)."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Protocol, TypeVar, cast

from tutor.index.bm25 import BM25Index
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.items import ItemView
from tutor.index.kinds import SectionKinds
from tutor.index.lever_store import FORMS, read_lever, recording, stored_names, write_lever
from tutor.index.lexicon import lexicon_builder
from tutor.index.lexicon_gate import gated
from tutor.index.live import LiveIndex
from tutor.index.query import Glossary, QueryExtra, QueryPlan, QueryRewriter, build_glossary
from tutor.index.ranker import HeadingVectors
from tutor.index.roadmap_sections import (
    Headed,
    RoadmapSections,
    Target,
    Understood,
    heading_paths,
    referenced_stages,
    rows_under,
)
from tutor.index.routing import DocRouter, cards_from_chunks, refers_to_document
from tutor.index.sections import ConceptGlossary, FaqEntries, SectionView, SequencePassages, concept_entries
from tutor.index.settings import RetrievalSettings
from tutor.index.store import StoredChunk
from tutor.resources.cards import CARDS_DOC
from tutor.resources.intent import ResourceKinds
from tutor.whats_next import asks_next_step

__all__ = ["QueryLevers", "ReferenceSections"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")


class QueryLevers:
    """What the retrievers see for a question (`plan`) and which document it is about (`router`)."""

    def __init__(
        self,
        index: LiveIndex,
        embedder: Callable[[], TutorEmbeddings],
        cfg: RetrievalSettings,
        hooks: Sequence[QueryExtra] = (),
        roadmap: RoadmapSections | None = None,
        learner: Sequence[QueryExtra] = (),
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.cfg = cfg
        self.hooks: list[QueryExtra] = list(hooks)  # question -> text to append, e.g. stage/skill references
        self.learner: list[QueryExtra] = list(learner)  # for BM25, after the rest (LearnerTerms)
        self.roadmap = roadmap  # the roadmap section a question resolves to (retrieval.aspect_section_weight)
        self._rewriter: tuple[tuple[object, ...], BM25Index | None, QueryRewriter] | None = None
        #: what is built from one BM25 index (headings, router, views…), by name, with that index
        self._built: dict[str, tuple[BM25Index, object]] = {}
        self._storing = threading.local()  # `store`: the index being written, in the ingesting thread
        self._told = False

    def _per_index(self, name: str, build: Callable[[BM25Index], _T]) -> _T:
        """`build(bm25)` once per live index (it changes with the chunks), or its stored lever data (lever_store)."""
        storing: BM25Index | None = getattr(self._storing, "bm25", None)
        bm25 = storing or self.index.bm25()
        held = self._built.get(name)
        if held is not None and held[0] is bm25:
            return cast(_T, held[1])
        stored = None if storing is not None else read_lever(bm25.directory, name)
        if stored is not None:
            value = cast(_T, FORMS[name].load(self, bm25, stored))
        else:
            if (
                storing is None
                and bm25.directory is not None
                and name in FORMS
                and not self._told
                and self.cfg.store_levers
            ):
                self._told = True
                log.info(
                    "The index has no stored lever data (%s); computing it. Re-run `tutor ingest` "
                    "to store it and speed up start-up.",
                    name,
                )
            value = build(bm25)
        self._built[name] = (bm25, value)
        return value

    # --- stored at ingest time (tutor.index.lever_store) ---------------------------------------------
    def stored_names(self) -> list[str]:
        """The levers the settings use, whose data an ingest stores with the index."""
        cfg = self.cfg
        wanted = {
            "headings": True,
            "heading_paths": cfg.aspect_section_weight > 0,
            "sections": cfg.section_view_weight > 0 or cfg.faq_weight > 0 or cfg.rescore_block_weight > 0,
            "items": cfg.item_view_weight > 0,
            "faq": cfg.faq_weight > 0,
            "sequences": cfg.next_step_weight > 0,
            "concepts": cfg.concept_terms > 0,
            "lexicon": cfg.concept_lexicon,
            "router": cfg.doc_routing_weight > 0 or cfg.doc_routing_restrict_margin is not None,
            "resource_kinds": cfg.resource_kinds in ("keyword", "both"),
            "glossary": cfg.bilingual_glossary,
        }
        return [name for name, on in wanted.items() if on]

    def store(self, bm25: BM25Index, directory: Path) -> None:
        """Build the wanted levers from `bm25` (just built) and write them under the saved `directory`."""
        builders: dict[str, Callable[[], object]] = {
            "headings": self._headings,
            "heading_paths": self.heading_paths,
            "sections": self.sections,
            "items": self.items,
            "faq": self.faq,
            "sequences": self.sequences,
            "concepts": self.concepts,
            "lexicon": lambda: self.concepts().lexicon,
            "router": self.router,
            "resource_kinds": self.resource_kinds,
            "glossary": self.glossary,
        }
        self._storing.bm25 = bm25
        try:
            for name in self.stored_names():
                write_lever(directory, name, builders[name]())
        finally:
            self._storing.bm25 = None

    def missing_stored(self, directory: Path | None) -> list[str]:
        """The wanted levers a saved BM25 generation lacks (an index from before they were stored)."""
        have = stored_names(directory)
        return [n for n in self.stored_names() if n not in have]

    def query_embedding(self) -> Callable[[str], list[float]]:
        return self.embedder().embed_query

    def passage_embedding(self) -> Callable[[list[str]], list[list[float]]]:
        return _passage_embedding(self.embedder())

    def _headings(self) -> list[str]:
        """Every live heading, sorted; read once per index (rewriter, resource kinds and concepts share it)."""
        return self._per_index(
            "headings",
            lambda bm25: sorted({h for m in bm25.metadata for h in json.loads(m.get("headings", "[]"))}),
        )

    def plan(self, question: str) -> QueryPlan:
        """The dense and keyword texts for `question` (retrieval.time_expressions, bilingual_glossary, hooks)."""
        return self.rewriter().plan(question)

    def rewriter(self) -> QueryRewriter:
        cfg = self.cfg
        kinds_on = cfg.section_kinds != "off"
        material = kinds_on or cfg.concept_terms > 0 or cfg.resource_kinds in ("keyword", "both")
        described = (
            cfg.concept_terms > 0 and cfg.concept_lexicon and cfg.concept_lexicon_rewrite != "fallback"
        )
        if not (cfg.time_expressions or cfg.bilingual_glossary or material or self.hooks + self.learner):
            return QueryRewriter()
        key: tuple[object, ...] = (cfg.time_expressions, cfg.bilingual_glossary, (*self.hooks, *self.learner))
        key += (cfg.section_kinds, cfg.section_kinds_zh, cfg.concept_terms, cfg.concept_terms_to)
        key += (cfg.resource_kinds, cfg.concept_lexicon_rewrite)
        bm25 = self.index.bm25() if cfg.bilingual_glossary or material else None
        if self._rewriter is not None and self._rewriter[0] == key and self._rewriter[1] is bm25:
            return self._rewriter[2]
        glossary = Glossary()
        hooks: list[QueryExtra] = list(self.hooks)
        keyword_hooks: list[QueryExtra] = []
        fallback_hooks: list[QueryExtra] = []
        if bm25 is not None:
            headings = self._headings()
            if cfg.bilingual_glossary:
                glossary = self.glossary()
                log.info("bilingual glossary: %d English terms from the material", len(glossary))
            if kinds_on:
                kinds = SectionKinds.from_headings(headings, chinese=cfg.section_kinds_zh)
                (hooks if cfg.section_kinds == "both" else keyword_hooks).append(kinds)
                log.info("section kinds: %d found in the material's headings", len(kinds))
            if cfg.resource_kinds in ("keyword", "both"):
                (hooks if cfg.resource_kinds == "both" else keyword_hooks).append(self.resource_kinds())
            if cfg.concept_terms > 0:
                fallback_hooks.append(self.concepts())
        rewriter = QueryRewriter(
            time_expressions=cfg.time_expressions,
            bilingual=cfg.bilingual_glossary,
            glossary=glossary,
            extra=hooks,
            keyword_extra=keyword_hooks,
            fallback_extra=fallback_hooks,
            fallback_to_dense=cfg.concept_terms_to == "both",
            learner_extra=self.learner,
            described_extra=[self.concepts().described_names] if described else [],
            described_to_dense=cfg.concept_lexicon_rewrite == "dense_en",
        )
        self._rewriter = (key, bm25, rewriter)
        return rewriter

    def glossary(self) -> Glossary:
        """The material's bilingual spellings (retrieval.bilingual_glossary), once per index."""
        return self._per_index("glossary", lambda bm25: build_glossary(bm25.texts, self._headings()))

    def router(self) -> DocRouter:
        """One card per live document (title + lead sentences), embedded once per index."""

        def build(bm25: BM25Index) -> DocRouter:
            embed = recording(_passage_embedding(self.embedder()))
            router = DocRouter(
                cards_from_chunks(bm25.texts, bm25.metadata),
                embed,
                name_weight=self.cfg.doc_routing_name_weight,
            )
            router._raw = embed.first  # type: ignore[attr-defined]  # what `store` keeps
            return router

        return self._per_index("router", build)

    def sections(self) -> SectionView:
        """Block vectors of every live passage (retrieval.section_view_weight), embedded once per index."""
        return self._per_index(
            "sections", lambda bm25: SectionView(bm25, _passage_embedding(self.embedder()))
        )

    def items(self) -> ItemView:
        """Item vectors of every live passage (retrieval.item_view_weight), embedded once per index."""
        return self._per_index(
            "items", lambda bm25: ItemView(bm25, _passage_embedding(self.embedder()), skip_docs={CARDS_DOC})
        )

    def heading_vectors(self) -> HeadingVectors:
        """Last-heading vectors for the learned ranker, embedded as candidates bring them, per index."""
        return self._per_index(
            "heading_vectors", lambda b: HeadingVectors(_passage_embedding(self.embedder()))
        )

    def section_kinds(self) -> SectionKinds:
        """The section kinds whose heading words the live material has (the learned ranker's `kind`)."""
        return self._per_index("kinds", lambda b: SectionKinds.from_headings(self._headings(), chinese=True))

    def sequences(self) -> SequencePassages:
        """The passages that write the material's order down (retrieval.next_step_weight), once per index."""
        return self._per_index(
            "sequences", lambda bm25: SequencePassages(bm25, _passage_embedding(self.embedder()))
        )

    def faq(self) -> FaqEntries:
        """The material's FAQ entries, one vector each (retrieval.faq_weight), once per index."""
        return self._per_index("faq", lambda bm25: FaqEntries(bm25, _passage_embedding(self.embedder())))

    def roadmap_passages(
        self,
        targets: Sequence[Target],
        allowed: Callable[[str], bool] = lambda d: True,
        limit: int = 4,
        interleave: bool = False,
    ) -> list[StoredChunk]:
        """The live passages under `targets` (`RoadmapSections`), target by target (or taking turns), ranked."""
        if not targets:
            return []
        bm25 = self.index.bm25()
        paths = self.heading_paths()
        if interleave:
            each = [rows_under(paths, [t], limit) for t in targets]
            found = list(dict.fromkeys(r for turn in zip_longest(*each) for r in turn if r is not None))
        else:
            found = rows_under(paths, targets, limit)
        docs = bm25.docs()  # the filter column: no record is read per row
        rows = [r for r in found if allowed(docs[r])]
        records = bm25.records.fetch(rows)
        return [
            StoredChunk(id=bm25.ids[r], text=text, metadata=meta, score=0.0)
            for r, (text, meta) in zip(rows, records, strict=True)
        ]

    def heading_paths(self) -> list[frozenset[str]]:
        """Every live row's normalised headings (the understood roadmap section), once per index."""
        return self._per_index("heading_paths", lambda b: heading_paths(b.metadata))

    def resource_kinds(self) -> ResourceKinds:
        """English resource-kind names kept when the material's headings or tables use their words."""

        def build(bm25: BM25Index) -> ResourceKinds:
            cells = (line for t in bm25.texts for line in t.splitlines() if line.lstrip().startswith("|"))
            return ResourceKinds.from_material("\n".join([*self._headings(), *cells]))

        return self._per_index("resource_kinds", build)

    def concepts(self) -> ConceptGlossary:
        """The concept glossary of the live material (retrieval.concept_terms), embedded once per index."""

        def build(bm25: BM25Index) -> ConceptGlossary:
            embedder = self.embedder()
            embed = recording(_passage_embedding(embedder))
            glossary = ConceptGlossary(
                concept_entries(bm25.texts, bm25.metadata, skip_docs={CARDS_DOC}),
                embed,
                embedder.embed_query,
                top=self.cfg.concept_terms,
                headings=self._headings(),
                margin=self.cfg.concept_terms_margin,
                cjk_only=self.cfg.concept_terms_cjk_only,
            )
            glossary._raw = embed.first  # type: ignore[attr-defined]  # what `store` keeps
            return glossary

        glossary = self._per_index("concepts", build)  # + the learners' descriptions (index.lexicon), gated
        lexicon = self._per_index("lexicon", lexicon_builder(self.cfg, self.passage_embedding))
        glossary.lexicon = gated(lexicon, self.cfg, self.roadmap, self.index.bm25)
        return glossary


def _passage_embedding(embedder: TutorEmbeddings) -> Callable[[list[str]], list[list[float]]]:
    """Passage vectors kept on disk when the embedder can (CachedEmbeddings), else computed."""
    stored = getattr(embedder, "embed_stored_passages", None)
    return stored if callable(stored) else embedder.embed_documents


class _Roadmap(Protocol):
    @property
    def stages(self) -> Sequence[Headed]: ...
    @property
    def skills(self) -> Sequence[Headed]: ...


_STARS = re.compile(r"\s*[⭐★☆]+\s*$")
_NUMBERED = re.compile(r"[0-9０-９零〇一二两三四五六七八九十]")
# what comes after a stage, in words the understanding's "next" aspect does not cover
_AFTER = re.compile(
    r"\b(?:right|immediately|directly|just)\s+after\b|\bcomes?\s+(?:right\s+)?after\b|\bafter\s+(?:i'?m\s+)?(?:done|finish)"
    r"|(?:结束|学完|完成|搞定)(?:了)?(?:之后|以后|后)|之后|以后",
    re.I,
)
# "阶段 2-3", "stages 1 to 2": a span the material's tables spell out literally; one stage's heading would pull away
_RANGE = re.compile(r"(?:阶段|stages?)\s*\d+\s*(?:[-–~～到至]|to|and)\s*\d+", re.I)


class ReferenceSections:
    """A query hook: the roadmap headings of the stages and skills a question refers to.

    "阶段 2 学什么", "what does stage 0 cover", "技能点 14 的框架", "the engineering stage": the learner names
    a section by its number or name, which neither BM25 (an English "stage 0") nor the embedder (a bare
    number) can match to the heading; appending the heading ("阶段 0：基础准备（1-2 个月）") lets both find it.
    A question about what comes after a stage (`asks_next_step`, too) also gets the next stage.  An ordinal
    ("第一个阶段", "the first stage") is a position in the roadmap's order (阶段 0 first) unless a stage is named
    by name; "第三阶段" without 个 is the label 阶段 3.  `named=False` leaves out skills recognised only by name
    ("PyTorch"), which already match.  Anything that cannot be understood adds nothing."""

    def __init__(
        self,
        understand: Callable[[str], Understood],
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
        if _RANGE.search(question):
            return None
        stages = {s.number: s.heading for s in roadmap.stages}
        skills = {s.number: s.heading for s in roadmap.skills}
        wanted_stages = referenced_stages(question, refs, roadmap.stages)
        wanted = [stages[n] for n in wanted_stages if n in stages]
        asks_next = "next" in refs.aspects or bool(_AFTER.search(question)) or asks_next_step(question)
        if asks_next and wanted_stages and max(wanted_stages) + 1 in stages:
            wanted.append(stages[max(wanted_stages) + 1])
        for n in refs.skills:
            by_number = bool(_NUMBERED.search(refs.evidence.get(f"skill {n}", "")))
            # a skill's name inside a question about an article is a topic of that article
            if n in skills and (by_number or (self.named and not refers_to_document(question))):
                wanted.append(skills[n])
        headings = list(dict.fromkeys(_STARS.sub("", h).strip() for h in wanted))
        if not headings or len(headings) > self.limit:
            return None  # many references: a question about the whole roadmap, not one section
        return " ".join(headings)
