"""Concepts described without their keyword, essays named by a question that also names a skill, and a
named section quoted whole (seventh round of issue 12)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.unit.chain.helpers import chunk as _chunk
from tutor.chain.answer import Source
from tutor.chain.compose import select_blocks
from tutor.chain.concept_match import (
    ASKS_NAME,
    ASKS_WHAT_IT_MEANS,
    described,
)
from tutor.chain.concepts import compose_concept, names_article
from tutor.chain.curriculum_answer import curriculum_answer
from tutor.chain.doc_parts import DocParts
from tutor.chain.understanding import understand
from tutor.curriculum.learners import Roadmap

REPO = Path(__file__).resolve().parents[3]

# A stand-in for a multilingual embedder: one dimension per topic, named in either language, so a
# description lands near the line about the same topic whatever words it uses.
_TOPICS = [
    ("市场趋势", "客户需求", "market", "customer"),
    ("业务", "管理", "business", "management", "非技术"),
    ("博客", "文章、代码", "blog", "articles and code", "publication"),
    ("加班", "效率", "overtime", "efficien"),
]


class _TopicEmbedder:
    def _vector(self, text: str) -> list[float]:
        low = text.lower()
        v = np.array([1.0 if any(w.lower() in low for w in ws) else 0.0 for ws in _TOPICS] + [0.3])
        return list(v / np.linalg.norm(v))

    def embed_stored(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def _embedder() -> _TopicEmbedder:
    return _TopicEmbedder()


EXPERT = "expert-to-opinion-leader"
CURIOSITY = "curiosity-and-knowledge-sharing"
CRISIS = "programmer-midlife-crisis"
CONCEPTS = ["2. 核心概念与联系", "2.1 核心概念概述"]
ARTICLES = DocParts(
    [
        _chunk(
            EXPERT,
            "从技术专家到行业意见领袖",
            CONCEPTS,
            20,
            "- **技术专长(Technical Expertise)**：在某一技术领域内的深度知识和技能。\n"
            "- **行业洞察(Industry Insights)**：对所处行业的理解，包括市场趋势、客户需求、竞争环境等。\n"
            "- **跨领域知识(Cross-domain Knowledge)**：将技术知识与业务、管理、市场等非技术领域结合的能力。",
        ),
        _chunk(
            CURIOSITY,
            "好奇心与求知欲：技术探索与知识分享的力量",
            CONCEPTS,
            10,
            "- **好奇心**：一种探索未知事物的心理状态。\n"
            "- **技术博客**：一种专门分享技术知识和经验的媒介，通过文章、代码等形式传播技术知识。",
        ),
        _chunk(
            CRISIS,
            "程序员的中年危机与职业瓶颈",
            CONCEPTS,
            19,
            "- **工作与生活平衡**：强调合理分配工作和休息时间。\n"
            "- **时间管理**：指通过有效的时间管理，提高工作效率，减少不必要的加班。",
        ),
        _chunk(CRISIS, "程序员的中年危机与职业瓶颈", ["7.1 学习资源推荐"], 320, "- 《深度学习》"),
    ]
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("意见领袖那篇文章里，把对市场趋势、客户需求的了解叫作什么？", "行业洞察"),
        (
            "In the opinion-leader article, what's the name for tying tech to business and management?",
            "跨领域知识",
        ),
        (
            "The curiosity essay describes a publication for sharing know-how through articles and code. "
            "What is it called?",
            "技术博客",
        ),
        ("好奇心那篇文章里，通过文章、代码传播知识的那种媒介叫什么？", "技术博客"),
        (
            "What does the midlife-crisis essay mean by working efficiently so you stop doing overtime?",
            "时间管理",
        ),
        ("中年危机那篇里说的提高效率、少加班指的是什么？", "时间管理"),
    ],
)
def test_a_described_concept_is_answered_with_the_articles_nearest_definition(
    roadmap: Roadmap, question: str, expected: str
) -> None:
    language = "en" if question.isascii() else "zh"
    u = understand(question, roadmap.curriculum, roadmap.config)
    s = compose_concept(question, language, u, roadmap, ARTICLES, _embedder)  # type: ignore[arg-type]
    assert s is not None
    assert s.items[0].startswith(expected)  # the definition that matches the description, first
    # the word that names the article ("curiosity" -> 好奇心) is not the concept asked about
    assert "探索未知事物" not in s.text


def test_a_named_term_still_answers_and_a_description_needs_an_embedder(roadmap: Roadmap) -> None:
    question = "意见领袖那篇文章里的“技术专长”是什么意思？"
    u = understand(question, roadmap.curriculum, roadmap.config)
    s = compose_concept(question, "zh", u, roadmap, ARTICLES)
    assert s is not None and s.items[0].startswith("技术专长")
    described_q = "意见领袖那篇文章里，把对市场趋势的了解叫作什么？"
    u = understand(described_q, roadmap.curriculum, roadmap.config)
    assert compose_concept(described_q, "zh", u, roadmap, ARTICLES) is None  # no vectors: retrieval answers


def test_a_question_about_an_articles_argument_is_no_definition_question(roadmap: Roadmap) -> None:
    for question in (
        "What is the key to the comeback, according to the comeback essay?",
        "中年危机那篇文章说该怎么办？",
    ):
        u = understand(question, roadmap.curriculum, roadmap.config)
        assert compose_concept(question, "en", u, roadmap, ARTICLES, _embedder) is None  # type: ignore[arg-type]


def test_described_keeps_the_best_line_and_its_ties_only() -> None:
    lines = [(None, "行业洞察：市场趋势、客户需求"), (None, "技术专长：深度知识"), (None, "领导力：带团队")]
    found = described("把对市场趋势的了解叫什么", "把对市场趋势的了解叫什么", lines, _embedder)  # type: ignore[arg-type]
    assert [line for _, line in found] == ["行业洞察：市场趋势、客户需求"]
    assert described("x", "x", [], _embedder) == [] and described("x", "x", lines, None) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "question",
    [
        "那篇文章把这个叫作什么？",
        "这种方法称为什么？",
        "What is it called there?",
        "What's the name for that?",
        "What's the term for it in the essay?",
    ],
)
def test_questions_asking_for_a_name(question: str) -> None:
    assert ASKS_NAME.search(question)


def test_questions_asking_what_something_means() -> None:
    assert ASKS_WHAT_IT_MEANS.search("What does the essay mean by working smarter?")
    assert ASKS_WHAT_IT_MEANS.search("这里的职业规划指的是什么？")
    assert not ASKS_WHAT_IT_MEANS.search("What is the key to the comeback?")


def test_a_question_naming_an_essay_is_not_answered_from_the_roadmaps_lists(roadmap: Roadmap) -> None:
    for question, language in (
        ("讲中年危机的那篇文章推荐了哪些深度学习的学习资源？", "zh"),
        ("Which deep learning resources does the midlife crisis essay recommend?", "en"),
    ):
        assert names_article(question, language, roadmap, ARTICLES)
        u = understand(question, roadmap.curriculum, roadmap.config)
        assert u.structured  # the understanding alone would answer with skill 5's resources table
        assert curriculum_answer(question, language, u, roadmap, ARTICLES) is None
    question = "深度学习原理有哪些学习资源？"
    u = understand(question, roadmap.curriculum, roadmap.config)
    assert not names_article(question, "zh", roadmap, ARTICLES)
    s = curriculum_answer(question, "zh", u, roadmap, ARTICLES)
    assert s is not None and "动手学深度学习" in s.text


def _pros_and_cons(n: int) -> Source:
    return Source(
        n=n,
        id="pc",
        doc=CURIOSITY,
        title="好奇心",
        headings=["3. 核心算法原理", "3.3 算法优缺点"],
        lines=[74, 86],
        text="深度学习在数据探索方面具有以下优点：\n- **表示能力强**：学到复杂关系。\n- **自动提取特征**：无需手工。\n\n"
        "但也存在一些缺点：\n- **数据依赖性强**：标注成本高。\n- **可解释性差**：黑盒。\n\n"
        "总之，要权衡使用。",
    )


class _FlatEmbedder:
    def embed_stored(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0]


@pytest.mark.parametrize(
    "question",
    ["What are the pros and cons of deep learning for exploring data?", "深度学习做数据探索有哪些优缺点？"],
)
def test_a_named_short_section_is_quoted_whole_in_reading_order(question: str) -> None:
    other = Source(
        n=1, id="o", doc=CURIOSITY, title="好奇心", headings=["9. 附录"], lines=[1, 2], text="- 别的"
    )
    blocks = select_blocks(question, [other, _pros_and_cons(2)], _FlatEmbedder(), prefer={2})  # type: ignore[arg-type]
    lines = [x for b in blocks for x in b.lines]
    assert all(b.source == 2 for b in blocks)
    assert lines.index("**表示能力强**：学到复杂关系。") < lines.index("**数据依赖性强**：标注成本高。")
    assert "**可解释性差**：黑盒。" in lines and "总之，要权衡使用。" in lines


def test_a_named_section_too_long_to_quote_whole_is_still_chosen_from() -> None:
    long = _pros_and_cons(2).model_copy(
        update={"text": _pros_and_cons(2).text + "\n\n" + "很长的段落。" * 300}
    )
    blocks = select_blocks("有哪些缺点？", [long], _FlatEmbedder(), prefer={2})  # type: ignore[arg-type]
    assert len(blocks) < 3  # not every block of the section


def test_the_words_naming_the_article_are_not_the_concept_asked_about(roadmap: Roadmap) -> None:
    for question, language in (
        ("What are the pros and cons of using deep learning to explore data, per the curiosity essay?", "en"),
        ("讲好奇心的那篇文章里，深度学习做数据探索的缺点是什么？", "zh"),
    ):
        u = understand(question, roadmap.curriculum, roadmap.config)
        s = compose_concept(question, language, u, roadmap, ARTICLES, _embedder)  # type: ignore[arg-type]
        assert s is None or "探索未知事物" not in s.text, question
    question = "What does the comeback essay call proposing new ideas through observation and experiments?"
    assert ASKS_NAME.search(question)


class _FaqFarEmbedder:
    """FAQ questions (ending in "？") far from every learner's question; every other text equally near."""

    def embed_stored(self, texts: list[str]) -> list[list[float]]:
        return [[0.0, 1.0] if t.rstrip().endswith("？") else [1.0, 0.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0]


def _passage(n: int, doc: str, headings: list[str], text: str) -> Source:
    return Source(
        n=n, id=f"{doc}{n}", doc=doc, title=doc, headings=headings, lines=[n * 10, n * 10 + 5], text=text
    )


def test_an_unmatched_faq_entry_ranks_lower_than_the_blocks_beside_it() -> None:
    faq = _passage(1, CURIOSITY, ["9. 附录：常见问题与解答"], "**Q1：怎样入门？**\n\nA: 先学深度学习的基础。")
    uses = _passage(2, CURIOSITY, ["6.2 自动驾驶领域"], "深度学习在自动驾驶中用于：\n- 车辆定位\n- 路径规划")
    question = "What is deep learning used for in self-driving cars?"
    plain = select_blocks(question, [faq, uses], _FlatEmbedder())  # type: ignore[arg-type]
    demoted = select_blocks(question, [faq, uses], _FlatEmbedder(), qa_penalty=0.05)  # type: ignore[arg-type]
    assert plain[0].kind == "qa" and demoted[0].source == 2


def test_a_question_naming_an_article_is_answered_from_its_passages_only() -> None:
    from tutor.chain.compose_doc import StructureComposer

    chunks = [
        _chunk(
            CURIOSITY,
            "好奇心与求知欲：技术探索与知识分享的力量",
            ["9. 附录：常见问题与解答"],
            476,
            "**Q1：怎样入门？**\n\nA: 先学深度学习的基础。",
        ),
        _chunk(
            CURIOSITY,
            "好奇心与求知欲：技术探索与知识分享的力量",
            ["3.3 算法优缺点"],
            74,
            "优点：\n- **表示能力强**：复杂关系。",
        ),
        _chunk(
            CRISIS,
            "程序员的中年危机与职业瓶颈",
            ["3.3 算法优缺点"],
            128,
            "优点：\n- **提升竞争力**：持续学习。",
        ),
    ]
    sources = [
        _passage(1, CRISIS, ["3.3 算法优缺点"], chunks[2].text),
        _passage(2, CURIOSITY, ["9. 附录：常见问题与解答"], chunks[0].text),
        _passage(3, CURIOSITY, ["3.3 算法优缺点"], chunks[1].text),
    ]
    composer = StructureComposer(lambda: chunks)
    for question in (
        "What are the upsides of deep learning, according to the curiosity essay?",
        "好奇心那篇文章说深度学习有什么优点？",
    ):
        numbered = list(sources)
        plan = composer.plan(question, numbered, _FaqFarEmbedder())  # type: ignore[arg-type]
        assert plan.blocks, question
        # the curiosity essay's passages (or its named 3.3 section whole: 优点 names 优缺点), not the FAQ
        docs = {s.n: s.doc for s in numbered}
        assert {docs[b.source] for b in plan.blocks} == {CURIOSITY} and plan.blocks[0].kind != "qa", question
        assert any("表示能力强" in line for b in plan.blocks for line in b.lines), question


def test_the_colloquial_what_is_it_called_asks_a_name() -> None:
    """ "…的那种提示技巧叫啥" asks for the name of what it describes, like 叫什么."""
    from tutor.chain.concept_match import ASKS_NAME

    assert ASKS_NAME.search("让模型一步一步把推理过程写出来再给答案的那种提示技巧叫啥")
    assert ASKS_NAME.search("这个方法啥名字")
    assert not ASKS_NAME.search("这个技巧有啥用")
