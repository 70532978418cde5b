"""Named sections that add something: a second section named only by words the first one's text holds is
dropped.

"The midlife crisis article — what does it suggest for managing time? any specific tools?" names 步骤4：时间管理
(whose text has its own 工具支持 line) and, by "tools" alone, 7.2 开发工具推荐 — the essay's list of fine-tuning
tools, which is not what was asked.  The word that names the second section is already answered inside the
first: quoting and citing the second adds a passage that holds nothing asked for.  A second section named by a
word the first does not hold ("优点和应用领域": 3.3 and 3.4) stays.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import jieba

from tutor.chain.doc_parts import DocParts, heading_words, named_sections

__all__ = ["distinct_sections", "form_only", "naming_words"]

# words that say how the answer is put ("the steps of …", "做法"), not which topic: a section named by them alone
# answers for no other ("how does it suggest getting into blogging, step by step": 3.2's 步骤 vs 6.3 技术博客)
_FORM = re.compile(r"步骤|操作|做法|方法")


def form_only(words: set[str]) -> bool:
    """Every word is one of how the answer is put ("步骤", "方法"), none of a topic."""
    return bool(words) and all(_FORM.search(w) for w in words)


def naming_words(question: str, heading: str) -> set[str]:
    """The question's words that name the heading: a heading word it says, or a word of it inside one."""
    text = question.lower()
    said = {w.lower() for w in jieba.lcut(question) if len(w.strip()) >= 2}
    out: set[str] = set()
    for word in heading_words(heading):
        if word in text:
            out.add(word)
        out |= {q for q in said if q in word}
    return out


def distinct_sections(
    question: str, parts: DocParts, doc: str, ranked: Sequence[Sequence[str]] = ()
) -> list[tuple[str, ...]]:
    """`named_sections`, less a section every naming word of which another named section's text holds, when
    that other is named by other words (two sections named by the same word, 应用, are named alike), words of
    a topic (not only "steps"), and its own naming words are not all held in the first's text in turn (then
    neither answers for the other)."""
    named = named_sections(question, parts, doc, ranked=ranked)
    if len(named) < 2:
        return named
    texts = {p: (s.text.lower() if (s := parts.section(doc, p)) else "") for p in named}
    words = {p: naming_words(question, p[-1]) for p in named}

    def held(p: tuple[str, ...], q: tuple[str, ...]) -> bool:  # p's naming words all stand in q's text
        return bool(words[p]) and all(w in texts[q] for w in words[p])

    def answered(p: tuple[str, ...], q: tuple[str, ...]) -> bool:  # q named by other words, of a topic
        return held(p, q) and not held(q, p) and not words[p] & words[q] and not form_only(words[q])

    return [p for p in named if not any(q != p and answered(p, q) for q in named)]
