"""A FAQ entry named by its question's words, for English questions the embedder cannot place.

An English question meets the material's Chinese FAQ questions across languages, where
multilingual-e5-small scores them 0.81-0.86 — interleaved with unrelated questions at the same level
(eval/README.md, ninth and tenth rounds), so no similarity bar separates them.  The learner's words,
through the glossary (`tutor.chain.glossary`: "leadership" -> 领导力, "new technology" -> 新技术), are a
second signal: a FAQ question whose own words ("如何提升影响力？" -> 影响力) the question says nearly all of,
weighted by how rare each word is among the FAQ questions (学习 or 技术 stand in many, 影响力 in one), names
that entry.  Words every how-to question has ("如何", "提升") are no topic.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import jieba

__all__ = ["FAQ_WORDS_MIN", "FaqWords"]

#: the share (IDF-weighted) of a FAQ question's topic words the learner's question must say; measured on
#: eval/answers*.jsonl (eval/README.md, tenth round): English questions about an entry 0.66-1.0, questions
#: about anything else <= 0.57 (one shared word such as 知识 in 知识分享)
FAQ_WORDS_MIN = 0.65
# the words of the question's form, not of its topic
_FORM = frozenset(
    "如何 怎么 怎样 怎么样 哪些 什么 需要 自己 进行 是否 所有 提升 提高 时候 一个 可以 应该".split()
)


# a learner's verbs for a FAQ question's words, read here only: "picking up a new technology" says 学习新技术, but
# as a glossary word 学习 pulled the retriever off "which languages does it suggest picking up" (技术栈升级)
_LEARNER_WORDS = ((re.compile(r"\bpick(?:ing|s)? up\b", re.I), "学习"),)


def _words(text: str) -> set[str]:
    return {
        w.lower() for w in jieba.lcut(text) if len(w.strip()) >= 2 and w not in _FORM and re.search(r"\w", w)
    }


class FaqWords:
    """The topic words of every FAQ question, with their rarity among the FAQ questions."""

    def __init__(self, questions: Sequence[str]) -> None:
        self.questions = list(questions)
        self.words = [_words(q) for q in questions]
        df = Counter(w for ws in self.words for w in ws)
        self.idf = {w: math.log(1 + len(questions) / n) for w, n in df.items()}

    def coverage(self, k: int, text: str) -> float:
        """How much of entry k's question (IDF-weighted) the text says (a glossary-expanded question)."""
        words = self.words[k]
        total = sum(self.idf[w] for w in words)
        said = sum(self.idf[w] for w in words if w in text.lower())
        return said / total if total else 0.0

    def inside(self, k: int, words: set[str], text: str) -> bool:
        """Every word stands, in the text (a glossary-expanded question), only inside a longer word that entry
        k's question says too ("领域" of 跨领域, "如何提升跨领域知识"): a section named by such words ("3.4 算法应用
        领域") is no other topic the learner names beside the entry."""
        question = self.questions[k]

        def inside_one(w: str) -> bool:
            at = [i for i in range(len(question)) if question.startswith(w, i)]
            return any(
                question[max(0, i - a) : i + len(w) + b] in text
                for i in at
                for a in range(3)
                for b in range(3)
                if a + b
            )

        return bool(words) and all(inside_one(w) for w in words)

    def named(self, text: str, among: Sequence[int]) -> int | None:
        """The one entry (of `among`) whose question's words the text says (at least `FAQ_WORDS_MIN`);
        None when none does, or two do equally."""
        text = f"{text} {' '.join(w for p, w in _LEARNER_WORDS if p.search(text))}"
        scored = sorted(((self.coverage(k, text), k) for k in among), reverse=True)
        if not scored or scored[0][0] < FAQ_WORDS_MIN:
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None
        return scored[0][1]
