"""Section kinds named in the learner's words, and the block-level view of the passages."""

from __future__ import annotations

import json

import pytest

from tutor.index.bm25 import BM25Index
from tutor.index.kinds import SectionKinds
from tutor.index.query import QueryRewriter
from tutor.index.sections import FaqEntries, SectionView, SequencePassages, asks_next_step, blocks
from tutor.index.store import StoredChunk

HEADINGS = [
    "3.3 算法优缺点",
    "8.2 未来发展趋势",
    "8.3 面临的挑战",
    "9. 附录：常见问题与解答",
    "业余学习（1.5-2 年）",
]


@pytest.mark.parametrize(
    ("question", "added"),
    [
        ("What downsides does the comeback essay admit?", "优缺点 缺点"),
        ("Is there an FAQ in the curiosity essay?", "常见问题 解答"),
        ("What future trends does the midlife essay expect?", "未来发展趋势"),
        ("Which challenges are left?", "面临的挑战"),
        ("In the part-time plan, how long is job preparation?", "业余学习"),
        ("How do I train a model?", None),
        # Chinese questions only with chinese=True
        ("这条路有什么好处？", None),
    ],
)
def test_kinds_named_in_english_add_the_headings_words(question: str, added: str | None) -> None:
    assert SectionKinds.from_headings(HEADINGS)(question) == added


def test_only_heading_words_the_material_has_and_chinese_synonyms_on_request() -> None:
    kinds = SectionKinds.from_headings(["3.3 算法优缺点"], chinese=True)
    assert [k.name for k in kinds.kinds] == ["pros_cons"]
    assert kinds("这条路有什么好处？") == "优缺点 缺点"
    assert kinds("Is there an FAQ?") is None  # no FAQ heading in this material
    assert len(SectionKinds.from_headings(["技能点 1：Python 编程"])) == 0


@pytest.mark.parametrize(
    ("question", "added"),
    [
        ("What is a tech blog, per the curiosity article?", "核心概念"),
        ("How is 'innovative thinking' defined in the comeback piece?", "核心概念"),
        ("那篇文章里的“影响力”是指什么？", "核心概念"),
        # the same words about the roadmap ask for a skill's content, not an essay's definitions
        ("What is a vector database?", None),
        ("RAG 指的是什么？", None),
        ("What future trends does the midlife essay expect?", "未来发展趋势"),
    ],
)
def test_a_definition_is_asked_for_only_in_a_question_naming_a_document(
    question: str, added: str | None
) -> None:
    assert SectionKinds.from_headings([*HEADINGS, "2.1 核心概念概述"], chinese=True)(question) == added


def test_a_definition_is_asked_for_within_a_routed_document() -> None:
    from tutor.index.routing import within_document

    kinds = SectionKinds.from_headings([*HEADINGS, "2.1 核心概念概述"], chinese=True)
    question = "技术博客被看成是什么？"  # the clause naming the essay was stripped once the search was routed
    assert kinds(question) is None
    with within_document():
        assert kinds(question) == "核心概念"
    assert kinds(question) is None


def test_keyword_hooks_reach_bm25_only() -> None:
    kinds = SectionKinds.from_headings(HEADINGS)
    plan = QueryRewriter(keyword_extra=[kinds]).plan("What are the drawbacks?")
    assert plan.dense_text == "What are the drawbacks?"
    assert plan.keyword_text == "What are the drawbacks? 优缺点 缺点"
    assert plan.applied == ["keyword:优缺点 缺点"]
    both = QueryRewriter(extra=[kinds]).plan("What are the drawbacks?")
    assert both.dense_text == both.keyword_text == "What are the drawbacks? 优缺点 缺点"


def test_blocks_cut_at_bold_labels_and_blank_lines_and_skip_tables() -> None:
    text = "**监督学习**\n- 线性回归\n- 决策树\n\n**无监督学习**\n- K-means 聚类\n\n| 资源 | 链接 |\n|---|---|\n#### 检验标准\n- ✅ 理解过拟合"
    assert blocks(text) == [
        "监督学习 - 线性回归 - 决策树",
        "无监督学习 - K-means 聚类",
        "检验标准 - ✅ 理解过拟合",
    ]


def _chunk(cid: str, doc: str, text: str, headings: list[str]) -> StoredChunk:
    return StoredChunk(cid, text, {"doc": doc, "headings": json.dumps(headings, ensure_ascii=False)})


def test_passages_rank_by_their_best_block_and_respect_the_document_filter() -> None:
    chunks = [
        _chunk(
            "a",
            "roadmap",
            "**监督学习**\n- 线性回归\n\n**无监督学习**\n- K-means 聚类",
            ["技能点 4", "核心概念"],
        ),
        _chunk("b", "roadmap", "**神经网络**\n- 感知机", ["技能点 5", "核心内容"]),
        _chunk("c", "essay", "聚类的一段话", ["2.1 核心概念概述"]),
    ]
    bm25 = BM25Index.build(chunks)
    seen: list[str] = []

    def embed(texts: list[str]) -> list[list[float]]:
        seen.extend(texts)
        # one axis for clustering, one for everything else
        return [[1.0, 0.0] if "聚类" in t else [0.0, 1.0] for t in texts]

    view = SectionView(bm25, embed)
    assert len(view) == 4
    assert "技能点 4 › 核心概念：无监督学习 - K-means 聚类" in seen  # the heading path prefixes each block
    ranked = view.rank([1.0, 0.0], k=2)
    assert [c.id for c in ranked][:1] in (["a"], ["c"])
    assert {c.id for c in ranked} == {"a", "c"}
    assert ranked[0].score == pytest.approx(1.0)
    only_roadmap = view.rank([1.0, 0.0], k=3, allowed=lambda doc: doc == "roadmap")
    assert [c.id for c in only_roadmap] == ["a", "b"]
    assert only_roadmap[0].text.startswith("**监督学习**")  # the passage itself comes back, not the block


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("学完这一阶段接下来学什么？", True),
        ("What should I study next?", True),
        ("What comes right after the theory stage?", True),
        ("深度学习实践这块搞定了，下一阶段呢", True),  # the chain's router knows "下一阶段" too
        ("下个阶段学哪些", True),
        ("三个月以后应该会什么？", False),  # a span of time: a milestone question
        ("What should I know after six months?", False),
        ("Transformer 怎么学？", False),
    ],
)
def test_next_step_questions(question: str, expected: bool) -> None:
    assert asks_next_step(question) is expected


def test_sequence_passages_are_the_ones_that_write_an_order_down() -> None:
    chunks = [
        _chunk("path", "roadmap", "数学基础 → 机器学习 → 深度学习 → NLP", ["总结", "核心路径"]),
        _chunk("chart", "roadmap", "阶段 0\n  ↓\n阶段 1\n  ↓\n阶段 2\n  ↓\n阶段 3", ["学习路线总览"]),
        _chunk("one", "roadmap", "输入 → 输出", ["技能点 5"]),  # one arrow is not an order
        _chunk("essay", "essay", "好奇心 → 学习 → 分享 → 影响", ["2.2 概念间的关系"]),
    ]
    bm25 = BM25Index.build(chunks)

    def embed(texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] if "核心路径" in t else [0.0, 1.0] for t in texts]

    seq = SequencePassages(bm25, embed)
    assert [c.id for c in seq.rank([1.0, 0.1])] == ["path", "chart", "essay"]
    assert [c.id for c in seq.rank([0.1, 1.0], allowed=lambda d: d == "roadmap")] == ["chart", "path"]


def test_faq_entries_rank_faq_passages_by_their_best_entry() -> None:
    faq = (
        "**Q1：如何平衡工作与生活？**\n\nA: 制定日程表。\n\n"
        "**Q2：如何高效利用时间进行学习？**\n\nA: 利用碎片时间，如通勤。"
    )
    chunks = [
        _chunk("faq", "essay", faq, ["9. 附录：常见问题与解答"]),
        _chunk("body", "essay", "正文里的一段话，没有问答。", ["3.2 算法步骤详解"]),
        _chunk("other", "other", "**Q1：怎么读论文？**\nA: 读三遍。", ["附录"]),
    ]
    seen: list[str] = []

    def embed(texts: list[str]) -> list[list[float]]:
        seen.extend(texts)
        return [[1.0, 0.0] if "通勤" in t else [0.0, 1.0] for t in texts]

    entries = FaqEntries(BM25Index.build(chunks), embed)
    assert len(entries) == 3  # each question with its answer; the passage without Q&A has none
    assert "如何高效利用时间进行学习？ A: 利用碎片时间，如通勤。" in seen
    ranked, best = entries.rank([1.0, 0.0])
    assert [c.id for c in ranked] == ["faq", "other"] and best == pytest.approx(1.0)
    only_other, best_other = entries.rank([1.0, 0.0], allowed=lambda d: d == "other")
    assert [c.id for c in only_other] == ["other"] and best_other == pytest.approx(0.0)
