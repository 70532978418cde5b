"""The composition root: `build(settings) -> App` builds each backend once and wires the parts.

It only wires.  Every component below receives exactly the collaborators it needs in its
constructor (`LiveIndex`, `Learners`, retrievers from `(index, embedder, cfg, reranker, levers)`,
`run_ingest(index, embedder, ...)`, `TutorChain(retrieve, llm, embedder, learners, cfg)`),
so nothing below imports this module.  Only the entry points (the CLI and the UI) do.

Heavy backends (torch, Chroma, the LLM client) are built on first use, so commands that
need none of them stay fast: a no-op ingest or a what-next answer loads no model.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from tutor.chain.answer import Answer, AnswerEvent
from tutor.chain.condense import Turn
from tutor.chain.glossary import english_terms
from tutor.chain.router import Router, load_router_examples
from tutor.chain.tutor import TutorChain
from tutor.chain.understanding import Understanding, understand
from tutor.chain.warm import warm_answer_vectors
from tutor.config import Settings, config_dir
from tutor.curriculum.graph import core_path_skills
from tutor.curriculum.learners import Learners, Roadmap
from tutor.curriculum.matching import SkillMentions
from tutor.curriculum.planner import NextSteps
from tutor.curriculum.progress import ProgressStore
from tutor.errors import InputError, TutorError
from tutor.evaluation.naive import NaiveBaseline
from tutor.history import HistoryStore
from tutor.index.embeddings import TutorEmbeddings, build_embeddings
from tutor.index.levers import QueryLevers, ReferenceSections
from tutor.index.live import LiveIndex
from tutor.index.query import LearnerTerms
from tutor.index.retriever import Reranker, TutorRetriever, build_retriever
from tutor.index.roadmap_sections import RoadmapSections
from tutor.index.store import StoredChunk
from tutor.index.threads import apply_thread_policy, limit_torch_threads
from tutor.index.vector_cache import CachedEmbeddings, store_for
from tutor.ingest.pipeline import IngestReport, run_ingest
from tutor.llm.backends import LLMBackend, build_llm_backend
from tutor.resources.store import CatalogStore
from tutor.resources.sync import allowed_links, material_links, refresh_catalog
from tutor.state.open import open_database

__all__ = ["App", "RetrievedPassage", "build"]

log = logging.getLogger(__name__)


@dataclass
class RetrievedPassage:
    """The stable JSON contract of `tutor retrieve --json`."""

    id: str
    score: float
    doc: str
    title: str
    headings: list[str]
    lines: list[int]
    text: str
    links: list[dict[str, str]]

    @classmethod
    def from_chunk(cls, chunk: StoredChunk) -> RetrievedPassage:
        return cls(
            id=chunk.id,
            score=round(float(chunk.score), 4),
            doc=chunk.doc,
            title=chunk.title,
            headings=chunk.headings,
            lines=chunk.lines,
            text=chunk.text,
            links=chunk.links,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class App:
    """Everything one `Settings` needs, each built once and on first use."""

    def __init__(self, settings: Settings, embedder: TutorEmbeddings | None = None) -> None:
        self.settings = settings
        self._embedder = embedder  # share one loaded model (tests, long-lived servers)
        self._embedder_lock = threading.RLock()  # a server's warm-up and first request load it once

    # --- backends --------------------------------------------------------------
    def load_embedder(self) -> TutorEmbeddings:
        """The embedding model, loaded on the first call; handed down as this callable, so
        components that might not need it (what-next answers, a no-op ingest) load nothing."""
        if isinstance(self._embedder, CachedEmbeddings):  # loaded: no lock on the hot path
            return self._embedder
        with self._embedder_lock:
            return self._load_embedder()

    def _load_embedder(self) -> TutorEmbeddings:
        if not isinstance(self._embedder, CachedEmbeddings):
            cfg = self.settings.embeddings
            model = self._embedder
            if model is None:
                apply_thread_policy(cfg)  # before torch loads, or it has no effect
                model = build_embeddings(cfg, self.settings.model_cache_dir)
                limit_torch_threads(cfg)
            # shared by every data dir (embeddings.vector_cache_dir)
            store = store_for(model, cfg.vector_cache_dir) if cfg.cache_vectors else None
            self._embedder = CachedEmbeddings(model, store)  # counts calls, embeds the question once
        return self._embedder

    @property
    def embedder(self) -> TutorEmbeddings:
        return self.load_embedder()

    @cached_property
    def index(self) -> LiveIndex:
        index = LiveIndex(self.settings)
        index.lever_writer = lambda: self.levers  # an ingest stores the levers' data with the index
        return index

    @cached_property
    def levers(self) -> QueryLevers:
        """Query rewrites and document routing, shared by every retriever (built once per index),
        with the query understanding's stage/skill references as a hook (retrieval.reference_sections)."""
        mode = self.settings.retrieval.reference_sections
        hooks = []
        if mode != "off":
            hooks.append(
                ReferenceSections(self._understand, lambda: self.roadmap.curriculum, named=mode == "named")
            )
        roadmap = RoadmapSections(
            self._understand,
            lambda: self.roadmap.curriculum,
            stages=self.settings.retrieval.aspect_section_stages,
            core_path=lambda: core_path_skills(self.roadmap.curriculum, self.roadmap.config),
        )
        learner = self.settings.retrieval.learner_terms
        keyword = [LearnerTerms(english_terms, essays_only=learner == "essay")] if learner != "off" else []
        return QueryLevers(self.index, self.load_embedder, self.settings.retrieval, hooks, roadmap, keyword)

    @cached_property
    def reranker(self) -> Reranker | None:
        name = self.settings.retrieval.reranker
        if not name:
            return None
        from tutor.index.rerank import CrossEncoderReranker

        return CrossEncoderReranker(name, device=self.settings.embeddings.device)

    @cached_property
    def llm(self) -> LLMBackend:
        return build_llm_backend(self.settings.llm)

    # --- curriculum, learners, catalog --------------------------------------------
    @cached_property
    def roadmap(self) -> Roadmap:
        cfg = self.settings.curriculum
        return Roadmap(
            cfg.roadmap, cfg.config or config_dir() / "curriculum.yaml", self.settings.corpus.max_bytes
        )

    @cached_property
    def learners(self) -> Learners:
        db = open_database(self.settings.state, self.settings.data_dir, "learners")
        progress = ProgressStore(db)
        return Learners(progress, HistoryStore(progress), self.roadmap)

    @cached_property
    def catalog(self) -> CatalogStore:
        return CatalogStore(open_database(self.settings.state, self.settings.data_dir, "catalog"))

    # --- retrieval, ingest, answers -------------------------------------------------
    def retriever(
        self, k: int | None = None, where: dict[str, Any] | None = None, mode: str | None = None
    ) -> TutorRetriever:
        """A LangChain retriever for `mode` (default: retrieval.mode)."""
        return build_retriever(
            mode or self.settings.retrieval.mode,
            self.index,
            self.load_embedder,
            self.settings.retrieval,
            self.reranker,
            k,
            where,
            levers=self.levers,
        )

    def search_for(self, mode: str, k: int) -> Callable[[str], list[StoredChunk]]:
        """The search function of one retrieval mode (the eval harness compares several)."""
        return self.retriever(k=k, mode=mode).search

    def naive_baseline(self) -> NaiveBaseline:
        return NaiveBaseline(self.index, self.load_embedder, self.settings.corpus.max_bytes)

    def retrieve(
        self,
        question: str,
        k: int | None = None,
        where: dict[str, Any] | None = None,
        mode: str | None = None,
    ) -> list[RetrievedPassage]:
        if not question.strip():
            raise InputError("question", "empty question; ask something about the material")
        return [
            RetrievedPassage.from_chunk(c)
            for c in self.retriever(k=k, where=where, mode=mode).search(question)
        ]

    def ingest(
        self,
        paths: Sequence[Path] | None = None,
        rebuild: bool = False,
        show_progress: bool = False,
        prune: bool = False,
        remove: Sequence[Path] = (),
        wait: bool = True,
    ) -> IngestReport:
        """Add or update `paths` (default: every registered source); `remove`/`prune` drop sources
        explicitly; `wait=False` fails fast when another writer holds the data directory."""

        def sync_catalog(files: Sequence[Path], removed: Sequence[str]) -> int:  # links -> catalog -> cards
            return refresh_catalog(
                self.catalog, self.roadmap, self.settings, files, removed, prune_unseen=rebuild
            )

        return run_ingest(
            self.index,
            self.load_embedder,
            self.settings,
            paths,
            rebuild=rebuild,
            show_progress=show_progress,
            on_files=sync_catalog,
            prune=prune,
            remove=remove,
            wait=wait,
        )

    @cached_property
    def tutor(self) -> TutorChain:
        """The answering chain (condense, route, retrieve/plan, generate, check citations)."""
        examples = load_router_examples(config_dir() / "router.yaml")
        return TutorChain(
            lambda q: self.retriever().search(q),
            self.llm,
            self.load_embedder,
            self.learners,
            self.settings.chain,
            Router(self.load_embedder, examples, understand=self._understand),
            lambda q, doc: self.retriever(k=8, where={"doc": doc}).search(q),
            allowed_links=self._allowed_links,
            corpus=self._live_chunks,
            describe=lambda q, doc: self.levers.concepts().described(q, doc, answer=True),
        )

    def _allowed_links(self) -> set[str]:
        """The catalog's links and the links of the material's own unflagged documents.

        Every answer asks (the output guard); reading and normalising the whole catalog each time was
        half of a warm extractive answer's CPU, so the set is rebuilt only when the index state, the
        roadmap or the catalog's version changed.  The same set object is returned until then."""
        try:
            chunks = self._live_chunks()
        except TutorError:  # no index yet: the catalog and the roadmap's resources
            chunks = []
        try:
            curriculum: object = self.roadmap.curriculum
        except TutorError:  # no roadmap: allowed_links uses the catalog alone
            curriculum = None
        version = self.catalog.version()
        cached = getattr(self, "_links_cache", None)
        if cached is None or cached[0] is not chunks or cached[1] is not curriculum or cached[2] != version:
            links = allowed_links(self.catalog, self.roadmap) | material_links(chunks)
            self._links_cache = (chunks, curriculum, version, links)
            return links
        links_now: set[str] = cached[3]
        return links_now

    def _live_chunks(self) -> list[StoredChunk]:
        """Every live chunk (the documents' structure for extractive answers), read once per manifest."""
        manifest = self.index.require()
        if getattr(self, "_chunks_of", None) is not manifest:
            self._chunks, self._chunks_of = self.index.live_chunks(), manifest
        return self._chunks

    def warm_answer_vectors(self) -> int:
        """Embed every live passage's answer texts once (kept on disk), so an answer embeds only its
        question; returns how many texts (0 with embeddings.cache_vectors off).  The section view's block
        vectors (retrieval.section_view_weight) are built here too, so no question waits for them; so are
        the FAQ entries', the sequence passages' and the concept glossary's (faq_weight, next_step_weight,
        concept_terms)."""
        cfg = self.settings.retrieval
        if cfg.section_view_weight > 0 or cfg.faq_weight > 0:
            self.levers.sections()
        if cfg.faq_weight > 0:
            self.levers.faq()
        if cfg.next_step_weight > 0:
            self.levers.sequences()
        if cfg.concept_terms > 0:
            self.levers.concepts()
        if not self.settings.embeddings.cache_vectors:
            return 0
        return warm_answer_vectors(self.index.live_chunks(), self.load_embedder())

    def _understand(self, text: str) -> Understanding:
        """Query understanding for the router: which of the roadmap's stages, skills, milestones it names."""
        return understand(text, self.roadmap.curriculum, self.roadmap.config)

    def plan_next(
        self,
        learner: str | None = None,
        known: Sequence[str] = (),
        text: str | None = None,
        hours: float | None = None,
        language: str | None = None,
    ) -> tuple[NextSteps, SkillMentions | None]:
        """What to learn next for a stored learner (their quizzes count, as in the UI) or ad-hoc facts,
        and what a free-text `text` was understood as (None without one)."""
        passed = self.learners.quizzes.suggested_done(learner) if learner else None
        profile = self.learners.profile_for(learner, list(known), text, hours, language)
        plan = self.roadmap.next_steps(profile, passed=passed)
        return plan, self.roadmap.match_skills(text) if text else None

    def ask(self, question: str, history: Sequence[Turn] = (), learner: str | None = None) -> Answer:
        """Next-step and small-talk answers need no index; questions about the material do (and say so)."""
        return self.tutor.ask(question, history, learner)

    def ask_stream(
        self, question: str, history: Sequence[Turn] = (), learner: str | None = None
    ) -> Iterator[AnswerEvent]:
        return self.tutor.stream(question, history, learner)


def build(settings: Settings, embedder: TutorEmbeddings | None = None) -> App:
    """The application for `settings`; pass `embedder` to share one loaded model between apps."""
    return App(settings, embedder=embedder)
