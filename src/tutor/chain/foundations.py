"""The foundations before AI, asked with nothing else named: 阶段 0's overview.

"正式学 AI 之前得先打好哪些底子", "What groundwork should I lay before I really start studying AI?" ask what the roadmap
puts first.  A foundation the learner says they lack ("I know nothing about programming or math yet") is part of that
question, not a skill asked about; "必修/mandatory" asks the skill tree instead (`chain.skill_tree`).
"""

from __future__ import annotations

import re
from typing import Protocol

from tutor.chain.refs import FOUNDATIONS
from tutor.curriculum.model import Curriculum


class Understood(Protocol):
    """What `chain.understanding.Understanding` holds that this reads and sets (no import: no cycle)."""

    skills: list[int]
    stages: list[int]
    milestones: list[int]
    aspects: list[str]
    evidence: dict[str, str]


__all__ = ["foundations_asked"]

_THE_REAL = re.compile(r"\b(?:actual|real|proper|core)\b", re.IGNORECASE)
MANDATORY = re.compile(r"必修|mandatory|required", re.IGNORECASE)
# "I know nothing about programming or math yet", "数学很差": what the learner lacks, not what they ask about
_LACKS = re.compile(
    r"know nothing|don't know|no (?:background|experience|idea)|零基础|不会|没学过|没基础|很差|不懂|基础差",
    re.I,
)


def foundations_asked(text: str, curriculum: Curriculum, u: Understood) -> None:
    """Turn `u` (in place) into 阶段 0's overview when the question asks the foundations before AI."""
    first = min(s.number for s in curriculum.stages)
    lacked = (
        not u.aspects and _LACKS.search(text) and all(curriculum.skill(n).stage == first for n in u.skills)
    )
    found = FOUNDATIONS.search(text)
    # "before any of the real machine learning content": the skill said there is what comes after, not asked
    real = found.group(0) if found and _THE_REAL.search(found.group(0)) else "\0"
    after = [n for n in u.skills if u.evidence.get(f"skill {n}", "\0").lower() in real.lower()]
    if u.stages or u.milestones or (u.skills and not lacked and len(after) < len(u.skills)):
        return
    if found and not MANDATORY.search(text):
        u.skills.clear()
        for key in [k for k in u.evidence if k.startswith("skill ")]:
            u.evidence.pop(key)
        u.stages, u.aspects = [first], ["content"]  # the foundations before AI: 阶段 0's overview
        u.evidence["aspect content"] = "(the foundations before AI)"
