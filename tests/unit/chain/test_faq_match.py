"""The FAQ entry that answers: chosen by the entry's question and, among entries, by what its answer says."""

from __future__ import annotations

import numpy as np

from tutor.chain.answer import Source
from tutor.chain.doc_parts import FaqEntry
from tutor.chain.faq_match import FaqVectors

FAQ = "9. 附录：常见问题与解答"


def _entry(k: int, question: str, answer: str) -> FaqEntry:
    passage = Source(n=0, id=f"leader:faq#q{k}", doc="leader", title="leader", headings=[FAQ], text=answer)
    return FaqEntry(question, (answer,), passage)


ENTRIES = [
    _entry(1, "如何提升自己的技术专长？", "持续学习新技术和知识，参加技术培训。"),
    _entry(2, "如何提升跨领域知识？", "学习管理、市场、产品等非技术领域的知识。"),
]


def _unit(x: float) -> list[float]:
    return [x, float(np.sqrt(1 - x * x))]


class _Embedder:
    """The learner's question is a little closer to entry 1's question, much closer to entry 2's answer."""

    def embed_stored(self, texts: list[str]) -> list[list[float]]:
        out = []
        for t in texts:
            if "产品" in t:  # entry 2, question with its answer
                out.append([1.0, 0.0])
            elif "培训" in t:  # entry 1, question with its answer
                out.append(_unit(0.50))
            elif "专长" in t:
                out.append(_unit(0.85))
            else:  # entry 2's question alone
                out.append(_unit(0.80))
        return out

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0] if "product" in text else [0.0, 1.0]


def _top(headings: list[str]) -> list[Source]:
    return [Source(n=1, id="leader:9", doc="leader", title="leader", headings=headings)]


def test_within_the_faq_the_answer_the_question_paraphrases_chooses_the_entry() -> None:
    vectors = FaqVectors()
    match = vectors.match(ENTRIES, "the non-tech side, like business and product?", _Embedder(), _top([FAQ]))  # type: ignore[arg-type]
    assert match is not None and match[0] == 1  # entry 2, though entry 1's question is closer
    assert match[1] > 0.84  # the score is still the question-to-question bar's


def test_an_answer_alone_never_brings_in_the_faq() -> None:
    # the best passage is not the FAQ and no entry's question meets the bar: no entry, however close an answer
    match = FaqVectors().match(ENTRIES, "product knowledge?", _Embedder(), _top(["6. 实际应用场景"]))  # type: ignore[arg-type]
    assert match is None


def test_an_english_question_naming_an_entry_by_its_words_gets_that_entry() -> None:
    # the vectors lean to entry 2 (its answer says "product"); the learner names entry 1 by 技术专长's words
    question = "how do I grow my technical expertise, say on the product side?"
    match = FaqVectors().match(ENTRIES, question, _Embedder(), _top([FAQ]))  # type: ignore[arg-type]
    assert match is not None and match[0] == 0
    # the words only choose among entries once the vectors say a FAQ entry answers
    assert FaqVectors().match(ENTRIES, "technical expertise?", _Embedder(), _top(["6. 实际应用场景"])) is None  # type: ignore[arg-type]
