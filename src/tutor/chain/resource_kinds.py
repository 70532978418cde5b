"""Whether a skill's own resource table holds every kind of resource a question asks for.

"For the neural network theory part, which courses and books are recommended?" names 技能点 5, whose table lists
courses and books; every row is of a kind asked, so no row is filtered out — and the appendix's 书籍推荐 (the whole
roadmap's books) then joined the answer as if the skill's table had none.  A second table earns its citation only
by holding a kind asked that the first does not: when every kind word the question says stands in the skill's own
table ("视频或者博客" for 技能点 8: both), the appendix table adds nothing asked.

A question whose only filter is a language ("只要中文的", "Any English ones?") has set the other languages aside:
the rest of the table is counted, not named (naming them lists what the learner excluded); a preference
("最好中文的", "preferably in Chinese") or a kind word ("中文教程") keeps the rest by name.
"""

from __future__ import annotations

import re

from tutor.chain.roadmap_units import matching_text, row_tokens
from tutor.chain.structured_parts import Builder
from tutor.chain.text import CJK
from tutor.curriculum.model import Curriculum, Resource

__all__ = ["holds_kinds", "kind_words", "rest_line"]

# "最好中文的", "preferably in Chinese": a preference, not a filter — the other rows stay named
_PREFERENCE = re.compile(
    r"最好|优先|偏好|尽量|\bprefer(?:ably|red)?\b|\bideally\b|\bif possible\b", re.IGNORECASE
)


def _said(word: str, text: str) -> bool:
    if CJK.search(word):
        return re.sub(r"\s+", "", word) in re.sub(r"\s+", "", text)
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text, re.IGNORECASE) is not None


def _kinds(resources: list[Resource]) -> set[str]:
    return {t for r in resources for t in row_tokens({"类型": r.type or ""}).get("类型", set())}


def kind_words(question: str, language: str, curriculum: Curriculum) -> set[str]:
    """The resource kinds (the skills' 类型 words: 视频, 书籍, 课程, 博客 …) the question says."""
    text = matching_text(question, language)
    vocabulary = {t for s in curriculum.skills for t in _kinds(s.resources)}
    return {t for t in vocabulary if _said(t, text)}


def holds_kinds(resources: list[Resource], question: str, language: str, curriculum: Curriculum) -> bool:
    """The question says a kind of resource, and every kind it says stands in this table's 类型 column."""
    asked = kind_words(question, language, curriculum)
    return bool(asked) and asked <= _kinds(resources)


def rest_line(b: Builder, rest: list[str], n: int) -> str:
    """The table's rows a filter left out: by name (each kept as an item), or only counted when a language
    was the whole filter."""
    language = "zh" if b.zh else "en"
    if kind_words(b.question, language, b.cur) or _PREFERENCE.search(b.question):
        names = [b.item(x) for x in rest]
        return ("表中另有：" if b.zh else "The table also lists: ") + "、".join(names) + f" [{n}]"
    return (
        f"表中另有 {len(rest)} 项其他语言的资源 [{n}]"
        if b.zh
        else f"The table lists {len(rest)} more in other languages [{n}]"
    )
