"""A document's structure read from its chunks: steps sections, FAQ entries, named sections, scope words."""

from __future__ import annotations

import json

import numpy as np

from tutor.chain.answer import Source
from tutor.chain.compose import render_blocks
from tutor.chain.compose_doc import StructureComposer
from tutor.chain.doc_parts import DocParts, named_sections
from tutor.chain.scope import english_vocabulary, topic_coverage
from tutor.index.store import StoredChunk

ROOT = "3. 核心算法原理 & 具体操作步骤"
STEPS = "3.2 算法步骤详解"


def _chunk(doc: str, n: int, headings: list[str], start: int, text: str) -> StoredChunk:
    lines = text.count("\n")
    meta = {
        "doc": doc,
        "title": doc,
        "headings": json.dumps(headings, ensure_ascii=False),
        "line_start": start,
        "line_end": start + lines,
    }
    return StoredChunk(id=f"{doc}:{n}", text=text, metadata=meta)


# sub-sections as steps (one chunk each), a pros/cons section, a FAQ whose 2nd answer runs over two chunks
ESSAY = [
    _chunk("crisis", 0, ["1. 背景介绍", "1.1 问题由来"], 3, "程序员到了 35 岁常常面临职业瓶颈。"),
    _chunk(
        "crisis",
        1,
        [ROOT, STEPS, "步骤1：技术栈升级"],
        10,
        "- **选择新技能**：选一门新语言。\n- **学习基础**：读官方文档。",
    ),
    _chunk(
        "crisis",
        2,
        [ROOT, STEPS, "步骤2：持续学习"],
        14,
        "- **选择合适的资源**：Coursera 等平台。\n- **学习反馈**：定期回顾。",
    ),
    _chunk(
        "crisis",
        3,
        [ROOT, STEPS, "步骤3：时间管理"],
        18,
        "- **使用GTD方法**：把任务分解。\n- **工具支持**：Trello 等。",
    ),
    _chunk(
        "crisis",
        4,
        [ROOT, "3.3 算法优缺点"],
        22,
        "**缺点**：\n- **学习压力大**：新技术层出不穷。\n- **效果慢**：难以立竿见影。",
    ),
    _chunk("crisis", 5, ["9. 附录：常见问题与解答"], 30, "**Q1：如何平衡工作与生活？**\n\nA: 制定日程表。"),
    _chunk(
        "crisis",
        6,
        ["9. 附录：常见问题与解答"],
        34,
        "**Q2：学习新技术时需要注意哪些问题？**\n\nA: 需要注意以下问题：\n1. 理解基本概念：先了解原理。",
    ),
    _chunk("crisis", 7, ["9. 附录：常见问题与解答"], 38, "2. 寻求帮助：及时向社区求助。"),
]
# bold "Step N" labels inside one section, and Python code whose words are not the material's topics
LABELLED = [
    _chunk(
        "leader",
        0,
        [ROOT, STEPS],
        5,
        "**Step 1: 基础知识深化**\n- 深入学习基础知识。\n\n**Step 2: 行业调研与实践**\n- 了解行业需求。\n\n"
        "**Step 3: 建立行业声誉**\n- 成为意见领袖。",
    ),
    _chunk(
        "leader",
        1,
        ["5. 项目实践"],
        20,
        "```python\nimport numpy as np\nresult = set(push)\n```\n用 PyTorch 与 LangChain 实现。",
    ),
]


def test_steps_are_the_sub_sections_or_the_bold_labels_of_the_deepest_steps_section() -> None:
    parts = DocParts(ESSAY + LABELLED)
    path, steps = parts.steps("crisis")
    assert path == (ROOT, STEPS)  # not "3. 核心算法原理 & 具体操作步骤", whose children are not steps
    assert [p.title for p in steps] == ["技术栈升级", "持续学习", "时间管理"]
    assert steps[0].key.startswith("选择新技能：")
    path, steps = parts.steps("leader")
    assert [p.title for p in steps] == ["基础知识深化", "行业调研与实践", "建立行业声誉"]
    assert steps[1].key == "了解行业需求。"


def test_a_faq_answer_is_whole_even_across_two_chunks() -> None:
    entries = DocParts(ESSAY).faq()
    assert [e.question for e in entries] == ["如何平衡工作与生活？", "学习新技术时需要注意哪些问题？"]
    second = entries[1].passage
    assert "理解基本概念" in second.text and "寻求帮助" in second.text and "如何平衡" not in second.text
    assert second.lines == [34, 38]


def test_named_sections_are_found_by_their_topic_words() -> None:
    parts = DocParts(ESSAY)
    assert named_sections("这套方法有啥缺点吗", parts, "crisis") == [(ROOT, "3.3 算法优缺点")]
    assert named_sections("时间管理有什么具体方法", parts, "crisis") == [(ROOT, STEPS, "步骤3：时间管理")]
    assert named_sections("程序员要注意身体吗", parts, "crisis") == []


class _Embedder:
    """Two FAQ questions and a learner's question, with fixed vectors."""

    def embed_stored(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] if "平衡" in t else [0.0, 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [0.99, float(np.sqrt(1 - 0.99**2))] if "平衡" in text else [0.6, 0.8]


def _retrieved(chunk: StoredChunk, n: int = 1) -> Source:
    return Source(
        n=n,
        id=chunk.id,
        doc=chunk.doc,
        title=chunk.title,
        headings=chunk.headings,
        lines=chunk.lines,
        text=chunk.text,
    )


def test_a_matching_faq_question_is_answered_with_its_entry_alone() -> None:
    composer = StructureComposer(lambda: ESSAY)
    sources = [_retrieved(ESSAY[0])]
    plan = composer.plan("怎么平衡工作和生活？", sources, _Embedder())  # type: ignore[arg-type]
    assert plan.reason.startswith("faq") and [b.kind for b in plan.blocks or []] == ["qa"]
    assert sources[-1].n == 2 and sources[-1].text.startswith("**Q1")
    assert "制定日程表。 [2]" in render_blocks(plan.blocks or [], sources, "zh")


def test_a_how_to_question_about_the_essay_gets_every_step_cited() -> None:
    composer = StructureComposer(lambda: ESSAY)
    sources = [_retrieved(ESSAY[0])]
    plan = composer.plan("中年危机要怎么应对？", sources, _Embedder())  # type: ignore[arg-type]
    assert plan.reason == "steps outline"
    text = render_blocks(plan.blocks or [], sources, "zh")
    for title, n in (("技术栈升级", 2), ("持续学习", 3), ("时间管理", 4)):
        assert f"- **{title}**：" in text and any(
            line.startswith(f"- **{title}**") and line.endswith(f"[{n}]") for line in text.splitlines()
        )


def test_one_named_step_or_another_section_is_not_an_outline() -> None:
    composer = StructureComposer(lambda: ESSAY)
    sources = [_retrieved(ESSAY[0])]
    plan = composer.plan("时间管理具体怎么做？", sources, _Embedder())  # type: ignore[arg-type]
    assert plan.blocks is None and plan.prefer and "GTD" in sources[-1].text
    sources = [_retrieved(ESSAY[0])]
    plan = composer.plan("这些方法怎么看缺点？", sources, _Embedder())  # type: ignore[arg-type]
    assert plan.blocks is None and "学习压力大" in sources[-1].text


def test_english_questions_are_judged_by_the_materials_words() -> None:
    vocabulary = english_vocabulary(c.text for c in LABELLED)
    assert "pytorch" in vocabulary and "push" not in vocabulary  # code is not the material's prose
    assert topic_coverage("How do I center a div in CSS?", vocabulary) == 0.0
    assert topic_coverage("Which PyTorch resources does the roadmap list?", vocabulary) == 1.0
    assert topic_coverage("What's up?", vocabulary) is None
    composer = StructureComposer(lambda: LABELLED)
    assert composer.off_topic("Can you recommend a good laptop?", 0.79)
    assert not composer.off_topic("Can you recommend a good laptop?", 0.85)  # similar enough: answered
    assert not composer.off_topic("How do I stay motivated in deep learning?", 0.79)
    assert not composer.off_topic("笔记本电脑推荐", 0.5)  # Chinese questions: the threshold decides


def test_a_follow_up_is_answered_by_the_section_it_names_itself() -> None:
    composer = StructureComposer(lambda: ESSAY)
    # the standalone rewrite carries the earlier question's topic ("缺点"); the learner now asks for the steps
    standalone = "这些方法的缺点 时间管理具体怎么做？"
    sources = [_retrieved(ESSAY[4])]
    plan = composer.plan(standalone, sources, _Embedder(), latest="那时间管理具体怎么做？")  # type: ignore[arg-type]
    assert plan.blocks and all("GTD" in sources[b.source - 1].text for b in plan.blocks)
    sources = [_retrieved(ESSAY[4])]
    plan = composer.plan(standalone, sources, _Embedder())  # type: ignore[arg-type]
    assert plan.blocks is None  # without the learner's own words, both named sections stay candidates
