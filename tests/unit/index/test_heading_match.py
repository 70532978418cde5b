"""Issue 13, fourteenth round: section-level evidence — how much of a passage's heading the question says."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from tutor.index.heading_match import heading_evidence, heading_pairs, passage_titles, question_text
from tutor.index.rescore import rule_order
from tutor.index.settings import RetrievalSettings
from tutor.index.store import StoredChunk

if TYPE_CHECKING:
    from tutor.index.levers import QueryLevers

HEADINGS = [
    "6.5 技术创业",
    "1.1 问题由来",
    "6.1 技术咨询",
    "9. 附录：常见问题与解答",
    "步骤5：职业规划",
    "步骤3：工作与生活平衡",
]
ESSAY = [[h] for h in HEADINGS]


def test_numbering_and_stars_are_not_heading_content() -> None:
    assert heading_pairs("6.5 技术创业") == {"技术", "术创", "创业"}
    assert heading_pairs("步骤5：职业规划") == {"职业", "业规", "规划"}
    assert heading_pairs("技能点 4：机器学习基础 ⭐⭐⭐⭐⭐") == heading_pairs("机器学习基础")


def test_the_section_a_chinese_question_names_wins_over_the_introduction() -> None:
    scores = heading_evidence("技术创业分哪几步", ESSAY)
    assert scores[0] == 1.0
    assert scores[1] == 0.0  # 1.1 问题由来: nothing of it said
    # 技术 is in both 6.x headings, so sharing only it says less than sharing the whole heading
    assert 0.0 < scores[2] < 0.5


def test_an_english_question_is_compared_in_the_materials_words() -> None:
    assert "职业规划" in question_text("What does the career-planning step involve?")
    scores = heading_evidence("What does the career-planning step involve?", ESSAY)
    assert max(range(len(ESSAY)), key=lambda i: scores[i]) == HEADINGS.index("步骤5：职业规划")


def test_no_evidence_without_shared_words() -> None:
    assert heading_evidence("How do I keep going when it gets hard?", ESSAY) == [0.0] * len(ESSAY)
    assert heading_evidence("怎么办", []) == []
    assert heading_evidence("技术创业", [[""], ["Papers"]]) == [0.0, 0.0]


def test_a_faq_entrys_question_is_a_title_of_its_passage() -> None:
    text = "**Q1：如何平衡工作与生活？**\n\nA: 制定日程表。\n\n**Q2：如何提升跨领域知识？**\n\nA: 学习管理。"
    titles = passage_titles("9. 附录：常见问题与解答", text)
    assert titles == ["9. 附录：常见问题与解答", "如何平衡工作与生活？", "如何提升跨领域知识？"]
    scores = heading_evidence("想多懂点跨领域知识怎么办", [titles, ["2.1 核心概念概述"]])
    assert scores[0] > 0.5 and scores[1] == 0.0


def test_the_heading_words_of_a_named_kind_count_as_said() -> None:
    faq, step = ["9. 附录：常见问题与解答", "如何平衡工作与生活？"], ["步骤3：工作与生活平衡"]
    without = heading_evidence("怎么平衡工作和生活", [faq, step])
    named = heading_evidence("怎么平衡工作和生活", [faq, step], "常见问题 解答")
    assert named[0] > without[0] and named[0] > named[1]


class _Levers:
    """Just what the second stage asks of the query levers when only the heading evidence is on."""

    def section_kinds(self) -> Callable[[str], str | None]:
        return lambda question: None


MIDLIFE = [
    ("programmer-midlife-crisis", h) for h in ("步骤2：持续学习", "步骤3：工作与生活平衡", "1.1 问题由来")
]


def _order(question: str, passages: list[tuple[str, str]] = MIDLIFE) -> list[str]:
    cfg = RetrievalSettings(
        rescore_block_weight=0.0,
        rescore_stage_weight=0.0,
        rescore_done_weight=0.0,
        rescore_next_weight=0.0,
        rescore_heading_weight=0.3,
    )
    chunks = []
    for i, (doc, heading) in enumerate(passages):
        meta = {"doc": doc, "headings": json.dumps([heading], ensure_ascii=False)}
        chunks.append(StoredChunk(f"c{i}", "text", meta, score=1.0 - 0.05 * i))
    levers = cast("QueryLevers", _Levers())
    return [c.headings[-1] for c in rule_order(levers, cfg, question, chunks, [0.0])]


def test_the_second_stage_lifts_the_section_a_question_about_a_document_names() -> None:
    assert _order("中年危机那篇文章里，工作与生活平衡怎么做？")[0] == "步骤3：工作与生活平衡"
    # a question naming no document is left in the fused order
    assert _order("工作与生活平衡怎么做？")[0] == "步骤2：持续学习"


def test_a_what_next_question_lowers_the_step_it_names_as_done() -> None:
    order = _order("中年危机那篇文章里，持续学习我已经做了，下一步呢？")
    assert order.index("步骤2：持续学习") == 2


def test_the_evidence_reorders_only_inside_the_leading_document() -> None:
    # "文章里" names no one document: the roadmap's "5. 持续学习" must not overtake the leading essay
    passages = [("programmer-midlife-crisis", "2.2 概念间的关系"), ("ai-learning-roadmap", "5. 持续学习")]
    assert _order("工作太忙，文章里说持续学习要怎么安排", passages)[0] == "2.2 概念间的关系"
