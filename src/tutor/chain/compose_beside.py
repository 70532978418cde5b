"""A skill's own block beside a roadmap-wide lead earns its citation only by holding a word asked that the lead lacks.

"Does the roadmap suggest an order of projects to build, from a beginner one up to a full app?" is answered by
学习建议's 建议的项目序列 (项目, 入门, 应用 all stand in it); 技能点 10's 实践项目 ranked close beside it holds 项目
alone — nothing asked that the lead does not already hold — so quoting and citing it adds a passage that holds
nothing the learner asked for.  A block of a section the question names (`prefer`) is judged elsewhere; an essay's
paragraphs, a card or a roadmap-wide table beside the lead are parts of one answer and stay (their words are
paraphrased, so counting them would drop what answers).
"""

from __future__ import annotations

import re

import jieba

from tutor.chain.compose_blocks import Block
from tutor.chain.text import CJK

__all__ = ["adds_asked", "asked_words", "related"]

# a skill's own section ("技能点 10：Prompt Engineering › 实践项目"): its lists answer for that skill alone
_UNIT = re.compile(r"技能点\s*\d+|\bskill\s+\d+", re.IGNORECASE)

# question words that ask, not name: they stand in no block as what was asked for
_ASKING = re.compile(
    r"^(?:什么|怎么|怎样|如何|哪些|哪个|哪里|应该|需要|可以|是否|有没有|一下|这个|那个|这些|那些|我们|你们|资料|路线图|路线"
    r"|roadmap|material|does|what|which|how|should|would|could|there|about|from|with|into|that|this)$",
    re.IGNORECASE,
)


def asked_words(expanded: str) -> set[str]:
    """The question's words that may name what it asks for: Chinese words of two or more characters, Latin
    words of three or more letters (an English question's `expanded` text carries the material's terms too)."""
    words = {w.strip().lower() for w in jieba.lcut(expanded)}
    return {
        w
        for w in words
        if not _ASKING.match(w)
        and ((CJK.search(w) and len(w) >= 2) or re.fullmatch(r"[a-z][a-z0-9+#\-]{2,}", w))
    }


def _held(block: Block, words: set[str]) -> set[str]:
    text = " ".join([block.label, block.intro, *block.lines]).lower()
    return {w for w in words if w in text}


def _unit(headings: list[str]) -> bool:
    return bool(_UNIT.search(" ".join(headings)))


def related(a: list[str], b: list[str]) -> bool:
    """One passage lies in the other's section (a chunk of a list beside the whole section it belongs to)."""
    return bool(a and b) and (a[-1] in b or b[-1] in a)


def adds_asked(
    expanded: str, chosen: list[Block], prefer: frozenset[int] | set[int], headings: dict[int, list[str]]
) -> list[Block]:
    """`chosen` less the blocks of a skill's own section (not named by the question, beside a lead that is no
    skill's) whose asked words the lead's blocks all hold; kept as is when the lead holds none."""
    if len(chosen) < 2:
        return chosen
    words = asked_words(expanded)
    lead = chosen[0].source
    led = set().union(*(_held(b, words) for b in chosen if b.source == lead))
    if not led:
        return chosen

    def adds(b: Block) -> bool:
        near = b.source == lead or related(headings.get(b.source, []), headings.get(lead, []))
        own = _unit(headings.get(b.source, [])) and not _unit(headings.get(lead, []))
        return near or not own or b.source in prefer or not _held(b, words) <= led

    return [b for b in chosen if adds(b)]
