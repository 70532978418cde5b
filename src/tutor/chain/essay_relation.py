"""How two things of an essay relate, answered from the sentence that has the two as its subject.

"技术探索和知识分享是什么关系" was answered from 2.2 概念间的关系, whose heading says 关系 but whose lines relate
other things to the pair ("好奇心和求知欲是技术探索和知识分享的心理基础"); the essay states the pair's own relation
where the two are the subject of one sentence ("技术探索与知识分享是IT领域不断前进的双轮驱动").  That sentence's
paragraph answers.  A question about three or more things, or one whose pair no sentence has as its subject,
is left to the sections (2.2 relates many concepts at once).
"""

from __future__ import annotations

import re

from tutor.chain.answer import Source
from tutor.chain.compose_blocks import Block, split_blocks
from tutor.chain.doc_parts import DocParts, named_doc
from tutor.chain.sections import add_source
from tutor.chain.text import strip_markdown

__all__ = ["asked_pair", "relation_blocks"]

_RUN = r"[\u4e00-\u9fffA-Za-z]"
# "X和Y是什么关系", "X与Y之间有什么关系", "X跟Y啥关系", "怎么看X与Y的关系"
_ASKS = re.compile(
    rf"({_RUN}{{2,10}})(?:和|与|跟|同)({_RUN}{{2,10}}?)(?:之间|两者|二者)?(?:(?:是|有)?(?:什么|啥|怎样|何种)样?)?的?关系"
)
_JOIN = "(?:与|和|及|、)"
_SENTENCE = re.compile(r"[^。！？\n]+")


def asked_pair(question: str) -> tuple[str, str] | None:
    """The two things whose relation a Chinese question asks ("技术探索和知识分享是什么关系" -> both); None when it
    asks no relation of a pair (three things listed: "好奇心、求知欲、技术博客之间" is no pair)."""
    m = _ASKS.search(question)
    if m is None or "、" in question[: m.start(2)][-12:]:
        return None
    return m.group(1), m.group(2)


def _subject_of(sentence: str, left: str, right: str) -> bool:
    """The pair opens the sentence, joined ("技术探索与知识分享是…"), in either order; the question's first word may
    carry words before the thing (its last characters are the thing: "文章里技术探索")."""
    text = re.sub(r"^[\s\-*0-9.、]+", "", strip_markdown(sentence))
    for k in range(len(left) - 1):
        a = left[k:]
        if re.match(rf"{re.escape(a)}{_JOIN}{re.escape(right)}", text) or re.match(
            rf"{re.escape(right)}{_JOIN}{re.escape(a)}", text
        ):
            return True
    return False


def relation_blocks(question: str, parts: DocParts, sources: list[Source]) -> list[Block] | None:
    """The paragraph (or item) holding the sentence whose subject is the asked pair, in the document the question
    names (else in any), its section appended to `sources`; None when no pair is asked or none is stated so."""
    pair = asked_pair(question)
    if pair is None:
        return None
    named = named_doc(question, parts)
    for doc in [named] if named else list(parts.docs):
        for chunk in parts.chunks(doc):
            said = [s for s in _SENTENCE.findall(chunk.text) if _subject_of(s, *pair)]
            if not said:
                continue
            whole = parts.section(doc, chunk.headings)
            if whole is None:
                continue
            blocks = split_blocks(whole)
            hit = [b for b in blocks if any(said[0].strip() in strip_markdown(ln) for ln in b.lines)]
            if hit:
                own = split_blocks(add_source(whole, sources))
                return [b for b in own if (b.position, b.label) == (hit[0].position, hit[0].label)][
                    :1
                ] or None
    return None
