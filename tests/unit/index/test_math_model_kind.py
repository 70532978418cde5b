"""An essay's formula and its variables are asked for where the model is built (issue 13, ret15)."""

from __future__ import annotations

import pytest

from tutor.index.kinds import SectionKinds

HEADINGS = ["2.1 核心概念概述", "4.1 数学模型构建", "4.2 公式推导过程"]


@pytest.mark.parametrize(
    ("question", "added"),
    [
        ("What variables go into the skill-level formula in the programmer midlife article?", "数学模型"),
        # the symbols of a formula are not the essay's core concepts (the definition kind)
        ("In the midlife crisis article, what do the variables in the skill formula stand for?", "数学模型"),
        (
            "The opinion-leader essay writes becoming a leader as a function — what are its inputs?",
            "数学模型",
        ),
        ("意见领袖那篇用什么公式来表示成为行业意见领袖", "数学模型"),
        ("意见领袖那篇的数学模型里，T、I、C、L、E 这几个字母分别代表什么？", "数学模型"),
        # how a formula is derived is the derivation section's, named by its own heading words
        ("In the midlife crisis essay, how is the skill growth rate formula derived?", None),
        ("那篇文章里技能提升速率的公式是怎么推导出来的？", None),
        # a term's meaning is still a definition
        ("In the expert essay, what does influence mean?", "核心概念"),
        # not about a document: the roadmap has no such section
        ("What variables matter for a career?", None),
    ],
)
def test_a_formula_or_its_variables_ask_for_the_model_section(question: str, added: str | None) -> None:
    assert SectionKinds.from_headings(HEADINGS, chinese=True)(question) == added


def test_no_model_words_without_such_a_heading() -> None:
    kinds = SectionKinds.from_headings(["2.1 核心概念概述"], chinese=True)
    assert kinds("What variables go into the formula in the midlife article?") is None
