"""The descriptive part of a question that describes a concept, without its meta parts.

"有没有那种不用人打标签、让电脑自己把相似的数据归成几类的方法？路线图里在哪学？" describes K-means in its
middle; "有没有那种…的方法" and "路线图里在哪学" are about the asking, and their words (路线图, 方法, 学) are
near every concept's description and every section's, so the lexicon's lead shrinks to nothing (eval/README.md,
eleventh round).  The lexicon (`tutor.index.lexicon.LexiconMatcher`) is asked with the descriptive part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tutor.patterns import CJK

__all__ = ["descriptive", "names_left", "without_names"]

# a whole clause that only asks where (or under what name) the roadmap teaches it
_META_CLAUSE = re.compile(
    r"^(?:请问|那|这|那么)?(?:这个|这种|那个|那种|它|这些)?(?:方法|做法|技巧|技术|东西|概念|问题)?"
    r"(?:在|是)?(?:这份|整个)?(?:学习)?(?:路线图?|路线|资料|roadmap)?(?:里|中|上|的)?(?:它|这个)?(?:属于|在|是)?"
    r"(?:在?(?:哪部分|哪一?块|哪个(?:地方|部分|技能点?|阶段|章节)|哪里|哪儿|什么地方)|在哪(?:里|儿)?)"
    r"(?:能)?(?:学|讲|教|介绍|提到|学到|讲到)?(?:的|过|呢|啊)?$"
    r"|^(?:(?:路线图?|资料)(?:里|中))?(?:这个|这种|那个|那种|它)?(?:方法|做法|技巧|技术|东西)?(?:叫|是)(?:什么|啥)(?:名字|方法)?(?:呢)?$"
    r"|^(?:属于|在)?哪(?:块|个|一块|部分|一部分)(?:内容|技能点?|阶段|章节)?(?:呢)?$"
    # "要学哪些东西", "相关概念有哪些": what to learn there, asked beside where
    r"|^(?:还?(?:要|需要|应该|得))?学(?:哪些|什么|啥)(?:东西|内容)?$|^相关的?(?:概念|内容|知识)(?:有)?哪些$"
    r"|^(?:and\s+)?(?:where|which\s+(?:part|section|skill|stage))\b[\w\s']{0,40}?\b"
    r"(?:roadmap|teach(?:es)?|taught|covers?|covered|study|learn)"
    r"(?:\s+(?:it|this|that|them|about\s+it|how\s+to\s+do\s+(?:it|this|that)))?$"
    r"|^(?:what(?:'s| is)\s+(?:it|this|that)\s+called|what(?:'s| is)\s+the\s+name(?:\s+of\s+it)?)$",
    re.IGNORECASE,
)
# a lead-in before the description
_LEAD_IN = re.compile(
    r"^(?:请问|我听说|听说|我想知道|想问一下)?(?:有没有|有)?(?:那种|一种|种|这种|什么)(?:做法|方法|技巧|技术)?(?:是|叫)?"
    r"|^(?:i(?:'ve)?\s+(?:keep\s+)?hear(?:d|ing)?\s+(?:about|of)\s+)"
    r"|^(?:is\s+there\s+(?:(?:a|an|some)\s+(?:\w+\s+)?(?:method|way|technique|trick|approach|thing)|something|anything)\s+(?:where|that|to|for|in\s+which)?\s*)"
    r"|^(?:there(?:'s| is)\s+(?:a|an|some)\s+(?:\w+\s+)?(?:method|way|technique|trick|approach|thing)\s+(?:where|that|to|for)\s+)"
    r"|^(?:what(?:'s| is)\s+the\s+name\s+of\s+the\s+(?:\w+\s+)?(?:method|way|technique|trick|approach|thing)\s+(?:where|that|for)\s+)",
    re.IGNORECASE,
)
# a tail after the description ("…的方法", "…, and where is it taught in the roadmap")
_TAIL = re.compile(
    r"的?(?:这种|那种)?(?:方法|做法|技巧|技术|办法)(?:叫(?:什么|啥)(?:名字)?)?$"
    r"|,?\s*and\s+where\s+is\s+it\s+(?:taught|covered)(?:\s+in\s+the\s+roadmap)?$",
    re.IGNORECASE,
)
_CLAUSES = re.compile(r"[？?。！!；;，,—–]+|\s+-\s+")


def descriptive(question: str) -> str:
    """The question without its meta clauses, lead-in and tail; the question itself when nothing is left."""
    text, cut = _kept(question)
    return text if cut and len(text) >= 4 else question


def _kept(question: str) -> tuple[str, bool]:
    """The question's descriptive clauses (maybe none), and whether anything was cut."""
    kept, cut = [], False
    for raw in _CLAUSES.split(question):
        raw = raw.strip()
        if raw and _META_CLAUSE.match(raw):
            cut = True
            continue
        clause = _TAIL.sub("", _LEAD_IN.sub("", raw)).strip()
        cut = cut or clause != raw
        if clause:
            kept.append(clause)
    return "，".join(kept), cut


#: what must be left of a question without the names it says to describe something (CJK characters, Latin words)
_REST_CJK, _REST_WORDS = 6, 4


def names_left(question: str, names: Sequence[str]) -> bool:
    """Does the question say any of the names (so that `without_names` removes something)?"""
    return _removed(question, names) != question


def _removed(question: str, names: Sequence[str]) -> str:
    """The question with each name (two characters or more; a Latin one as a whole word) blanked out."""
    rest = question
    for name in sorted(set(names), key=len, reverse=True):
        if len("".join(name.split())) >= 2:
            words = r"\s*".join(map(re.escape, name.split()))
            pattern = words if CJK.search(name) else rf"(?<![A-Za-z0-9]){words}(?![A-Za-z0-9])"
            rest = re.sub(pattern, " ", rest, flags=re.IGNORECASE)
    return rest


def without_names(question: str, names: Sequence[str]) -> str | None:
    """The question without the names (longest first, any case), when enough is left to describe a concept."""
    rest = _removed(question, names)
    core = _kept(rest)[0]
    enough = len(CJK.findall(core)) >= _REST_CJK or len(re.findall(r"[A-Za-z]{3,}", core)) >= _REST_WORDS
    return rest if rest != question and enough else None
