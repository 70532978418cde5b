"""Section-level evidence: how much of a passage's own heading the question says (issue 13, rank 1).

Inside one essay the passages of neighbouring sections are near-ties: the embedder finds the whole
essay close, BM25 finds the essay's topic words everywhere, and an introduction (1.1 问题由来) or the
FAQ mentions every topic in passing.  What tells "6.5 技术创业" from "1.1 问题由来" for
"意见领袖那篇文章里技术创业分哪几步" is that the question says the heading's words.  For an English
question the same holds after the learner's words are put in the material's words (`chain.glossary`:
"entrepreneurship" -> 创业, "career planning" -> 职业规划).

The score is the share of the heading's Chinese character pairs the question contains, each pair
weighted by how rare it is among the headings of the candidates compared (so 技术, which every
"6.x 技术…" heading has, says little and 创业 says much).  Numbering ("6.5", "步骤5：") is not heading
content.  Only Chinese pairs are compared: the headings are Chinese.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from tutor.chain.glossary import english_terms
from tutor.patterns import CJK, han_pairs

__all__ = ["heading_evidence", "heading_pairs", "passage_titles", "question_text"]

_NUMBERING = re.compile(
    r"^\s*(?:\d+(?:\.\d+)*\.?|步骤\s*\d+\s*[：:]|技能点\s*\d+\s*[：:]|阶段\s*\d+\s*[：:])\s*"
)
#: a FAQ entry's question on a line of its own: "**Q1：如何平衡工作与生活？**"
_QUESTION_LINE = re.compile(r"^\*\*(?:Q\d+\s*[：:])?\s*([^*\n]+?[？?])\*\*\s*$", re.MULTILINE)


def heading_pairs(heading: str) -> set[str]:
    """The Chinese character pairs of a heading without its numbering and stars."""
    return han_pairs(_NUMBERING.sub("", heading.split("⭐")[0]))


def question_text(question: str) -> str:
    """The question in the material's words: a Chinese question as it is; an English one as the
    Chinese words its terms translate to (an English question shares no pair with a Chinese heading)."""
    if CJK.search(question):
        return question
    return " ".join(english_terms(question))


def passage_titles(heading: str, text: str) -> list[str]:
    """What a passage is titled by: its heading, and in a FAQ each entry's question (its own title)."""
    return [heading, *(m.group(1) for m in _QUESTION_LINE.finditer(text))]


def heading_evidence(question: str, titles: Sequence[Sequence[str]], named: str = "") -> list[float]:
    """For each passage, the best rarity-weighted share of one of its titles' pairs the question says
    (0 to 1); the heading words of a section kind the question names (`named`: 常见问题 解答 for "the
    Q&A", `tutor.index.kinds`) count as said."""
    said = f"{question_text(question)} {named}".strip()
    pairs = {t: heading_pairs(t) for ts in titles for t in ts}
    if not said or not any(pairs.values()):
        return [0.0] * len(titles)
    n = len(pairs)
    df: dict[str, int] = {}
    for p in pairs.values():
        for pair in p:
            df[pair] = df.get(pair, 0) + 1

    def share(title: str) -> float:
        weight = {pair: math.log(1 + n / df[pair]) for pair in pairs[title]}
        total = sum(weight.values())
        return sum(w for pair, w in weight.items() if pair in said) / total if total else 0.0

    return [max((share(t) for t in ts), default=0.0) for ts in titles]
