"""What a question asks, read before anything is quoted (list16): a skill's whole content asked part by part,
a named group in English verbs, a described concept asked by its section, follow-ups that switch to a sibling
list or to a later milestone, and a follow-up whose pronoun points inside itself.  Shipped roadmap, no index."""

from __future__ import annotations

from tutor.chain.concepts import _DESCRIBES, _NOT_CONCEPT, ASKS_CONCEPT
from tutor.chain.condense import condense_by_rule, is_follow_up
from tutor.chain.followup import in_context
from tutor.chain.roadmap_units import named_groups
from tutor.chain.understanding import understand


def _names_doc(text: str) -> bool:
    return "意见领袖" in text or "opinion-leader" in text


def test_a_skill_asked_part_by_part_with_why_each_matters_asks_its_content(cur, cfg) -> None:
    for question in (
        "数学要学哪几块？每块为啥重要？",
        "PyTorch 那一块要学哪几部分？",
        "For the math skill, what are the three areas and why does each one matter?",
        "What does the fine-tuning skill say I need to know about preparing data?",
    ):
        u = understand(question, cur, cfg)
        assert u.skills and "content" in u.aspects, question
    # a why that is not the roadmap's 为什么重要 line is still an explanation, not the syllabus
    u = understand("深度学习为什么需要大量数据？包括哪些原因？", cur, cfg)
    assert "content" not in u.aspects


def test_an_english_verb_form_names_a_group_of_the_skill(cur, cfg) -> None:
    question = "What does the fine-tuning skill say I need to know about preparing data?"
    found = named_groups(question, "en", understand(question, cur, cfg), cur)
    assert [cur.skill(g.skill).content[g.index].title for g in found] == ["数据准备"]


def test_which_section_teaches_a_described_concept_is_a_where_question() -> None:
    question = "只冻结原模型、额外训练一小部分低秩矩阵的那种微调方法，哪一节讲？"
    assert ASKS_CONCEPT.search(question) and _DESCRIBES.search(question)
    assert ASKS_CONCEPT.search("这个方法在哪一章里讲？")
    assert not ASKS_CONCEPT.search("这一节要花多久？")


def test_how_to_do_it_is_no_definition() -> None:
    assert _NOT_CONCEPT.search("技术变革逆袭那篇说要怎么洞察技术变革？具体做法是什么")
    assert not _NOT_CONCEPT.search("技术变革是什么意思？")
    assert not _NOT_CONCEPT.search("这个概念要怎么理解？")


def test_a_follow_up_of_a_follow_up_keeps_the_document_named_two_turns_back() -> None:
    history = [
        ("user", "意见领袖那篇文章说要成为意见领袖需要哪些能力？"),
        ("assistant", "……"),
        ("user", "那它推荐了哪些学习资源？"),
        ("assistant", "……"),
    ]
    standalone = condense_by_rule("开发工具呢？", history, names_doc=_names_doc, names_own=lambda t: False)
    assert "意见领袖" in standalone and "开发工具" in standalone
    assert "学习资源" not in standalone  # the sibling list, not the earlier one


def test_a_pronoun_after_the_questions_own_subject_points_inside_it() -> None:
    history = [("user", "How much time should I split between theory and coding?")]
    question = "And how often should I read papers, and how should I read them?"
    assert condense_by_rule(question, history, names_own=lambda t: False) == question
    # a pronoun with nothing of the question's own before it still points back
    assert "RAG" in condense_by_rule("And what are its resources?", [("user", "What is taught in RAG?")])
    essay = [("user", "Tell me about the midlife crisis article's advice on continuous learning.")]
    assert "midlife" in condense_by_rule("Which learning platforms does it name?", essay)


def test_a_duration_after_a_milestone_is_the_later_milestone(cur, cfg) -> None:
    def ctx(question: str, earlier: str):
        history = [("user", earlier), ("assistant", "……")]
        return in_context(question, history, lambda t: understand(t, cur, cfg), cur)

    later = ctx("那再过三个月呢？", "三个月后应该达到什么水平？")
    assert later is not None and later.milestones == [6]
    year = ctx("And after another six months?", "What should I be able to do after 6 months?")
    assert year is not None and year.milestones == [12]


def test_an_aspect_alone_is_a_follow_up_up_to_twelve_characters() -> None:
    assert is_follow_up("有什么实践项目可以做吗？")
    # longer, a greedy aspect word may have eaten a topic of its own (推荐…书 over 深度学习入门)
    assert not is_follow_up("有什么推荐的深度学习入门书籍吗？")
