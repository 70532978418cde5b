"""Concept questions answered from the passage that teaches the term; articles named by their title words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.chain.helpers import chunk as _chunk
from tutor.chain.concepts import compose_concept
from tutor.chain.doc_parts import DocParts, named_doc
from tutor.chain.own_words import self_reports
from tutor.chain.refs import ASPECT_PATTERNS
from tutor.chain.scope import content_words
from tutor.chain.understanding import understand
from tutor.curriculum.learners import Roadmap

REPO = Path(__file__).resolve().parents[3]


ARTICLES = DocParts(
    [
        _chunk(
            "expert-to-opinion-leader",
            "从技术专家到行业意见领袖",
            ["2. 核心概念与联系", "2.1 核心概念概述"],
            20,
            "- **技术专长(Technical Expertise)**：在某一技术领域内的深度知识和技能。\n"
            "- **领导力(Leadership)**：领导和激励团队的能力。",
        ),
        _chunk(
            "expert-to-opinion-leader",
            "从技术专家到行业意见领袖",
            ["3.3 算法优缺点"],
            40,
            "**缺点**：\n- 时间长。",
        ),
        _chunk(
            "curiosity-and-knowledge-sharing",
            "好奇心与求知欲：技术探索与知识分享的力量",
            ["2. 核心概念与联系", "2.1 核心概念概述"],
            10,
            "- **好奇心**：一种探索未知事物的心理状态。\n- **求知欲**：一种渴望获取知识的欲望。",
        ),
        _chunk(
            "programmer-midlife-crisis", "程序员的中年危机与职业瓶颈", ["8.2 未来发展趋势"], 5, "1. 自动化"
        ),
    ]
)


def _concept(question: str, roadmap: Roadmap, language: str = "zh", parts: DocParts | None = None):
    u = understand(question, roadmap.curriculum, roadmap.config)
    return compose_concept(question, language, u, roadmap, parts)


def test_a_term_of_a_skills_content_is_answered_with_its_whole_group_skill_and_stage(roadmap) -> None:
    s = _concept("什么是知识蒸馏？", roadmap)
    assert s is not None
    assert "技能点 13：模型部署" in s.text and "阶段 4" in s.text
    assert "模型量化（int8, int4）" in s.text and "模型剪枝" in s.text  # the whole group it belongs to
    assert [src.headings[-1] for src in s.sources] == ["核心内容"]
    assert all(line.rstrip().endswith("[1]") for line in s.text.splitlines() if line.startswith("- "))
    english = _concept("Explain TF-IDF - where does it show up?", roadmap, "en")
    assert english is not None and "Skill 6" in english.text and "Word2Vec" in english.text


def test_no_concept_answer_for_skill_names_other_questions_or_mixed_case_lookalikes(roadmap) -> None:
    assert _concept("Python 是什么？", roadmap) is None  # a skill's own name: its structured answer
    assert _concept("知识蒸馏的资源有哪些", roadmap) is None  # no "what is" / "where"
    assert _concept("What is React Native?", roadmap, "en") is None  # not the roadmap's "ReAct"


def test_an_articles_definition_lines_answer_what_a_term_means() -> None:
    road = Roadmap(
        REPO / "corpus" / "ai-learning-roadmap.md", REPO / "configs" / "curriculum.yaml", 2_000_000
    )
    s = _concept(
        "Explain what 'technical expertise' means in the opinion-leader article.", road, "en", ARTICLES
    )
    assert s is not None and "在某一技术领域内的深度知识和技能" in s.text and "领导力" not in s.text
    both = _concept("好奇心和求知欲有什么区别", road, "zh", ARTICLES)
    assert both is not None and "探索未知事物" in both.text and "渴望获取知识" in both.text
    assert len(both.sources) == 1 and both.sources[0].doc == "curiosity-and-knowledge-sharing"


def test_a_list_question_naming_an_article_by_its_defined_term_is_no_definition(roadmap) -> None:
    # "the curiosity article" names the article by 好奇心, which its concepts section also defines; the
    # question asks which tools it suggests, not what curiosity means
    asked = "Which tools does the curiosity article suggest using for deep learning development?"
    assert _concept(asked, roadmap, "en", ARTICLES) is None
    meaning = _concept("What does the curiosity article mean by 求知欲?", roadmap, "en", ARTICLES)
    assert meaning is not None and "渴望获取知识" in meaning.text


def test_a_question_about_an_attribute_of_a_defined_term_is_no_definition(roadmap) -> None:
    # "what are the downsides of leadership" asks for the downsides, which the definition line doesn't give
    asked = "What are the downsides of leadership, according to the opinion-leader article?"
    assert _concept(asked, roadmap, "en", ARTICLES) is None
    meaning = _concept("What is leadership in the opinion-leader article?", roadmap, "en", ARTICLES)
    assert meaning is not None and "领导和激励团队的能力" in meaning.text


def test_an_article_is_named_by_a_word_only_its_title_or_file_name_has() -> None:
    assert (
        named_doc("What trends does the midlife-crisis essay expect?", ARTICLES)
        == "programmer-midlife-crisis"
    )
    assert named_doc("意见领袖那篇文章的缺点", ARTICLES) == "expert-to-opinion-leader"
    assert named_doc("How do programmers handle a midlife crisis?", ARTICLES) == "programmer-midlife-crisis"
    assert named_doc("What does crisis mean?", ARTICLES) is None  # one title word and no word for a document
    assert named_doc("Which article covers this?", ARTICLES) is None  # a document, but none named


def test_english_scope_words_split_hyphenated_compounds() -> None:
    assert content_words("the tech-change article") == ["tech", "change", "article"]
    assert content_words("node.js") == ["node.js"]


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("What do I need under my belt before the Transformer architecture skill?", "prerequisites"),
        ("Is there anything I have to learn before machine learning?", "prerequisites"),
        ("学 LangChain 需要什么基础", "prerequisites"),
        ("What would I actually study in the RAG skill?", "content"),
    ],
)
def test_more_learner_phrasings_of_prerequisites_and_content(question: str, aspect: str) -> None:
    assert any(a == aspect and p.search(question) for a, p in ASPECT_PATTERNS)


def test_self_reports_without_a_subject_or_with_wrapped_up() -> None:
    assert self_reports(["Just wrapped up the NLP skill — what's my next skill?"]) == [
        "Just wrapped up the NLP skill"
    ]
    assert self_reports(["我已经会用 Hugging Face 了，下一步呢？"]) == ["我已经会用 Hugging Face 了"]


def _describing(term: str, calls: list[str]):
    """A lexicon that always 'recognises' `term` in a description, recording what it was asked."""
    from tutor.index.lexicon import LexiconEntry, LexiconHit

    entry = LexiconEntry(term, (), "ai-learning-roadmap", "核心内容", ())

    def describe(question: str, doc: str | None) -> LexiconHit:
        calls.append(question)
        return LexiconHit(entry, 0.9, 0.05)

    return describe


def test_a_term_asked_about_wins_over_a_described_one_and_a_list_question_asks_no_lexicon(roadmap) -> None:
    calls: list[str] = []
    question = "What's LoRA, and which skill covers it?"
    u = understand(question, roadmap.curriculum, roadmap.config)
    s = compose_concept(question, "en", u, roadmap, None, describe=_describing("LLaMA-Factory", calls))
    assert s is not None and "“LoRA” is taught in Skill 9" in s.text and "LLaMA-Factory" not in s.text
    # a term said as the context of a description is no answer: the described concept is
    question = "there's a trick where training randomly switches off neurons so the net doesn't overfit — where is that?"
    u = understand(question, roadmap.curriculum, roadmap.config)
    s = compose_concept(question, "en", u, roadmap, None, describe=_describing("Dropout", calls))
    assert s is not None and "“Dropout” is taught in Skill 5" in s.text
    calls.clear()
    question = "Which LLM application frameworks are listed in the roadmap's tools appendix?"
    u = understand(question, roadmap.curriculum, roadmap.config)
    compose_concept(question, "en", u, roadmap, None, describe=_describing("LangChain", calls))
    assert calls == []  # a list, not one concept described


def test_where_the_roadmap_teaches_a_described_concept_asks_the_lexicon(roadmap) -> None:
    """ "这种压缩方法路线图里有讲吗", "这个技术在路线图哪里": where the material teaches what the question describes."""
    for question in [
        "用一个大模型去教小模型、让小模型模仿它的输出，这种压缩方法路线图里有讲吗",
        "让小模型模仿大模型的输出，这个技术在路线图哪里",
    ]:
        calls: list[str] = []
        u = understand(question, roadmap.curriculum, roadmap.config)
        s = compose_concept(question, "zh", u, roadmap, None, describe=_describing("知识蒸馏", calls))
        assert calls and s is not None and "「知识蒸馏」是 技能点 13" in s.text


def test_a_concept_answer_is_marked_for_the_scope_check(roadmap) -> None:
    """The chain checks a concept answer's scope like any material answer (a lexicon concept is no proof)."""
    from tutor.chain.curriculum_answer import curriculum_answer

    question = "跑马拉松时一开始配速快、后面慢慢降下来的策略叫什么？"
    u = understand(question, roadmap.curriculum, roadmap.config)
    s = curriculum_answer(question, "zh", u, roadmap, None, describe=_describing("知识蒸馏", []))
    assert s is not None and s.concept
    skill = "技能点 11 有哪些学习资源？"
    s = curriculum_answer(skill, "zh", understand(skill, roadmap.curriculum, roadmap.config), roadmap, None)
    assert s is not None and not s.concept  # the roadmap's own lists: no scope check
    said = "Dropout 是什么？属于哪个技能点？"  # a term of the material said: the material names it
    s = curriculum_answer(said, "zh", understand(said, roadmap.curriculum, roadmap.config), roadmap, None)
    assert s is not None and "Dropout" in s.text and not s.concept


def test_a_meaning_asked_beside_a_list_is_no_definition() -> None:
    """ "…a time management method — what is it, and which tools does it suggest?": the article's section with
    the tools answers it (retrieval), not the definition line; the meaning alone still is one."""
    from tutor.chain.concepts import _ALSO_A_LIST

    assert _ALSO_A_LIST.search("what is it, and which tools does it suggest?")
    assert _ALSO_A_LIST.search("中年危机那篇文章里的时间管理是什么？推荐了哪些工具？")
    assert not _ALSO_A_LIST.search("What does the midlife crisis article mean by time management?")
    assert not _ALSO_A_LIST.search("What is LoRA, and which skill covers it?")


def test_a_plain_english_word_said_as_an_ordinary_word_is_not_cited_beside_the_described_concept() -> None:
    from tutor.chain.concepts import _Term, _without_common_words

    vector, word2vec = _Term("Vector", 11, 1, False), _Term("Word2Vec", 6, 1, False)
    text = "representing each word as a dense vector learned from the words around it"
    assert _without_common_words([vector, word2vec], text) == [word2vec]
    # the only hit stays; the term written as the material writes it stays
    assert _without_common_words([vector], text) == [vector]
    assert _without_common_words([vector, word2vec], "BM25 + Vector 混合检索") == [vector, word2vec]


def test_an_items_terms_come_in_its_own_order_so_the_named_term_does_not_follow_the_hash_seed(
    roadmap,
) -> None:
    from tutor.chain.concepts import _terms_of

    assert _terms_of("模型量化（int8, int4）") == ["模型量化", "int8", "int4"]
    assert _terms_of("Attention 机制") == ["Attention 机制", "Attention"]
    s = _concept("模型量化 and int4 — which skill?", roadmap, "en")  # both terms said: the item's name leads
    assert s is not None and "“模型量化” is taught in Skill 13" in s.text


def test_a_name_joined_by_small_words_is_one_term_not_its_plain_words(roadmap) -> None:
    """ "Tree of Thoughts" is one name: "the skill tree" does not say it."""
    from tutor.chain.concepts import _terms_of

    assert _terms_of("Tree of Thoughts") == ["Tree of Thoughts"]
    assert _terms_of("Bag of Words") == ["Bag of Words"]
    assert "RNN" in _terms_of("RNN for NLP")  # an acronym is a term of its own
    assert _concept("In the skill tree, which items are the basics?", roadmap, "en") is None
    s = _concept("What is Tree of Thoughts and which skill teaches it?", roadmap, "en")
    assert s is not None and "Skill 10" in s.text
