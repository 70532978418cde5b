"""A numbered stage described beside its number: the description names the stage, not skills or aspects.

"stage 2, the deep learning practice one" and "stage 2, the hands-on deep learning stage" say the stage's title in
the learner's words: 深度学习 there is the stage's 深度学习实践, not 技能点 5 深度学习原理, and "hands-on" is not
a question about projects.  What is read only inside such an apposition is dropped.
"""

from __future__ import annotations

import re

from tutor.chain.glossary import english_terms
from tutor.chain.refs import ASPECT_PATTERNS
from tutor.curriculum.model import Curriculum

__all__ = ["drop_described_aspects", "drop_described_skills"]

# "stage 2, the hands-on deep learning stage", "阶段 2（深度学习实践那个阶段）": the words between the number and
# the closing noun describe the stage
_APPOSITION = re.compile(
    r"\b(?:stage|phase)\s*#?\s*\w+\s*[,(—–-]\s*(?:the|i\.e\.|aka)?\s*([^,.?;()]{3,60}?)\s+(?:stage|phase|one|part)\b"
    r"|阶段\s*\w+\s*[（(，,]\s*(?:也就是|即|就是)?\s*([^，,。？?）)]{2,20}?)(?:那个|这个)?阶段",
    re.IGNORECASE,
)


def _title_words(text: str, said: str, stage_titles: list[str]) -> bool:
    """ "deep learning practice": the skill's words and the next English word spell a named stage's title."""
    m = re.search(rf"{re.escape(said)}\s+([a-z]+)", text, re.IGNORECASE) if said.isascii() and said else None
    if m is None:
        return False
    terms = english_terms(f"{said} {m.group(1)}")
    return len(terms) >= 2 and any("".join(terms).replace(" ", "") in t for t in stage_titles)


# "the hands-on deep learning stage (the one with pytorch)": a bracket right after the words that named a stage
_BRACKET = re.compile(r"\s*[（(]([^（()）]{1,40})[）)]")


def _spans(text: str, evidence: dict[str, str] | None = None) -> list[tuple[int, int]]:
    """The apposition beside a stage's number; also the words that named a stage and a bracket right after them."""
    spans = [m.span(m.lastindex or 0) for m in _APPOSITION.finditer(text)]
    for key, said in (evidence or {}).items():
        if not key.startswith("stage ") or len(said) < 4:
            continue
        for m in re.finditer(re.escape(said), text):
            spans.append(m.span())
            if bracket := _BRACKET.match(text, m.end()):
                spans.append(bracket.span(1))
    return spans


def _inside(spans: list[tuple[int, int]], found: list[tuple[int, int]]) -> bool:
    return bool(found) and all(any(s <= a and b <= e for s, e in spans) for a, b in found)


def drop_described_skills(
    text: str, curriculum: Curriculum, stages: list[int], skills: list[int], evidence: dict[str, str]
) -> None:
    """Drop (in place) the skills read only from a named stage's description or title."""
    titles = [s.name.replace(" ", "") for s in curriculum.stages if s.number in stages]
    spans = _spans(text, evidence)
    for n in list(skills):
        said = evidence.get(f"skill {n}", "")
        at = [m.span() for m in re.finditer(re.escape(said), text, re.IGNORECASE)] if said else []
        if _title_words(text, said, titles) or _inside(spans, at):
            skills.remove(n)
            evidence.pop(f"skill {n}")


def drop_described_aspects(text: str, aspects: list[str], evidence: dict[str, str]) -> None:
    """Drop (in place) the aspects read only from a stage's description ("the hands-on … stage")."""
    spans, patterns = _spans(text, evidence), dict(ASPECT_PATTERNS)
    for aspect in [a for a in aspects if a in patterns and spans]:
        if _inside(spans, [m.span() for m in patterns[aspect].finditer(text)]):
            aspects.remove(aspect)
            evidence.pop(f"aspect {aspect}", None)
