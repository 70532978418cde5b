"""An LLM's phrasing of a structured answer: it may reword the roadmap's lists, never shorten them."""

from __future__ import annotations

import logging
import re
import time

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from tutor.chain.answer import Answer
from tutor.chain.citations import MARKER, cited_numbers
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
    known = {s.n for s in structured.sources}
    text, dropped = ensure_items(drop_unknown_markers(phrased, known), structured, answer.language)
    text = restore_citations(text, structured)  # the items it kept, cited like the ones it dropped
    if known and not set(cited_numbers(text)) & known:
        log.info("The model's phrasing cites none of the answer's passages; using the structured answer")
        return None
    answer.composition = "structured+llm" + (f" ({len(dropped)} dropped item(s) restored)" if dropped else "")
    answer.backend = backend.label
    return text


def drop_unknown_markers(text: str, known: set[int]) -> str:
    """The phrasing without the [n] that name no passage of the answer: a small model numbers its own lines
    ("[2] … [13]" over one passage), which would leave the learner's answer citing nothing real; the lines
    keep their items and `restore_citations` gives them the passages they stand on."""

    def keep(match: re.Match[str]) -> str:
        numbers = [n for n in cited_numbers(match.group(0)) if n in known]
        return "".join(f"[{n}]" for n in numbers)

    return re.sub(r"[ \t]+\n", "\n", MARKER.sub(keep, text))
