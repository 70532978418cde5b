"""Essay questions asked in other words: the key points, where a practice is applied, the examples given."""

from __future__ import annotations

from tutor.chain.compose_blocks import Block
from tutor.chain.compose_doc import _said_by_entry
from tutor.chain.compose_examples import asks_examples, gives_example, with_examples
from tutor.chain.doc_parts import DocParts, named_sections
from tutor.chain.faq_words import FaqWords
from tutor.chain.glossary import FRAMING, GLOSSARY, english_terms, expand_english
from tutor.chain.sibling_choice import chosen_sections, said_as_headings
from tutor.chain.text import unbound

from .test_sibling_choice import _chunk  # the same one-document chunks

ALGO = "3. 核心算法原理 & 具体操作步骤"
END = "8. 总结：未来发展趋势与挑战"


DOC = [
    _chunk(0, ["1. 背景介绍", "1.2 问题核心关键点"], 3, "关键在于：\n- **深度理解**：理论。"),
    _chunk(1, [ALGO, "3.4 算法应用领域"], 10, "主要应用于：\n- **技术咨询**：建议。"),
    _chunk(2, [END, "8.2 未来发展趋势"], 20, "- **技术创业的兴起**：创办公司。"),
    _chunk(3, [END, "8.3 面临的挑战"], 30, "- **时间投入**：需要时间。"),
]


def test_the_key_to_a_goal_and_what_you_need_ask_for_the_key_points() -> None:
    for q in (
        "What does the opinion-leader article say is the key to going from expert to thought leader?",
        "According to the comeback article, what do I need in order to turn things around?",
        "What does the midlife-crisis essay say are the main causes of a career bottleneck?",
        "what three things does it say you need to turn things around?",
    ):
        assert "关键点" in english_terms(q), q
    assert "the key to" in FRAMING and "the key to" not in GLOSSARY  # a kind of section, no topic word


def test_where_a_practice_is_put_to_use_asks_for_the_application_areas() -> None:
    assert "应用领域" in english_terms("Where can this kind of expertise be put to use?")
    assert "应用领域" in english_terms("Where can a tech expert actually apply this?")
    assert "应用领域" in said_as_headings("成为行业意见领袖之后，这些能力能用在哪些方向上？")
    assert "应用领域" in said_as_headings("成为意见领袖以后能往哪些方向发展")
    assert (
        said_as_headings("这个领域未来会往哪些方向发展") == "这个领域未来会往哪些方向发展"
    )  # the trends, not a use


def test_a_section_named_only_by_a_paraphrase_is_answered_alone() -> None:
    named, picked = chosen_sections("成为意见领袖之后，这些能力能用在哪些方向上？", DocParts(DOC), "leader")
    assert picked and named[0] == (ALGO, "3.4 算法应用领域")
    named, picked = chosen_sections("意见领袖要面临哪些挑战", DocParts(DOC), "leader")
    assert not picked and named == [(END, "8.3 面临的挑战")]  # named by its own word: as before


def _para(position: int, text: str, source: int = 1) -> Block:
    return Block(source, position, "para", "", "", [text])


def test_examples_asked_bring_every_paragraph_that_gives_one() -> None:
    opening = _para(0, "自动驾驶技术是深度学习的重要应用之一。")
    waymo = _para(1, "例如，Waymo使用深度学习模型对激光雷达数据进行分析。")
    auto = _para(2, "例如，Autonomi使用深度学习模型对交通标志进行识别。")
    kitti = _para(3, "例如，KITTI使用深度学习模型对行人数据进行检测。")
    other = _para(1, "例如，另一篇的例子。", source=2)
    ordered = [waymo, opening, kitti, other, auto]
    q = "The curiosity essay mentions self-driving cars — which companies does it use as examples?"
    assert asks_examples(q) and asks_examples("这一节举了哪些例子？")
    assert with_examples(q, [waymo, opening], ordered) == [waymo, auto, kitti, opening]
    assert with_examples("What is deep learning used for in self-driving?", [waymo], ordered) == [waymo]
    assert gives_example(waymo) and not gives_example(opening)


FAQ = [
    "如何提升跨领域知识？",
    "如何应对时间投入和跨领域沟通的挑战？",
    "学习新技术时需要注意哪些问题？",
    "如何提升影响力？",
]


def test_a_faq_question_said_in_other_words_names_its_entry() -> None:
    words = FaqWords(FAQ)
    said = expand_english(
        "Growing into an expert eats so much time, and talking across domains is hard. How do I cope?"
    )
    assert words.named(said, range(4)) == 1
    assert (
        words.named(
            expand_english("What should I watch out for when I start picking up a new technology?"), range(4)
        )
        == 2
    )
    assert words.named(expand_english("How do I build knowledge outside pure tech?"), range(4)) == 0


def test_a_section_named_only_inside_a_faq_word_is_no_other_topic() -> None:
    words = FaqWords(FAQ)
    said = expand_english("How can I broaden my cross-domain knowledge?")
    assert words.inside(0, {"领域"}, said)  # 3.4 算法应用领域, named by 领域 of 跨领域
    assert not words.inside(0, {"知识"}, said) and not words.inside(0, set(), said)
    # "balancing work and life" names 步骤3：工作与生活平衡 by 平衡 itself, not inside a word of "如何平衡工作和生活"
    assert not FaqWords(["如何平衡工作和生活？"]).inside(
        0, {"平衡"}, expand_english("balancing work and life")
    )


def test_a_cross_domain_word_names_no_application_area() -> None:
    parts = DocParts(DOC)
    assert unbound("怎么提升跨领域知识") == "怎么提升 知识"
    assert named_sections("终身学习 跨领域 技能", parts, "leader") == []
    assert named_sections("应用领域有哪些", parts, "leader") == [(ALGO, "3.4 算法应用领域")]


def test_what_good_and_what_is_still_unsolved_ask_for_pros_and_challenges() -> None:
    assert "优点" in english_terms("What good does lifelong learning do for me?")
    assert "挑战" in english_terms("What problems does deep learning exploration still have to solve?")
    assert "关注" in english_terms("How does the essay suggest keeping up with tech trends?")


def test_where_a_problem_comes_from_and_what_else_it_works_for() -> None:
    assert "关键点" in said_as_headings("中年危机那篇认为程序员的职业瓶颈是从哪几个方面来的？")
    assert "关键点" not in said_as_headings("这个项目从哪里开始做？")
    assert "应用领域" in english_terms("Which jobs does the article say its methods also work for?")


def test_a_section_named_by_the_entry_own_word_outside_the_steps_leaves_the_entry() -> None:
    steps = ((ALGO, "3.2 算法步骤详解"), [])
    entry = "如何应对时间投入和跨领域沟通的挑战？"
    assert _said_by_entry({"挑战"}, entry, (END, "8.3 面临的挑战"), steps)
    # a step named by the entry's words is still another answer ("work-life balance": 步骤3)
    assert not _said_by_entry(
        {"平衡"}, "如何平衡工作与生活？", (ALGO, "3.2 算法步骤详解", "步骤3：工作与生活平衡"), steps
    )
    assert not _said_by_entry({"趋势"}, entry, (END, "8.2 未来发展趋势"), steps)


def test_picking_up_says_learning_to_the_faq_only() -> None:
    # a glossary 学习 pulled the retriever off "which frameworks does it suggest picking up" (技术栈升级)
    assert "学习" not in english_terms(
        "Which languages or frameworks does the midlife essay suggest picking up?"
    )
    words = FaqWords(["学习新技术时需要注意哪些问题？", "如何提升影响力？"])
    assert (
        words.named(expand_english("What should I watch out for when picking up a new technology?"), [0, 1])
        == 0
    )


def test_starting_a_tech_company_is_the_startup_section() -> None:
    assert "技术创业" in english_terms("what does it say the process for starting a tech company looks like?")
