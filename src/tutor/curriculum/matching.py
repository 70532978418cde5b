"""Map a free-text self-description to roadmap skills, deterministically and explainably.

"我学过 Python 和一点线性代数" -> Python done, 数学基础 in progress.
"I know PyTorch but not transformers" -> PyTorch done; Transformer explicitly not known.
Unknown technical words and ambiguous mentions are reported, never guessed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from tutor.curriculum.graph import CurriculumConfig, find_skill
from tutor.curriculum.model import Curriculum

__all__ = ["SkillMentions", "match_skills"]

_NEGATION = re.compile(
    r"(not|no|never|don't|do not|haven't|have not|without|不会|不懂|没学过|没有学|没学|不了解|不熟|还没|不)\s*$"
)
_PARTIAL = re.compile(r"(一点|一些|入门|初步|略懂|稍微|a bit of|a little|some|basic|basics of)\s*$")
_CLAUSE = re.compile(r"[,，。;；!！?？]|\bbut\b|但是|但|不过|可是")
_LATIN_WORD = re.compile(r"(?<![A-Za-z'’])[A-Za-z][A-Za-z0-9+#.\-]{1,}")
_STOP = {
    "i",
    "know",
    "learned",
    "learnt",
    "studied",
    "and",
    "but",
    "not",
    "a",
    "bit",
    "of",
    "some",
    "the",
    "with",
    "little",
    "have",
    "basic",
    "basics",
    "also",
    "done",
    "finished",
    "want",
    "to",
    "learn",
    "am",
    "know,",
    "it",
    "in",
    "on",
    "my",
    "me",
    "is",
    "skill",
    "skills",
    "already",
    "experience",
    "use",
    "used",
    "used,",
    "can",
    "how",
    "well",
    "very",
    "good",
    "at",
    "just",
    "only",
    "do",
    "don't",
    "haven't",
}


@dataclass
class SkillMentions:
    known: list[int] = field(default_factory=list)
    partial: list[int] = field(default_factory=list)
    not_known: list[int] = field(default_factory=list)
    unknown_terms: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[int]] = field(default_factory=dict)
    evidence: dict[int, str] = field(default_factory=dict)


def _alias_table(curriculum: Curriculum, config: CurriculumConfig) -> dict[str, set[int]]:
    table: dict[str, set[int]] = {}

    def add(alias: str, number: int) -> None:
        alias = alias.strip().lower()
        if len(alias) >= 2:
            table.setdefault(alias, set()).add(number)

    for skill in curriculum.skills:
        add(skill.name, skill.number)
        for part in re.split(r"\s*(?:和|与|及|&|/|、)\s*", skill.name):
            add(part, skill.number)
        for group in skill.content:
            if group.title and len(group.title) <= 12:
                add(re.sub(r"[（(].*?[）)]", "", group.title), skill.number)
    for key, aliases in config.aliases.items():
        found = find_skill(curriculum, key)
        if found:
            for alias in aliases:
                add(alias, found.number)
    return table


def match_skills(text: str, curriculum: Curriculum, config: CurriculumConfig) -> SkillMentions:
    """Find skill mentions; a mention's own clause decides known / partial / not known."""
    table = _alias_table(curriculum, config)
    lowered = text.lower()
    out = SkillMentions()
    claimed = [False] * len(lowered)
    for alias in sorted(table, key=len, reverse=True):
        pattern = re.escape(alias).replace(r"\ ", r"[\s\-]+")  # "retrieval-augmented generation" too
        if re.fullmatch(r"[a-z0-9 .+#\-]+", alias):  # English inflections too: "deploying", "embeddings"
            suffix = r"(?:s|es|ed|d|ing)?" if re.fullmatch(r"[a-z]{4,}", alias) else ""
            pattern = rf"(?<![a-z0-9]){pattern}{suffix}(?![a-z0-9])"
        for m in re.finditer(pattern, lowered):
            if any(claimed[m.start() : m.end()]):
                continue
            for i in range(m.start(), m.end()):
                claimed[i] = True
            numbers = sorted(table[alias])
            if len(numbers) > 1:
                out.ambiguous[text[m.start() : m.end()]] = numbers
                continue
            _record(out, numbers[0], _status(lowered, m.start()), text[m.start() : m.end()])
    for m in _LATIN_WORD.finditer(text):
        word = m.group(0)
        if any(claimed[m.start() : m.end()]) or word.lower() in _STOP:
            continue
        close = difflib.get_close_matches(word.lower(), list(table), n=1, cutoff=0.85)
        if close and len(table[close[0]]) == 1:
            number = next(iter(table[close[0]]))
            _record(out, number, _status(lowered, m.start()), f"{word} (≈ {close[0]})")
        else:
            out.unknown_terms.append(word)
    for lst in (out.known, out.partial):
        lst[:] = [n for n in lst if n not in out.not_known]
    out.partial[:] = [n for n in out.partial if n not in out.known]
    out.known.sort()
    out.partial.sort()
    out.not_known.sort()
    return out


def _status(lowered: str, start: int) -> str:
    """known / partial / not_known, judged from the words before the mention in its clause."""
    clause_start = max([c.end() for c in _CLAUSE.finditer(lowered[:start])], default=0)
    before = lowered[clause_start:start]
    if _NEGATION.search(before) or re.search(r"\b(not|no)\b|不会|不懂|没学|不了解", before):
        return "not_known"
    if _PARTIAL.search(before):
        return "partial"
    return "known"


def _record(out: SkillMentions, number: int, status: str, evidence: str) -> None:
    target = {"known": out.known, "partial": out.partial, "not_known": out.not_known}[status]
    if number not in target:
        target.append(number)
        out.evidence.setdefault(number, evidence)
