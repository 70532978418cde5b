"""The item-level view (one vector per list item / labelled line / table row) and the section after N or X."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.chain.understanding import understand
from tutor.curriculum.graph import core_path_skills, load_curriculum_config
from tutor.curriculum.parser import load_curriculum
from tutor.index.bm25 import BM25Index
from tutor.index.items import ItemView, item_texts
from tutor.index.retriever import HybridRetriever
from tutor.index.roadmap_sections import RoadmapSections, Target
from tutor.index.sections import asks_next_step
from tutor.index.settings import RetrievalSettings
from tutor.index.store import StoredChunk

REPO = Path(__file__).resolve().parents[3]
ROADMAP = REPO / "corpus" / "ai-learning-roadmap.md"


def _chunk(cid: str, doc: str, text: str, headings: list[str]) -> StoredChunk:
    return StoredChunk(cid, text, {"doc": doc, "headings": json.dumps(headings, ensure_ascii=False)})


def test_items_are_list_items_labelled_lines_and_table_rows_with_their_path() -> None:
    text = (
        "- **技术博客**：分享知识的媒介\n\n**文本表示**\n- TF-IDF\n- Word2Vec\n\n"
        "| 资源 | 类型 | 链接 |\n|---|---|---|\n| 花书 | 书籍 | https://x.org |"
    )
    items, owner = item_texts(
        [text, "- 别的文档"],
        [{"headings": json.dumps(["技能点 6", "核心内容"])}, {"doc": "cards"}],
        {"cards"},
    )
    assert "技能点 6 › 核心内容 › 文本表示：Word2Vec" in items
    assert "技能点 6 › 核心内容：技术博客：分享知识的媒介" in items
    assert "技能点 6 › 核心内容：花书 | 书籍" in items  # the header row and the link cell are left out
    assert not any("资源 | 类型" in i or "http" in i for i in items)
    assert set(owner) == {0}  # the skipped document has no items


def test_passages_rank_by_their_best_item_and_respect_the_document_filter() -> None:
    chunks = [
        _chunk("a", "roadmap", "**文本表示**\n- TF-IDF\n- Word2Vec", ["技能点 6", "核心内容"]),
        _chunk("b", "roadmap", "**神经网络**\n- 感知机", ["技能点 5", "核心内容"]),
        _chunk("c", "essay", "- 词向量的一段话", ["2.1 核心概念概述"]),
    ]

    def embed(texts: list[str]) -> list[list[float]]:
        # one axis for word vectors, one for everything else
        return [[1.0, 0.0] if "Word2Vec" in t or "词向量" in t else [0.0, 1.0] for t in texts]

    view = ItemView(BM25Index.build(chunks), embed)
    assert len(view) == 6  # two labels, three items, one essay item
    ranked = view.rank([1.0, 0.0], k=2)
    assert {c.id for c in ranked} == {"a", "c"}
    assert ranked[0].score == pytest.approx(1.0)
    only_roadmap = view.rank([1.0, 0.0], k=3, allowed=lambda doc: doc == "roadmap")
    assert [c.id for c in only_roadmap] == ["a", "b"]
    assert only_roadmap[0].text.startswith("**文本表示**")  # the passage comes back, never the item


@pytest.fixture(scope="module")
def sections() -> RoadmapSections:
    curriculum = load_curriculum(ROADMAP, 10_000_000)
    config = load_curriculum_config(REPO / "configs" / "curriculum.yaml")
    return RoadmapSections(
        lambda q: understand(q, curriculum, config),
        lambda: curriculum,
        core_path=lambda: core_path_skills(curriculum, config),
    )


def _next(sections: RoadmapSections, question: str) -> list[str]:
    return [t.heading for t in sections.next_targets(question, asks_next_step(question))]


def test_the_core_path_in_skill_numbers() -> None:
    curriculum = load_curriculum(ROADMAP, 10_000_000)
    config = load_curriculum_config(REPO / "configs" / "curriculum.yaml")
    # 数学基础 → 机器学习 → 深度学习 → NLP → Transformer → 大模型应用 → LangChain → RAG → 微调 → 部署
    assert core_path_skills(curriculum, config) == [2, 4, 5, 6, 8, 9, 12, 11, 14, 13]


def test_after_a_stage_comes_the_next_stage(sections: RoadmapSections) -> None:
    assert _next(sections, "阶段 2 学完了，下一阶段是什么？") == ["阶段 3：大模型应用（2-3 个月）"]
    assert _next(sections, "I'm done with the engineering stage. What comes after it?") == [
        "阶段 5：高级专题（持续学习）"
    ]
    assert _next(sections, "阶段 5 学完了，下一阶段呢？") == []  # the last stage has none


def test_after_a_skill_come_the_next_by_the_core_path_and_by_the_roadmaps_order(
    sections: RoadmapSections,
) -> None:
    # 数学基础 (2): the core path goes on to 机器学习 (4), the roadmap's order to Linux 和 Git (3)
    assert _next(sections, "数学基础学完了，接下来学什么？") == [
        "技能点 4：机器学习基础 ⭐⭐⭐⭐⭐",
        "技能点 3：Linux 和 Git ⭐⭐⭐",
    ]
    # PyTorch is not on the core path: the next by order only
    assert _next(sections, "Once I'm comfortable with PyTorch, what should I learn next?") == [
        "技能点 8：Transformer 架构 ⭐⭐⭐⭐⭐"
    ]


def test_no_next_section_without_a_next_step_question_or_for_a_milestone(sections: RoadmapSections) -> None:
    assert _next(sections, "PyTorch 有什么学习资源？") == []
    assert _next(sections, "学完 PyTorch 三个月以后应该能做什么？") == []
    assert sections.next_targets("阶段 2 学什么", asks_next=False) == []
    # naming the order itself asks for that passage, which the sequence list brings
    assert _next(sections, "I've finished RAG — what's the next topic on the core path?") == []
    assert _next(sections, "数学基础打好了，按路线的主线下一步学什么？") == []
    assert Target("x") == Target("x")  # the targets compare by value (the retriever dedupes on them)


class _NoTerms:
    def names_a_term(self, question: str) -> bool:
        return False

    def named(self, question: str) -> list[str]:
        return []


class _Levers:
    def concepts(self) -> _NoTerms:
        return _NoTerms()

    def resource_kinds(self) -> _NoTerms:
        return _NoTerms()


def _retriever() -> HybridRetriever:
    cfg = RetrievalSettings(item_view_weight=0.5, item_view_cjk="off", item_view_next=False)
    return HybridRetriever.model_construct(cfg=cfg, levers=_Levers())


@pytest.mark.parametrize(
    ("question", "applies"),
    [
        ("What is the trick of training a small add-on instead of the whole model called?", True),
        ("What does the midlife-crisis article suggest for work-life balance?", False),
        ("In the curiosity essay, what are the upsides of deep learning?", False),
        ("把词变成向量的方法叫什么？", False),
    ],
)
def test_the_item_view_is_for_english_questions_that_name_no_document(question: str, applies: bool) -> None:
    # a question naming an article is answered by that article's sections (document routing);
    # list items of other documents only compete with them (own a142, dev-171/196 lost their answers)
    assert _retriever()._items_apply(question, asks_next=False) is applies


def test_the_item_view_is_not_for_next_step_questions_when_switched_off() -> None:
    assert (
        _retriever()._items_apply("What should I learn after the transformer skill?", asks_next=True) is False
    )
