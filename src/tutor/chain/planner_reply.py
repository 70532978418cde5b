"""The next-step route's answer: the planner's recommendations, rendered and cited (split from the chain).

A learner who says "done with Linux and Git" reads "what comes next" in the roadmap's order (技能点 4, in
阶段 1); the planner follows prerequisites and may put a gap first (技能点 1).  The answer recommends the
roadmap's next skill with its stage (after a whole stage, the next stage and its skills) and quotes and cites
only it; what the prerequisites add is named, not quoted ("if you haven't done 技能点 1 yet, start there").
Only a skill the learner's own list skips over ("Python 很熟，Linux 和 Git 天天用": 技能点 2) comes first: that
is a gap they told us about, and the roadmap's order itself puts it next.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tutor.chain import replies
from tutor.chain.answer import Answer, Source
from tutor.chain.daily_hours import hours_per_day
from tutor.chain.doc_parts import DocParts
from tutor.chain.essay_next import essay_next_answer
from tutor.chain.list_next import list_next_answer
from tutor.chain.own_words import reported, time_plan
from tutor.chain.refs import ASPECT_PATTERNS
from tutor.chain.study_mode import PACE, plan_for_hours
from tutor.curriculum import planner
from tutor.curriculum.graph import Prerequisites
from tutor.curriculum.learners import Roadmap
from tutor.curriculum.model import Citation, Curriculum, TimePlan
from tutor.curriculum.planner import NextSteps
from tutor.curriculum.progress import LearnerProfile

__all__ = ["finished_labels", "next_in_order", "recommender", "next_step_answer", "roadmap_order_lead"]


def finished_labels(roadmap: Roadmap, profile: LearnerProfile) -> list[str]:
    """The skills the learner finished, as the answer names them ("技能点 1（Python 编程）")."""
    skills = {s.number: s.name for s in roadmap.curriculum.skills}
    return [f"技能点 {n}（{skills[n]}）" for n in profile.finished if n in skills]


def _cite(
    sources: list[Source],
    numbers: dict[str, int],
    c: Citation,
    headings: list[str],
    cur: Curriculum,
    path: Path,
) -> int:
    """The number of a roadmap section among the answer's sources, added (whole) when not cited yet."""
    key = f"{c.doc}#L{c.lines[0]}-{c.lines[1]}"
    if key not in numbers:
        numbers[key] = len(sources) + 1
        sources.append(replies.roadmap_source(numbers[key], c, cur.title, headings, path, limit=20_000))
    return numbers[key]


def _label(cur: Curriculum, n: int) -> str:
    return f"技能点 {n}（{cur.skill(n).name}）"


def _why_plan_differs(
    cur: Curriculum, prereq: Prerequisites, done: set[int], nxt: int, top: int, zh: bool
) -> str:
    """Why the plan starts elsewhere: the next skill's unfinished prerequisites, or a skipped earlier skill."""
    order = [s.number for s in cur.skills]
    missing = sorted(prereq.ancestors(nxt) - done, key=order.index)
    if missing:
        names = "、".join(_label(cur, n) for n in missing[:4]) + ("等" if len(missing) > 4 else "")
        why = (
            f"{names} 是 {_label(cur, nxt)} 的前置，你还没提到学过"
            if zh
            else f"{names} come before {_label(cur, nxt)} as its prerequisites, and you haven't mentioned them"
        )
    elif order.index(top) < order.index(nxt):
        why = (
            f"{_label(cur, top)} 在路线图上排在它前面，你还没提到学过"
            if zh
            else f"{_label(cur, top)} comes before it in the roadmap, and you haven't mentioned it"
        )
    else:
        return ""
    if zh:
        return f"不过按前置关系：{why}；如果还没学过，先补 {_label(cur, top)}。"
    return f"But by the prerequisites: {why}; if you haven't done it yet, start with {_label(cur, top)}."


def next_in_order(roadmap: Roadmap, done: set[int], stated: set[int] | None) -> int | None:
    """The skill the roadmap's order puts next for this learner (`planner.next_in_order`, the rule the stored
    learner's plan shares)."""
    return planner.next_in_order(roadmap.curriculum, roadmap.prerequisites, done, stated)


def recommender(roadmap: Roadmap) -> Callable[[str], int | None]:
    """The skill a next-step answer to a progress report leads with (`roadmap_order_lead`'s, from what
    `apply_own_words` reads as known): what a follow-up such as "那个技能有啥推荐资源吗" refers to, recomputed from
    the learner's words alone, so an eval case (earlier questions only) and the chat (with the answer in the
    history) agree."""

    def recommended(report: str) -> int | None:
        stated, known = reported(report, roadmap)
        return next_in_order(roadmap, known, stated) if known else None

    return recommended


def roadmap_order_lead(
    plan: NextSteps,
    profile: LearnerProfile,
    roadmap: Roadmap,
    sources: list[Source],
    numbers: dict[str, int],
    zh: bool,
    stated: set[int] | None = None,
) -> str:
    """The roadmap's next skill after what the learner finished, with its stage (and the next stage's
    skills after a whole stage), cited; then what the prerequisites add, where they differ (named only).
    `stated`: the skills the learner named (default: all finished).  "" when nothing is next."""
    cur, done = roadmap.curriculum, set(profile.finished)
    nxt = next_in_order(roadmap, done, stated) if not plan.finished_all else None
    if nxt is None:
        return ""
    skill = cur.skill(nxt)
    stage = cur.stage(skill.stage)
    n = _cite(sources, numbers, skill.citation, [stage.heading, skill.heading], cur, roadmap.path)
    order = [s.number for s in cur.skills]
    last = max((d for d in done if d in order[: order.index(nxt)]), key=order.index, default=None)
    if zh:
        after = f"学完 {_label(cur, last)} 之后，" if last is not None else ""
        out = [f"按路线图顺序，{after}下一步是 **{skill.heading}**，属于 **{stage.heading}** [{n}]。"]
    else:
        after = f"after {_label(cur, last)}, " if last is not None else ""
        out = [
            f"In the roadmap's order, {after}the next skill is **{skill.heading}**, in **{stage.heading}** [{n}]."
        ]
    earlier = [st for st in cur.stages if st.number < stage.number]
    if skill.number == stage.skills[0] and earlier and set(earlier[-1].skills) <= done:  # a whole stage done
        m = _cite(sources, numbers, stage.citation, [stage.heading], cur, roadmap.path)
        head = f"**下一阶段：{stage.heading}**" if zh else f"**Next stage: {stage.heading}**"
        out.append(head + "\n" + "\n".join(f"- {cur.skill(s).heading} [{m}]" for s in stage.skills))
    top = plan.recommendations[0].skill.number if plan.recommendations else None
    if top is not None and top != nxt:
        differs = _why_plan_differs(cur, roadmap.prerequisites, done, nxt, top, zh)
        if differs:
            out.append(differs)
    return "\n\n".join(out)


def learner_plan(
    answer: Answer, profile: LearnerProfile, roadmap: Roadmap
) -> tuple[set[int] | None, NextSteps]:
    """The plan for this learner as this conversation places them: the same function as /api/next and the
    Progress tab (`Roadmap.next_steps`), so a next-step answer and any answer's next-step line agree.

    The skills the learner named (in this question, earlier turns or their stored progress), not those
    inferred as what precedes a named one, are `stated`: a skill between two named ones is a gap they told us
    about.  Words just said place the learner where they say; without them the stored checklist is read as
    ticked (stated None: every hole before the last tick)."""
    update = answer.learner_update or {}
    reported = bool(update.get("known") or roadmap.match_skills(answer.question).known)
    named = set(update.get("known", [])) - set(update.get("stated", []))
    stated = set(profile.finished) - named if reported else None
    return stated, roadmap.next_steps(profile, stated=stated, reported=reported)


# the learner speaks of time or a plan: "用了 8 个月，接下来怎么安排", "How should I plan what comes after that?"
_PLANS_TIME = re.compile(r"\d+\s*(?:个月|months?)|安排|规划|计划|\bplan\b|\bschedule\b", re.IGNORECASE)
_STAGE_ITEM = re.compile(r"^(?:阶段\s*\d|总计|总时长)")


def _paces(question: str, hours: float | None, cur: Curriculum) -> list[TimePlan]:
    """The time plan for the pace the learner names ("全职", "part-time", 2 hours a day, "用了 16 个月": the plan
    whose stages total that), else every plan."""
    named = [
        p for p in cur.time_plans if any(k in p.heading and rx.search(question) for k, rx in PACE.items())
    ]
    by_hours = plan_for_hours(hours, cur) if hours is not None else None
    months = {float(m) for m in re.findall(r"(\d+)\s*(?:个月|months?)", question, re.IGNORECASE)}
    by_months = [p for p in cur.time_plans if sum(p.stage_months.values()) in months]
    return named or ([by_hours] if by_hours else []) or by_months or list(cur.time_plans)


def after_timed_stages(
    question: str,
    hours: float | None,
    profile: LearnerProfile,
    roadmap: Roadmap,
    zh: bool,
    sources: list[Source],
    numbers: dict[str, int],
) -> str:
    """Every stage the time plans count is finished ("阶段 0 到 4 都学完了，接下来怎么安排？"): what the plan for the
    learner's pace puts after them (项目实践, 求职准备), cited; "" otherwise."""
    cur = roadmap.curriculum
    timed = sorted({st for p in cur.time_plans for st in p.stage_months})
    if not timed or not {n for st in timed for n in cur.stage(st).skills} <= set(profile.finished):
        return ""
    if not (
        _PLANS_TIME.search(question) or hours is not None or any(rx.search(question) for rx in PACE.values())
    ):
        return (
            ""  # "I finished everything in stage 4. What's left?": the next stage answers, not the time plan
        )
    out = []
    for plan in _paces(question, hours, cur):
        extra = [i for i in plan.items if not _STAGE_ITEM.match(i)]
        if extra:
            n = _cite(sources, numbers, plan.citation, [plan.heading], cur, roadmap.path)
            head = (
                f"**阶段 {timed[0]}–{timed[-1]} 之后（{plan.heading}）**：时间规划接着安排"
                if zh
                else f"**After stages {timed[0]}–{timed[-1]} ({plan.heading})**: the time plan goes on with"
            )
            out.append(head + "\n" + "\n".join(f"- {i} [{n}]" for i in extra))
    return "\n\n".join(out)


def _stage_named(plan: NextSteps, cur: Curriculum, zh: bool) -> str:
    """The planner's next stage after the time plan's months, named, not quoted or cited: the learner asked how
    to plan what follows the timed stages, and the time plan's section is what states it."""
    if not plan.recommendations:
        return ""
    stage = cur.stage(cur.skill(plan.recommendations[0].skill.number).stage)
    names = "、".join(cur.skill(n).name for n in stage.skills)
    if zh:
        return f"路线图在这些阶段之后还有 **{stage.heading}**（{names}），可以在项目实践中持续学习。"
    return f"Beyond these stages the roadmap continues with **{stage.heading}** ({names}), to keep learning alongside."


def _asks_resources(question: str) -> bool:
    """The learner asks for the next skill's resources too: its whole table, not the planner's top three
    ("recommend" alone is how a next-step question is put, not a request for resources)."""
    pattern = dict(ASPECT_PATTERNS)["resources"]
    return any(m.group(0).lower() != "recommend" for m in pattern.finditer(question))


def next_step_answer(
    answer: Answer,
    profile: LearnerProfile,
    roadmap: Roadmap,
    followups: int,
    retrieve: Callable[[str], list[Source]] | None = None,
    parts: Callable[[], DocParts | None] | None = None,
) -> None:
    """Fill `answer` with the plan for this learner (and the time plan for a pace they state); the next project
    or paper is the material's list's next item (`list_next`), and an essay's next step the essay's own
    (`essay_next`), not the planner's skill."""
    if retrieve is not None and list_next_answer(answer, retrieve):
        return
    if parts is not None and essay_next_answer(answer, parts()):
        return
    hours = hours_per_day(answer.question)
    if hours is not None:
        profile.hours_per_day = hours
    found = roadmap.graph_steps(profile)  # the prerequisites' plan: named in the lead where it differs
    stated, plan = learner_plan(answer, profile, roadmap)
    if plan.recommendations and _asks_resources(answer.question):  # "…and what resources does it recommend?"
        top = plan.recommendations[0]
        every = list(roadmap.curriculum.skill(top.skill.number).resources)
        plan.recommendations[0] = top.model_copy(update={"resources": every or top.resources})
    sources, numbers = replies.plan_sources(plan, roadmap.curriculum, roadmap.path)
    lead = roadmap_order_lead(found, profile, roadmap, sources, numbers, answer.language == "zh", stated)
    text = replies.render_plan(plan, numbers, answer.language, finished_labels(roadmap, profile))
    answer.text = f"{lead}\n\n{text}" if lead else text
    after = after_timed_stages(
        answer.question, hours, profile, roadmap, answer.language == "zh", sources, numbers
    )
    if after:  # the whole timed path done, a plan asked for: the time plan's next months answer it
        answer.text = f"{after}\n\n{_stage_named(plan, roadmap.curriculum, answer.language == 'zh')}".strip()
    if hours is not None:  # "I only have 2 hours a day": the roadmap's time plan for that pace
        answer.text += time_plan(hours, answer.language, sources, roadmap)
    for s in sources:
        s.cited = f"[{s.n}]" in answer.text
    answer.sources = sources
    answer.recommendations = plan.to_json()
    if plan.recommendations:
        top = plan.recommendations[0]
        skill = roadmap.curriculum.skill(top.skill.number)
        answer.next_step = (
            (
                f"开始学习 {top.skill.heading}：先看「{top.resources[0].name}」。"
                if answer.language == "zh"
                else f'Start {top.skill.heading} with "{top.resources[0].name}".'
            )
            if top.resources
            else None
        )
        answer.followups = replies.followups_for(skill, answer.language, followups, answer.question)
    else:
        answer.followups = replies.STARTER_QUESTIONS[answer.language][:followups]
