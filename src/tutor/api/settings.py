"""`api.*` settings: where `tutor serve` listens and how the HTTP API protects itself."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator

__all__ = ["ApiSettings", "CliSettings"]


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


class CliSettings(BaseModel):
    """How `tutor ask` / `tutor retrieve` reach a resident `tutor serve` (`cli.*`, e.g. TUTOR_CLI__SERVER)."""

    server: str = Field(
        "auto",
        description="auto: use the `tutor serve` announced in the data dir (serve.json) when it answers, "
        "else answer in-process; never: always in-process; or a URL (http://host:port) of a server to use.",
    )
    api_key: SecretStr | None = Field(
        None,
        description="Key (`tutor keys create`) for an explicit `cli.server` URL; a server announced in the "
        "data dir is reached with the local token it wrote there instead.",
    )
    discovery_timeout_s: float = Field(
        10.0,
        gt=0,
        le=60,
        description="How long an announced server that accepts the connection has to answer /healthz. A "
        "dead one is known at once (its pid is gone, or the connection is refused); a live one on a loaded "
        "machine took over 2 s, and answering in-process instead costs far more.",
    )
    request_timeout_s: float = Field(
        300.0, gt=0, description="How long one request to the server may take before answering in-process."
    )

    @field_validator("server")
    @classmethod
    def _known(cls, value: str) -> str:
        value = value.strip()
        if value in ("auto", "never") or value.startswith(("http://", "https://")):
            return value.rstrip("/")
        raise ValueError(f"cli.server is {value!r}; use auto, never or a URL such as http://127.0.0.1:7860")
