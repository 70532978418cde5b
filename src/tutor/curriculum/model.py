"""The roadmap as data: stages, skills, resources, milestones, time plans, core path."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = [
    "Citation",
    "ContentGroup",
    "Curriculum",
    "Milestone",
    "RecommendedItem",
    "Resource",
    "Skill",
    "Stage",
    "TimePlan",
]


class Citation(BaseModel):
    """Where in the document a fact was read: the exact heading and its line range."""

    doc: str
    heading: str
    lines: tuple[int, int]


class Resource(BaseModel):
    name: str
    type: str | None = None
    lang: str | None = None
    stars: int | None = None
    link: str | None = None
    extra: dict[str, str] = Field(default_factory=dict)


class ContentGroup(BaseModel):
    """Bullets under one sub-heading (e.g. 必修内容 › 基础语法), with the document lines they stand on
    (1-based, inclusive: the bold label through the last item), so a group can be quoted and cited alone."""

    section: str
    title: str | None = None
    items: list[str] = Field(default_factory=list)
    lines: tuple[int, int] | None = None


class Skill(BaseModel):
    number: int
    heading: str
    name: str
    stars: int
    stage: int
    content: list[ContentGroup] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list)
    citation: Citation
    section_citations: dict[str, Citation] = Field(default_factory=dict)

    def resources_matching(self, lang: str | None = None, kind: str | None = None) -> list[Resource]:
        """Resources whose language and type contain the given text (no filter where None)."""
        return [
            r
            for r in self.resources
            if (not lang or (r.lang and lang in r.lang)) and (not kind or (r.type and kind in r.type))
        ]


class Stage(BaseModel):
    number: int
    heading: str
    name: str
    duration: str
    skills: list[int] = Field(default_factory=list)
    citation: Citation


class TimePlan(BaseModel):
    name: str
    heading: str
    hours_per_day: str | None = None
    stage_months: dict[int, float] = Field(default_factory=dict)
    items: list[str] = Field(default_factory=list)
    citation: Citation


class Milestone(BaseModel):
    heading: str
    months: int
    checks: list[str]
    citation: Citation


class RecommendedItem(BaseModel):
    """A row of the 推荐资源汇总 tables (books, platforms, ...), with its stage hint if any."""

    table: str
    name: str
    columns: dict[str, str]
    link: str | None = None
    stages: list[int] = Field(default_factory=list)
    citation: Citation
    line: int | None = None  # the row's own line (1-based)


class TreeBranch(BaseModel):
    """One branch of the roadmap's 技能树 ("基础技能（必修）") and its leaves ("Linux 操作 ⭐⭐⭐"): whether a skill is
    required is what the branch it stands under says."""

    name: str
    leaves: list[str] = Field(default_factory=list)


class Curriculum(BaseModel):
    doc: str
    title: str
    stages: list[Stage]
    skills: list[Skill]
    time_plans: list[TimePlan] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    core_path: list[str] = Field(default_factory=list)
    core_path_citation: Citation | None = None  # the 核心路径 section, cited when an answer quotes the path
    overview_citation: Citation | None = None  # 学习路线总览: the stages in order, cited for "which stages"
    recommended: list[RecommendedItem] = Field(default_factory=list)
    advice: list[Citation] = Field(default_factory=list)
    skill_tree: list[TreeBranch] = Field(default_factory=list)
    skill_tree_citation: Citation | None = None  # the 技能树 section, cited when an answer quotes a branch
    total_time: str | None = (
        None  # the title's "总时长：8-13 个月（全职）或 1.5-2 年（业余）", the whole plan in one line
    )
    total_time_citation: Citation | None = None

    def skill(self, number: int) -> Skill:
        for s in self.skills:
            if s.number == number:
                return s
        raise KeyError(number)

    def stage(self, number: int) -> Stage:
        for s in self.stages:
            if s.number == number:
                return s
        raise KeyError(number)
