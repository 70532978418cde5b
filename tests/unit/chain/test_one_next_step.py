"""One rule for "what next": the chat's next-step answer and the stored learner's plan (`/api/next`, the UI's
Progress tab, `tutor next`) both come from `Roadmap.next_steps`, led by the skill the roadmap's order puts next,
so they never name different skills for the same learner (issue 12, plan14)."""

from __future__ import annotations

import pytest

from tutor.chain.answer import Answer
from tutor.chain.planner_reply import learner_plan, next_step_answer
from tutor.curriculum.learners import Roadmap
from tutor.curriculum.progress import LearnerProfile


def _chat_first(roadmap: Roadmap, finished: list[int], language: str = "zh") -> int:
    answer = Answer(
        question="我下一步学什么？",
        standalone_question="我下一步学什么？",
        language=language,
        route="next_step",
        route_reason="",
        text="",
    )
    next_step_answer(answer, LearnerProfile(id="s", name="s", finished=finished), roadmap, 2)
    return int(answer.recommendations["recommendations"][0]["skill"]["number"])


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (list(range(1, 11)), 11),  # Prompt Engineering done: RAG (the 核心路径 line puts LangChain first)
        (list(range(1, 13)), 13),  # LangChain done: 部署 (the core path puts 微调 first)
        ([], 1),
        ([1, 2, 3, 5], 4),  # a gap in the learner's own list still comes first
        ([4, 5, 6], 1),  # a missing earlier prerequisite (stage 0 under the theory stage) still comes first
        ([*range(1, 11), 12], 11),  # LangChain ticked, RAG not: the hole in the checklist, not 部署 after 12
        ([*range(1, 13), 14], 13),  # 微调 ticked, 部署 not: the unticked 13, not 15 after the last ticked
        (list(range(1, 19)), None),
    ],
)
def test_the_stored_plan_and_the_chat_name_the_same_next_skill(
    roadmap: Roadmap, finished: list[int], expected: int | None
) -> None:
    plan = roadmap.next_steps(LearnerProfile(id="s", name="s", finished=finished))
    first = plan.recommendations[0].skill.number if plan.recommendations else None
    assert first == expected
    if expected is not None:
        assert _chat_first(roadmap, finished) == first


def test_the_graph_choice_stays_among_the_alternatives(roadmap: Roadmap) -> None:
    plan = roadmap.next_steps(LearnerProfile(id="s", name="s", finished=list(range(1, 11))))
    assert [r.skill.number for r in plan.recommendations][:2] == [11, 12]
    assert roadmap.graph_steps(LearnerProfile(id="s", name="s", finished=list(range(1, 11)))).recommendations


def test_quiz_passes_count_as_done_for_the_order(roadmap: Roadmap) -> None:
    plan = roadmap.next_steps(LearnerProfile(id="s", name="s", finished=list(range(1, 10))), passed={10})
    assert plan.recommendations[0].skill.number == 11


def test_any_answer_s_next_step_line_places_the_learner_where_their_words_do(roadmap: Roadmap) -> None:
    """ "I just wrapped up prompt engineering. …" answered as a material question: its next-step line comes
    from the same plan as the next-step answer (RAG), not the graph's missing prerequisite (技能点 9)."""
    answer = Answer(
        question="I just wrapped up prompt engineering. What does the RAG skill cover?",
        standalone_question="I just wrapped up prompt engineering. What does the RAG skill cover?",
        language="en",
        route="material",
        route_reason="",
        text="",
        learner_update={"known": [*range(1, 9), 10], "stated": [10]},
    )
    profile = LearnerProfile(id="s", name="s", finished=[*range(1, 9), 10])
    stated, plan = learner_plan(answer, profile, roadmap)
    assert stated == {10}
    assert plan.recommendations[0].skill.number == 11
    assert (
        roadmap.next_steps(profile).recommendations[0].skill.number == 9
    )  # a stored checklist: the hole first
