"""Settings: one pydantic-settings model fed by layered YAML profiles and TUTOR_* variables.

Precedence, lowest first: field defaults < profiles (deep-merged in the order
given, e.g. ``TUTOR_PROFILE=default,gpu-vllm``) < environment variables
(``TUTOR_EMBEDDINGS__MODEL``) < explicit overrides (CLI flags such as
``--data-dir``).  This module and `tutor.profiles` (which finds and merges the YAML
profiles) are the only ones that read environment variables.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tutor.api.settings import ApiSettings, CliSettings
from tutor.errors import ConfigError
from tutor.index.settings import EmbeddingSettings, VectorStoreSettings
from tutor.profiles import DEFAULT_PROFILE, ProfileSource, config_dir, profile_names, requested_profiles
from tutor.resources.settings import ResourceSettings
from tutor.state.settings import StateSettings

__all__ = [
    "ApiSettings",
    "ChainSettings",
    "ChunkingSettings",
    "LLMSettings",
    "ResourceSettings",
    "StateSettings",
    "ServeSettings",
    "UISettings",
    "CorpusSettings",
    "CurriculumSettings",
    "EmbeddingSettings",
    "RetrievalSettings",
    "Settings",
    "VectorStoreSettings",
    "config_dir",
    "load_settings",
]

log = logging.getLogger(__name__)


class CorpusSettings(BaseModel):
    paths: list[Path] = Field(
        default_factory=lambda: [Path("corpus")],
        description="Files or directories `tutor ingest` reads when given no paths.",
    )
    include: list[str] = Field(
        default_factory=lambda: ["*.md", "*.markdown", "*.txt", "*.html", "*.htm", "*.pdf"],
        description="Glob patterns (matched against file names and relative paths) to ingest.",
    )
    exclude: list[str] = Field(
        default_factory=lambda: [".*", "_*", "node_modules/*"],
        description="Glob patterns to skip; checked against every part of the relative path.",
    )
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are refused.")

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1_000_000)


class ChunkingSettings(BaseModel):
    chunk_size: int = Field(
        600, ge=100, description="Target chunk length in characters; small sections stay whole."
    )
    chunk_overlap: int = Field(
        80, ge=0, description="Characters of overlap when a long section is split at sentences."
    )

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, v: int, info: Any) -> int:
        size = info.data.get("chunk_size", 600)
        if v >= size:
            raise ValueError(f"chunk_overlap ({v}) must be smaller than chunk_size ({size})")
        return v


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
    aspect_section_weight: float = Field(1.0, ge=0, description="RRF weight: asked-about roadmap section.")
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
    rescore_depth: int = Field(20, ge=2, le=100, description="Second stage: fused candidates re-scored.")
    prf_source: Literal["fused", "dense"] = Field(
        "fused", description="Feedback read from the fused or dense top."
    )
    prf_terms: int = Field(0, ge=0, le=50, description="Pseudo-relevance feedback: terms added; 0 = off.")
    prf_docs: int = Field(3, ge=1, le=20, description="Pseudo-relevance feedback: top passages read.")
    prf_weight: float = Field(0.5, ge=0, description="RRF weight of the feedback-expanded BM25 ranking.")


class CurriculumSettings(BaseModel):
    roadmap: Path = Field(
        Path("corpus/ai-learning-roadmap.md"), description="The roadmap document the planner reads."
    )
    config: Path | None = Field(
        None, description="Aliases and extra prerequisite edges; default <config dir>/curriculum.yaml."
    )


class LLMSettings(BaseModel):
    kind: Literal["openai", "llamacpp", "none"] = Field(
        "openai",
        description="openai: any OpenAI-compatible server (vLLM); llamacpp: a local GGUF file on CPU; "
        "none: the extractive tutor, no model.  (Formerly `llm.backend`, still accepted.)",
    )
    base_url: str = Field("http://127.0.0.1:8000/v1", description="openai: the server's /v1 URL.")
    model: str = Field(
        "auto", description="openai: the served model name; 'auto' takes the first one the server lists."
    )
    api_key: SecretStr | None = Field(
        None,
        description="openai: the server's API key (TUTOR_LLM__API_KEY); default: the variable named by "
        "api_key_env, then OPENAI_API_KEY.  vLLM accepts any key unless started with one.",
    )
    api_key_env: str = Field(
        "TUTOR_LLM_API_KEY", description="Environment variable holding the API key when api_key is not set."
    )
    timeout_s: float = Field(60.0, gt=0, description="Per-request timeout (the connection gets 3 s).")
    max_retries: int = Field(2, ge=0, description="Retries with exponential backoff on 429/5xx/timeouts.")
    max_tokens: int = Field(768, ge=16, description="Longest answer, in tokens.")
    temperature: float = Field(0.2, ge=0, le=2)
    context_window: int = Field(
        8192, ge=512, description="The model's context length; prompts are trimmed to fit it."
    )
    tokenizer: str | None = Field(
        None,
        description="HF tokenizer (local dir or hub id) to count prompt tokens; default: the server's own "
        "tokenize endpoint (vLLM /tokenize, llama.cpp /extras/tokenize/count), else the embedder's "
        "multilingual tokenizer plus a 15% margin.",
    )
    health_ttl_s: float = Field(
        30.0, ge=0, description="How long a health check of the server is trusted before asking again."
    )
    gguf_path: Path | None = Field(None, description="llamacpp: the GGUF model file.")
    n_ctx: int = Field(4096, ge=512, description="llamacpp: context length.")
    n_threads: int | None = Field(None, description="llamacpp: CPU threads (default: all cores).")

    @model_validator(mode="before")
    @classmethod
    def _renamed_backend(cls, data: Any) -> Any:
        """`llm.backend` was renamed `llm.kind` (like embeddings.kind); the old key keeps working.

        Shipped profiles use `kind`, so a `backend` key comes from the user (a YAML profile,
        TUTOR_LLM__BACKEND, an override) and wins over the `kind` it was merged with.
        """
        if isinstance(data, dict) and "backend" in data:
            data = dict(data)
            data["kind"] = data.pop("backend")
            log.warning("llm.backend is deprecated; call it llm.kind (TUTOR_LLM__KIND), like embeddings.kind")
        return data

    @model_validator(mode="after")
    def _key_from_environment(self) -> LLMSettings:
        if self.api_key is None:
            value = os.environ.get(self.api_key_env) or os.environ.get("OPENAI_API_KEY")
            self.api_key = SecretStr(value) if value else None
        return self


class ServeSettings(BaseModel):
    """`tutor serve-llm`: how vLLM is started (see docs/gpu-deployment.md)."""

    model: str = Field("Qwen/Qwen2.5-7B-Instruct", description="Hub id or local path vLLM serves.")
    served_model_name: str | None = Field(None, description="Name clients use; default: the model id.")
    host: str = Field("127.0.0.1", description="Bind address; 0.0.0.0 only behind a firewall/proxy.")
    port: int = Field(8000)
    gpu_memory_utilization: float = Field(0.90, gt=0, le=1)
    max_model_len: int = Field(8192, ge=512)
    tensor_parallel_size: int = Field(1, ge=1, description="GPUs one model is split across.")
    enable_prefix_caching: bool = Field(
        True, description="Every request repeats the same system prompt; caching its KV saves prefill."
    )
    dtype: str = Field("auto")
    extra_args: list[str] = Field(default_factory=list, description="Passed to `vllm serve` verbatim.")
    startup_timeout_s: float = Field(900.0, gt=0, description="How long to wait for /health.")


class ChainSettings(BaseModel):
    history_turns: int = Field(6, ge=0, description="Past messages kept for condensing follow-ups.")
    refusal_threshold: dict[str, float] = Field(
        default_factory=lambda: {"zh": 0.876, "en": 0.77},
        description="Per question language: below this best dense similarity the tutor says the material "
        "does not cover the question. Calibrated for multilingual-e5-small with `tutor eval refusal` "
        "(eval/out_of_scope.jsonl vs eval/retrieval.jsonl; see eval/README.md); recalibrate for another embedder.",
    )
    weak_threshold: dict[str, float] = Field(
        default_factory=lambda: {"zh": 0.88, "en": 0.78},
        description="Per language: below this the answer carries a 'weakly relevant sources' warning.",
    )
    citation_min_similarity: float = Field(
        0.90,
        ge=0,
        le=1,
        description="A cited sentence this similar (embeddings) to its passage is supported outright...",
    )
    citation_floor: float = Field(
        0.80,
        ge=0,
        le=1,
        description="...above this it is supported when its passage is (nearly) the closest one; below, never.",
    )
    citation_min_overlap: float = Field(
        0.30, ge=0, le=1, description="...or share this fraction of its characters/words with it."
    )
    extractive_sentences: int = Field(4, ge=1, le=12, description="Sentences the extractive answer quotes.")
    followups: int = Field(3, ge=0, le=5, description="Suggested follow-up questions per answer.")
    answer_reserve_tokens: int = Field(
        768, ge=64, description="Tokens kept free for the answer when trimming the context."
    )


class UISettings(BaseModel):
    host: str = Field("127.0.0.1", description="Bind address; 0.0.0.0 exposes the UI to the network.")
    port: int = Field(7860, ge=0, le=65535, description="0 picks a free port.")
    auth: list[str] = Field(
        default_factory=list,
        description="'user:password' pairs for a shared deployment; each user then sees only their own "
        "history and progress. Empty: no login (single-user, local).",
    )
    concurrency_limit: int = Field(
        4, ge=1, description="Chat answers computed at once; the rest wait in the queue."
    )
    max_queue: int = Field(
        256,
        ge=1,
        description="Requests waiting beyond this are turned away with a message (64 refused 27 of "
        "100 simultaneous learners; bench/README.md).",
    )
    default_learner: str = Field(
        "me", description="The learner a first visit starts as (single-user setups)."
    )


class Settings(BaseSettings):
    """Everything the tutor can be told; see `tutor config show` for the effective values."""

    model_config = SettingsConfigDict(
        env_prefix="TUTOR_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    profiles: list[str] = Field(
        default_factory=lambda: [DEFAULT_PROFILE], description="Profiles that were merged, in order."
    )
    data_dir: Path = Field(
        Path("data"), description="Every file the tutor writes lives under this directory."
    )
    models_dir: Path | None = Field(
        None, description="Where converted models are cached; default <data_dir>/models."
    )
    log_level: str = Field("WARNING", description="Python logging level for the library.")
    corpus: CorpusSettings = Field(default_factory=CorpusSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    vector_store: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    curriculum: CurriculumSettings = Field(default_factory=CurriculumSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)
    chain: ChainSettings = Field(default_factory=ChainSettings)
    ui: UISettings = Field(default_factory=UISettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    cli: CliSettings = Field(default_factory=CliSettings)
    resources: ResourceSettings = Field(default_factory=ResourceSettings)
    state: StateSettings = Field(default_factory=StateSettings)

    @property
    def model_cache_dir(self) -> Path:
        return self.models_dir or self.data_dir / "models"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, ProfileSource(settings_cls))


def load_settings(profile: str | list[str] | None = None, **overrides: Any) -> Settings:
    """Build the effective settings; `profile` replaces TUTOR_PROFILE when given."""
    names = profile_names(profile)
    token = requested_profiles.set(names)
    try:
        clean = {k: v for k, v in overrides.items() if v is not None}
        return Settings(**clean)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"Invalid settings (profiles {names}): {problems}") from exc
    finally:
        requested_profiles.reset(token)
