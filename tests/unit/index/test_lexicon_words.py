"""The lexicon's word-overlap score: a concept whose descriptions share the question's words wins a near-tie."""

from __future__ import annotations

import numpy as np

from tutor.index.lexicon import LexiconEntry, LexiconMatcher
from tutor.index.lexicon_words import DescriptionWords

_ROADMAP = "ai-learning-roadmap"
KMEANS = LexiconEntry("K-means 聚类", (), _ROADMAP, "核心概念", ("不用标签，把相似的数据自动归成几类",))
TEXTCLS = LexiconEntry("文本分类", (), _ROADMAP, "核心内容", ("给一段文字判断它属于哪一类",))
VECTORDB = LexiconEntry("向量数据库", ("Milvus",), _ROADMAP, "核心内容", ("存放向量并按相似度查找",))


def test_the_concept_sharing_the_rarer_words_scores_highest_and_the_best_is_one() -> None:
    words = DescriptionWords([KMEANS, TEXTCLS, VECTORDB])
    scores = words.scores("不用人打标签，让电脑自己把相似的数据归成几类")
    assert scores.argmax() == 0 and scores[0] == 1.0
    assert scores[2] < 1.0  # 相似 is shared, 标签 / 归成 are not


def test_no_shared_word_scores_zero_everywhere() -> None:
    assert not DescriptionWords([KMEANS, TEXTCLS]).scores("量子力学").any()


def test_aliases_count_as_words() -> None:
    scores = DescriptionWords([KMEANS, VECTORDB]).scores("milvus 里怎么存放向量再按相似度查找")
    assert scores.argmax() == 1 and scores[1] == 1.0


def test_a_concept_sharing_fewer_than_three_words_gets_no_score() -> None:
    """One or two common words are chance: an off-topic question must not pull a concept in."""
    tuning = LexiconEntry("超参数调优", (), _ROADMAP, "训练技巧", ("the best settings to train a model",))
    words = DescriptionWords([tuning, KMEANS])
    assert not words.scores("What's the best way to train for a marathon?").any()
    assert words.scores("find the best settings to train my model")[0] == 1.0


def _vectors(texts: list[str]) -> list[list[float]]:
    # the embedding puts 文本分类 a hair ahead of K-means for every question (a flat near-tie)
    return [[1.0, 0.0] if "文字" in t else [0.999, 0.045] for t in texts]


def test_the_overlap_breaks_an_embedding_near_tie_only_when_weighted() -> None:
    matcher = LexiconMatcher([KMEANS, TEXTCLS], _vectors, margin=0.01)
    question = "不用人打标签，让电脑自己把相似的数据归成几类的方法在哪学"
    plain = matcher.described(question, lambda q: [1.0, 0.0])
    assert plain is None  # the embedding's lead is under the margin
    matcher.words, matcher.words_weight = DescriptionWords(matcher.entries).scores, 0.02
    matcher._last = None
    hit = matcher.described(question + "？", lambda q: [1.0, 0.0])
    assert hit is not None and hit.entry.term == "K-means 聚类"
    assert np.isclose(hit.margin, 0.02 + (0.999 - 1.0), atol=2e-3)


def test_no_overlap_for_a_question_not_about_learning_or_a_name() -> None:
    """ "A training plan to run a marathon" shares words with a training concept: it asks about running, and a
    concept found for it would skip the out-of-scope refusal; the embedding alone decides there."""
    monitor = LexiconEntry(
        "训练监控", (), _ROADMAP, "训练技巧", ("watch the training plan run and its loss",)
    )
    matcher = LexiconMatcher([monitor, KMEANS], lambda ts: [[1.0, 0.0] for _ in ts], margin=0.01)
    matcher.words, matcher.words_weight = DescriptionWords(matcher.entries).scores, 0.02
    assert matcher.described("What's a good training plan to run a marathon?", lambda q: [0.6, 0.8]) is None
    matcher._last = None
    hit = matcher.described(
        "Where does the roadmap teach how to watch a training plan run?", lambda q: [0.6, 0.8]
    )
    assert hit is not None and hit.entry.term == "训练监控"
