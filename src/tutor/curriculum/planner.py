"""What to learn next, from the roadmap's structure and the learner's progress.

Deterministic and explainable: gaps first (an unfinished skill that a finished one
builds on), then the earliest unfinished skills whose prerequisites are all done, in
roadmap order.  Every recommendation says why and cites the lines it came from.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, Field

from tutor.curriculum.graph import Prerequisites
from tutor.curriculum.model import Citation, Curriculum, Resource, Skill
from tutor.curriculum.progress import LearnerProfile

__all__ = ["NextSteps", "Recommendation", "plan_next"]


class SkillRef(BaseModel):
    number: int
    heading: str
    name: str


class Recommendation(BaseModel):
    skill: SkillRef
    kind: str  # "gap" | "next"
    reason: str
    study: list[str]
    resources: list[Resource]
    project: str | None
    done_when: list[str]
    estimate: str
    citations: list[Citation]


class NextSteps(BaseModel):
    recommendations: list[Recommendation] = Field(default_factory=list)
    finished_all: bool = False
    beyond: list[Citation] = Field(default_factory=list)  # milestones, projects, advice when all is done
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _label(skill: Skill) -> str:
    return f"技能点 {skill.number}（{skill.name}）"


def _pick_resources(skill: Skill, language: str, n: int = 3) -> list[Resource]:
    def prefers(res: Resource) -> int:
        lang = res.lang or ""
        if language.startswith("en"):
            return 0 if "英" in lang else 1
        return 0 if "中" in lang else 1

    ranked = sorted(skill.resources, key=lambda r: (prefers(r), -(r.stars or 0), r.link is None))
    return ranked[:n]


def _estimate(curriculum: Curriculum, skill: Skill, hours_per_day: float) -> str:
    full_time = next((p for p in curriculum.time_plans if p.stage_months and "全职" in p.name), None)
    months = full_time.stage_months.get(skill.stage) if full_time else None
    if not months:
        return "持续学习（路线图未给固定时长）/ ongoing (no fixed duration in the roadmap)"
    stage = curriculum.stage(skill.stage)
    hours = months * 30 * 8 / max(1, len(stage.skills))  # full-time plan: 8 hours a day
    days = math.ceil(hours / max(0.5, hours_per_day))
    weeks = max(1, round(days / 7))
    return (
        f"约 {weeks} 周（每天 {hours_per_day:g} 小时；按全职计划 {stage.heading.split('（')[0]} "
        f"{months:g} 个月、每天 8 小时、本阶段 {len(stage.skills)} 个技能点折算，约 {hours:.0f} 小时）"
    )


def _recommend(
    curriculum: Curriculum, skill: Skill, kind: str, reason: str, profile: LearnerProfile
) -> Recommendation:
    study = [
        f"{g.title}：{'、'.join(g.items)}" if g.title else "、".join(g.items)
        for g in skill.content
        if g.items
    ]
    citations = [skill.citation] + [c for t, c in skill.section_citations.items() if t != skill.heading]
    return Recommendation(
        skill=SkillRef(number=skill.number, heading=skill.heading, name=skill.name),
        kind=kind,
        reason=reason,
        study=study,
        resources=_pick_resources(skill, profile.language),
        project=skill.projects[0] if skill.projects else None,
        done_when=list(skill.checks),
        estimate=_estimate(curriculum, skill, profile.hours_per_day),
        citations=citations,
    )


def plan_next(
    curriculum: Curriculum, prereq: Prerequisites, profile: LearnerProfile, limit: int = 3
) -> NextSteps:
    done = set(profile.finished)
    order = [s.number for s in curriculum.skills]
    unfinished = [n for n in order if n not in done]
    if not unfinished:
        beyond = [m.citation for m in curriculum.milestones] + list(curriculum.advice)
        return NextSteps(
            finished_all=True,
            beyond=beyond,
            note=f"路线图的 {len(curriculum.skills)} 个技能点都已完成：去做里程碑项目、读经典论文、参与开源（见引用）。",
        )

    recs: list[Recommendation] = []
    # 1. gaps: unfinished skills that something already finished builds on
    for n in unfinished:
        dependents = sorted(d for d in done if n in prereq.ancestors(d))
        if dependents:
            skill = curriculum.skill(n)
            needers = "、".join(_label(curriculum.skill(d)) for d in dependents[:3])
            recs.append(
                _recommend(
                    curriculum,
                    skill,
                    "gap",
                    f"先补基础：你已完成 {needers}，它们依赖 {_label(skill)}，而它还没完成。",
                    profile,
                )
            )
    # 2. the earliest unfinished skills whose prerequisites are all done
    for n in unfinished:
        if len(recs) >= limit:
            break
        if any(r.skill.number == n for r in recs):
            continue
        needs = prereq.needs[n]
        if needs <= done:
            skill = curriculum.skill(n)
            if needs:
                direct = sorted(needs, key=order.index)[-2:]
                why = f"你已完成 {'、'.join(_label(curriculum.skill(d)) for d in direct)}，{_label(skill)} 是路线上的下一步。"
            else:
                why = (
                    f"{_label(skill)} 没有前置要求，是路线的起点（{curriculum.stage(skill.stage).heading}）。"
                )
            recs.append(_recommend(curriculum, skill, "next", why, profile))
    in_progress = [n for n in profile.in_progress if n not in done]
    recs.sort(key=lambda r: (r.kind != "gap", r.skill.number not in in_progress, order.index(r.skill.number)))
    return NextSteps(recommendations=recs[:limit])
