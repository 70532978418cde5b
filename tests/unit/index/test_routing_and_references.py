"""Document routing by file-name words, and the query understanding's section references as a rewrite."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tutor.chain.understanding import understand
from tutor.curriculum.graph import load_curriculum_config
from tutor.curriculum.parser import load_curriculum
from tutor.index.levers import ReferenceSections
from tutor.index.query import QueryRewriter
from tutor.index.routing import (
    NAMED_WORD_BONUS,
    DocCard,
    DocRouter,
    distinctive_name_words,
    file_name_words,
    named_before_noun,
)

REPO = Path(__file__).resolve().parents[3]
ROADMAP = REPO / "corpus" / "ai-learning-roadmap.md"


def test_file_name_words_and_the_card_name() -> None:
    assert file_name_words("programmer-midlife-crisis") == "programmer midlife crisis"
    assert file_name_words("tech_change.comeback") == "tech change comeback"
    card = DocCard("programmer-midlife-crisis", "程序员的中年危机与职业瓶颈", "技术过时。")
    assert card.name == "programmer midlife crisis"
    assert card.text == "程序员的中年危机与职业瓶颈\nprogrammer midlife crisis\n技术过时。"
    # a document titled by its file name (no title of its own) does not repeat it
    assert DocCard("notes", "Notes", "x").name == ""


def _router(name_weight: float) -> DocRouter:
    cards = [
        DocCard("expert-to-opinion-leader", "从技术专家到行业意见领袖", "成长路径。"),
        DocCard("programmer-midlife-crisis", "程序员的中年危机与职业瓶颈", "技术过时。"),
    ]
    # every card equally similar to every question: only the name decides
    return DocRouter(cards, lambda texts: [[1.0, 0.0] for _ in texts], name_weight=name_weight)


def test_file_name_words_in_the_question_route_to_that_document() -> None:
    question = "How does the midlife crisis essay describe a customer-service bot?"
    scored = dict(_router(0.05).scores(question, [1.0, 0.0]))
    # two of the three file-name words ("programmer" is not used): 2/3 of the weight, and "crisis"
    # right before "essay" names the document (NAMED_WORD_BONUS)
    assert scored["programmer-midlife-crisis"] - scored["expert-to-opinion-leader"] == pytest.approx(
        0.05 * 2 / 3 + NAMED_WORD_BONUS
    )
    assert _router(0.05).restrict_to(question, _router(0.05).scores(question, [1.0, 0.0]), 0.02) == (
        "programmer-midlife-crisis"
    )
    # off by default: the same question is a tie, so nothing is restricted
    plain = _router(0.0)
    assert plain.restrict_to(question, plain.scores(question, [1.0, 0.0]), 0.02) is None
    # plurals count, short and stop words do not
    scored = dict(_router(0.05).scores("the expert to opinion leaders article", [1.0, 0.0]))
    assert scored["expert-to-opinion-leader"] - scored["programmer-midlife-crisis"] == pytest.approx(
        0.05 * 3 / 3 + NAMED_WORD_BONUS
    )


def test_the_word_before_the_document_noun_is_what_names_it() -> None:
    assert named_before_noun("In the tech-change comeback article, what …") == {"comeback"}
    assert named_before_noun("the opinion-leader piece's Q&A") == {"opinion", "leader"}
    assert named_before_noun("Does the curiosity essay worry about bias?") == {"curiosity"}
    assert named_before_noun("What does continuous learning mean?") == set()


def test_only_a_word_one_file_name_has_is_distinctive() -> None:
    names = [["ai", "learning", "roadmap"], ["programmer", "midlife", "crisis"], ["learning", "notes"]]
    assert distinctive_name_words(names) == [
        {"ai", "roadmap"},
        {"programmer", "midlife", "crisis"},
        {"notes"},
    ]


def test_one_name_word_before_essay_routes_where_the_share_alone_does_not() -> None:
    """'the midlife article' uses one of three file-name words (0.05 / 3 < the 0.02 margin): the word
    said as the document's name is what a learner means, so it routes."""
    question = "Which learning platforms does the midlife article name?"
    router = _router(0.05)
    assert router.restrict_to(question, router.scores(question, [1.0, 0.0]), 0.02) == (
        "programmer-midlife-crisis"
    )
    # the same word elsewhere in the sentence is only the share (under the margin): no route
    elsewhere = "Which article talks about a midlife change?"
    assert router.restrict_to(elsewhere, router.scores(elsewhere, [1.0, 0.0]), 0.02) is None
    # and nothing without the name weight (the lever is the name weight's)
    plain = _router(0.0)
    assert plain.restrict_to(question, plain.scores(question, [1.0, 0.0]), 0.02) is None


@dataclass
class _Refs:
    stages: list[int] = field(default_factory=list)
    skills: list[int] = field(default_factory=list)
    aspects: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass
class _Section:
    number: int
    heading: str


@dataclass
class _Roadmap:
    stages: list[_Section]
    skills: list[_Section]


_ROADMAP = _Roadmap(
    stages=[_Section(0, "阶段 0：基础准备（1-2 个月）"), _Section(1, "阶段 1：AI 理论基础（2-3 个月）")],
    skills=[
        _Section(1, "技能点 1：Python 编程 ⭐⭐⭐⭐⭐"),
        _Section(7, "技能点 7：PyTorch 深度掌握 ⭐⭐⭐⭐⭐"),
    ],
)


def _hook(refs: _Refs, named: bool = False) -> ReferenceSections:
    return ReferenceSections(lambda q: refs, lambda: _ROADMAP, named=named)


def test_reference_sections_name_the_headings_without_stars() -> None:
    refs = _Refs(stages=[0], skills=[7], evidence={"skill 7": "技能点 7"})
    assert _hook(refs)("阶段 0 和技能点 7") == "阶段 0：基础准备（1-2 个月） 技能点 7：PyTorch 深度掌握"


def test_skills_named_only_by_name_need_named_mode_and_no_article() -> None:
    refs = _Refs(skills=[7], evidence={"skill 7": "PyTorch"})
    assert _hook(refs)("PyTorch 有什么教程？") is None
    assert _hook(refs, named=True)("PyTorch 有什么教程？") == "技能点 7：PyTorch 深度掌握"
    assert _hook(refs, named=True)("那篇文章里说的 PyTorch 是什么？") is None


def test_after_a_stage_adds_the_next_stage_and_many_references_add_nothing() -> None:
    assert _hook(_Refs(stages=[0], aspects=["next"]))("What comes after stage 0?") == (
        "阶段 0：基础准备（1-2 个月） 阶段 1：AI 理论基础（2-3 个月）"
    )
    assert (
        _hook(_Refs(stages=[1], aspects=["next"]))("阶段 1 之后学什么") == "阶段 1：AI 理论基础（2-3 个月）"
    )
    many = _Refs(stages=[0, 1], skills=[1, 7], evidence={"skill 1": "skill 1", "skill 7": "skill 7"})
    assert _hook(many)("stages 0 and 1, skills 1 and 7") is None


def test_a_failing_understanding_adds_nothing() -> None:
    def broken(question: str) -> _Refs:
        raise FileNotFoundError("no roadmap")

    assert ReferenceSections(broken, lambda: _ROADMAP)("阶段 0 学什么") is None


def test_with_the_real_understanding_a_stage_is_never_a_skill() -> None:
    curriculum = load_curriculum(ROADMAP, 10_000_000)
    config = load_curriculum_config(REPO / "configs" / "curriculum.yaml")
    hook = ReferenceSections(lambda q: understand(q, curriculum, config), lambda: curriculum)
    # 第N个 / English ordinals are positions in the roadmap's order (the first stage is 阶段 0) unless a name says otherwise
    assert hook("第二阶段要学多久？") == "阶段 2：深度学习实践（2-3 个月）"  # no 个: the label
    assert hook("第二个阶段要学多久？") == "阶段 1：AI 理论基础（2-3 个月）"
    assert hook("零基础的话第一个阶段要学什么？") == "阶段 0：基础准备（1-2 个月）"
    assert hook("What do I study in the very first stage?") == "阶段 0：基础准备（1-2 个月）"
    assert hook("第二阶段深度学习实践要学多久？") == "阶段 2：深度学习实践（2-3 个月）"
    # "comes right after" asks for the next stage; a span of stages adds nothing (the tables spell it out)
    assert hook("What comes right after the AI theory stage?") == (
        "阶段 1：AI 理论基础（2-3 个月） 阶段 2：深度学习实践（2-3 个月）"
    )
    assert (
        hook("学完大模型应用那个阶段以后学什么？")
        == "阶段 3：大模型应用（2-3 个月） 阶段 4：AI 工程化（1-2 个月）"
    )
    assert hook("阶段 2-3 推荐读哪本书？") is None
    assert hook("What does stage 0 cover?") == "阶段 0：基础准备（1-2 个月）"
    assert hook("技能点 14 需要会哪些框架？") == "技能点 14：模型微调实战"
    plan = QueryRewriter(extra=[hook]).plan("stage 1 resources")
    assert plan.dense_text == plan.keyword_text == "stage 1 resources 阶段 1：AI 理论基础（2-3 个月）"
    assert plan.applied == ["extra:阶段 1：AI 理论基础（2-3 个月）"]
