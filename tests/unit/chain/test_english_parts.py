"""English questions about the Chinese material: two-part questions, topic-item words, worked formulas."""

from __future__ import annotations

import pytest

from tutor.chain.compose import ASKS_MATH, _kind_bonus
from tutor.chain.compose_blocks import Block
from tutor.chain.concepts import compose_concept
from tutor.chain.glossary import FRAMING, GLOSSARY, english_terms
from tutor.chain.glossary_topics import TOPIC_WORDS
from tutor.chain.roadmap_units import named_groups
from tutor.chain.text import detect_language
from tutor.chain.understanding import understand


def _titles(question: str, roadmap) -> list[str]:
    cur = roadmap.curriculum
    u = understand(question, cur, roadmap.config)
    refs = named_groups(question, detect_language(question), u, cur)
    return [cur.skill(r.skill).content[r.index].title or "" for r in refs]


# --- a question asking two things gets both groups --------------------------------------------------


def test_a_named_group_and_an_item_of_another_group_are_both_answered(roadmap) -> None:
    q = "Which activation functions and classic CNN architectures are mentioned in the deep learning part?"
    assert set(_titles(q, roadmap)) == {"卷积神经网络（CNN）", "神经网络基础"}


def test_three_named_maths_areas_are_all_answered(roadmap) -> None:
    q = "What math do I actually need — which bits of linear algebra, calculus and probability?"
    assert set(_titles(q, roadmap)) == {"线性代数", "微积分", "概率统计"}


def test_one_named_group_without_a_second_part_stays_alone(roadmap) -> None:
    assert _titles("Which classic CNN architectures does the deep learning skill list?", roadmap) == [
        "卷积神经网络（CNN）"
    ]


# --- the topic items' English words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("Which activation functions are listed?", "激活函数"),
        ("a big teacher model trains a smaller student model", "知识蒸馏"),
        ("mixing keyword scoring with vector search", "BM25"),
        ("attacks with adversarial inputs", "对抗样本"),
        ("the essay's worked example", "案例分析"),
        ("the essay has an example of an engineer who improved a product", "案例分析"),  # blind19
    ],
)
def test_topic_item_words_map_to_the_materials_words(question: str, word: str) -> None:
    assert word in english_terms(question)


def test_topic_words_never_override_the_general_glossary() -> None:
    assert set(TOPIC_WORDS) <= set(GLOSSARY)
    assert GLOSSARY["knowledge distillation"] == "知识蒸馏"


# --- a formula asked for is quoted -------------------------------------------------------------------


def test_a_formula_block_gains_only_when_a_formula_or_number_is_asked() -> None:
    math = Block(1, 0, "math", lines=["$$", "f = 0.8 t = 4.2", "$$"])
    assert ASKS_MATH.search("what number does it come out to?")
    assert ASKS_MATH.search("这个公式是什么？")
    assert _kind_bonus("what number does it come out to?", math, how_to=False) > 0
    assert _kind_bonus("What are the steps of the essay?", math, how_to=False) == 0.0


def test_other_kinds_keep_their_adjustments() -> None:
    code = Block(1, 0, "code", lines=["```", "x = 1", "```"])
    assert _kind_bonus("What does the essay say about learning?", code, how_to=False) < 0
    assert _kind_bonus("show me the code", code, how_to=False) == 0.0


# --- two aspects of one skill; the kind of essay section -------------------------------------------


def test_how_it_is_checked_asks_for_the_checks_beside_the_projects(roadmap) -> None:
    q = "What are the practice projects for the fine-tuning skill, and how is it checked?"
    u = understand(q, roadmap.curriculum, roadmap.config)
    assert {"project", "checks"} <= set(u.aspects)
    assert (
        "checks"
        not in understand(
            "What projects does the fine-tuning skill have?", roadmap.curriculum, roadmap.config
        ).aspects
    )


def test_what_is_key_asks_for_the_key_points_as_a_kind_of_section() -> None:
    assert "关键点" in english_terms("In the comeback essay, what three things does it say are key?")
    assert FRAMING["are key"] == "关键点" and "are key" not in GLOSSARY


# --- a roadmap item described in English words ------------------------------------------------------


def test_an_item_described_in_english_is_answered_with_its_group(roadmap) -> None:
    question = "Training with half-precision numbers to save GPU memory — which part of the roadmap has that?"
    u = understand(question, roadmap.curriculum, roadmap.config)
    s = compose_concept(question, "en", u, roadmap, None)
    assert s is not None and "混合精度训练" in s.text


def test_splitting_documents_is_the_rag_skills_item() -> None:
    assert "文档切分策略" in english_terms("how to split long documents into smaller pieces")


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        ("what are the steps of doing tech consulting for a client?", "技术咨询"),
        ("how do I get going with open-source contributions?", "开源社区贡献"),
        ("if I wanted to start my own tech company, what process does it walk through?", "技术创业"),
    ],
)
def test_an_essays_application_scenario_is_named_by_its_heading(question: str, heading: str) -> None:
    assert heading in english_terms(question)


def test_two_stages_named_by_their_english_names_are_both_understood(roadmap) -> None:
    q = "Before I begin the large-model application stage, which skills should the deep learning practice stage have given me?"
    u = understand(q, roadmap.curriculum, roadmap.config)
    assert set(u.stages) == {2, 3}
    assert understand(
        "What does the engineering stage cover?", roadmap.curriculum, roadmap.config
    ).stages == [4]
