"""A FAQ entry named by its question's words, for English questions (`tutor.chain.faq_words`)."""

from __future__ import annotations

from tests.unit.chain.test_doc_parts import ESSAY, _retrieved
from tutor.chain.compose_doc import StructureComposer
from tutor.chain.faq_words import FAQ_WORDS_MIN, FaqWords
from tutor.chain.glossary import expand_english

QUESTIONS = [
    "如何提升影响力？",
    "如何提升领导力？",
    "学习新技术时需要注意哪些问题？",
    "如何判断哪些技术值得学习？",
]


def test_the_words_of_the_entry_name_it_and_form_words_do_not() -> None:
    words = FaqWords(QUESTIONS)
    assert words.named(expand_english("How do I build up my influence?"), range(4)) == 0
    assert words.named(expand_english("I want to get better at leading people."), range(4)) == 1
    assert (
        words.named(expand_english("How do I decide whether a new technology is worth learning?"), range(4))
        == 3
    )
    # "如何" and "提升" are every how-to's words, not a topic: "How do I improve?" names no entry
    assert words.named(expand_english("How do I improve?"), range(4)) is None
    # only the entries it may choose among (the named article's)
    assert words.named(expand_english("How do I build up my influence?"), [1, 2]) is None


def test_a_rare_word_weighs_more_than_a_word_many_faq_questions_share() -> None:
    words = FaqWords(QUESTIONS)
    assert words.idf["影响力"] > words.idf["学习"]
    # 学习 and 技术 alone (words several entries share) are under the bar for the "worth learning" entry
    assert words.coverage(3, "学习 技术") < FAQ_WORDS_MIN <= words.coverage(3, "判断 值得 学习 新技术")


def _plan(question: str):
    composer = StructureComposer(lambda: ESSAY)
    sources = [_retrieved(ESSAY[0])]  # the best passage is no FAQ, and no embedder is there
    return composer.plan(question, sources, None)


def test_an_english_question_naming_a_faq_entry_by_its_words_gets_that_entry() -> None:
    plan = _plan("How do I balance work and life, according to the crisis essay?")
    assert plan.reason == "faq words"
    assert [b.label for b in plan.blocks or []] == ["如何平衡工作与生活？"]


def test_no_faq_entry_by_words_for_a_chinese_question_or_one_naming_another_section() -> None:
    assert _plan("怎么平衡工作与生活").reason != "faq words"  # Chinese: the similarity bar stands
    # "pros" names 3.3 算法优缺点 of the same essay: that section answers, not the entry
    question = "What are the pros of balancing work and life?"
    assert FaqWords(["如何平衡工作与生活？"]).coverage(0, expand_english(question)) == 1.0
    assert _plan(question).reason != "faq words"


def test_a_question_setting_the_faq_aside_gets_no_faq_entry() -> None:
    question = "How do I balance work and life, according to the crisis essay? The main steps, not the Q&A at the end"
    assert not _plan(question).reason.startswith("faq")  # blind20: the learner said which part they mean
    assert _plan("How do I balance work and life, according to the crisis essay?").reason == "faq words"
    assert not _plan("怎么平衡工作与生活？不要问答部分的，要正文里的步骤").reason.startswith("faq")
