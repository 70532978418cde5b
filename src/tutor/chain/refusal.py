"""Is a turn refused?  Too far from the material by similarity, or (English) by its words.

The chain asks for a retrieved answer, a concept answer and an ordinal follow-up's earlier question alike;
`tutor eval refusal` asks through `TutorChain.refuses`.  A question naming one of the material's documents is
about it, whatever its similarity ("逆袭那篇文章…").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from tutor.chain.answer import Source
from tutor.chain.scope import Words

if TYPE_CHECKING:
    from tutor.chain.compose_doc import StructureComposer

__all__ = ["best_relevance", "refused"]


def best_relevance(sources: Sequence[Source]) -> float:
    """The best dense similarity among the passages: what refusal and the weak warning look at."""
    scores = [s.score for s in sources if s.score is not None]
    return max(scores) if scores else 0.0


def refused(
    limits: Mapping[str, float],
    structure: StructureComposer | None,
    relevance: float,
    language: str,
    question: str = "",
    own_words: bool = True,
    known: Words = frozenset(),
) -> bool:
    """Below the language's threshold, or (English) mostly foreign words and weak similarity; `known`: words
    that are the material's for this question (a described concept's own, `scope.described_words`)."""
    if question and structure is not None and structure.names_doc(question):
        return False
    below = relevance < limits.get(language, limits.get("zh", 0.0))
    return below or bool(
        question and structure and structure.off_topic(question, relevance, own_words, known)
    )
