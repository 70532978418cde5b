"""An LLM's phrasing of a structured answer: it may reword the roadmap's lists, never shorten them."""

from __future__ import annotations

import logging
import time

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from tutor.chain.answer import Answer
from tutor.chain.prompts import PHRASE_PROMPTS
from tutor.chain.structured_parts import Structured, ensure_items, restore_citations
from tutor.llm.backends import LLMBackend

__all__ = ["phrase_structured"]

log = logging.getLogger(__name__)


def phrase_structured(
    answer: Answer, structured: Structured, chat: BaseChatModel | None, backend: LLMBackend
) -> str | None:
    """The model's phrasing of a structured answer with every dropped item restored; None without one."""
    if chat is None:
        return None
    try:
        t0 = time.perf_counter()
        phrased = (
            (PHRASE_PROMPTS[answer.language] | chat | StrOutputParser())
            .invoke({"question": answer.standalone_question, "answer": structured.text})
            .strip()
        )
        answer.timings["generate_s"] = round(time.perf_counter() - t0, 3)
    except Exception as exc:  # noqa: BLE001 - any backend failure: the structured text stands
        log.warning("Phrasing with the LLM failed (%s); using the structured answer", exc)
        backend.mark_down(f"{type(exc).__name__}: {exc}"[:200])
        return None
    if not phrased:
        return None
    text, dropped = ensure_items(phrased, structured, answer.language)
    text = restore_citations(text, structured)  # the items it kept, cited like the ones it dropped
    answer.composition = "structured+llm" + (f" ({len(dropped)} dropped item(s) restored)" if dropped else "")
    answer.backend = backend.label
    return text
