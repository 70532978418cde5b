"""A LangChain chat model over an in-process llama.cpp GGUF model.

langchain-community has a ChatLlamaCpp, but it would pull that whole package
(SQLAlchemy, aiohttp, ...) for one class; llama-cpp-python's own
`create_chat_completion` already applies the model's chat template, so this
adapter only maps messages and streams deltas.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from tutor.errors import ConfigError

__all__ = ["LlamaCppChat"]

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LlamaCppChat(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: Path
    n_ctx: int = 4096
    n_threads: int | None = None
    max_tokens: int = 768
    temperature: float = 0.2
    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)  # one llama context = one caller

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def llama(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ConfigError(
                    "llm.kind=llamacpp needs llama-cpp-python: pip install '.[llamacpp]' (builds llama.cpp, ~5 min)"
                ) from exc
            if not self.model_path.is_file():
                raise ConfigError(
                    f"GGUF model {self.model_path} not found; set llm.gguf_path (TUTOR_LLM__GGUF_PATH)"
                )
            self._llama = Llama(
                model_path=str(self.model_path), n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False
            )
        return self._llama

    def count_tokens(self, text: str) -> int:
        return len(self.llama().tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _messages(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
        return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = self.llama()
        with self._lock:
            for part in llama.create_chat_completion(
                messages=self._messages(messages),
                stream=True,
                stop=stop,
                max_tokens=self.max_tokens,
                temperature=self.temperature,
            ):
                delta = part["choices"][0].get("delta", {}).get("content")
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk
