"""The next-step answer names the roadmap's next skill in order (with its stage), the next stage after a whole
stage, and why the prerequisite-aware plan differs; what the learner says they finished counts in order."""

from __future__ import annotations

import pytest

from tutor.chain.answer import Answer, Source
from tutor.chain.own_words import apply_own_words
from tutor.chain.planner_reply import recommender, roadmap_order_lead
from tutor.chain.replies import plan_sources
from tutor.curriculum.learners import Roadmap
from tutor.curriculum.planner import roadmap_next
from tutor.curriculum.progress import LearnerProfile


def _lead(
    roadmap: Roadmap, finished: list[int], zh: bool = True, stated: set[int] | None = None
) -> tuple[str, list[Source]]:
    profile = LearnerProfile(id="a", name="a", finished=finished)
    plan = roadmap.graph_steps(
        profile
    )  # the lead names where the prerequisites' plan differs (as the chat passes it)
    sources, numbers = plan_sources(plan, roadmap.curriculum, roadmap.path)
    return roadmap_order_lead(plan, profile, roadmap, sources, numbers, zh, stated), sources


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        (set(), 1),
        ({3}, 4),
        (set(range(1, 7)), 7),
        ({*range(1, 13), 14}, 15),
        ({1, 2, 3, 5}, 6),
        (set(range(1, 19)), None),
    ],
)
def test_roadmap_next_is_the_first_unfinished_skill_after_the_last_finished_one(
    roadmap, done, expected
) -> None:
    assert roadmap_next(roadmap.curriculum, done) == expected


def test_done_with_linux_and_git_names_skill_4_with_its_stage_and_the_missing_prerequisites(roadmap) -> None:
    text, sources = _lead(roadmap, [3])
    first = text.splitlines()[0]
    assert "技能点 4：机器学习基础" in first and "阶段 1：AI 理论基础（2-3 个月）" in first
    assert "技能点 1（Python 编程）" in text and "前置" in text  # the plan's gap, and why
    cited = next(s for s in sources if f"[{s.n}]" in first)
    assert list(cited.lines) == list(roadmap.curriculum.skill(4).citation.lines)
    assert "阶段 1：AI 理论基础（2-3 个月）" in cited.headings  # the stage's name is in what it cites
    assert "下一阶段" not in text  # stage 0 is not finished: no next-stage list


def test_a_whole_stage_done_names_the_next_stage_and_all_its_skills_cited_to_it(roadmap) -> None:
    text, sources = _lead(roadmap, list(range(1, 7)))
    assert "**下一阶段：阶段 2：深度学习实践（2-3 个月）**" in text
    stage = roadmap.curriculum.stage(2)
    cite = next(s for s in sources if list(s.lines) == list(stage.citation.lines))
    for n in stage.skills:
        assert f"- {roadmap.curriculum.skill(n).heading} [{cite.n}]" in text
    for n in stage.skills:
        assert roadmap.curriculum.skill(n).heading.split("：")[1].split(" ")[0] in cite.text
    assert "前置关系" not in text  # the plan agrees (技能点 7)


def test_a_skipped_earlier_skill_is_named_as_why_the_plan_differs_in_english(roadmap) -> None:
    # said in words ("fine-tuning done", 9 and 14 named): where they are, the roadmap's next after 14
    text, _ = _lead(roadmap, [*range(1, 13), 14], zh=False, stated={9, 14})
    assert text.startswith(
        "In the roadmap's order, after 技能点 14（模型微调实战）, the next skill is **技能点 15"
    )
    assert "阶段 4：AI 工程化（1-2 个月）" in text
    assert "技能点 13（模型部署） comes before it" in text


def test_an_unticked_skill_before_the_last_ticked_one_leads_a_stored_checklist(roadmap) -> None:
    text, _ = _lead(roadmap, [*range(1, 13), 14], zh=False)  # a stored checklist: 13 is a hole, not done
    assert text.startswith("In the roadmap's order, after 技能点 12")
    assert "the next skill is **技能点 13" in text


def test_nothing_after_the_last_skill_means_no_lead(roadmap) -> None:
    assert _lead(roadmap, list(range(1, 19)))[0] == ""


def test_own_words_count_skill_numbers_and_only_earlier_prerequisites(roadmap) -> None:
    def known(question: str) -> list[int]:
        answer = Answer(
            question=question,
            standalone_question=question,
            language="zh",
            route="next_step",
            route_reason="",
            text="",
        )
        profile = LearnerProfile(id="adhoc", name="adhoc")
        apply_own_words(answer, profile, question, [], None, roadmap)
        return profile.finished

    assert 8 in known("技能点 8 搞定了，接下来该学哪个？")
    deployed = known("I just finished model deployment (skill 13). What's next?")
    assert 13 in deployed and 14 not in deployed  # the core path's 微调 → 部署 is a gap, not done
    assert set(known("Stage 0 is behind me. What's the next stage?")) == {1, 2, 3}


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        ("我刚学完 Python 基础，下一步该学啥？", 2),
        ("I just finished deep learning principles.", 6),
        ("我学完了阶段 1，下一步呢？", 7),  # a whole stage: the next stage's first skill
        ("下一步学什么", None),  # no progress reported
    ],
)
def test_the_recommended_skill_is_the_next_steps_lead(roadmap, report, expected) -> None:
    assert recommender(roadmap)(report) == expected
