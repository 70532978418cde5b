"""Which FAQ entry of the material answers a question, by similarity (the embedder's vectors).

The learner's question meets each entry's question, and (to choose among entries) the entry's question with its
answer: a learner may say what the answer says rather than what the entry asks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tutor.chain.doc_parts import FAQ_HEADING, FaqEntry
from tutor.chain.faq_words import FaqWords
from tutor.chain.glossary import expand_english
from tutor.chain.text import CJK
from tutor.resources.cards import CARDS_DOC

if TYPE_CHECKING:
    from tutor.chain.answer import Source
    from tutor.index.embeddings import TutorEmbeddings

__all__ = [
    "names_faq",
    "ASKS_WHOLE",
    "FAQ_ANSWER_WEIGHT",
    "FAQ_IN_TOP_SIMILARITY",
    "FAQ_MIN_SIMILARITY",
    "FaqVectors",
]

#: question-to-FAQ-question similarity (multilingual-e5-small) above which the entry is the answer;
#: English questions meet Chinese FAQ questions across languages, where e5 scores run lower.
#: Measured on eval/answers.jsonl + answers_dev.jsonl (eval/README.md); recalibrate with the embedder.
FAQ_MIN_SIMILARITY = {"zh": 0.945, "en": 0.865}
#: the same, when the retriever's best passage is itself a FAQ section: the entry of that FAQ whose
#: question matches best answers, under a looser bar (the retriever already chose the FAQ over every
#: other section). Measured on both sets: English FAQ questions meet their Chinese entry at 0.82-0.88.
FAQ_IN_TOP_SIMILARITY = {"zh": 0.90, "en": 0.82}
#: which entry answers, once the bars above are met, weighs the question's similarity to each entry's question
#: with this share of its similarity to the entry's question and answer together: a learner may say what the
#: answer says ("non-tech side, like business and product" -> 学习管理、市场、产品等非技术领域的知识) rather than
#: what the entry asks. Never a bar of its own: answers are as close to unrelated questions (eval/README.md).
#: Measured on the three answer sets' FAQ questions (zh 77 -> 79 of 79 right entries, en 64 -> 66 of 71).
FAQ_ANSWER_WEIGHT = {"zh": 0.5, "en": 0.3}
# "the appendix - what does it say about X": the essays' appendix is their FAQ (looked in, as when named)
_APPENDIX = re.compile(r"附录|\bappendix\b", re.IGNORECASE)


def names_faq(text: str) -> bool:
    """The learner looks in an article's FAQ: names it, or its appendix (which in these essays is the FAQ)."""
    return bool(FAQ_HEADING.search(text) or _APPENDIX.search(text))


# a question about the FAQ as a whole ("常见问题里都问了些什么", "which questions does its Q&A cover"), not one thing in it
ASKS_WHOLE = re.compile(
    r"哪些|哪几|几个|有什么|都问|问了|\bwhat (?:are|questions)\b|\bwhich\b|\blist\b|\bcover", re.I
)


class FaqVectors:
    """The vectors of the material's FAQ entries, embedded once per index state (a new one per DocParts)."""

    def __init__(self) -> None:
        self._words: FaqWords | None = None
        self._questions: np.ndarray | None = None
        self._answers: np.ndarray | None = None

    def match(
        self,
        entries: Sequence[FaqEntry],
        question: str,
        embedder: TutorEmbeddings | None,
        sources: list[Source],
    ) -> tuple[int, float] | None:
        """The FAQ entry that answers (its question close to the learner's: anywhere in the material above
        `FAQ_MIN_SIMILARITY`; within the FAQ the retriever ranked first or the learner names above
        `FAQ_IN_TOP_SIMILARITY`), chosen by question and answer together (`FAQ_ANSWER_WEIGHT`), with its score.
        Once the vectors say a FAQ entry answers, an English question that names one entry by its question's
        words (`tutor.chain.faq_words`: "get better at leadership" -> 如何提升领导力？) gets that entry: across
        languages e5 scores the entries of one FAQ close together."""
        if not entries or embedder is None:
            return None
        if self._questions is None or self._answers is None:  # once per index state: the FAQ of the material
            self._questions = np.asarray(embedder.embed_stored([e.question for e in entries]), np.float32)
            said = [f"{e.question} {' '.join(e.answer)}" for e in entries]
            self._answers = np.asarray(embedder.embed_stored(said), np.float32)
        asked = np.asarray(embedder.embed_query(question), np.float32)
        sims = self._questions @ asked
        language = "zh" if CJK.search(question) else "en"
        weight = FAQ_ANSWER_WEIGHT[language]
        both = (1 - weight) * sims + weight * (self._answers @ asked)
        best = int(np.argmax(sims))
        if sims[best] >= FAQ_MIN_SIMILARITY[language]:
            return self._named(entries, question, int(np.argmax(both))), float(sims[best])
        top = next((s for s in sources if s.doc != CARDS_DOC), None)
        # "常见问题里…", "its Q&A": the learner looks in that FAQ, as when the retriever ranked it first (not at it whole)
        looks = names_faq(question) and not ASKS_WHOLE.search(question)
        if top is None or not (looks or (top.headings and FAQ_HEADING.search(top.headings[-1]))):
            return None
        inside = [k for k, e in enumerate(entries) if e.passage.doc == top.doc]
        if not inside or max(sims[k] for k in inside) < FAQ_IN_TOP_SIMILARITY[language]:
            return None
        best = max(inside, key=lambda k: both[k])
        return self._named(entries, question, best), float(max(sims[k] for k in inside))

    def _named(self, entries: Sequence[FaqEntry], question: str, chosen: int) -> int:
        """The entry an English question names by its question's words, else the one the vectors chose."""
        if CJK.search(question):
            return chosen
        self._words = self._words or FaqWords([e.question for e in entries])
        named = self._words.named(expand_english(question), range(len(entries)))
        return chosen if named is None else named
