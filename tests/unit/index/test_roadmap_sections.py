"""The roadmap section a question resolves to: the named skill's (or stage's) asked-about part."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.chain.understanding import understand
from tutor.curriculum.graph import load_curriculum_config
from tutor.curriculum.parser import load_curriculum
from tutor.index.roadmap_sections import (
    RoadmapSections,
    Target,
    heading_paths,
    rows_under,
    section_aspect,
)

REPO = Path(__file__).resolve().parents[3]
ROADMAP = REPO / "corpus" / "ai-learning-roadmap.md"


@pytest.fixture(scope="module")
def sections() -> RoadmapSections:
    curriculum = load_curriculum(ROADMAP, 10_000_000)
    config = load_curriculum_config(REPO / "configs" / "curriculum.yaml")
    return RoadmapSections(lambda q: understand(q, curriculum, config), lambda: curriculum)


def test_section_aspect_follows_the_parsers_rule() -> None:
    assert section_aspect("学习资源") == "resources"
    assert section_aspect("实践平台") == "resources"
    assert section_aspect("实践项目") == "project"
    assert section_aspect("检验标准") == "checks"
    assert section_aspect("核心内容") == "content"


def test_an_english_question_gets_the_named_skills_asked_about_part(sections: RoadmapSections) -> None:
    assert sections.aspect_targets("How do I know my Python skills are good enough?") == [
        Target("技能点 1：Python 编程 ⭐⭐⭐⭐⭐", ("检验标准",))
    ]
    assert sections.aspect_targets("What practice projects are suggested for RAG?") == [
        Target("技能点 11：RAG 检索增强 ⭐⭐⭐⭐⭐", ("实践项目",))
    ]
    # no skill, a milestone, or a next-step question: not the skill's own section
    assert sections.aspect_targets("What books do you recommend?") == []
    assert sections.aspect_targets("After 3 months, should I already have PyTorch projects done?") == []
    assert sections.aspect_targets("学完 PyTorch 接下来学什么？") == []


def test_rows_under_a_target_in_document_order() -> None:
    meta = [
        {"headings": json.dumps(["阶段 0", "技能点 1：Python 编程 ⭐⭐⭐⭐⭐", "必修内容"])},
        {"headings": json.dumps(["阶段 0", "技能点 1：Python 编程 ⭐⭐⭐⭐⭐", "学习资源"])},
        {"headings": json.dumps(["阶段 0", "技能点 2：数学基础 ⭐⭐⭐⭐", "学习资源"])},
        {},
    ]
    paths = heading_paths(meta)
    assert rows_under(paths, [Target("技能点 1：Python 编程", ("学习资源",))]) == [1]
    assert rows_under(paths, [Target("技能点 1：Python 编程 ⭐⭐⭐⭐⭐")]) == [0, 1]
    assert rows_under(paths, [Target("技能点 2：数学基础"), Target("技能点 1：Python 编程")], limit=1) == [
        2,
        0,
    ]
    assert rows_under(paths, [Target("技能点 9")]) == []


def test_a_failing_understanding_adds_nothing() -> None:
    def broken(question: str) -> object:
        raise FileNotFoundError("no roadmap")

    s = RoadmapSections(broken, lambda: None)  # type: ignore[arg-type,return-value]
    assert s.aspect_targets("Python 学习资源") == []


def test_stage_questions_get_the_stage_or_the_skills_section_when_asked() -> None:
    curriculum = load_curriculum(ROADMAP, 10_000_000)
    config = load_curriculum_config(REPO / "configs" / "curriculum.yaml")
    staged = RoadmapSections(lambda q: understand(q, curriculum, config), lambda: curriculum, stages=True)
    # an ordinal is a position: the second stage is 阶段 1
    assert staged.aspect_targets("What am I supposed to learn in the second stage?") == [
        Target("阶段 1：AI 理论基础（2-3 个月）")
    ]
    assert staged.aspect_targets("检索增强那一块是放在第几阶段学的？") == [
        Target("技能点 11：RAG 检索增强 ⭐⭐⭐⭐⭐")
    ]
    # a stage's time: the overview that gives every stage its months, not the stage's own passages; a
    # schedule named (全职, part-time) is the time plan's section, found by its words
    assert staged.aspect_targets("阶段 1 要学多久？") == [Target("学习路线总览")]
    assert staged.aspect_targets("How long is stage 3 supposed to take?") == [Target("学习路线总览")]
    assert staged.aspect_targets("阶段 4 工程化全职要几个月") == []
    assert staged.aspect_targets("Studying part-time, how long is stage 2?") == []
    plain = RoadmapSections(lambda q: understand(q, curriculum, config), lambda: curriculum)
    assert plain.aspect_targets("What am I supposed to learn in the second stage?") == []
