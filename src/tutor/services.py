"""The service layer: the one place where configured backends are built and wired.

The CLI (and later the UI) only call methods here.  Heavy backends (torch,
Chroma) are created on first use, so commands that need none stay fast.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from tutor.config import Settings
from tutor.errors import ConfigError, IndexStoreError, InputError
from tutor.index.embeddings import TutorEmbeddings, build_embeddings, embedder_model_id
from tutor.index.manifest import Manifest, index_dir
from tutor.index.store import ChromaStore, StoredChunk, open_store

__all__ = ["Services", "build_services", "RetrievedPassage"]

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
        return dict(self.__dict__)


class Services:
    """Lazily built backends for one Settings."""

    def __init__(self, settings: Settings, embedder: TutorEmbeddings | None = None) -> None:
        self.settings = settings
        self._manifest: Manifest | None = None
        self._manifest_stamp = 0
        #: query-understanding hooks (question -> text to append to the query, or None), e.g. stage/skill references
        self.query_hooks: list[Any] = []
        if embedder is not None:  # share one loaded model (tests, long-lived servers)
            self.__dict__["embedder"] = embedder

    # --- backends -------------------------------------------------------
    @cached_property
    def embedder(self) -> TutorEmbeddings:
        return build_embeddings(self.settings.embeddings, self.settings.model_cache_dir)

    @cached_property
    def store(self) -> ChromaStore:
        return open_store(self.settings)

    @cached_property
    def reranker(self) -> Any:
        name = self.settings.retrieval.reranker
        if not name:
            return None
        from tutor.index.rerank import CrossEncoderReranker

        return CrossEncoderReranker(name, device=self.settings.embeddings.device)

    @cached_property
    def llm(self) -> Any:
        from tutor.llm.backends import build_llm_backend

        return build_llm_backend(self.settings.llm)

    @cached_property
    def tutor(self) -> Any:
        """The answering chain (condense, route, retrieve/plan, generate, check citations)."""
        from tutor.chain.router import Router, load_router_examples
        from tutor.chain.tutor import TutorChain
        from tutor.config import config_dir

        examples = load_router_examples(config_dir() / "router.yaml")
        return TutorChain(self, Router(lambda: self.embedder, examples))

    def ask(self, question: str, history: list[tuple[str, str]] | None = None, learner: str | None = None) -> Any:
        """Next-step and small-talk answers need no index; questions about the material do (and say so)."""
        return self.tutor.ask(question, history or [], learner)

    def ask_stream(self, question: str, history: list[tuple[str, str]] | None = None,
                   learner: str | None = None) -> Any:
        return self.tutor.stream(question, history or [], learner)

    def bm25_index(self) -> Any:
        """The keyword index for the live chunks; rebuilt when it does not match the manifest."""
        from tutor.index.bm25 import BM25Index, fingerprint

        manifest = self.require_index()
        cached = self.__dict__.get("_bm25")
        if cached is not None and self.__dict__.get("_bm25_manifest") is manifest:
            return cached  # per question: no re-hashing while the manifest is unchanged
        want = fingerprint((cid for d in manifest.docs.values() for cid in d.chunk_ids),
                           self.settings.retrieval.bm25_heading_boost)
        if cached is not None and cached.fingerprint == want:
            self.__dict__["_bm25_manifest"] = manifest
            return cached
        directory = index_dir(self.settings, self.model_id) / "bm25"
        self._configure_tokenizer()
        index = BM25Index.load(directory)
        if index is None or index.fingerprint != want:
            if index is not None:
                log.warning("BM25 index does not match the live chunks; rebuilding it")
            index = self.rebuild_bm25()
        self.__dict__["_bm25"] = index
        self.__dict__["_bm25_manifest"] = manifest
        return index

    def query_plan(self, question: str) -> Any:
        """What the dense and keyword retrievers see for `question` (retrieval.* query levers)."""
        return self.query_rewriter().plan(question)

    def query_rewriter(self) -> Any:
        """Built per live index: the bilingual glossary is read from the indexed chunks.

        `self.query_hooks` (callables question -> text to append, or None) is the place for the
        curriculum's query understanding (stage/skill references) to join in.
        """
        from tutor.index.query import Glossary, QueryRewriter, build_glossary

        cfg = self.settings.retrieval
        key = (cfg.time_expressions, cfg.bilingual_glossary, tuple(self.query_hooks))
        cached = self.__dict__.get("_rewriter")
        if not (cfg.time_expressions or cfg.bilingual_glossary or self.query_hooks):
            return QueryRewriter()
        index = self.bm25_index() if cfg.bilingual_glossary else None
        if cached is not None and cached[0] == key and cached[1] is index:
            return cached[2]
        glossary = Glossary()
        if index is not None:
            import json as _json

            headings = sorted({h for m in index.metadata for h in _json.loads(m.get("headings", "[]"))})
            glossary = build_glossary(index.texts, headings)
            log.info("bilingual glossary: %d English terms from the material", len(glossary))
        rewriter = QueryRewriter(time_expressions=cfg.time_expressions, bilingual=cfg.bilingual_glossary,
                                 glossary=glossary, extra=self.query_hooks)
        self.__dict__["_rewriter"] = (key, index, rewriter)
        return rewriter

    def doc_router(self) -> Any:
        """One card per live document (title + summary), embedded once per index."""
        from tutor.index.routing import DocRouter, cards_from_chunks

        index = self.bm25_index()
        cached = self.__dict__.get("_doc_router")
        if cached is not None and cached[0] is index:
            return cached[1]
        router = DocRouter(cards_from_chunks(index.texts, index.metadata), self.embedder.embed_documents)
        self.__dict__["_doc_router"] = (index, router)
        return router

    def bm25_is_current(self) -> bool:
        """Cheap check (no model, no jieba): does the stored BM25 cover exactly the live chunks?"""
        import json

        from tutor.index.bm25 import fingerprint

        manifest = self.manifest()
        path = index_dir(self.settings, self.model_id) / "bm25" / "chunks.json"
        try:
            stored = json.loads(path.read_text(encoding="utf-8")).get("fingerprint")
        except (OSError, ValueError):
            return False
        return stored == fingerprint((cid for d in manifest.docs.values() for cid in d.chunk_ids),
                                     self.settings.retrieval.bm25_heading_boost)

    def rebuild_bm25(self) -> Any:
        from tutor.index.bm25 import BM25Index

        manifest = self.manifest()
        self._configure_tokenizer()
        chunks = self.store.get_live(manifest.collection, manifest.live_revs) if manifest.collection else []
        index = BM25Index.build(chunks, self.settings.retrieval.bm25_heading_boost)
        index.save(index_dir(self.settings, self.model_id) / "bm25")
        self.__dict__["_bm25"] = index
        return index

    def _configure_tokenizer(self) -> None:
        from tutor.index.tokenize import configure_cache_dir

        configure_cache_dir(self.settings.data_dir / "cache" / "jieba")

    @property
    def model_id(self) -> str:
        return embedder_model_id(self.settings.embeddings)

    def _manifest_path(self) -> Path:
        return index_dir(self.settings, self.model_id) / "manifest.json"

    def manifest(self) -> Manifest:
        self.refresh_if_changed()
        if self._manifest is None:
            self._manifest = Manifest.load(index_dir(self.settings, self.model_id), self.model_id)
        return self._manifest

    def invalidate_index(self) -> None:
        """After this process's own ingest: re-read the manifest; the store view is current."""
        self._manifest = None
        self._manifest_stamp = _stamp(self._manifest_path())

    def refresh_if_changed(self) -> None:
        """Pick up an ingest made by another process (e.g. the CLI while the UI runs).

        Embedded Chroma caches its segments per process, so after another process
        wrote to the same directory the client must be reopened, not just re-read.
        """
        current = _stamp(self._manifest_path())
        if current == self._manifest_stamp:
            return
        self._manifest_stamp = current
        self._manifest = None
        self.__dict__.pop("_bm25", None)
        if "store" in self.__dict__:
            log.info("Index changed on disk; reopening the store")
            self.__dict__.pop("store").close()

    def require_index(self) -> Manifest:
        manifest = self.manifest()
        if not manifest.collection or not manifest.docs:
            raise IndexStoreError(
                f"No index for embedder '{self.model_id}' under {self.settings.data_dir}; "
                "run `tutor ingest` first."
            )
        return manifest

    # --- curriculum and learners -----------------------------------------
    @cached_property
    def curriculum(self) -> Any:
        from tutor.curriculum.parser import load_curriculum

        path = self.settings.curriculum.roadmap
        if not path.is_file():
            raise ConfigError(f"Roadmap {path} not found; set curriculum.roadmap (TUTOR_CURRICULUM__ROADMAP)")
        return load_curriculum(path, int(self.settings.corpus.max_file_mb * 1_000_000))

    @cached_property
    def curriculum_config(self) -> Any:
        from tutor.config import config_dir
        from tutor.curriculum.graph import load_curriculum_config

        return load_curriculum_config(self.settings.curriculum.config or config_dir() / "curriculum.yaml")

    @cached_property
    def prerequisites(self) -> Any:
        from tutor.curriculum.graph import Prerequisites

        return Prerequisites(self.curriculum, self.curriculum_config)

    @cached_property
    def progress(self) -> Any:
        from tutor.curriculum.progress import ProgressStore

        return ProgressStore(self.settings.data_dir / "learners.sqlite")

    @cached_property
    def catalog(self) -> Any:
        from tutor.resources.store import CatalogStore

        return CatalogStore(self.settings.data_dir / "catalog.sqlite")

    @cached_property
    def history(self) -> Any:
        from tutor.history import HistoryStore

        return HistoryStore(self.progress)

    def ensure_learner(self, learner_id: str, name: str | None = None) -> Any:
        """The learner's profile, created on first use (UI first visits, logged-in users)."""
        learner_id = learner_id.strip()
        if not self.progress.exists(learner_id):
            return self.progress.upsert(learner_id, name=name or learner_id)
        return self.progress.get(learner_id)

    def set_finished(self, learner_id: str, finished: list[int]) -> Any:
        """Make exactly `finished` the learner's done skills (a checklist's state)."""
        profile = self.ensure_learner(learner_id)
        removed = [n for n in profile.finished if n not in finished]
        added = [n for n in finished if n not in profile.finished]
        if removed:
            self.progress.unmark(learner_id, removed)
        if added:
            self.progress.mark(learner_id, added, "done")
        return self.progress.get(learner_id)

    def status(self) -> dict[str, Any]:
        """What the UI's header shows: LLM backend and reachability, index size, embedder."""
        health = self.llm.health()
        manifest = self.manifest()
        return {
            "llm": self.llm.label, "llm_ok": health.ok, "llm_detail": health.detail,
            "documents": len(manifest.docs), "chunks": sum(len(d.chunk_ids) for d in manifest.docs.values()),
            "embedder": self.model_id,
        }

    def resource_rows(self, query: str = "", stage: int | None = None, kind: str | None = None,
                      language: str | None = None) -> list[dict[str, Any]]:
        """Every catalog resource (the UI's resources tab), filtered, with its last fetch/check status."""
        q = query.strip().lower()
        skill_names = {s.number: s.name for s in self.curriculum.skills}
        rows = []
        for r in self.catalog.resources(stage=stage, kind=kind, lang=language):
            skills = sorted({c["skill"] for c in r["contexts"] if c["skill"] is not None})
            stages = sorted({c["stage"] for c in r["contexts"] if c["stage"] is not None})
            row = {"stage": stages[0] if stages else None,
                   "skill": "、".join(f"{n}. {skill_names.get(n, '')}" for n in skills),
                   "name": r["name"], "type": r["type"] or "", "language": r["lang"] or "", "stars": r["stars"] or 0,
                   "link": r["url"], "status": _status_label(r)}
            if q and not any(q in str(v).lower() for v in row.values()):
                continue
            rows.append(row)
        return rows

    def match_skills(self, text: str) -> Any:
        from tutor.curriculum.matching import match_skills

        return match_skills(text, self.curriculum, self.curriculum_config)

    def next_steps(self, profile: Any, limit: int = 3) -> Any:
        from tutor.curriculum.planner import plan_next

        return plan_next(self.curriculum, self.prerequisites, profile, limit=limit)

    def describe_learner(self, learner_id: str, text: str) -> Any:
        """Apply a free-text self-description: recognised skills done, partial ones in progress."""
        mentions = self.match_skills(text)
        if mentions.known:
            self.progress.mark(learner_id, mentions.known, "done")
        if mentions.partial:
            self.progress.mark(learner_id, mentions.partial, "in_progress")
        return mentions

    def profile_for(self, learner: str | None = None, known: list[str] | None = None, text: str | None = None,
                    hours: float | None = None, language: str | None = None) -> Any:
        """A profile from a stored learner or ad-hoc facts (nothing is written)."""
        from tutor.curriculum.progress import LearnerProfile

        if learner:
            profile = self.progress.get(learner)
        else:
            profile = LearnerProfile(id="adhoc", name="adhoc", finished=self.resolve_skills(known or []))
        if text:
            mentions = self.match_skills(text)
            profile.finished = sorted(set(profile.finished) | set(mentions.known))
            profile.in_progress = sorted(set(profile.in_progress) | set(mentions.partial) - set(profile.finished))
        if hours is not None:
            profile.hours_per_day = hours
        if language:
            profile.language = language
        return profile

    def resolve_skills(self, keys: list[str]) -> list[int]:
        """Skill numbers from numbers, '技能点 N' or exact headings; unknown keys are an error."""
        from tutor.curriculum.graph import find_skill

        out = []
        for key in keys:
            skill = find_skill(self.curriculum, key)
            if skill is None:
                raise InputError(key, "no such skill in the roadmap; use a number 1-"
                                 f"{max(s.number for s in self.curriculum.skills)} or an exact heading")
            out.append(skill.number)
        return out

    # --- operations -----------------------------------------------------
    def ingest(self, paths: list[Path] | None = None, rebuild: bool = False, show_progress: bool = False) -> Any:
        from tutor.ingest.pipeline import run_ingest

        return run_ingest(self, paths, rebuild=rebuild, show_progress=show_progress)

    def retriever(
        self, k: int | None = None, where: dict[str, Any] | None = None, mode: str | None = None
    ) -> Any:
        """A LangChain retriever for `mode` (default: retrieval.mode)."""
        from tutor.index.retriever import RETRIEVER_MODES

        mode = mode or self.settings.retrieval.mode
        if mode not in RETRIEVER_MODES:
            raise ConfigError(f"Unknown retrieval mode '{mode}'; choose one of {sorted(RETRIEVER_MODES)}")
        return RETRIEVER_MODES[mode](services=self, k=k or self.settings.retrieval.k, where=where)

    def retrieve(
        self, question: str, k: int | None = None, where: dict[str, Any] | None = None, mode: str | None = None
    ) -> list[RetrievedPassage]:
        from tutor.index.retriever import from_lc_document

        if not question.strip():
            raise InputError("question", "empty question; ask something about the material")
        docs = self.retriever(k=k, where=where, mode=mode).invoke(question)
        return [RetrievedPassage.from_chunk(from_lc_document(d)) for d in docs]


def _status_label(r: dict[str, Any]) -> str:
    status = r.get("status")
    if not status:
        return "未抓取 not fetched"
    when = (r.get("last_checked") or r.get("last_fetched") or "")[:10]
    detail = f" ({r['detail']})" if r.get("detail") else ""
    return f"{status}{detail} {when}".strip()


def _stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def build_services(settings: Settings, embedder: TutorEmbeddings | None = None) -> Services:
    return Services(settings, embedder=embedder)
