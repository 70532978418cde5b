"""English (and Chinese) questions about an essay's structure get the whole unit: every step when the question
counts them or asks through the material's own word for them, the pros and the cons of a pair heading, and a
definition for "what does 'X' mean"."""

from __future__ import annotations

import pytest

from tests.unit.chain.test_concept_match import ARTICLES, _embedder
from tests.unit.chain.test_doc_parts import ESSAY, ROOT, _Embedder, _retrieved
from tutor.chain.compose_doc import StructureComposer, asks_every_step
from tutor.chain.concept_match import ASKS_WHAT_IT_MEANS
from tutor.chain.concepts import compose_concept
from tutor.chain.doc_parts import DocParts, named_sections
from tutor.chain.understanding import understand
from tutor.curriculum.learners import Roadmap


@pytest.mark.parametrize(
    ("question", "steps", "every"),
    [
        ("What are the five strategies the midlife crisis article proposes?", 5, True),
        ("中年危机那篇说的五个办法分别是什么？", 5, True),
        ("Which 3 approaches does it give?", 3, True),
        ("What are the five strategies?", 3, False),  # another count than the section's
        ("What are the six stages of the roadmap?", 6, False),  # the roadmap's own units
        ("三个月后能做到什么？", 3, False),
        ("What should I do in 3 months?", 3, False),
        # asking for the steps themselves asks for all of them, uncounted
        ("What concrete steps does the midlife-crisis article recommend for a career plateau?", 5, True),
        ("中年危机那篇文章建议了哪些步骤？", 5, True),
        ("What does step 2 say about resources?", 5, False),
    ],
)
def test_a_question_counting_the_steps_asks_for_all_of_them(question: str, steps: int, every: bool) -> None:
    assert asks_every_step(question, steps) is every


def _plan(question: str, first: int):
    composer = StructureComposer(lambda: ESSAY)
    sources = [_retrieved(ESSAY[first])]
    return composer.plan(question, sources, _Embedder())  # type: ignore[arg-type]


def test_the_counted_steps_are_the_outline_although_the_best_passage_is_one_step() -> None:
    plan = _plan("What are the three strategies the crisis essay gives?", first=3)  # 步骤3 ranked first
    assert plan.reason == "steps outline"
    assert [b.label for b in plan.blocks or []] == ["步骤1：技术栈升级", "步骤2：持续学习", "步骤3：时间管理"]
    # without the count, the best passage (one step) answers as before
    assert _plan("What does the crisis essay say about tools?", first=3).reason != "steps outline"


def test_an_english_how_to_is_read_through_the_glossary() -> None:
    # "strategies" says 策略 in the material's words: a how-to question, answered with every step
    assert _plan("Which strategies does the crisis essay propose?", first=0).reason == "steps outline"


def test_a_pair_heading_is_named_by_either_of_its_words() -> None:
    parts = DocParts(ESSAY)
    for question in ("这套方法有什么优点", "What are its pros? 优点"):
        assert named_sections(question, parts, "crisis") == [(ROOT, "3.3 算法优缺点")]


def test_what_does_x_mean_asks_for_a_definition(roadmap: Roadmap) -> None:
    assert ASKS_WHAT_IT_MEANS.search("In the midlife crisis article, what does 'tech stack upgrade' mean?")
    assert ASKS_WHAT_IT_MEANS.search("那篇文章里这个词是什么意思")
    question = "In the midlife-crisis essay, what does 'working efficiently to stop doing overtime' mean?"
    u = understand(question, roadmap.curriculum, roadmap.config)
    s = compose_concept(question, "en", u, roadmap, ARTICLES, _embedder)  # type: ignore[arg-type]
    assert s is not None and s.items[0].startswith("时间管理")
    assert s.text.startswith("How the material defines it")
