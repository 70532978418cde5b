"""`api.*` settings: where `tutor serve` listens and how the HTTP API protects itself."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["ApiSettings"]


class ApiSettings(BaseModel):
    host: str = Field(
        "127.0.0.1", description="`tutor serve` bind address; 0.0.0.0 inside a container or behind a proxy."
    )
    port: int = Field(7860, ge=0, le=65535, description="`tutor serve` port; 0 picks a free port.")
    model_name: str = Field("tutor", description="The model id /v1/models lists and responses carry.")
    require_keys: bool = Field(
        True,
        description="Every /v1 and /api request needs `Authorization: Bearer <key>` (`tutor keys create`). "
        "Off only for a single-user machine: requests then act as an unrestricted local client.",
    )
    max_body_bytes: int = Field(
        64_000, ge=1_024, description="Larger request bodies are refused with 413 before they are read."
    )
    rate_limit: str = Field(
        "120/minute",
        description="Per API key, in the `limits` library's notation ('60/minute', '10/second;500/hour').",
    )
    rate_limit_storage: str = Field(
        "memory://",
        description="Where rate-limit counters live (a `limits` storage URI): memory:// counts per "
        "process; redis://host:6379 shares them between replicas.",
    )
    concurrency_limit: int = Field(
        4,
        ge=1,
        description="Answers computed at once per process; more requests wait their turn (the CPU-bound "
        "chain slows everyone down when too many run at once, as ui.concurrency_limit does for the UI).",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed to call the API (CORS); empty = CORS off (no headers sent).",
    )
    history_turns_stored: bool = Field(
        True,
        description="Store each chat exchange of a learner (as the UI does), so no conversation is lost.",
    )
