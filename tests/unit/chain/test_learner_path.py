"""The learner's path (issue 12, plan14): a plan for a subject the material does not cover is refused, the order of
one of the roadmap's lists is its content, an ability asked "by when" is the milestone that lists it, the foundations
before AI are stage 0, and "which stages come before" is answered with the stages (学习路线总览), not a skill list."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest

from tutor.chain.plan_scope import cjk_pairs, learning_subjects, scoped_route, subject_outside
from tutor.chain.router import Route, Router
from tutor.chain.scope import english_vocabulary
from tutor.chain.structured import compose_structured
from tutor.chain.understanding import understand
from tutor.curriculum.graph import Prerequisites

REPO = Path(__file__).resolve().parents[3]
ROADMAP = REPO / "corpus" / "ai-learning-roadmap.md"


@pytest.fixture(scope="module")
def words() -> tuple[frozenset[str], frozenset[str]]:
    texts = [Path(f).read_text(encoding="utf-8") for f in glob.glob(str(REPO / "corpus" / "*.md"))]
    return cjk_pairs(texts), english_vocabulary(texts)


@pytest.mark.parametrize(
    "question",
    [
        "我想学做川菜，有没有一条从入门到进阶的学习路线？",
        "马拉松训练计划应该怎么安排？",
        "想学滑雪，先练什么后练什么？",
        "Can you give me a step-by-step roadmap for learning to speak Japanese?",
        "How can I improve my toddler's attention span?",
        "What's the best way to learn to play the violin?",
    ],
)
def test_a_plan_for_a_subject_the_material_does_not_cover_is_outside(words, question: str) -> None:
    assert subject_outside(question, *words)


@pytest.mark.parametrize(
    "question",
    [
        "我想学 AI 从哪开始",
        "零基础怎么入门",
        "I'm a Java dev, where do I start?",
        "我想学大模型，给我一个学习计划",
        "帮我规划一下学习路线，我现在只会一点编程",
        "What should I learn next?",
        "I want to learn machine learning, where do I begin?",
        "How do I improve my prompt engineering?",
        "深度学习原理学完了，下一个技能点是什么",
        "Give me a plan to become an LLM engineer",
        "我学东西总是三分钟热度，怎么办？",
    ],
)
def test_the_material_s_own_subjects_and_no_subject_are_not(words, question: str) -> None:
    assert not subject_outside(question, *words), learning_subjects(question)


def test_a_named_stage_or_skill_outside_the_subject_keeps_its_route(words, monkeypatch) -> None:
    import tutor.chain.plan_scope as plan_scope

    monkeypatch.setattr(plan_scope, "outside_material", lambda q, s: subject_outside(q, *words))
    nxt = Route("next_step", "asks what to learn next")
    names_rag = lambda text: "RAG" in text or "attention" in text  # noqa: E731 - a stand-in for the roadmap's names
    assert scoped_route(nxt, "我想学吉他和 RAG", None, names_rag) is nxt
    assert scoped_route(nxt, "我想学吉他", None, names_rag).outside
    toddler = scoped_route(
        Route("material", "advice"), "How can I improve my toddler's attention span?", None, names_rag
    )
    assert (
        toddler.outside and toddler.kind == "material"
    )  # "attention" is named only inside the foreign subject


@pytest.mark.parametrize(
    "question",
    [
        "Which must-read papers does the roadmap list, and in what order?",
        "In what order does the roadmap suggest doing practice projects, from easiest to hardest?",
        "路线图推荐的经典论文应该按什么顺序读？",
    ],
)
def test_the_order_of_a_roadmap_list_is_its_content(question: str) -> None:
    assert Router().route(question).kind == "material"


@pytest.mark.parametrize(
    "question",
    [
        "What order should I learn these skills in?",
        "I've done the first two projects in the suggested order. What should I learn next?",
    ],
)
def test_the_order_of_what_to_learn_is_still_a_next_step(question: str) -> None:
    assert Router().route(question).kind == "next_step"


@pytest.mark.parametrize(
    ("question", "months"),
    [
        ("按路线图的节奏，大概什么时候应该能把 RAG 系统搭起来？", [12]),
        ("When should I be able to build a simple neural network in PyTorch?", [3]),
        ("How far in should I be before I can deploy a production-grade service?", [12]),
        ("大概什么时候能从零实现 Transformer？", [6]),
    ],
)
def test_an_ability_asked_by_when_is_the_milestone_that_lists_it(cur, cfg, question, months) -> None:
    u = understand(question, cur, cfg)
    assert u.milestones == months and u.aspects == ["milestone"]
    s = compose_structured(u, cur, ROADMAP, "en", Prerequisites(cur, cfg), question)
    assert s is not None and [src.headings[-1] for src in s.sources] == [f"{months[0]} 个月后"]


@pytest.mark.parametrize(
    "question", ["什么时候可以开始学 RAG？", "When can I start learning RAG?", "阶段 4 要学多长时间"]
)
def test_when_to_start_or_how_long_is_no_milestone(cur, cfg, question: str) -> None:
    assert understand(question, cur, cfg).milestones == []


@pytest.mark.parametrize(
    "question",
    [
        "完全零基础，正式学 AI 之前得先打好哪些底子？",
        "What groundwork should I lay before I really start studying AI?",
    ],
)
def test_the_foundations_before_ai_are_stage_0(cur, cfg, question: str) -> None:
    u = understand(question, cur, cfg)
    assert (u.stages, u.aspects) == ([0], ["content"])
    assert Router(understand=lambda t: understand(t, cur, cfg)).route(question).kind == "material"


def test_mandatory_foundations_are_not_stage_0(cur, cfg) -> None:
    assert understand("我完全零基础，开始学 AI 之前必修的基础技能有哪些？", cur, cfg).stages == []


def test_which_stages_before_a_stage_are_the_stages_cited_to_the_overview(cur, cfg) -> None:
    question = "进入大模型应用阶段之前，要先学完哪些阶段？"
    u = understand(question, cur, cfg)
    s = compose_structured(u, cur, ROADMAP, "zh", Prerequisites(cur, cfg), question)
    assert s is not None and [src.headings[-1] for src in s.sources] == ["学习路线总览"]
    assert (
        all(x in s.text for x in ("基础准备", "AI 理论基础", "深度学习实践"))
        and "大模型应用（2-3 个月） [" not in s.text
    )
    skills = "Before stage 3, which skills should I have finished?"  # the skills: the stage before, as before
    s2 = compose_structured(understand(skills, cur, cfg), cur, ROADMAP, "en", Prerequisites(cur, cfg), skills)
    assert s2 is not None and "学习路线总览" not in [src.headings[-1] for src in s2.sources]
