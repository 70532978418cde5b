"""Essay questions in the learner's words: a list's heading said otherwise (好处和坏处), an essay's worked example."""

from __future__ import annotations

import json

from tutor.chain.compose import _other_side
from tutor.chain.compose_blocks import Block, split_blocks
from tutor.chain.doc_parts import DocParts, named_sections
from tutor.chain.essay_relation import asked_pair, relation_blocks
from tutor.chain.essay_steps import labelled_step
from tutor.chain.formula_terms import asks_terms, formula_blocks
from tutor.chain.ordinal import list_items, pick
from tutor.chain.plan_scope import learning_subjects
from tutor.chain.sibling_choice import said_as_headings
from tutor.chain.worked_examples import asks_code, example_blocks, example_section
from tutor.index.store import StoredChunk

MATH = "4. 数学模型和公式 & 详细讲解 & 举例说明"
CODE = "5. 项目实践：代码实例和详细解释说明"
USE = "6. 实际应用场景"
ALGO = "3. 核心算法原理 & 具体操作步骤"


def _chunk(doc: str, n: int, headings: list[str], start: int, text: str, title: str = "") -> StoredChunk:
    meta = {
        "doc": doc,
        "title": title or doc,
        "headings": json.dumps(headings, ensure_ascii=False),
        "line_start": start,
        "line_end": start + text.count("\n"),
    }
    return StoredChunk(id=f"{doc}:{n}", text=text, metadata=meta)


MIDLIFE = [
    _chunk("midlife", 0, ["1. 背景介绍", "1.1 问题由来"], 1, "程序员到了中年面临职业瓶颈。"),
    _chunk(
        "midlife",
        1,
        [ALGO, "3.3 算法优缺点"],
        5,
        "**优点**：\n- **系统**：全面。\n\n**挑战**：\n- **时间投入**：多。",
    ),
    _chunk(
        "midlife",
        2,
        [MATH, "4.1 数学模型构建"],
        10,
        "程序员最终的技能水平 $S$ 可以表示为：$$ S = S_0 + E T $$",
    ),
    _chunk(
        "midlife",
        3,
        [MATH, "4.3 案例分析与讲解"],
        20,
        "假设某程序员 $A$ 的学习效率 $E = 0.5$。\n\n$$ = 0.168 $$",
    ),
    _chunk(
        "midlife",
        4,
        [CODE, "5.2 源代码详细实现"],
        30,
        "```python\n# 技能提升速率\nS_final = S_0 + dS_dt * T\n```",
    ),
    _chunk("midlife", 5, [CODE, "5.4 运行结果展示"], 40, "程序员 $A$ 的最终技能水平为 50.336。"),
    _chunk(
        "midlife",
        6,
        [USE, "6.1 技术咨询"],
        50,
        "**案例**：某咨询公司为企业提供咨询。\n1. **了解需求**：交流。",
    ),
]


def test_good_and_bad_sides_said_otherwise_name_the_pros_and_cons_section() -> None:
    assert {"优点", "缺点"} <= set(said_as_headings("这条路的好处和坏处各有哪些？").split())
    assert "优缺点" in said_as_headings("这么做的利弊是什么")
    assert said_as_headings("这条路怎么走") == "这条路怎么走"
    said = said_as_headings("这条路的好处和坏处各有哪些？")
    assert named_sections(said, DocParts(MIDLIFE), "midlife")[0][-1] == "3.3 算法优缺点"


def test_asking_both_sides_keeps_the_other_side_of_the_section() -> None:
    cons = Block(1, 1, "list", "挑战", "", ["时间投入：多。"])
    assert not _other_side("好处和坏处各有哪些", cons)  # both sides asked: the 挑战 list stays
    assert _other_side("有哪些好处", cons)  # one side asked: the other is left out, as before
    assert not _other_side("这件事的好坏", cons)


def test_the_code_is_asked_about_unless_set_aside() -> None:
    assert asks_code("代码最后算出来技能水平是多少？")
    assert asks_code("what does the python code example print out?")
    assert not asks_code("程序员A每天技能提升多少？")  # 程序员 is no program
    assert not asks_code("the example about learning to code with 2 hours a day")
    assert not asks_code("what does the function come out to? the formula one, not the code output")


def test_a_worked_example_is_answered_from_its_own_section() -> None:
    parts = DocParts(MIDLIFE)
    q = "中年危机那篇文章里程序员A的例子，代码最后算出来技能水平是多少？"
    assert example_section(q, parts, ["midlife"]) == ("midlife", (CODE, "5.4 运行结果展示"))
    q = "那篇里程序员A的例子，学习效率0.5，每天技能提升多少？"
    assert example_section(q, parts, ["midlife"]) == ("midlife", (MATH, "4.3 案例分析与讲解"))
    sources: list = []
    blocks = example_blocks("程序员A的例子代码最后算出来技能水平是多少", parts, sources)
    assert blocks and "50.336" in " ".join(" ".join(b.lines) for b in blocks)
    assert [s.headings[-1] for s in sources] == ["5.4 运行结果展示"]


def test_an_example_of_another_section_or_no_example_is_left_alone() -> None:
    parts = DocParts(MIDLIFE)
    # a scenario of 6. 实际应用场景 holds the question's words best: no worked example of chapters 4-5 is meant
    assert example_section("咨询公司为企业提供咨询的例子，过程分哪几步", parts, ["midlife"]) is None
    assert example_section("程序员的技能水平怎么提升？", parts, ["midlife"]) is None  # no example asked
    assert example_blocks("程序员的技能水平怎么提升？", parts, []) is None


STEPS_TEXT = (
    "实现逆袭，可以通过以下步骤：\n\n**Step 1: 洞察技术变革**\n\n"
    "- 关注行业动态：订阅行业新闻，获取最新的技术趋势。\n- 学习前沿技术：参加在线课程。\n\n"
    "**Step 2: 持续自我提升**\n\n- 设定学习目标：明确目标。\n- 制定学习计划：安排时间。\n\n"
    "**Step 3: 勇于实践创新**\n\n- 接受挑战：承担新项目。\n- 推动创新：提出新方法。\n"
)
COMEBACK = [
    _chunk("comeback", 0, [ALGO, "3.2 算法步骤详解"], 1, STEPS_TEXT),
    _chunk(
        "comeback", 1, ["8. 总结：未来发展趋势与挑战", "8.2 未来发展趋势"], 40, "- **技术进步加速**：更快。"
    ),
]


def test_keeping_up_with_something_is_the_step_that_says_to_follow_it() -> None:
    parts = DocParts(COMEBACK)
    steps = parts.steps("comeback")
    assert steps is not None
    for q in (
        "逆袭那篇文章里，怎么跟上技术发展的趋势？",
        "how do I keep up with where tech is heading? 关注 未来发展趋势",
    ):
        blocks = labelled_step(parts, "comeback", steps, q, [])
        assert blocks and blocks[0].label.endswith("洞察技术变革"), q
        assert "学习前沿技术：参加在线课程。" in " ".join(blocks[0].lines)
    assert (
        labelled_step(parts, "comeback", steps, "未来的技术趋势是什么？", []) == []
    )  # the trends, not a practice


CURIOSITY = [
    _chunk(
        "curiosity",
        0,
        ["1. 背景介绍", "1.2 问题核心关键点"],
        1,
        "技术探索与知识分享是IT领域不断前进的双轮驱动。好奇心与求知欲是技术探索与知识分享的基石。",
    ),
    _chunk(
        "curiosity",
        1,
        ["2. 核心概念与联系", "2.2 概念间的关系"],
        10,
        "- 好奇心和求知欲是技术探索和知识分享的心理基础。\n- 技术博客作为知识分享的重要媒介。",
    ),
]


def test_a_pairs_relation_is_the_sentence_that_has_the_pair_as_its_subject() -> None:
    assert asked_pair("讲好奇心的那篇文章里，技术探索和知识分享是什么关系？") == ("技术探索", "知识分享")
    assert asked_pair("好奇心、求知欲、技术博客之间是什么关系？") is None  # three things: 2.2 relates them
    assert asked_pair("技术探索有什么用？") is None
    sources: list = []
    blocks = relation_blocks("技术探索和知识分享之间是什么关系", DocParts(CURIOSITY), sources)
    assert blocks and "双轮驱动" in blocks[0].lines[0]
    assert [s.headings[-1] for s in sources] == ["1.2 问题核心关键点"]
    # the pair stated only as the object of another subject: no sentence of its own answers
    assert relation_blocks("技术博客和知识分享是什么关系", DocParts(CURIOSITY), []) is None


def test_a_step_is_named_by_what_it_acts_on_unless_the_documents_title_says_it() -> None:
    text = STEPS_TEXT + "\n**Step 4: 遵循AI伦理**\n\n- 遵循道德准则：保护隐私。\n- 维护社会责任：有益。\n"
    chunks = [_chunk("comeback", 0, [ALGO, "3.2 算法步骤详解"], 1, text, title="技术变革时代的逆袭")]
    parts = DocParts(chunks)
    steps = parts.steps("comeback")
    assert steps is not None
    blocks = labelled_step(parts, "comeback", steps, "那篇讲技术变革逆袭的文章里，AI 伦理具体要做到什么", [])
    assert blocks and blocks[0].label.endswith("遵循AI伦理")
    assert "维护社会责任：有益。" in " ".join(blocks[0].lines)
    # 技术变革 is the title's: it names no step (洞察技术变革) by itself
    assert labelled_step(parts, "comeback", steps, "讲技术变革逆袭的文章里说了什么？", []) == []
    cons = _chunk(
        "comeback",
        1,
        [ALGO, "3.3 算法优缺点"],
        60,
        "**缺点**：\n- **AI伦理**：需要伦理规范。",
        title="技术变革时代的逆袭",
    )
    parts = DocParts([*chunks, cons])
    steps = parts.steps("comeback")
    assert steps is not None
    assert (
        labelled_step(parts, "comeback", steps, "AI伦理有什么缺点？", []) == []
    )  # 3.3 is named: not the step


MIDLIFE_STEPS = "3.2 算法步骤详解"
CAUSES = [
    _chunk(
        "mid",
        0,
        ["1. 背景介绍", "1.2 问题核心关键点"],
        1,
        "1. **技术过时**：过去的编程语言、框架不再适用。\n2. **工作与生活失衡**：加班常态化，工作压力大。",
    ),
    _chunk(
        "mid", 1, [ALGO, MIDLIFE_STEPS, "步骤1：技术栈升级"], 10, "- **选择新技能**：选择新的编程语言或框架。"
    ),
    _chunk("mid", 2, [ALGO, MIDLIFE_STEPS, "步骤2：持续学习"], 20, "- **制定学习计划**：安排学习时间。"),
    _chunk("mid", 3, [ALGO, MIDLIFE_STEPS, "步骤3：工作与生活平衡"], 30, "- **调整工作模式**：减少加班。"),
]


def test_the_remedy_of_an_earlier_item_is_the_step_that_shares_most_with_it() -> None:
    parts = DocParts(CAUSES)
    whole = parts.section("mid", ["1. 背景介绍", "1.2 问题核心关键点"])
    assert whole is not None
    sources = [whole.model_copy(update={"n": 1})]
    items = list_items(split_blocks(sources[0]), parts, sources)
    found = pick(items, 1, "针对第一个原因，文章给的对策是什么？", parts, sources)
    assert found is not None and found[1].label == "技术过时 → 步骤1：技术栈升级"
    assert "选择新的编程语言或框架" in " ".join(found[1].blocks[0].lines)
    found = pick(items, 2, "how do I deal with the second one?", parts, sources)
    assert found is not None and found[1].label.endswith("步骤3：工作与生活平衡")
    found = pick(items, 1, "第一个具体说的是什么？", parts, sources)  # no remedy asked: the item itself
    assert found is not None and found[1].label == "技术过时"


MODEL = [
    _chunk(
        "mid",
        0,
        [MATH, "4.1 数学模型构建"],
        1,
        "假设初始技能水平为 $S_0$，学习效率为 $E$，学习时间为 $T$，则技能水平 $S$ 可以表示为：\n\n"
        "$$ S = S_0 + E \\cdot T $$\n\n其中 $T$ 是投入的学习时间，$E$ 是学习效率。",
    ),
    _chunk(
        "mid",
        1,
        [MATH, "4.3 案例分析与讲解"],
        20,
        "假设某程序员 $A$ 的学习效率 $E = 0.5$，$T = 2$，$S_0 = 50$。",
    ),
]


def test_a_formulas_terms_are_the_sentence_that_defines_its_letters() -> None:
    assert asks_terms("文章里那个技能提升公式里都有哪些因素？")
    assert asks_terms("what do t, r and e stand for in the learning function?")
    assert not asks_terms("只训练一小部分参数的微调方法在哪学？")  # parameters of a model, no formula
    sources: list = []
    blocks = formula_blocks("那个技能公式里都有哪些因素？", DocParts(MODEL), sources)
    assert blocks is not None
    text = " ".join([b.intro for b in blocks] + [ln for b in blocks for ln in b.lines])
    assert "学习效率为 $E$" in text and "S = S_0 + E" in text
    assert [s.headings[-1] for s in sources] == ["4.1 数学模型构建"]  # values (E = 0.5) define no letter
    assert formula_blocks("这个公式是谁提出的？", DocParts(MODEL), []) is None


def test_a_pair_asked_as_its_relation_and_a_learning_effect_is_no_subject_to_learn() -> None:
    pair = asked_pair("讲好奇心的那篇文章怎么看技术探索与知识分享的关系？")
    assert pair is not None and pair[1] == "知识分享" and pair[0].endswith("技术探索")
    blocks = relation_blocks("那篇文章怎么看技术探索与知识分享的关系？", DocParts(CURIOSITY), [])
    assert blocks and "双轮驱动" in blocks[0].lines[0]
    assert learning_subjects("那个学编程的例子，按公式算出来学习效果等于几？") == []  # 学习效果 is a noun
    assert learning_subjects("我想学做川菜，有没有学习路线") == ["川菜"]
