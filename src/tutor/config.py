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
from tutor.index.settings import EmbeddingSettings, RetrievalSettings, VectorStoreSettings
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
    learned_reading: bool = Field(
        False,
        description="Let the learned reading (tutor.chain.reading_model) fill the aspect the rules left open "
        "or clear one they read where nothing is named, above the gates below (tutor.chain.reading_gate). "
        "Off: at the gates chosen by leave-one-writer-out it changed no answer of own, dev or spent "
        "(eval/README.md, round 20).",
    )
    learned_reading_file: str | None = Field(
        None, description="learned_reading: a model file; null = the one shipped with the package."
    )
    learned_reading_gates: tuple[float, float] = Field(
        (0.7, 0.9),
        description="learned_reading: the probability above which the model fills an aspect (a stage or "
        "skill named, none said), and above which its 'no aspect' clears the rules' (nothing named).",
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
