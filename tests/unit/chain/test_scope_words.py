"""The scope check's vocabulary: the glossary's topic words, not its framing words; a described concept's own words."""

from __future__ import annotations

from tutor.chain.glossary import FRAMING, GLOSSARY, expand_english
from tutor.chain.scope import content_words, described_words, english_vocabulary, foreign, topic_coverage


def test_framing_words_expand_a_question_but_are_no_topic_word() -> None:
    """ "qualities" finds an essay's 关键点 section, yet "what qualities does a marathon runner need" stays foreign."""
    assert "关键点" in expand_english("What qualities does a tech expert need to become an industry voice?")
    assert not set(FRAMING) & set(GLOSSARY)
    vocabulary = english_vocabulary(["AI 学习路线：Python、PyTorch、RAG"])
    assert "qualities" not in vocabulary and "qualities" in content_words("what qualities matter?")
    assert topic_coverage("What qualities does a marathon runner need?", vocabulary) == 0.0
    assert foreign("What qualities does a marathon runner need?", vocabulary, 0.80)


def test_a_described_concepts_own_words_count_as_the_materials_for_that_question() -> None:
    vocabulary = english_vocabulary(["RAG 检索增强：重排序（Reranking）"])
    question = (
        "Re-ordering the retrieved documents with a second model so the best ones come first — which skill?"
    )
    assert foreign(question, vocabulary, 0.80)  # the learner's words are not the material's
    known = described_words(["re-ordering retrieved passages with a second model", "把检索结果再排一次序"])
    assert {"ordering", "retrieved", "second", "model"} <= known and not any("排" in w for w in known)
    assert not foreign(question, vocabulary | known, 0.80)
    assert foreign("How do I plan a marathon — which skill?", vocabulary | known, 0.80)  # none of its words
