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
from tutor.curriculum.quiz import study_lines

__all__ = [
    "NextSteps",
    "Recommendation",
    "in_order_first",
    "next_in_order",
    "plan_next",
    "recommend_next",
    "roadmap_next",
]


class SkillRef(BaseModel):
    number: int
    heading: str
    name: str


class Recommendation(BaseModel):
    skill: SkillRef
    kind: str  # "gap" | "next" | "after" (available once the cards before it are done)
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
    study = study_lines(skill)
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


def _payoff(curriculum: Curriculum, prereq: Prerequisites, skill: Skill) -> str:
    """What this particular skill is for: its first criterion and what it opens up."""
    opens = sorted(n for n, needs in prereq.needs.items() if skill.number in needs and n != skill.number)
    unlocked = "、".join(_label(curriculum.skill(n)) for n in opens[:2])
    goal = f"学完后应能：{skill.checks[0]}" if skill.checks else ""
    after = f"它是 {unlocked} 的前置" if unlocked else ""
    return "；".join(x for x in (goal, after) if x)


def _gaps(
    curriculum: Curriculum,
    prereq: Prerequisites,
    profile: LearnerProfile,
    done: set[int],
    unfinished: list[int],
) -> list[Recommendation]:
    """Unfinished skills that something already finished builds on."""
    recs = []
    for n in unfinished:
        dependents = sorted(d for d in done if n in prereq.ancestors(d))
        if dependents:
            skill = curriculum.skill(n)
            needers = "、".join(_label(curriculum.skill(d)) for d in dependents[:3])
            why = f"先补基础：你已完成 {needers}，它们依赖 {_label(skill)}，而它还没完成。"
            recs.append(_recommend(curriculum, skill, "gap", why, profile))
    return recs


def _ready(
    curriculum: Curriculum,
    prereq: Prerequisites,
    profile: LearnerProfile,
    done: set[int],
    unfinished: list[int],
    recs: list[Recommendation],
    limit: int,
) -> list[Recommendation]:
    """The earliest unfinished skills whose prerequisites are all done."""
    order = [s.number for s in curriculum.skills]
    out: list[Recommendation] = []
    for n in unfinished:
        if len(recs) + len(out) >= limit:
            break
        needs = prereq.needs[n]
        if any(r.skill.number == n for r in recs) or not needs <= done:
            continue
        skill = curriculum.skill(n)
        if needs:
            direct = "、".join(_label(curriculum.skill(d)) for d in sorted(needs, key=order.index)[-2:])
            why = f"你已完成 {direct}，{_label(skill)} 是路线上的下一步。"
        else:
            why = f"{_label(skill)} 没有前置要求，可以马上开始（{curriculum.stage(skill.stage).heading}）。"
        payoff = _payoff(curriculum, prereq, skill)
        out.append(_recommend(curriculum, skill, "next", why + (f"{payoff}。" if payoff else ""), profile))
    return out


def _after(
    curriculum: Curriculum,
    prereq: Prerequisites,
    profile: LearnerProfile,
    done: set[int],
    unfinished: list[int],
    recs: list[Recommendation],
    limit: int,
) -> list[Recommendation]:
    """Fill up to `limit` with skills that open once the cards before them are done (1-3 cards)."""
    order = [s.number for s in curriculum.skills]
    out: list[Recommendation] = []
    for n in unfinished:
        if len(recs) + len(out) >= limit:
            break
        planned = {r.skill.number for r in [*recs, *out]}
        missing = prereq.needs[n] - done
        if n in planned or not missing or not missing <= planned:
            continue
        skill = curriculum.skill(n)
        first = "、".join(_label(curriculum.skill(m)) for m in sorted(missing, key=order.index)[-2:])
        payoff = _payoff(curriculum, prereq, skill)
        why = f"学完 {first} 之后就可以开始{('；' + payoff) if payoff else ''}。"
        out.append(_recommend(curriculum, skill, "after", why, profile))
    return out


def plan_next(
    curriculum: Curriculum,
    prereq: Prerequisites,
    profile: LearnerProfile,
    limit: int = 3,
    passed: set[int] | None = None,
) -> NextSteps:
    """Up to `limit` (at least one) recommendations: gaps, then skills ready to start, then skills that
    open once those are done.  `passed`: skills whose self-check quiz suggests them as done; they
    count as done here (the learner confirms them in their progress)."""
    quiz_done = set(passed or ()) - set(profile.finished)
    done = set(profile.finished) | quiz_done
    order = [s.number for s in curriculum.skills]
    unfinished = [n for n in order if n not in done]
    if not unfinished:
        beyond = [m.citation for m in curriculum.milestones] + list(curriculum.advice)
        return NextSteps(
            finished_all=True,
            beyond=beyond,
            note=f"路线图的 {len(curriculum.skills)} 个技能点都已完成：去做里程碑项目、读经典论文、参与开源（见引用）。",
        )
    recs = _gaps(curriculum, prereq, profile, done, unfinished)
    recs += _ready(curriculum, prereq, profile, done, unfinished, recs, limit)
    recs += _after(curriculum, prereq, profile, done, unfinished, recs, limit)
    in_progress = [n for n in profile.in_progress if n not in done]
    recs.sort(
        key=lambda r: (
            {"gap": 0, "next": 1}.get(r.kind, 2),
            r.skill.number not in in_progress,
            order.index(r.skill.number),
        )
    )
    note = (
        "测验已通过、建议标记为完成 / quiz passed, suggested as done: "
        + "、".join(_label(curriculum.skill(n)) for n in sorted(quiz_done))
        if quiz_done
        else None
    )
    return NextSteps(recommendations=recs[:limit], note=note)


def roadmap_next(curriculum: Curriculum, done: set[int]) -> int | None:
    """The skill the roadmap's own order puts after the last one the learner finished (the first not done
    after it), or the first skill when nothing is done; None when nothing comes after.

    This is how a learner reads "what comes next" ("done with Linux and Git" -> 技能点 4), whatever the
    prerequisite graph says; the plan above may differ (a gap first), and the answer says both."""
    order = [s.number for s in curriculum.skills]
    last = max((order.index(n) for n in done if n in order), default=-1)
    return next((n for n in order[last + 1 :] if n not in done), None)


def recommend_next(
    curriculum: Curriculum, profile: LearnerProfile, n: int, after: int | None
) -> Recommendation:
    """Skill `n` as the plan's first step because the roadmap's order puts it next ("done with Prompt
    Engineering" -> 技能点 11), whatever the prerequisite graph adds: a learner who reports where they are
    has done what the roadmap puts before it, and the answer recommends what the roadmap says comes next."""
    skill = curriculum.skill(n)
    why = (
        f"按路线图顺序，{_label(skill)} 排在 {_label(curriculum.skill(after))} 之后。"
        if after is not None
        else f"{_label(skill)} 是路线图的第一步（{curriculum.stage(skill.stage).heading}）。"
    )
    goal = f"学完后应能：{skill.checks[0]}。" if skill.checks else ""
    return _recommend(curriculum, skill, "next", why + goal, profile)


def next_in_order(
    curriculum: Curriculum, prereq: Prerequisites, done: set[int], stated: set[int] | None = None
) -> int | None:
    """The skill the roadmap's order puts next for this learner: the first unfinished skill between two
    they name themselves (a gap in their own list: "Python 很熟，Linux 和 Git 天天用" skips 技能点 2), else the
    first unfinished one after the last finished.  A skill the prerequisites put after a named later one is
    no gap when the learner names skills in words ("技能点 14 微调学完了": 13 部署 follows 微调 in the core
    path); a stored checklist (`stated` None) is read as it is ticked, so every unticked skill before the
    last ticked one comes first."""
    order = [s.number for s in curriculum.skills]
    named = sorted(order.index(n) for n in (done if stated is None else stated) if n in order)
    for i in range(named[0] + 1, named[-1]) if len(named) >= 2 else ():
        later = {order[j] for j in named if j > i}
        # a checklist's hole is a gap whatever the core path says (1-12 and 14 ticked: 13 部署 is unfinished)
        if order[i] not in done and (stated is None or not later & prereq.ancestors(order[i])):
            return order[i]
    return roadmap_next(curriculum, done)


def in_order_first(
    curriculum: Curriculum,
    prereq: Prerequisites,
    plan: NextSteps,
    profile: LearnerProfile,
    done: set[int],
    stated: set[int] | None = None,
    reported: bool = False,
) -> NextSteps:
    """`plan` led by the skill the roadmap's order puts next (`next_in_order`): the one rule for "what next"
    that the chat's answer and the stored learner's plan (`/api/next`, the Progress tab) share, so both name
    the same skill.  The prerequisite graph's other choice (LangChain before RAG on the 核心路径 line) stays
    among the alternatives.  A gap inside the learner's own list comes first; so does a missing earlier
    prerequisite of their progress ("4, 5, 6 done" -> 技能点 1) unless they just `reported` where they are in
    words ("I've got Hugging Face and prompt engineering under my belt": the roadmap's next, the gap named)."""
    nxt = next_in_order(curriculum, prereq, done, stated) if plan.recommendations else None
    if nxt is None or plan.recommendations[0].skill.number == nxt:
        return plan
    order = [s.number for s in curriculum.skills]
    top = plan.recommendations[0]
    if top.kind == "gap" and not reported and order.index(top.skill.number) < order.index(nxt):
        return plan  # a missing earlier prerequisite of what their progress holds still comes first
    after = max((d for d in done if d in order[: order.index(nxt)]), key=order.index, default=None)
    first = recommend_next(curriculum, profile, nxt, after)
    rest = [r for r in plan.recommendations if r.skill.number != nxt]
    return plan.model_copy(update={"recommendations": [first, *rest][: len(plan.recommendations)]})
