"""Issue 13, ninth round: the finished section of "what after X" questions, and an essay's resources section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.chain.understanding import understand
from tutor.curriculum.graph import core_path_skills, load_curriculum_config
from tutor.curriculum.parser import load_curriculum
from tutor.index.kinds import SectionKinds
from tutor.index.rescore import done_sections
from tutor.index.roadmap_sections import RoadmapSections, Target, under_any
from tutor.index.sections import asks_next_step
from tutor.index.store import StoredChunk

REPO = Path(__file__).resolve().parents[3]
ROADMAP = REPO / "corpus" / "ai-learning-roadmap.md"
SKILL_5 = "技能点 5：深度学习原理 ⭐⭐⭐⭐⭐"
SKILL_6 = "技能点 6：自然语言处理 ⭐⭐⭐⭐⭐"


@pytest.fixture(scope="module")
def sections() -> RoadmapSections:
    curriculum = load_curriculum(ROADMAP, 10_000_000)
    config = load_curriculum_config(REPO / "configs" / "curriculum.yaml")
    return RoadmapSections(
        lambda q: understand(q, curriculum, config),
        lambda: curriculum,
        core_path=lambda: core_path_skills(curriculum, config),
    )


def _done(sections: RoadmapSections, question: str) -> list[str]:
    return [t.heading for t in sections.done_targets(question, asks_next_step(question))]


def test_the_finished_stage_or_skill_of_a_what_next_question(sections: RoadmapSections) -> None:
    assert _done(sections, "技能点 5 学完了接着学什么？") == [SKILL_5]
    assert _done(sections, "阶段 2 学完了，下一阶段是什么？") == ["阶段 2：深度学习实践（2-3 个月）"]
    assert _done(sections, "I'm done with the engineering stage. What comes after it?") == [
        "阶段 4：AI 工程化（1-2 个月）"
    ]


def test_no_finished_section_where_the_question_asks_for_the_section_itself(
    sections: RoadmapSections,
) -> None:
    assert _done(sections, "技能点 5 学什么？") == []  # not a next step: skill 5 is the answer
    assert _done(sections, "学完 PyTorch 三个月以后应该能做什么？") == []  # a milestone
    # the order itself is asked for
    assert _done(sections, "数学基础打好了，按路线的主线下一步学什么？") == []


def _chunk(cid: str, headings: list[str]) -> StoredChunk:
    meta = {"doc": "ai-learning-roadmap", "headings": json.dumps(headings, ensure_ascii=False)}
    return StoredChunk(cid, "text", meta)


def test_under_any_ignores_stars_and_spaces() -> None:
    assert under_any(["技能点5：深度学习原理", "检验标准"], [Target(SKILL_5)])
    assert not under_any([SKILL_6, "核心内容"], [Target(SKILL_5)])


class _Levers:
    def __init__(self, roadmap: RoadmapSections) -> None:
        self.roadmap = roadmap


def test_the_second_stage_marks_the_finished_skill_not_the_next_one(sections: RoadmapSections) -> None:
    done = done_sections(_Levers(sections), "技能点 5 学完了接着学什么？")  # type: ignore[arg-type]
    assert done is not None
    assert done(_chunk("a", ["技能树", SKILL_5, "检验标准"]))
    assert not done(_chunk("b", ["技能树", SKILL_6, "核心内容"]))
    assert done_sections(_Levers(sections), "技能点 5 学什么？") is None  # type: ignore[arg-type]
    # a question about an essay is never the roadmap's
    assert done_sections(_Levers(sections), "中年危机那篇文章里，升级技术栈以后下一步做什么？") is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "added"),
    [
        ("中年危机那篇文章推荐了哪些学习资源？", "学习资源推荐"),
        ("逆袭那篇文章推荐了哪些书？", "学习资源推荐"),
        ("Which MIT introductory course does the comeback article recommend?", "学习资源推荐"),
        # about the roadmap resource words ask for a skill's 学习资源, which the aspect lever brings
        ("PyTorch 有什么学习资源？", None),
        ("Which books are recommended for stage 0?", None),
    ],
)
def test_an_essays_resources_section_only_in_a_question_about_a_document(
    question: str, added: str | None
) -> None:
    kinds = SectionKinds.from_headings(["7.1 学习资源推荐", "技能点 7 › 学习资源"], chinese=True)
    assert kinds(question) == added


ESSAY_HEADINGS = ["4.3 案例分析与讲解", "5.4 运行结果展示", "9. 附录：常见问题与解答"]


@pytest.mark.parametrize(
    ("question", "added"),
    [
        ("In the midlife essay's worked example, what rate does programmer A get?", "案例分析"),
        ("逆袭那篇文章的例子里，学习效果算出来是多少？", "案例分析"),
        # the code sections answer a code example, not the worked example
        ("In the comeback article's code example, what's the new skill level?", None),
        ("逆袭那篇文章的代码例子输出了什么？", None),
        ("Can you give me an example of a good prompt?", None),  # about no document
    ],
)
def test_an_essays_worked_example_is_a_section_kind(question: str, added: str | None) -> None:
    assert SectionKinds.from_headings(ESSAY_HEADINGS, chinese=True)(question) == added


def test_kinds_named_in_the_dropped_document_clause_are_kept_for_the_routed_search() -> None:
    kinds = SectionKinds.from_headings(ESSAY_HEADINGS, chinese=True)
    question = "In the midlife essay's worked example, what daily skill-growth rate does programmer A have?"
    assert kinds.dropped(question, "what daily skill-growth rate does programmer A have?") == "案例分析"
    question = "For simple tasks, which models does the curiosity article's FAQ suggest?"
    assert kinds.dropped(question, question) == ""  # nothing was dropped: the hook on `rest` has it
    assert kinds.dropped("In the curiosity essay, what is a tech blog?", "what is a tech blog?") == ""


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("After Linux and Git, what do I move on to?", True),
        ("I'm done with the engineering stage. Is there anything left to learn after it?", True),
        ("我 PyTorch 已经很熟了，接着学什么", True),
        ("will learning move onto phones?", False),  # "move onto" is no next step
        ("What is left of the budget?", False),
    ],
)
def test_more_ways_to_ask_what_comes_next(question: str, expected: bool) -> None:
    assert asks_next_step(question) is expected


@pytest.mark.parametrize(
    ("question", "added"),
    [
        ("Where does the midlife-crisis piece think career strategies are heading?", "未来发展趋势"),
        ("Where does the essay see things going in the coming years?", "未来发展趋势"),
        ("这篇文章预测技术博客以后会怎么发展？", "未来发展趋势"),
        ("好奇心那篇文章觉得以后该往哪些方向研究？", "研究展望"),
        ("Which section heading covers RAG?", None),  # a heading, not where things are heading
    ],
)
def test_more_ways_to_ask_for_trends_and_research_directions(question: str, added: str | None) -> None:
    kinds = SectionKinds.from_headings(["8.2 未来发展趋势", "8.4 研究展望"], chinese=True)
    assert kinds(question) == added
