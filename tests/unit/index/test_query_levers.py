"""Query rewrites, the material's glossary, document cards and pseudo-relevance feedback, on real snippets."""

from __future__ import annotations

import pytest

from tutor.index.bm25 import BM25Index, feedback_terms, fingerprint
from tutor.index.query import QueryRewriter, build_glossary, normalize_time_expressions, zh_number
from tutor.index.retriever import _by_document
from tutor.index.routing import cards_from_chunks, lead_summary, refers_to_document, within_document
from tutor.index.store import StoredChunk


@pytest.mark.parametrize(
    ("text", "value"), [("三", 3), ("十二", 12), ("二十四", 24), ("两", 2), ("6", 6), ("半", None)]
)
def test_zh_number(text: str, value: int | None) -> None:
    assert zh_number(text) == value


@pytest.mark.parametrize(
    ("question", "months"),
    [
        ("学了三个月应该达到什么水平？", [3]),
        ("三个月以后要会什么", [3]),
        ("半年后应该掌握什么？", [6]),
        ("学满一年以后呢", [12]),
        ("业余学一年半够吗", [18]),
        ("What should I be able to do after six months?", [6]),
        ("Where should I be at the half-year checkpoint?", [6]),
        ("What can I build after a year?", [12]),
        ("After 12 months what should I be able to ship?", [12]),
        ("学满两个季度能做什么", [6]),
        ("Three quarters in, what should I know?", [9]),
        ("一个季度后应该会什么", [3]),
        ("RAG 里怎么做混合检索？", []),
        ("What are the years of experience needed?", []),
    ],
)
def test_time_expressions_in_words_become_month_counts(question: str, months: list[int]) -> None:
    assert normalize_time_expressions(question) == months


ROADMAP_SNIPPETS = [
    "- 早停（Early Stopping）：验证集损失不再下降时停止训练",
    "| 名称 | Name | 类型 |\n|---|---|---|\n| 吴恩达 | Andrew Ng | 视频 |",
    "技术专家可以通过技术写作提升影响力（Influence）。",
]


def test_glossary_reads_parentheses_table_headers_and_labelled_headings() -> None:
    glossary = build_glossary(ROADMAP_SNIPPETS, ["技能点 11：RAG 检索增强 ⭐⭐⭐⭐⭐", "Python 基础库"])
    assert glossary.en_to_zh["early stopping"] == ["早停"]
    assert glossary.en_to_zh["name"] == ["名称"]
    assert glossary.en_to_zh["influence"] == ["影响力"]
    assert glossary.en_to_zh["rag"] == ["检索增强"]
    assert "python" not in glossary.en_to_zh  # an unlabelled "Python 基础库" is a topic, not a translation
    assert glossary.translate("How can a tech expert increase their influence?") == ["影响力"]
    assert glossary.translate("Does early stopping prevent overfitting?") == ["早停"]


def test_rewriter_appends_and_only_translates_english_questions() -> None:
    glossary = build_glossary(ROADMAP_SNIPPETS, [])
    rw = QueryRewriter(
        time_expressions=True,
        bilingual=True,
        glossary=glossary,
        extra=[lambda q: "阶段 2" if "stage two" in q else None],
    )
    plan = rw.plan("What is early stopping, and what should I know after six months of stage two?")
    assert plan.dense_text.startswith("What is early stopping")
    assert "6 个月后" in plan.dense_text and "6 个月后" in plan.keyword_text
    assert "早停" in plan.keyword_text and "早停" not in plan.dense_text
    assert plan.keyword_text.endswith("阶段 2") and [a.split(":")[0] for a in plan.applied] == [
        "time",
        "glossary",
        "extra",
    ]
    zh = rw.plan("早停是什么")
    assert zh.keyword_text == "早停是什么" and zh.applied == []
    off = QueryRewriter().plan("What should I know after six months?")
    assert off.dense_text == off.keyword_text == off.question and off.applied == []


def test_lead_summary_skips_headings_tables_and_lists() -> None:
    text = "# 标题\n\n> 从零基础到 AI 工程师的系统化学习指南\n>\n> 总时长：8-13 个月\n\n## 📋 目录\n- [a](#a)\n\n| x | y |\n"
    assert lead_summary(text) == "从零基础到 AI 工程师的系统化学习指南 总时长：8-13 个月"
    article = "## 1. 背景介绍\n\n### 1.1 问题由来\n在这个时代，技术进步日新月异。这对个人发展提出挑战。\n\n### 1.2\n要在新时代实现逆袭，关键在于眼光。这需要我们：\n"
    assert lead_summary(article) == "在这个时代，技术进步日新月异。 要在新时代实现逆袭，关键在于眼光。"


def _chunk(
    cid: str, doc: str, index: int, text: str, headings: list[str] | None = None, **meta
) -> StoredChunk:
    import json

    return StoredChunk(
        cid,
        text,
        {
            "doc": doc,
            "title": doc.upper(),
            "index": index,
            "headings": json.dumps(headings or [], ensure_ascii=False),
            **meta,
        },
    )


def test_document_cards_read_the_lead_in_document_order() -> None:
    chunks = [
        _chunk("b1", "b", 1, "第二段的第一句话。"),
        _chunk("b0", "b", 0, "第一段的第一句。还有。"),
        _chunk("a0", "a", 0, "这是正文的开头。"),
    ]
    cards = cards_from_chunks([c.text for c in chunks], [c.metadata for c in chunks])
    assert [(c.doc, c.title, c.summary) for c in cards] == [
        ("a", "A", "这是正文的开头。"),
        ("b", "B", "第一段的第一句。 第二段的第一句话。"),
    ]


def test_refers_to_document() -> None:
    assert refers_to_document("讲新时代逆袭的那篇文章里说了什么")
    assert refers_to_document("In the piece on going from expert to opinion leader, what is step one?")
    assert not refers_to_document("RAG 里怎么做混合检索？")


def test_by_document_lists_the_best_document_first_keeping_fused_order() -> None:
    fused = [
        _chunk("x1", "x", 0, ""),
        _chunk("y1", "y", 0, ""),
        _chunk("x2", "x", 1, ""),
        _chunk("z1", "z", 0, ""),
    ]
    assert [c.id for c in _by_document(fused, {"y": 1, "x": 2})] == ["y1", "x1", "x2", "z1"]


def test_heading_boost_changes_the_fingerprint_and_the_ranking() -> None:
    chunks = [
        _chunk("h", "d", 0, "内容介绍", ["过拟合"]),
        _chunk("t", "d", 1, "过拟合 过拟合 过拟合 很常见 一些 其他 文字 填充 内容", ["其他"]),
    ]
    assert fingerprint(["h", "t"]) != fingerprint(["h", "t"], 3)
    plain = BM25Index.build(chunks)
    boosted = BM25Index.build(chunks, heading_boost=3)
    assert plain.search("过拟合", 2)[0].id == "t"
    assert boosted.search("过拟合", 2)[0].id == "h"
    assert boosted.fingerprint == fingerprint(["h", "t"], 3)


def test_feedback_terms_come_from_the_top_passages_not_the_query() -> None:
    chunks = [
        _chunk("a", "d", 0, "早停 验证集 损失 不再 下降 停止 训练"),
        _chunk("b", "d", 1, "学习 资源 推荐 视频"),
        _chunk("c", "d", 2, "正则化 防止 训练 过拟合"),
    ]
    index = BM25Index.build(chunks)
    terms = feedback_terms(index, ["a"], 3, exclude=["训练"])
    assert (
        len(terms) == 3
        and "训练" not in terms
        and set(terms) <= {"早停", "验证", "验证集", "损失", "不再", "下降", "停止"}
    )


def test_learner_terms_give_bm25_the_material_words_of_an_english_question() -> None:
    from tutor.index.query import LearnerTerms

    terms = LearnerTerms(lambda q: ["持续学习"] if "continuous learning" in q else [])
    plan = QueryRewriter(learner_extra=[terms]).plan("Which platforms help with continuous learning?")
    assert plan.keyword_text.endswith(" 持续学习")
    assert plan.dense_text == plan.question  # the embedder reads the learner's own words
    assert terms("Which platforms?") is None  # nothing to translate: nothing appended
    assert terms("持续学习 continuous learning 怎么做") is None  # a Chinese question has the words already


def test_learner_terms_for_essays_only_leave_a_general_question_alone() -> None:
    from tutor.index.query import LearnerTerms

    terms = LearnerTerms(lambda q: ["持续学习"], essays_only=True)
    assert terms("What does the midlife article say about continuous learning?") == "持续学习"
    assert terms("Where can I keep up continuous learning?") is None  # no essay named
    assert terms("In the midlife essay, what comes right after the continuous-learning step?") is None
    with within_document():  # an essay's search for the question without its "in the midlife article"
        assert terms("What does it say about continuous learning?") == "持续学习"


def test_learner_terms_do_not_stop_the_concept_fallback() -> None:
    """The fallback fires when no rewrite names the material's structure; a translated word names none."""
    from tutor.index.query import LearnerTerms

    rewriter = QueryRewriter(
        fallback_extra=[lambda q: "过拟合"], learner_extra=[LearnerTerms(lambda q: ["模型"])]
    )
    plan = rewriter.plan("where do I learn why a model fails on new data?")
    assert plan.keyword_text.endswith(" 过拟合 模型")
    assert [a.split(":")[0] for a in plan.applied] == ["fallback", "learner"]


def test_learner_terms_leave_out_the_words_that_name_the_essay() -> None:
    """程序员 / 中年危机 are in every passage of the midlife essay: they tell none of its sections apart."""
    from tutor.chain.glossary import english_terms
    from tutor.index.query import LearnerTerms

    terms = LearnerTerms(english_terms, essays_only=True)
    assert terms("What learning resources does the programmer midlife crisis article list?") == "学习 资源"
