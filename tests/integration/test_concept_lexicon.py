"""A concept described without its keyword, through the shipped concept lexicon, with the real index and
embedder (no LLM): retrieval ranks the section that teaches it, the answer names it, cited to the roadmap.
The questions are this test's own, written as a learner who does not know the term would ask."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.index.lexicon_words import DescriptionWords
from tutor.index.routing import within_document

pytestmark = [pytest.mark.slow, pytest.mark.integration]

_ROADMAP = "ai-learning-roadmap"


def test_the_shipped_lexicon_fits_the_shipped_corpus(corpus_services) -> None:
    lexicon = corpus_services.levers.concepts().lexicon
    assert lexicon is not None and len(lexicon) >= 250  # the writer's 277 entries, all but a handful kept
    assert {e.doc for e in lexicon.entries} >= {_ROADMAP, "programmer-midlife-crisis"}


def test_a_second_data_dir_reads_the_lexicon_vectors_from_the_shared_cache(corpus_services, embedder) -> None:
    """The 2,216 descriptions cost ~38 s to embed; a second data dir (or a re-ingest) on the same model
    reads them from the shared vector cache (`embeddings.vector_cache_dir`): no model call, same vectors."""
    from tutor.index.lexicon import LexiconMatcher
    from tutor.index.vector_cache import CachedEmbeddings, store_for

    lexicon = corpus_services.levers.concepts().lexicon
    cache = corpus_services.settings.embeddings.vector_cache_dir
    assert cache is not None and not cache.is_relative_to(corpus_services.settings.data_dir)
    another = CachedEmbeddings(embedder, store_for(embedder, cache))  # another process, another data dir
    again = LexiconMatcher(lexicon.entries, another.embed_stored_passages)
    assert another.calls == 0 and another.texts == 0
    assert np.array_equal(again.vectors, lexicon.vectors)


def test_a_described_concept_is_found_and_named(corpus_services) -> None:
    chain_rule = (
        "Where do I learn the rule for taking the derivative of a function nested inside another function?"
    )
    hit = corpus_services.levers.concepts().described(chain_rule)
    assert hit is not None and hit.entry.term == "链式法则"
    top = corpus_services.retriever().search(chain_rule)[:3]
    assert any(c.doc == _ROADMAP and any("数学基础" in h for h in c.headings) for c in top)

    answer = corpus_services.tutor.ask("我有一堆带房价的历史数据，想拟合一条直线来预测价格，这个方法叫什么？")
    assert "线性回归" in answer.text and "技能点 4" in answer.text  # the name, the skill that teaches it
    cited = [s for s in answer.sources if s.cited]
    assert cited and all(s.doc == _ROADMAP for s in cited)


def test_no_concept_is_forced_on_a_question_that_names_its_own(corpus_services) -> None:
    glossary = corpus_services.levers.concepts()
    # the question has its keyword: a description nearer another concept is no reason to search for it
    named = glossary.described("梯度下降和反向传播有什么区别？")
    assert named is None or named.entry.term in ("梯度下降", "反向传播")
    # what comes next and resource tables are not concept descriptions
    assert glossary.described("学完数学基础之后下一步学什么？") is None


def _under(chunk, words: str) -> bool:
    return chunk.doc == _ROADMAP and any(words in h for h in chunk.headings)


@pytest.mark.parametrize(
    ("question", "term", "skill"),
    [
        (
            "我看到有人先把几十维的特征压成两三个主要方向再画图，这种方法叫什么？路线图里在哪学？",
            "PCA 降维",
            "机器学习基础",
        ),
        (
            "有没有那种训练时每一步随机关掉一部分神经元、免得网络死记硬背的技巧？路线图哪部分讲？",
            "Dropout",
            "深度学习原理",
        ),
        (
            "Is there a trick that randomly turns off some neurons while training so the network can't just "
            "memorize? Where does the roadmap teach it?",
            "Dropout",
            "深度学习原理",
        ),
    ],
)
def test_a_long_description_with_meta_parts_still_finds_its_concept(
    corpus_services, question: str, term: str, skill: str
) -> None:
    # issue 13's brittle phrasing: "有没有那种…", "路线图里在哪学", "where does the roadmap teach it" are cut
    hit = corpus_services.levers.concepts().described(question)
    assert hit is not None and hit.entry.term == term
    top = corpus_services.retriever().search(question)[:3]
    assert any(_under(c, skill) for c in top), [c.headings for c in top]


def test_a_question_naming_a_skill_or_asking_for_time_is_not_redirected(corpus_services) -> None:
    glossary = corpus_services.levers.concepts()
    named = "What does the prompt engineering skill list as advanced techniques?"
    assert glossary.described(named) is None  # not LangChain's Prompt Template, a neighbour's concept
    assert _under(corpus_services.retriever().search(named)[0], "Prompt Engineering")
    hours = "全职学的话一天要花几个小时？"
    assert glossary.described(hours) is None
    assert _under(corpus_services.retriever().search(hours)[0], "全职学习")


@pytest.mark.parametrize(
    ("question", "term", "skill"),
    [
        (
            "Is there a method that groups unlabeled data points into clusters by similarity? Where does the "
            "roadmap teach it?",
            "K-means 聚类",
            "机器学习基础",
        ),
        (
            "Where does the roadmap teach shrinking a model by having a large model teach a smaller one?",
            "知识蒸馏",
            "模型部署",
        ),
    ],
)
def test_the_descriptions_words_break_an_embedding_near_tie(
    corpus_services, question: str, term: str, skill: str
) -> None:
    # ret12: the embedding's lead is under the margin (no concept at weight 0); the descriptions' words
    # (unlabeled / clusters, large model teaching a smaller one) carry it (retrieval.concept_lexicon_words)
    cfg = corpus_services.settings.retrieval
    shipped, cfg.concept_lexicon_words = cfg.concept_lexicon_words, 0.02  # the default since lead round 12
    try:
        matcher = corpus_services.levers.concepts().lexicon
        matcher._last = None
        hit = corpus_services.levers.concepts().described(question)
        assert hit is not None and hit.entry.term == term
        top = corpus_services.retriever().search(question)[:3]
        assert any(_under(c, skill) for c in top), [c.headings for c in top]
    finally:
        cfg.concept_lexicon_words = shipped
        corpus_services.levers.concepts().lexicon._last = None


def test_no_word_overlap_within_a_named_essay(corpus_services) -> None:
    # an essay question shares the essay's concept words ("leading a team" ~ 领导力): it asks for a section
    matcher = corpus_services.levers.concepts().lexicon
    shipped, matcher.words_weight = matcher.words_weight, 0.02  # the matcher's own weight, as `gated` sets it
    if matcher.words is None:
        matcher.words = DescriptionWords(matcher.entries).scores
    try:
        question = "The opinion-leader piece: where can I learn to get better at leading a team?"
        assert matcher._overlap(question) is None
        unnamed = (
            "where can I learn to get better at leading a team?"  # asks where it is taught: overlap counts
        )
        with within_document():
            assert matcher._overlap(unnamed) is None
        assert matcher._overlap(unnamed) is not None
    finally:
        matcher.words_weight = shipped
