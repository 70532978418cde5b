"""One of two sibling sections, picked by the word the question asks for or by what the section shows."""

from __future__ import annotations

import json

from tutor.chain.doc_parts import DocParts
from tutor.chain.sibling_choice import asked_span, chosen_sections, referent_sections, said_as_headings
from tutor.index.store import StoredChunk

END = "8. 总结：未来发展趋势与挑战"
CODE = "5. 项目实践：代码实例和详细解释说明"


def _chunk(n: int, headings: list[str], start: int, text: str) -> StoredChunk:
    meta = {
        "doc": "leader",
        "title": "leader",
        "headings": json.dumps(headings, ensure_ascii=False),
        "line_start": start,
        "line_end": start + text.count("\n"),
    }
    return StoredChunk(id=f"leader:{n}", text=text, metadata=meta)


DOC = [
    _chunk(0, ["1. 背景介绍", "1.1 问题由来"], 3, "技术专家想成为意见领袖。"),
    _chunk(1, [CODE, "5.2 源代码详细实现"], 10, "```python\nprint(S1)\n```"),
    _chunk(2, [CODE, "5.4 运行结果展示"], 20, "新技能水平: 5.86"),
    _chunk(3, [END, "8.2 未来发展趋势"], 30, "1. 技术进步加速。"),
    _chunk(5, ["3. 核心算法原理 & 具体操作步骤", "3.2 算法步骤详解"], 25, "1. 基础知识深化。"),
    _chunk(6, ["6. 实际应用场景", "6.1 技术咨询"], 27, "1. 了解需求。"),
    _chunk(4, [END, "8.3 面临的挑战"], 40, "1. 技术更新速度快。"),
]


def test_paraphrases_say_the_heading_words() -> None:
    assert "挑战" in said_as_headings("这条路有哪些难处？")
    assert "运行结果" in said_as_headings("What does the code print out?")
    assert said_as_headings("这条路的趋势是什么") == "这条路的趋势是什么"


def test_the_asked_for_word_is_the_head_of_what_follows_the_question_word() -> None:
    assert asked_span("说这条路会碰到哪些挑战？") == "挑战"
    assert asked_span("推荐了哪些做深度学习的开发工具") == "开发工具"
    assert "挑战" in asked_span("what challenges does it expect?")
    assert asked_span("what does the essay say about the future?") == ""


def test_the_asked_word_picks_one_of_two_named_siblings() -> None:
    parts = DocParts(DOC)
    named, picked = chosen_sections("展望未来的时候，会碰到哪些挑战？", parts, "leader")
    assert picked and named == [(END, "8.3 面临的挑战")]
    named, picked = chosen_sections("面临挑战的同时，未来有哪些发展趋势？", parts, "leader")
    assert picked and named == [(END, "8.2 未来发展趋势")]


def test_what_a_program_prints_is_its_run_result_not_its_source() -> None:
    named, picked = chosen_sections("代码例子最后打印出来的新技能水平是多少", DocParts(DOC), "leader")
    assert picked and named[0] == (CODE, "5.4 运行结果展示")


def test_no_sibling_named_leaves_the_sections_as_they_are() -> None:
    named, picked = chosen_sections("意见领袖要面临哪些挑战", DocParts(DOC), "leader")
    assert not picked and named == [(END, "8.3 面临的挑战")]


def test_a_topic_named_whole_outranks_the_steps_named_only_as_a_form() -> None:
    parts = DocParts(DOC)
    named, picked = chosen_sections("技术咨询这个场景，具体步骤是怎样的？", parts, "leader")
    assert picked and named == [("6. 实际应用场景", "6.1 技术咨询")]
    named, _ = chosen_sections("意见领袖那篇的具体步骤是怎样的？", parts, "leader")
    assert named == [("3. 核心算法原理 & 具体操作步骤", "3.2 算法步骤详解")]  # no topic named: the steps


def test_a_follow_ups_own_words_pick_the_run_result_with_their_paraphrase() -> None:
    # "那代码跑出来最终技能水平是多少？" after a question about the essay: the follow-up's own words choose the
    # section, and "跑出来" says 运行结果 there too (not 5.2, named by 代码 alone)
    from tests.unit.chain.test_doc_parts import _Embedder, _retrieved
    from tutor.chain.compose_doc import StructureComposer

    composer = StructureComposer(lambda: DOC)
    sources = [_retrieved(DOC[1])]
    latest = "那代码跑出来最终技能水平是多少？"
    plan = composer.plan(f"意见领袖那篇 {latest}", sources, _Embedder(), latest)  # type: ignore[arg-type]
    quoted = " ".join(line for b in plan.blocks or [] for line in [b.text, *b.lines])
    assert "5.86" in quoted and "print(S1)" not in quoted


def test_a_follow_up_pointing_back_asks_within_the_earlier_section() -> None:
    parts, earlier = DocParts(DOC), [("6. 实际应用场景", "6.1 技术咨询")]
    assert referent_sections("这方面有哪些需求？", earlier, parts, "leader") == earlier  # 了解需求 is in it
    assert referent_sections("有哪些需求？", earlier, parts, "leader") == []  # points at nothing earlier
    assert referent_sections("这方面有哪些挑战？", earlier, parts, "leader") == []  # the section holds none


def test_a_pronoun_for_the_essay_scopes_nothing() -> None:
    # "What challenges does it say you'll face?": "it" is the essay, not the earlier section that mentions 挑战
    earlier = [("3. 核心算法原理 & 具体操作步骤", "3.2 算法步骤详解")]
    parts = DocParts([*DOC, _chunk(7, list(earlier[0]), 50, "了解行业需求和挑战。")])
    assert referent_sections("What challenges does it say you'll face? 挑战", earlier, parts, "leader") == []
    assert (
        referent_sections("Which challenges does it list for that? 挑战", earlier, parts, "leader") == earlier
    )
