"""The model's answer to a material question, streamed a line at a time through the output filter.

Kept apart from the chain so the chain stays about routing and composition: this is the one place
that talks to the model for an answer, trims the passages to its window and falls back on failure.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator

from langchain_core.output_parsers import StrOutputParser

from tutor.chain import replies
from tutor.chain.answer import Answer, AnswerEvent, Source
from tutor.chain.budget import TokenCounter, fit_sources
from tutor.chain.prompts import ANSWER_PROMPTS
from tutor.llm.backends import LLMBackend

__all__ = ["stream_answer"]

log = logging.getLogger(__name__)


def stream_answer(
    backend: LLMBackend,
    count_tokens: TokenCounter,
    reserve_tokens: int,
    answer: Answer,
    learner: str,
    sources: list[Source],
    safe_output: Callable[[str], str],
) -> Generator[AnswerEvent, None, str | None]:
    """Stream the model's answer; on any backend failure return None so the caller falls back."""
    prompt = ANSWER_PROMPTS[answer.language]
    # the template's text plus a few tokens of chat-format wrapping per message
    fixed = count_tokens(prompt.format(learner=learner, context="", question=answer.standalone_question)) + 16
    reserve = max(reserve_tokens, backend.settings.max_tokens)
    kept = fit_sources(sources, fixed, backend.context_window, reserve, count_tokens)
    inputs = {"learner": learner, "context": "\n\n".join(kept), "question": answer.standalone_question}
    pieces: list[str] = []
    t0 = time.perf_counter()
    try:
        model = backend.chat_model()
        if model is None:
            raise RuntimeError(f"{backend.label} offers no chat model")
        chain = prompt | model | StrOutputParser()
        pending = ""  # streamed a line at a time, each line through the output filter
        for piece in chain.stream(inputs):
            if not pieces:
                answer.timings["first_token_s"] = round(time.perf_counter() - t0, 3)
            pieces.append(piece)
            pending += piece
            if "\n" in pending:
                ready, pending = pending.rsplit("\n", 1)
                yield AnswerEvent(kind="token", text=safe_output(ready) + "\n")
        if pending:
            yield AnswerEvent(kind="token", text=safe_output(pending))
    except Exception as exc:  # noqa: BLE001 - timeouts, refused connections, 5xx after retries
        detail = f"{type(exc).__name__}: {str(exc)[:160]}"
        log.warning("LLM request failed (%s); answering retrieval-only", detail)
        backend.mark_down(detail)
        answer.notice = replies.llm_down_notice(answer.language, detail)
        yield AnswerEvent(kind="status", text="reset")  # tell streaming callers to discard partial text
        return None
    answer.timings["generate_s"] = round(time.perf_counter() - t0, 3)
    answer.backend = backend.label
    return "".join(pieces).strip()
