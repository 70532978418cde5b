"""English learners' words for the Chinese roadmap's structure: phrases turned round, resource kinds, framing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.chain.glossary import english_terms
from tutor.chain.glossary_order import reordered_keys
from tutor.chain.understanding import understand
from tutor.curriculum.learners import Roadmap

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def roadmap() -> Roadmap:
    return Roadmap(
        REPO / "corpus" / "ai-learning-roadmap.md", REPO / "configs" / "curriculum.yaml", 2_000_000
    )


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("the stuff about contributing to open source", "open-source contribution"),
        ("what does it say about managing your time?", "time management"),
        ("any tools for deployment?", "deployment tools"),
    ],
)
def test_a_key_said_turned_round_and_inflected_matches(question: str, key: str) -> None:
    assert key in [k for k, _, _ in reordered_keys(question, [key])]


def test_a_key_split_by_another_content_word_or_one_word_long_does_not_match() -> None:
    assert reordered_keys("open-source projects to contribute to", ["open-source contribution"]) == []
    assert reordered_keys("deployment", ["deployment"]) == []  # one word: the exact match's job


def test_the_span_of_a_turned_key_is_where_the_question_says_it() -> None:
    question = "the stuff about contributing to open source"
    [(_, start, end)] = reordered_keys(question, ["open-source contribution"])
    assert question[start:end] == "contributing to open source"


def test_english_terms_adds_the_turned_phrases_section_word_but_not_one_inside_an_exact_match() -> None:
    assert "开源社区贡献" in english_terms("the part about contributing to open source in the essay")
    assert english_terms("How do I get going with open-source contributions?") == ["开源社区贡献"]


@pytest.mark.parametrize(
    ("word", "kind"),
    [("docs", "文档"), ("documentation", "文档"), ("tutorials", "教程"), ("paper walkthrough", "论文解读")],
)
def test_the_resource_tables_kinds_have_english_words(word: str, kind: str) -> None:
    assert kind in english_terms(f"any {word} for it?")


def test_docs_ask_for_resources_and_serving_names_deployment(roadmap: Roadmap) -> None:
    u = understand(
        "For the bit about serving models in production, which Chinese-language docs does it point me to?",
        roadmap.curriculum,
        roadmap.config,
    )
    assert u.skills == [13] and u.aspects == ["resources"]


def test_what_is_covered_asks_for_content_not_an_explanation(roadmap: Roadmap) -> None:
    u = understand("what is covered under the multimodal stuff?", roadmap.curriculum, roadmap.config)
    assert u.skills == [16] and u.aspects == ["content"]
    assert understand("What is LoRA?", roadmap.curriculum, roadmap.config).aspects == []


@pytest.mark.parametrize(
    ("question", "skills", "stages"),
    [
        ("What has to be true before I can say the foundations stage is done?", [], [0]),
        ("Before I leave the system design part behind, what should I be able to handle?", [15], []),
    ],
)
def test_done_with_or_leaving_a_unit_behind_asks_its_criteria_not_what_precedes_it(
    roadmap: Roadmap, question: str, skills: list[int], stages: list[int]
) -> None:
    u = understand(question, roadmap.curriculum, roadmap.config)
    assert (u.skills, u.stages, u.aspects) == (skills, stages, ["checks"])
