"""A report of what is done plus a question of where to go asks what comes next (issue 13, ret15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.chain.understanding import understand
from tutor.curriculum.graph import core_path_skills, load_curriculum_config
from tutor.curriculum.parser import load_curriculum
from tutor.index.roadmap_sections import RoadmapSections
from tutor.whats_next import asks_next_step

REPO = Path(__file__).resolve().parents[3]
STAGE_0 = "阶段 0：基础准备（1-2 个月）"
STAGE_1 = "阶段 1：AI 理论基础（2-3 个月）"
STAGE_2 = "阶段 2：深度学习实践（2-3 个月）"
STAGE_3 = "阶段 3：大模型应用（2-3 个月）"


@pytest.fixture(scope="module")
def sections() -> RoadmapSections:
    curriculum = load_curriculum(REPO / "corpus" / "ai-learning-roadmap.md", 10_000_000)
    config = load_curriculum_config(REPO / "configs" / "curriculum.yaml")
    return RoadmapSections(
        lambda q: understand(q, curriculum, config),
        lambda: curriculum,
        core_path=lambda: core_path_skills(curriculum, config),
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Finished stage 2, what do I start on now?", True),
        ("机器学习、深度学习、NLP 都学完了，该进入哪个阶段？", True),
        ("Just got comfortable with Linux and Git. Where do I go from here?", True),
        ("Done with math, Python and Linux basics. Which stage should I move on to?", True),
        ("学完 RAG 要多久？", False),  # a duration, not a next step
        ("What does stage 2 cover?", False),
        ("I finished reading the midlife essay, what is its main point?", False),  # no "where to go"
        ("Finished stage 2, what can I do after six months?", False),  # a milestone
    ],
)
def test_a_report_of_what_is_done_and_where_to_go_asks_what_comes_next(question: str, expected: bool) -> None:
    assert asks_next_step(question) is expected


def _targets(sections: RoadmapSections, question: str) -> tuple[list[str], list[str]]:
    asks = asks_next_step(question)
    nxt = [t.heading for t in sections.next_targets(question, asks)]
    return nxt, [t.heading for t in sections.done_targets(question, asks)]


def test_a_stage_reported_done_in_words_gives_the_next_stage(sections: RoadmapSections) -> None:
    assert _targets(sections, "Finished stage 2, what do I start on now?") == ([STAGE_3], [STAGE_2])


def test_several_skills_of_one_stage_done_are_that_stage_done(sections: RoadmapSections) -> None:
    assert _targets(sections, "机器学习、深度学习、NLP 都学完了，该进入哪个阶段？") == ([STAGE_2], [STAGE_1])
    question = "Done with math, Python and Linux basics. Which stage should I move on to?"
    assert _targets(sections, question) == ([STAGE_1], [STAGE_0])


def test_many_skills_of_different_stages_are_no_one_stage(sections: RoadmapSections) -> None:
    # skills 3 (stage 0), 4 (stage 1) and 7 (stage 2): no stage is reported done as a whole
    assert _targets(sections, "Linux、机器学习和 PyTorch 都学完了，接下来学什么？") == ([], [])


def test_the_next_skill_within_a_stage_the_learner_names(sections: RoadmapSections) -> None:
    """ "阶段 3 里接下来": the next skill in stage 3 (LangChain), not the core path's next (微调, in stage 4)."""
    nxt, _ = _targets(sections, "RAG 那一节搞定了，阶段 3 里接下来学什么？")
    assert [h.split("：")[0] for h in nxt] == ["技能点 12"]
    nxt, _ = _targets(sections, "RAG 搞定了，接下来学什么？")
    assert {h.split("：")[0] for h in nxt} == {"技能点 12", "技能点 14"}
