"""The roadmap section a question resolves to, as one more ranked list for the fusion.

The query understanding (`tutor.chain.understanding`, handed in by the composition root) says
which skills or stages a question names, also by English name or alias ("prompts", "the
language-processing skill", "the second stage"), and what it asks about them (resources, checks,
project, content, stage); the parsed roadmap says where that part is written (the skill's 学习资源 /
实践项目 / 检验标准 sub-heading, the stage's section).  An English question shares no word with a
Chinese resource table, and a table of names is far from any question for e5, so the understood
passages join the fusion as one more RRF list (`retrieval.aspect_section_weight`), never replacing
what the retrievers found.  (A list of the skill that comes next by the core path, for "what after
X" questions, was measured and left out: eval/README.md, sixth round.)
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tutor.curriculum.model import Curriculum

__all__ = [
    "Headed",
    "RoadmapSections",
    "Target",
    "Understood",
    "heading_paths",
    "referenced_stages",
    "rows_under",
    "section_aspect",
    "under_any",
]

log = logging.getLogger(__name__)

_STARS = re.compile(r"[⭐★☆]+")
#: the aspects a skill's sub-sections answer (`tutor.chain.understanding.ASPECTS`)
_SECTION_ASPECTS = ("resources", "project", "checks", "content")
# a schedule named ("全职要几个月", "part-time"): the time plan's own section answers, not the overview
_SCHEDULE = re.compile(
    r"全职|业余|兼职|工作之余|上班|\b(?:full|part)[- ]?time\b|\balongside\b|\bwhile working\b", re.I
)


class Understood(Protocol):
    """What the query understanding (`tutor.chain.understanding.Understanding`) says a question names."""

    @property
    def stages(self) -> Sequence[int]: ...
    @property
    def skills(self) -> Sequence[int]: ...
    @property
    def aspects(self) -> Sequence[str]: ...
    @property
    def milestones(self) -> Sequence[int]: ...
    @property
    def evidence(self) -> dict[str, str]: ...


class _StageRefs(Protocol):
    @property
    def stages(self) -> Sequence[int]: ...
    @property
    def evidence(self) -> dict[str, str]: ...


class Headed(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def heading(self) -> str: ...


# "第一个阶段", "the first stage": a position in the roadmap's order (阶段 0 is the first stage), while
# "第三阶段" (no 个), "阶段 2" and "stage 2" are the stages' labels and stay as they are.
_ORDINAL = re.compile(
    r"^第\s*\S+\s*个|^(?:the\s+)?(?:very\s+)?(?:zeroth|first|second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th))\b",
    re.I,
)
# the question names the material's order itself ("the core path", "按路线的主线"): that passage is the answer
_ORDER_NAMED = re.compile(r"主线|核心路径|路线总览|\b(?:core|main|whole) path\b|\boverall order\b", re.I)
_STAGE_NAME = re.compile(r"[：:]\s*(?:AI\s*)?([^（(]+)")


def _stage_name(heading: str) -> str:
    """'阶段 4：AI 工程化（1-2 个月）' -> '工程化' (what a learner calls the stage by name)."""
    m = _STAGE_NAME.search(heading)
    return m.group(1).strip().replace(" ", "") if m else ""


def referenced_stages(question: str, refs: _StageRefs, stages: Sequence[Headed]) -> list[int]:
    """The stages referred to, ordinals read as positions in the roadmap's order unless a stage is named by name."""
    order = sorted(s.number for s in stages)
    compact = question.replace(" ", "")
    if any(name and name in compact for name in (_stage_name(s.heading) for s in stages)):
        return list(refs.stages)
    out = []
    for n in refs.stages:
        evidence = refs.evidence.get(f"stage {n}", "").strip()
        if _ORDINAL.search(evidence) and 1 <= n <= len(order):
            n = order[n - 1]
        out.append(n)
    return list(dict.fromkeys(out))


def section_aspect(title: str) -> str:
    """Which aspect a skill's sub-heading answers, by the roadmap parser's own rule (curriculum.parser)."""
    if "资源" in title or "平台" in title:
        return "resources"
    if "项目" in title:
        return "project"
    if "检验" in title:
        return "checks"
    return "content"


def _norm(heading: str) -> str:
    return re.sub(r"\s+", "", _STARS.sub("", unicodedata.normalize("NFKC", heading)))


@dataclass(frozen=True)
class Target:
    """A section to rank: the passages under `heading`, and under one of `titles` when given."""

    heading: str
    titles: tuple[str, ...] = ()


def under_any(headings: Sequence[str], targets: Sequence[Target]) -> bool:
    """Whether a passage with these headings sits under one of `targets`' headings."""
    path = {_norm(h) for h in headings}
    return any(_norm(t.heading) in path for t in targets)


def heading_paths(metadata: Sequence[dict[str, Any]]) -> list[frozenset[str]]:
    """Every row's headings, normalised (no stars, NFKC, no spaces); read once per index."""
    return [frozenset(_norm(h) for h in json.loads(m.get("headings", "[]") or "[]")) for m in metadata]


def rows_under(paths: Sequence[frozenset[str]], targets: Sequence[Target], limit: int = 4) -> list[int]:
    """Rows under each target in turn (document order within a target), at most `limit` per target."""
    out: list[int] = []
    for target in targets:
        head, titles = _norm(target.heading), {_norm(t) for t in target.titles}
        rows = [i for i, p in enumerate(paths) if head in p and (not titles or p & titles)]
        out += [r for r in rows if r not in out][:limit]
    return out


class RoadmapSections:
    """Which roadmap sections a question asks about (`aspect_targets`)."""

    def __init__(
        self,
        understand: Callable[[str], Understood],
        curriculum: Callable[[], Curriculum],
        max_skills: int = 2,
        stages: bool = False,
        core_path: Callable[[], Sequence[int]] = tuple,
    ) -> None:
        self.understand = understand
        self.curriculum = curriculum
        self.max_skills = max_skills
        #: also "which stage is X in" (the skill's section) and "what is in stage N" (the stage's section)
        self.stages = stages
        #: the skills of the document's core path in its order (`tutor.curriculum.graph.core_path_skills`)
        self.core_path = core_path

    def _understood(self, question: str) -> tuple[Understood, Curriculum] | None:
        try:
            return self.understand(question), self.curriculum()
        except Exception as exc:  # noqa: BLE001 - a ranking must never fail the search
            log.debug("no roadmap sections for %r: %s", question, exc)
            return None

    def aspect_targets(self, question: str) -> list[Target]:
        """The named skills' sub-sections for the aspect asked ("PyTorch 的学习资源" -> 技能点 7 › 学习资源)."""
        got = self._understood(question)
        if got is None:
            return []
        refs, curriculum = got
        aspects = [a for a in refs.aspects if a in _SECTION_ASPECTS]
        if "next" in refs.aspects or refs.milestones:
            return []  # what comes next, or what is due by a milestone, is not the skill's own section
        if aspects == [] and list(refs.aspects) == ["time"] and refs.stages and not refs.skills:
            return self._duration_targets(question, curriculum)
        if not refs.skills:
            return self._stage_targets(question, refs, curriculum) if aspects == ["content"] else []
        if len(refs.skills) > self.max_skills:
            return []
        out = []
        for n in refs.skills:
            skill = _skill(curriculum, n)
            if skill is None:
                continue
            titles = tuple(t for t in skill.section_citations if section_aspect(t) in aspects)
            if titles:
                out.append(Target(skill.heading, titles))
            elif self.stages and "stage" in refs.aspects:
                out.append(Target(skill.heading))  # "which stage is RAG in": the skill's place in its stage
        return out

    def next_targets(self, question: str, asks_next: bool) -> list[Target]:
        """What comes after the stage or skill a question names: the next stage's section; for a skill
        the next skill by the core path and the next by the roadmap's order (a learner's "after X" means
        either, and unseen questions are labelled both ways)."""
        got = self._next_understood(question, asks_next)
        if got is None:
            return []
        refs, curriculum = got
        whole = _one_stage(curriculum, refs.skills, self.max_skills)
        if whole is not None:  # "ML, deep learning and NLP are done": stage 1 is, and stage 2 is next
            headings = {s.number: s.heading for s in curriculum.stages}
            return [Target(headings[whole + 1])] if whole + 1 in headings else []
        if refs.skills:
            if len(refs.skills) > self.max_skills:
                return []
            last = max(refs.skills)
            try:
                path = list(self.core_path())
            except Exception as exc:  # noqa: BLE001 - a ranking must never fail the search
                log.debug("no core path for %r: %s", question, exc)
                path = []
            after = [path[path.index(last) + 1]] if last in path[:-1] else []
            after.append(last + 1)
            within = [n for n in after if (s := _skill(curriculum, n)) is not None and s.stage in refs.stages]
            after = within or after  # "RAG 搞定了，阶段 3 里接下来学什么": the next within the stage named
            return [
                Target(s.heading) for n in dict.fromkeys(after) if (s := _skill(curriculum, n)) is not None
            ]
        wanted = referenced_stages(question, refs, curriculum.stages)
        headings = {s.number: s.heading for s in curriculum.stages}
        return [Target(headings[max(wanted) + 1])] if wanted and max(wanted) + 1 in headings else []

    def done_targets(self, question: str, asks_next: bool) -> list[Target]:
        """The stage or skills a "what after X" question names as done (`next_targets`' X): their own
        passages restate what the learner has finished, so they are not the answer to what comes next."""
        got = self._next_understood(question, asks_next)
        if got is None:
            return []
        refs, curriculum = got
        whole = _one_stage(curriculum, refs.skills, self.max_skills)
        if whole is not None:
            return [Target(s.heading) for s in curriculum.stages if s.number == whole]
        if refs.skills:
            if len(refs.skills) > self.max_skills:
                return []
            return [Target(s.heading) for n in refs.skills if (s := _skill(curriculum, n)) is not None]
        wanted = referenced_stages(question, refs, curriculum.stages)
        return [Target(s.heading) for s in curriculum.stages if s.number in wanted]

    def _next_understood(self, question: str, asks_next: bool) -> tuple[Understood, Curriculum] | None:
        """The understanding of a question that asks what comes after a named stage or skill, else None."""
        got = self._understood(question)
        if got is None:
            return None
        refs = got[0]
        if not (asks_next or "next" in refs.aspects) or refs.milestones or _ORDER_NAMED.search(question):
            return None
        return got

    def _duration_targets(self, question: str, curriculum: Curriculum) -> list[Target]:
        """ "AI 工程化阶段大概多久", "How long is stage 3?": the overview that gives every stage its months
        (学习路线总览), which the stage's own passages (its projects, its checks) do not; a schedule named
        ("全职要几个月") is the time plan's, found by its words."""
        overview = curriculum.overview_citation
        if not self.stages or overview is None or _SCHEDULE.search(question):
            return []
        return [Target(overview.heading)]

    def _stage_targets(self, question: str, refs: Understood, curriculum: Curriculum) -> list[Target]:
        """ "What is in stage N" (no skill named): the stage's own section."""
        if not self.stages:
            return []
        wanted = referenced_stages(question, refs, curriculum.stages)
        headings = {s.number: s.heading for s in curriculum.stages}
        return [Target(headings[n]) for n in wanted[:1] if n in headings]


def _one_stage(curriculum: Curriculum, skills: Sequence[int], max_skills: int) -> int | None:
    """The stage a "what after X" question reports done when it lists more than `max_skills` skills,
    all of one stage ("数学、Python、Linux 都学完了" is stage 0); None otherwise (one skill is a skill)."""
    if len(skills) <= max_skills:
        return None
    stages = {s.stage for n in skills if (s := _skill(curriculum, n)) is not None}
    return stages.pop() if len(stages) == 1 else None


def _skill(curriculum: Curriculum, number: int) -> Any:
    try:
        return curriculum.skill(number)
    except KeyError:
        return None
