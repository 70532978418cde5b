"""The described concept's names in the query plan: to BM25 always, to an English question's dense text."""

from __future__ import annotations

from tutor.index.query import Glossary, QueryRewriter


def _rewriter(to_dense: bool) -> tuple[QueryRewriter, list[str]]:
    glossary = Glossary()
    glossary.add("step", "步骤")
    fallback_calls: list[str] = []

    def fallback(question: str) -> str | None:
        fallback_calls.append(question)
        return "不该出现"

    def described(question: str) -> str | None:
        return "Chain-of-Thought 思维链" if "reason" in question or "推理" in question else None

    rewriter = QueryRewriter(
        bilingual=True,
        glossary=glossary,
        fallback_extra=[fallback],
        described_extra=[described],
        described_to_dense=to_dense,
    )
    return rewriter, fallback_calls


def test_a_glossary_word_no_longer_drops_the_described_concept() -> None:
    """ "reason step by step" translated "step" -> 步骤, which used to stop the concept (a fallback) altogether."""
    rewriter, fallback_calls = _rewriter(to_dense=True)
    plan = rewriter.plan("Where do I learn getting the model to reason step by step?")
    assert "步骤" in plan.keyword_text and "Chain-of-Thought 思维链" in plan.keyword_text
    assert plan.dense_text.endswith("Chain-of-Thought 思维链")  # English: the vector lists follow it too
    assert fallback_calls == []


def test_a_chinese_question_keeps_its_own_vector() -> None:
    rewriter, _ = _rewriter(to_dense=True)
    plan = rewriter.plan("让模型一步一步写出推理过程的技巧在哪学")
    assert plan.keyword_text.endswith("Chain-of-Thought 思维链")
    assert plan.dense_text == plan.question


def test_without_dense_the_english_vector_is_the_question_and_nothing_described_adds_nothing() -> None:
    rewriter, fallback_calls = _rewriter(to_dense=False)
    plan = rewriter.plan("getting the model to reason it through")
    assert plan.dense_text == plan.question and "思维链" in plan.keyword_text
    plain = rewriter.plan("what is a good first project")
    assert "思维链" not in plain.keyword_text and fallback_calls == ["what is a good first project"]


def test_a_question_about_a_named_essay_gets_no_described_rewrite() -> None:
    """Its own words pick the essay's section; the lexicon concept stays the fallback there."""
    from types import SimpleNamespace

    from tutor.index.lexicon import LexiconEntry, LexiconHit
    from tutor.index.routing import within_document
    from tutor.index.sections import ConceptGlossary

    entry = LexiconEntry("过拟合", ("Overfitting",), "ai-learning-roadmap", "核心概念", ("背下训练数据",))
    stub = SimpleNamespace(described=lambda q: LexiconHit(entry, 0.9, 0.05))
    asked = "when a model memorises its training data, where is that taught?"
    assert ConceptGlossary.described_names(stub, asked) == "过拟合 Overfitting"  # type: ignore[arg-type]
    with within_document():
        assert ConceptGlossary.described_names(stub, asked) is None  # type: ignore[arg-type]


def test_a_question_naming_the_material_s_structure_gets_no_concept() -> None:
    """ "What is the core learning path of the roadmap?" names a section (核心路径): a concept near its words is
    not what it asks."""
    rewriter = QueryRewriter(
        extra=[lambda q: "核心路径" if "core learning path" in q else None],
        described_extra=[lambda q: "职业规划 Career Planning"],
        described_to_dense=True,
    )
    plan = rewriter.plan("What is the core learning path of the roadmap?")
    assert "职业规划" not in plan.keyword_text and "职业规划" not in plan.dense_text
    assert "职业规划" in rewriter.plan("how do I plan a career").keyword_text
