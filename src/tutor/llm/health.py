"""Is the configured OpenAI-compatible server answering?  Asked once per TTL, not per question."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import httpx
from pydantic import SecretStr

__all__ = ["Health", "HealthCache", "probe_openai_server"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    ok: bool
    detail: str
    models: list[str] = field(default_factory=list)
    checked_at: float = field(default_factory=time.monotonic)


def probe_openai_server(base_url: str, api_key: SecretStr | None, timeout_s: float = 2.0) -> Health:
    """GET <base_url>/models: the one endpoint every OpenAI-compatible server (vLLM, llama.cpp) has."""
    url = base_url.rstrip("/") + "/models"
    headers = {"Authorization": f"Bearer {api_key.get_secret_value()}"} if api_key else {}
    try:
        response = httpx.get(url, headers=headers, timeout=timeout_s)
    except httpx.TimeoutException:
        return Health(False, f"{url} did not answer within {timeout_s:g} s")
    except httpx.HTTPError as exc:
        return Health(False, f"{url} is unreachable ({type(exc).__name__})")
    if response.status_code != 200:
        return Health(False, f"{url} answered HTTP {response.status_code}")
    try:
        data = response.json()
        models = [str(m["id"]) for m in data.get("data", [])]
    except (ValueError, KeyError, TypeError, AttributeError):
        return Health(False, f"{url} is not an OpenAI-compatible server (unexpected /models reply)")
    if not models:
        return Health(False, f"{url} serves no model")
    return Health(True, f"{base_url} serves {', '.join(models[:3])}", models)


class HealthCache:
    """Caches the last probe for `ttl_s`; a failed request can mark the server down at once."""

    def __init__(self, base_url: str, api_key: SecretStr | None, ttl_s: float) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.ttl_s = ttl_s
        self._last: Health | None = None
        self._lock = threading.Lock()

    def get(self) -> Health:
        with self._lock:
            last = self._last
            if last is None or time.monotonic() - last.checked_at > self.ttl_s:
                last = probe_openai_server(self.base_url, self.api_key)
                if not last.ok:
                    log.info("LLM server: %s", last.detail)
                self._last = last
            return last

    def mark_down(self, detail: str) -> None:
        with self._lock:
            self._last = Health(False, detail)
