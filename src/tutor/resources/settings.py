"""Settings of the resource catalog and fetcher (the `resources:` section of `tutor.config.Settings`).

Kept apart from `tutor.config` because the fetcher's network guard (allow-lists) needs room to be
documented; `tutor.config` re-exports it so there is still one settings model.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

__all__ = ["ResourceSettings"]


class ResourceSettings(BaseModel):
    cards: bool = Field(
        True, description="Index one 'resource card' per linked resource (name, type, language, skill...)."
    )
    user_agent: str = Field(
        "tutor-resource-fetcher/0.1 (+https://github.com/; learning-material indexer; respects robots.txt)",
        description="Sent with every request; robots.txt rules for it are obeyed.",
    )
    concurrency: int = Field(8, ge=1, le=64, description="Requests in flight across all hosts.")
    per_host: int = Field(2, ge=1, le=16, description="Requests in flight per host.")
    delay_s: float = Field(1.0, ge=0, description="Pause between two requests to the same host.")
    timeout_s: float = Field(15.0, gt=0, description="Connect/read timeout per request.")
    max_mb: float = Field(
        5.0, gt=0, description="Bodies larger than this are refused (checked while streaming)."
    )
    retries: int = Field(
        2, ge=0, le=10, description="Retries with exponential backoff on 429/5xx and timeouts."
    )
    allowed_types: list[str] = Field(
        default_factory=lambda: [
            "text/html",
            "application/xhtml+xml",
            "text/plain",
            "text/markdown",
            "application/pdf",
        ],
        description="Content types that are fetched and indexed; others are recorded as 'wrong type'.",
    )
    index_pages: bool = Field(
        True, description="Chunk and index fetched pages after `tutor fetch-resources`."
    )
    allow_networks: list[str] = Field(
        default_factory=list,
        description="CIDRs the fetcher may reach although they are internal (e.g. ['10.1.0.0/16'] for an "
        "intranet wiki). Empty: loopback, private, link-local, multicast and reserved addresses are refused.",
    )
    allow_hosts: list[str] = Field(
        default_factory=list,
        description="Host names the fetcher may reach whatever they resolve to (an intranet host). Use sparingly: "
        "a name listed here is trusted even if its DNS answer changes.",
    )

    @field_validator("allow_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(
                    f"resources.allow_networks: '{item}' is not a network (e.g. 10.0.0.0/8): {exc}"
                ) from exc
        return value
