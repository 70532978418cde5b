"""LLM backends chosen by `llm.kind` through one small factory registry.

Every backend answers three questions the chain asks: is it usable right now
(`health`), which LangChain chat model to stream from (`chat_model`), and how
many tokens a text costs (`count_tokens`, None when only an approximation exists).
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from tutor.errors import ConfigError
from tutor.llm.health import Health, HealthCache

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from tutor.config import LLMSettings

__all__ = ["LLMBackend", "LLM_BACKENDS", "build_llm_backend"]

log = logging.getLogger(__name__)


class LLMBackend:
    name = "none"

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings

    def health(self) -> Health:
        return Health(False, "no language model is configured (llm.kind=none)")

    def chat_model(self) -> BaseChatModel | None:
        return None

    def mark_down(self, detail: str) -> None:
        """A request failed: stop using the backend until the next health check."""

    def count_tokens(self, text: str) -> int | None:
        return None

    @property
    def label(self) -> str:
        return "none (extractive answers, no model)"

    @property
    def context_window(self) -> int:
        return self.settings.context_window


class OpenAIBackend(LLMBackend):
    """Any OpenAI-compatible server: vLLM in production, llama.cpp's server in the tests."""

    name = "openai"

    def __init__(self, settings: LLMSettings) -> None:
        super().__init__(settings)
        self._health = HealthCache(settings.base_url, settings.api_key, settings.health_ttl_s)
        self._models: dict[str, Any] = {}
        self._tokenizer: Any = None
        self._tokenizer_tried = False
        self._count_endpoint: str | None = None

    def health(self) -> Health:
        return self._health.get()

    def mark_down(self, detail: str) -> None:
        self._health.mark_down(detail)

    def model_name(self) -> str:
        if self.settings.model != "auto":
            return self.settings.model
        health = self.health()
        return health.models[0] if health.models else "default"

    def chat_model(self) -> BaseChatModel | None:
        import httpx
        from langchain_openai import ChatOpenAI

        name = self.model_name()
        if name not in self._models:
            s = self.settings
            self._models[name] = ChatOpenAI(
                model=name,
                base_url=s.base_url,
                # vLLM and llama.cpp accept any key unless told otherwise
                api_key=s.api_key or SecretStr("not-needed"),
                timeout=httpx.Timeout(s.timeout_s, connect=3.0),
                max_retries=s.max_retries,  # the openai client backs off exponentially on 429/5xx/timeouts
                max_tokens=s.max_tokens,
                temperature=s.temperature,
                streaming=True,
            )
        return self._models[name]

    def count_tokens(self, text: str) -> int | None:
        """The served model's count: a configured HF tokenizer, else the server's tokenize endpoint."""
        if self.settings.tokenizer:
            tokenizer = self._hf_tokenizer()
            if tokenizer is not None:
                return len(tokenizer.encode(text, add_special_tokens=False))
        return self._server_count(text)

    def _hf_tokenizer(self) -> Any:
        if not self._tokenizer_tried:
            self._tokenizer_tried = True
            try:
                from transformers import AutoTokenizer

                self._tokenizer = AutoTokenizer.from_pretrained(self.settings.tokenizer)
            except Exception as exc:  # noqa: BLE001 - any load failure means "ask the server or approximate"
                log.warning(
                    "Cannot load tokenizer '%s' (%s); counting tokens another way",
                    self.settings.tokenizer,
                    exc,
                )
        return self._tokenizer

    def _server_count(self, text: str) -> int | None:
        """vLLM serves POST /tokenize, llama.cpp's server POST /extras/tokenize/count; remember which."""
        import httpx

        root = self.settings.base_url.rstrip("/").removesuffix("/v1")
        attempts = {
            "vllm": (f"{root}/tokenize", {"model": self.model_name(), "prompt": text}, "count"),
            "llamacpp": (f"{root}/extras/tokenize/count", {"input": text}, "count"),
        }
        order = [self._count_endpoint] if self._count_endpoint else list(attempts)
        for kind in order:
            if kind is None or kind == "none":
                return None
            url, body, key = attempts[kind]
            try:
                response = httpx.post(url, json=body, timeout=5.0)
                if response.status_code == 200 and isinstance(response.json().get(key), int):
                    self._count_endpoint = kind
                    return int(response.json()[key])
            except (httpx.HTTPError, ValueError, AttributeError):
                continue
        self._count_endpoint = "none"
        log.info("The server at %s has no tokenize endpoint; approximating prompt tokens", root)
        return None

    @property
    def label(self) -> str:
        return f"openai · {self.settings.model} @ {self.settings.base_url}"


class LlamaCppBackend(LLMBackend):
    """A GGUF file run in-process on the CPU (laptops without a GPU)."""

    name = "llamacpp"

    def __init__(self, settings: LLMSettings) -> None:
        super().__init__(settings)
        self._chat: Any = None
        self._down: str | None = None

    def health(self) -> Health:
        path = self.settings.gguf_path
        if self._down:
            return Health(False, self._down)
        if importlib.util.find_spec("llama_cpp") is None:
            return Health(False, "llama-cpp-python is not installed: pip install '.[llamacpp]'")
        if path is None or not path.is_file():
            return Health(False, f"GGUF model {path} not found; set llm.gguf_path (TUTOR_LLM__GGUF_PATH)")
        return Health(True, f"llama.cpp · {path.name}", [path.name])

    def mark_down(self, detail: str) -> None:
        self._down = detail

    def chat_model(self) -> BaseChatModel | None:
        from tutor.llm.llamacpp_chat import LlamaCppChat

        if self._chat is None:
            s = self.settings
            if s.gguf_path is None:
                raise ConfigError("llm.kind=llamacpp needs llm.gguf_path (TUTOR_LLM__GGUF_PATH)")
            self._chat = LlamaCppChat(
                model_path=s.gguf_path,
                n_ctx=s.n_ctx,
                n_threads=s.n_threads,
                max_tokens=s.max_tokens,
                temperature=s.temperature,
            )
        return self._chat

    def count_tokens(self, text: str) -> int | None:
        chat = self.chat_model()
        return chat.count_tokens(text) if chat is not None else None  # type: ignore[attr-defined]

    @property
    def context_window(self) -> int:
        return self.settings.n_ctx

    @property
    def label(self) -> str:
        return f"llamacpp · {self.settings.gguf_path}"


LLM_BACKENDS: dict[str, Callable[[LLMSettings], LLMBackend]] = {
    "openai": OpenAIBackend,
    "llamacpp": LlamaCppBackend,
    "none": LLMBackend,
}


def build_llm_backend(settings: LLMSettings) -> LLMBackend:
    try:
        factory = LLM_BACKENDS[settings.kind]
    except KeyError:
        raise ConfigError(
            f"Unknown llm.kind '{settings.kind}'; choose one of {sorted(LLM_BACKENDS)}"
        ) from None
    return factory(settings)
