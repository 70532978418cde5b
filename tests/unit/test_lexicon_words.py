"""The lexicon's word score: describing words only, and (lead mode) the words' clear winner only."""

from __future__ import annotations

import numpy as np

from tutor.index.lexicon import ABOUT_LEARNING, LexiconEntry
from tutor.index.lexicon_words import ASKING, NAME_WEIGHT, DescriptionWords, word_weight


def _entries() -> list[LexiconEntry]:
    def entry(term: str, *descriptions: str) -> LexiconEntry:
        return LexiconEntry(term, (), "ai-learning-roadmap", "核心内容", descriptions)

    return [
        entry(
            "LoRA",
            "用低秩分解只训练很少参数的大模型微调方法",
            "fine-tuning by adding two small low-rank matrices",
        ),
        entry(
            "Few-shot Prompting",
            "在提问里先给模型几个示范例子再让它做",
            "putting a handful of worked examples in the prompt",
        ),
        entry("职业规划", "路线图里讲的长期职业发展路线怎么规划", "planning a career path in the roadmap"),
        entry("PCA 降维", "把高维数据降到低维的方法", "reducing high-dimensional data to a few dimensions"),
    ]


def test_the_words_of_asking_are_no_description() -> None:
    words = DescriptionWords(_entries())
    # "路线图 / 叫 / 现象" are the question's frame: alone they match 职业规划's "路线图 … 路线", now nothing
    assert not words.scores("这个现象路线图里叫啥，路线里在哪学").any()
    assert {"roadmap", "路线图", "知识点", "叫"} <= ASKING


def test_a_description_sharing_rare_words_wins() -> None:
    words = DescriptionWords(_entries())
    scores = words.scores("只训练很少一部分参数、加低秩矩阵的那种微调方法，路线里叫什么？")
    assert int(np.argmax(scores)) == 0 and scores[0] == 1.0
    en = words.scores(
        "the trick where you put a couple of worked examples into the prompt — what is it called?"
    )
    assert int(np.argmax(en)) == 1


def test_knowledge_point_does_not_match_by_its_half() -> None:
    words = DescriptionWords(_entries())
    scores = words.scores("把高维数据压成低维的那个方法是哪个知识点？")
    assert int(np.argmax(scores)) == 3


def test_asking_for_a_knowledge_point_or_topic_is_about_learning() -> None:
    assert ABOUT_LEARNING.search("不需要标签的那个方法是哪个知识点？")
    assert ABOUT_LEARNING.search("which topic deals with that?")


def test_asking_for_a_name_weighs_the_words_more() -> None:
    assert word_weight("只训练很少参数、加低秩矩阵的那种微调方法，路线里叫什么？", 0.02) == 0.02 * NAME_WEIGHT
    assert word_weight("that trick with worked examples — what is it called?", 0.02) == 0.02 * NAME_WEIGHT
    assert word_weight("把高维数据压成低维的那个方法是哪个知识点？", 0.02) == 0.02 * NAME_WEIGHT
    assert word_weight("LoRA 在路线里哪里学？", 0.02) == 0.02  # where, not what it is called
    assert NAME_WEIGHT > 1
