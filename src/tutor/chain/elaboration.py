"""The topics a learner lists in a bracket right after a named skill or stage: they say which part is meant.

"just wrapped up the NLP part (word embeddings, attention, seq2seq). whats next?" names 技能点 6 and says what
its part held; read as names, "attention" and "embeddings" would add 技能点 8 and 11 to the question, count them
as finished and turn "what's next" into a question about their material.  "学完了 Python（numpy、pandas 那些）"
likewise, and so does such a list after a colon, a dash or "including".  Understanding, the learner's own words and the router all read the question with such a bracket
blanked, so the one rule holds for all three.  A bracket that rules something out ("阶段 1（除了 NLP）") or asks
is kept: it says more than which part.
"""

from __future__ import annotations

import re

from tutor.chain.refs import SKILL_REFS, STAGE_REFS, core_name, stage_by_name
from tutor.chain.stage_counted import COUNTED_BEFORE
from tutor.curriculum.graph import CurriculumConfig
from tutor.curriculum.matching import match_skills
from tutor.curriculum.model import Curriculum

__all__ = ["blank_elaborations", "elaborations"]

_BRACKET = re.compile(r"[（(]([^（）()]{1,80})[）)]")
# a bracket that excludes, qualifies as not done, or asks says more than which part is meant
_KEEP = re.compile(
    r"除了|除去|不包括|没|不|还差|[?？]|\b(?:except|not|but|without|excluding|haven'?t|didn'?t)\b",
    re.IGNORECASE,
)
# a bracket that describes which one is meant ("第二个阶段（讲AI理论的那个）") may be what picks the unit: kept
_DESCRIBES = re.compile(
    r"那个|那块|那部分|那段|\b(?:the one|the part|that|which|where)\b|\b(?:one|part|bit)\s*$", re.IGNORECASE
)  # "（pytorch和transformer那段）", "(the ML theory one)"
_CLAUSE = re.compile(r"[。！？!?；;，,]|\.(?:\s|$)")
# the same topics after a colon, a dash or "including" up to the sentence's end: "I finished the NLP part: word2vec,
# attention, seq2seq.", "Done with classic ML — regression, trees, k-means"; a list, and nothing asked in it
_LISTED = re.compile(
    r"(?:[:：]|\s[-–—]+\s|——|—|,?\s+(?:including|such as|like|e\.g\.)\s|[，,]?\s*(?:包括|比如|例如))"
    r"\s*([^。!?！？;；\n]{2,80}?)(?=[。!?！？;；\n]|\.(?:\s|$)|$)",
    re.IGNORECASE,
)
_LIST = re.compile(r"[、,，/+]|\band\b|和|以及|及|\betc\b|那些|之类|等", re.IGNORECASE)
_ASKING = re.compile(
    r"[吗呢]|什么|啥|哪|怎么|多久|几|\b(?:what|which|how|where|when|why|should|can|could|do|does|is|are)\b",
    re.IGNORECASE,
)


def _names(clause: str, curriculum: Curriculum, config: CurriculumConfig) -> bool:
    """The clause names a skill or a stage of the roadmap (by number, by name, or by a known alias)."""
    if any(p.search(clause) for p in (*SKILL_REFS, *STAGE_REFS)) or stage_by_name(clause, curriculum):
        return True
    low = clause.lower()
    if any(len(c) >= 2 and c in low for s in curriculum.skills for c in (core_name(s.name), s.name.lower())):
        return True
    mentions = match_skills(clause, curriculum, config)
    return bool(mentions.known or mentions.partial or mentions.not_known)


def elaborations(text: str, curriculum: Curriculum, config: CurriculumConfig) -> list[tuple[int, int]]:
    """The spans of the brackets that follow a named skill or stage in their clause and only elaborate it."""
    spans: list[tuple[int, int]] = []
    for m in _BRACKET.finditer(text):
        clause = _CLAUSE.split(text[: m.start()])[-1]
        if not clause.strip() or _KEEP.search(m.group(1)) or _DESCRIBES.search(m.group(1)):
            continue
        if COUNTED_BEFORE.search(text[: m.start()]):  # "第二个阶段（AI理论基础）": which stage is meant
            continue
        if _names(clause, curriculum, config):
            spans.append(m.span())
    for m in _LISTED.finditer(text):
        listed, clause = m.group(1), _CLAUSE.split(text[: m.start()])[-1]
        if not _LIST.search(listed) or _ASKING.search(listed) or _KEEP.search(listed) or not clause.strip():
            continue
        if not any(a < m.end() and m.start() < b for a, b in spans) and _names(clause, curriculum, config):
            spans.append(m.span())
    return sorted(spans)


def blank_elaborations(
    text: str, curriculum: Curriculum, config: CurriculumConfig | None = None, keep_length: bool = True
) -> str:
    """`text` with its elaborating brackets blanked: spaces of the same length (so spans read from it still
    point into the question), or removed with `keep_length=False` (for the clauses quoted back)."""
    out = text
    for a, b in reversed(elaborations(text, curriculum, config or CurriculumConfig())):
        out = out[:a] + (" " * (b - a) if keep_length else "") + out[b:]
    return out
