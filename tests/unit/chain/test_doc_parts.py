"""A document's structure read from its chunks: steps sections, FAQ entries, named sections, scope words."""

from __future__ import annotations

import json

import numpy as np

from tutor.chain.answer import Source
from tutor.chain.compose_doc import StructureComposer
from tutor.chain.compose_render import render_blocks
from tutor.chain.doc_parts import DocParts, named_sections, specific_match
from tutor.chain.essay_steps import labelled_step, names_step
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


def test_a_faq_entry_comes_with_the_step_the_question_names() -> None:
    # the essay's steps hold its own practice for the FAQ's topic; the question names that step by its title
    balance = _chunk(
        "crisis",
        8,
        [ROOT, STEPS, "步骤4：工作与生活平衡"],
        26,
        "- **合理分配时间**：留出休息。\n- **关注心理健康**：定期疏导。",
    )
    composer = StructureComposer(lambda: [*ESSAY, balance])
    sources = [_retrieved(ESSAY[0])]
    plan = composer.plan("怎么平衡工作和生活，有哪些具体做法？", sources, _Embedder())  # type: ignore[arg-type]
    assert plan.reason.endswith("+ step") and [b.kind for b in plan.blocks or []][0] == "qa"
    text = render_blocks(plan.blocks or [], sources, "zh")
    assert "制定日程表。" in text and "合理分配时间" in text and "关注心理健康" in text
    # a step the question does not name stays out
    plan = composer.plan("怎么平衡？", [_retrieved(ESSAY[0])], _Embedder())  # type: ignore[arg-type]
    assert [b.kind for b in plan.blocks or []] == ["qa"]
    # the learner says which one is meant: the FAQ ("问答里") gets the entry alone, the article its own step
    plan = composer.plan("问答里怎么平衡工作和生活？", [_retrieved(ESSAY[0])], _Embedder())  # type: ignore[arg-type]
    assert plan.reason.startswith("faq") and [b.kind for b in plan.blocks or []] == ["qa"]
    sources = [_retrieved(ESSAY[0])]
    plan = composer.plan("crisis 那篇文章里说怎么平衡工作和生活？", sources, _Embedder())  # type: ignore[arg-type]
    assert plan.reason == "named step" and "qa" not in [b.kind for b in plan.blocks or []]
    assert "合理分配时间" in render_blocks(plan.blocks or [], sources, "zh")


def test_a_how_to_question_about_the_essay_gets_every_step_cited() -> None:
    composer = StructureComposer(lambda: ESSAY)
    sources = [_retrieved(ESSAY[0])]
    plan = composer.plan("中年危机要怎么应对？", sources, _Embedder())  # type: ignore[arg-type]
    assert plan.reason == "steps outline"
    text = render_blocks(plan.blocks or [], sources, "zh")
    # each step as the essay numbers it: its place in the order is part of what the essay says
    for title, n in (("步骤1：技术栈升级", 2), ("步骤2：持续学习", 3), ("步骤3：时间管理", 4)):
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
    # nearly every word foreign (3+ words, at most one in five known): out of scope a little higher up too
    assert composer.off_topic("How do I set up a list view in SwiftUI for my iOS app?", 0.815)
    assert not composer.off_topic("How do I set up a list view in SwiftUI for my iOS app?", 0.84)
    assert not composer.off_topic("Can you recommend a good laptop?", 0.815)  # one foreign word is too little
    # a follow-up's rewrite carries the earlier turn's words: only the lower bar
    assert not composer.off_topic(
        "How do I set up a list view in SwiftUI for my iOS app?", 0.815, own_words=False
    )
    # "train" takes its topic from its object: a marathon is foreign, a PyTorch model is not
    assert composer.off_topic("What's the best way to train for a marathon?", 0.79)
    assert not composer.off_topic("What's the best way to train a PyTorch model?", 0.79)


def test_a_labelled_step_the_question_names_is_quoted_whole_from_the_whole_section() -> None:
    parts = DocParts(LABELLED)
    steps = parts.steps("leader")
    assert steps is not None
    sources: list[Source] = []
    blocks = labelled_step(parts, "leader", steps, "行业调研这一步具体要做什么？", sources)
    assert [b.label for b in blocks] == ["Step 2: 行业调研与实践"] and len(sources) == 1
    assert labelled_step(parts, "leader", steps, "这几步分别要做什么？", []) == []  # no step named
    assert names_step("持续创新与探索", "the step about continuous innovation 持续创新")  # one whole idea
    assert not names_step("洞察技术变革", "那篇讲技术变革的文章")  # a shared word names no step
    assert not names_step(
        "沟通表达与影响力", "in which settings can an expert build influence 影响力"
    )  # a topic


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


# three articles sharing the template heading "1.1 问题由来"; the first has sections of its own topics
TEMPLATE = "1.1 问题由来"
MORE = [
    *ESSAY,
    _chunk("crisis", 8, ["4. 数学模型", "4.2 公式推导过程"], 42, "- **技能提升公式**：dS/dt = E·W"),
    _chunk(
        "crisis",
        9,
        ["6. 实际应用场景", "6.4 开源社区贡献"],
        46,
        "- **选择项目**：选活跃项目。\n- **代码贡献**：提交。",
    ),
    _chunk("leader", 0, ["1. 背景介绍", TEMPLATE], 3, "技术专家如何成为意见领袖。"),
    _chunk("comeback", 0, ["1. 背景介绍", TEMPLATE], 3, "技术变革时代如何逆袭。"),
]


def test_rare_heading_words_weigh_more_than_words_many_headings_share() -> None:
    parts = DocParts(MORE)
    idf = parts.heading_idf()
    assert idf["问题"] < idf["公式"]  # 问题由来 ×3 and 常见问题 against one 公式推导过程
    assert specific_match("公式里有哪些因素", ["4.2 公式推导过程"], parts) == idf["公式"]
    assert specific_match("公式里有哪些因素", [TEMPLATE], parts) == 0.0
    assert TEMPLATE in parts.shared_headings() and "6.4 开源社区贡献" not in parts.shared_headings()


def test_the_documents_title_is_no_section_and_ties_go_to_the_higher_ranked_passage() -> None:
    titled = [
        _chunk("lead", 0, ["从技术专家到意见领袖", "8.3 面临的挑战"], 1, "- 时间投入"),
        _chunk("lead", 1, ["从技术专家到意见领袖", "学习建议"], 5, "- 多写作"),
        _chunk("lead", 2, ["从技术专家到意见领袖", "学习心态"], 9, "- 保持好奇"),
    ]
    parts = DocParts(titled)
    assert named_sections("成为意见领袖有哪些挑战", parts, "lead") == [
        ("从技术专家到意见领袖", "8.3 面临的挑战")
    ]
    asked = "学习心态方面有什么建议"  # names both 学习心态 and 学习建议 equally
    ranked = [["从技术专家到意见领袖", "学习心态"], ["从技术专家到意见领袖", "学习建议"]]
    assert named_sections(asked, parts, "lead", ranked=ranked)[0][-1] == "学习心态"
    assert named_sections(asked, parts, "lead", ranked=ranked[::-1])[0][-1] == "学习建议"


class _Near:
    """The learner's question is 0.92 similar to the second FAQ question: under the bar for the whole
    material (0.945), over the bar inside a FAQ section the retriever ranked first (0.90)."""

    def embed_stored(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] if "平衡" in t else [0.0, 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [float(np.sqrt(1 - 0.92**2)), 0.92]


def test_a_faq_section_ranked_first_answers_with_its_best_matching_entry() -> None:
    composer = StructureComposer(lambda: ESSAY)
    sources = [_retrieved(ESSAY[5]), _retrieved(ESSAY[0], 2)]
    plan = composer.plan("学新技术的时候要注意啥", sources, _Near())  # type: ignore[arg-type]
    assert plan.reason.startswith("faq") and plan.blocks and plan.blocks[0].label.startswith("学习新技术")
    assert "寻求帮助" in " ".join(plan.blocks[0].lines)  # the whole entry, over two chunks
    sources = [_retrieved(ESSAY[0]), _retrieved(ESSAY[5], 2)]  # the FAQ only second: no entry answers
    plan = composer.plan("学新技术的时候要注意啥", sources, _Near())  # type: ignore[arg-type]
    assert not plan.reason.startswith("faq")


def test_the_outline_yields_to_a_best_passage_about_a_topic_of_its_own() -> None:
    composer = StructureComposer(lambda: MORE)
    template_first = [_retrieved(MORE[0]), _retrieved(MORE[9], 2)]
    plan = composer.plan("中年危机要怎么应对？", template_first, _Embedder())  # type: ignore[arg-type]
    assert plan.reason == "steps outline"  # 1.1 问题由来 speaks about the whole article
    own_topic_first = [_retrieved(MORE[9]), _retrieved(MORE[0], 2)]
    plan = composer.plan("我也想参与进来，具体怎么做？", own_topic_first, _Embedder())  # type: ignore[arg-type]
    assert plan.reason != "steps outline"
    rarer_word_second = [_retrieved(MORE[0]), _retrieved(MORE[8], 2)]
    plan = composer.plan("技能提升公式怎么算？", rarer_word_second, _Embedder())  # type: ignore[arg-type]
    assert plan.reason != "steps outline"


def test_a_question_naming_the_appendix_and_one_of_its_sections_is_left_to_that_section() -> None:
    """ "附录里推荐了哪些库" with NLP said: the appendix's NLP 工具, not 技能点 6's 文本预处理 (分词 said too)."""
    from tutor.chain.curriculum_answer import _asks_appendix_section

    title = "AI 理论与开发完整学习路线"
    parts = DocParts(
        [
            _chunk(
                "roadmap",
                0,
                [title, "阶段 1", "技能点 6：自然语言处理"],
                300,
                "**文本预处理**\n- 分词（Tokenization）",
            ),
            _chunk(
                "roadmap",
                1,
                [title, "附录：常用工具和库", "NLP 工具"],
                1050,
                "- jieba：中文分词\n- spaCy：工业级 NLP",
            ),
            _chunk("roadmap", 2, [title, "附录：常用工具和库", "部署工具"], 1060, "- vLLM：高性能推理"),
        ]
    )
    assert _asks_appendix_section("做中文分词和一般NLP处理，附录里推荐了哪些库", parts, "roadmap")
    assert _asks_appendix_section("Which NLP libraries are in the appendix?", parts, "roadmap")
    assert not _asks_appendix_section(
        "做中文分词和一般NLP处理，推荐了哪些库", parts, "roadmap"
    )  # no appendix said
    assert not _asks_appendix_section("附录里有什么", parts, "roadmap")  # no section of it named


def test_the_roadmap_is_named_by_where_in_it() -> None:
    """ "路线里给了哪些做法": 路线 (a word of the roadmap's title) with 里 says a document is meant."""
    from tutor.chain.doc_parts import named_doc

    roadmap = _chunk("roadmap", 0, ["学习建议", "5. 持续学习"], 1000, "- 关注顶会论文")
    roadmap.metadata["title"] = "AI 理论与开发完整学习路线"
    essay = _chunk("comeback", 0, ["9. 附录：常见问题与解答"], 400, "问：如何保持持续学习的动力？")
    essay.metadata["title"] = "技术变革中的学习之道"  # 学习 in both titles names neither
    parts = DocParts([roadmap, essay])
    assert named_doc("怎么保持持续学习？路线里给了哪些做法", parts) == "roadmap"
    assert named_doc("怎么保持持续学习？给了哪些做法", parts) is None
