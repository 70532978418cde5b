"""The next-step route's answer: the planner's recommendations, rendered and cited (split from the chain)."""

from __future__ import annotations

from tutor.chain import replies
from tutor.chain.answer import Answer
from tutor.chain.own_words import hours_per_day, time_plan
from tutor.curriculum.learners import Roadmap
from tutor.curriculum.progress import LearnerProfile

__all__ = ["finished_labels", "next_step_answer"]


def finished_labels(roadmap: Roadmap, profile: LearnerProfile) -> list[str]:
    """The skills the learner finished, as the answer names them ("技能点 1（Python 编程）")."""
    skills = {s.number: s.name for s in roadmap.curriculum.skills}
    return [f"技能点 {n}（{skills[n]}）" for n in profile.finished if n in skills]


def next_step_answer(answer: Answer, profile: LearnerProfile, roadmap: Roadmap, followups: int) -> None:
    """Fill `answer` with the plan for this learner (and the time plan for a pace they state)."""
    hours = hours_per_day(answer.question)
    if hours is not None:
        profile.hours_per_day = hours
    plan = roadmap.next_steps(profile)
    sources, numbers = replies.plan_sources(plan, roadmap.curriculum, roadmap.path)
    answer.text = replies.render_plan(plan, numbers, answer.language, finished_labels(roadmap, profile))
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
