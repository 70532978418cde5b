from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutor.curriculum.graph import CurriculumConfig, Prerequisites, load_curriculum_config
from tutor.curriculum.parser import load_curriculum, parse_roadmap
from tutor.errors import ConfigError, CurriculumError

REPO = Path(__file__).resolve().parents[3]
ROADMAP = REPO / "corpus" / "ai-learning-roadmap.md"


@pytest.fixture(scope="module")
def curriculum():
    return load_curriculum(ROADMAP)


def _skill_resource_rows(text: str) -> dict[int, list[list[str]]]:
    """An independent count: table rows under each '#### 学习资源' by plain line scanning."""
    rows: dict[int, list[list[str]]] = {}
    skill, in_res = None, False
    for line in text.splitlines():
        if m := re.match(r"^### 技能点 (\d+)", line):
            skill, in_res = int(m.group(1)), False
        elif line.startswith("#"):
            in_res = line.startswith("#### 学习资源")
        elif (
            in_res and line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line) and "| 资源 |" not in line
        ):
            rows.setdefault(skill, []).append([c.strip() for c in line.strip("|").split("|")])
    return rows


def test_six_stages_eighteen_skills(curriculum) -> None:
    assert [s.number for s in curriculum.stages] == [0, 1, 2, 3, 4, 5]
    assert [s.duration for s in curriculum.stages] == [
        "1-2 个月",
        "2-3 个月",
        "2-3 个月",
        "2-3 个月",
        "1-2 个月",
        "持续学习",
    ]
    assert [s.number for s in curriculum.skills] == list(range(1, 19))
    assert (
        curriculum.skill(11).heading == "技能点 11：RAG 检索增强 ⭐⭐⭐⭐⭐"
        and curriculum.skill(11).stars == 5
    )
    assert curriculum.skill(17).stars == 3 and curriculum.skill(17).stage == 5
    assert curriculum.stage(3).skills == [9, 10, 11, 12]


def test_every_resource_row_and_link(curriculum) -> None:
    expected = _skill_resource_rows(ROADMAP.read_text(encoding="utf-8"))
    assert sum(len(v) for v in expected.values()) == sum(len(s.resources) for s in curriculum.skills) == 84
    for number, rows in expected.items():
        parsed = curriculum.skill(number).resources
        assert [r.name for r in parsed] == [row[0] for row in rows]
        for res, row in zip(parsed, rows, strict=False):
            assert res.link == (None if row[4] == "-" else row[4])
            assert res.stars == row[3].count("⭐") and res.lang == row[2] and res.type == row[1]


def test_content_projects_checks_and_citations(curriculum) -> None:
    python = curriculum.skill(1)
    assert [g.title for g in python.content][:3] == ["基础语法", "进阶特性", "常用库"]
    assert "装饰器" in python.content[1].items
    assert python.checks == ["能独立写 500 行以上的项目", "理解面向对象编程", "熟练使用 NumPy 和 Pandas"]
    assert curriculum.skill(4).projects[0] == "房价预测（线性回归）"
    lines = ROADMAP.read_text(encoding="utf-8").split("\n")
    start, end = python.citation.lines
    assert (
        lines[start - 1] == "### 技能点 1：Python 编程 ⭐⭐⭐⭐⭐"
        and lines[end - 1] == "- ✅ 熟练使用 NumPy 和 Pandas"
    )
    res_start, _ = python.section_citations["学习资源"].lines
    assert lines[res_start - 1] == "#### 学习资源"


def test_time_plans_milestones_core_path_and_recommended(curriculum) -> None:
    full, part = curriculum.time_plans
    assert full.stage_months == {0: 1, 1: 2, 2: 2, 3: 2, 4: 1} and "8 小时" in full.hours_per_day
    assert part.stage_months == {0: 2, 1: 4, 2: 4, 3: 4, 4: 2} and "2-3 小时" in part.hours_per_day
    assert [(m.months, len(m.checks)) for m in curriculum.milestones] == [(3, 4), (6, 4), (12, 5)]
    assert (
        curriculum.core_path[0] == "数学基础"
        and curriculum.core_path[-1] == "部署"
        and len(curriculum.core_path) == 10
    )
    books = [r for r in curriculum.recommended if r.table == "书籍推荐"]
    assert len(books) == 6 and books[2].stages == [1, 2] and books[0].stages == [0]
    assert any(
        r.name == "Google Colab" and r.link == "https://colab.research.google.com/"
        for r in curriculum.recommended
    )
    assert [a.heading for a in curriculum.advice][0] == "1. 理论与实践结合"


def test_extended_roadmap_in_the_same_shape_parses() -> None:
    text = ROADMAP.read_text(encoding="utf-8").replace(
        "## 学习时间规划",
        "### 技能点 19：AI Agent 工程 ⭐⭐⭐⭐\n\n#### 核心内容\n- 工具调用\n\n#### 学习资源\n\n"
        "| 资源 | 类型 | 语言 | 质量 | 链接 |\n|---|---|---|---|---|\n| Agent 指南 | 文档 | 英文 | ⭐⭐⭐ | https://example.org/agents |\n\n"
        "#### 检验标准\n- ✅ 能做一个 Agent\n\n## 学习时间规划",
        1,
    )
    c = parse_roadmap(text, doc="ext")
    assert c.skill(19).stage == 5 and c.skill(19).resources[0].link == "https://example.org/agents"
    assert c.skill(19).checks == ["能做一个 Agent"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# 随笔\n\n## 1. 背景介绍\n正文\n", "no stage headings"),
        ("## 阶段 0：基础（1 个月）\n\n只有文字，没有技能点。\n", "no skill headings"),
        (
            "## 阶段 0：基础（1 个月）\n### 技能点 1：A ⭐\n## 阶段 1：进阶（1 个月）\n### 技能点 1：B ⭐\n",
            "skill numbers repeat",
        ),
    ],
)
def test_not_a_roadmap_says_what_is_missing(text: str, message: str) -> None:
    with pytest.raises(CurriculumError, match=message):
        parse_roadmap(text, doc="bad")


def test_prerequisites_from_stages_core_path_and_config(curriculum) -> None:
    config = load_curriculum_config(REPO / "configs" / "curriculum.yaml")
    graph = Prerequisites(curriculum, config)
    assert graph.needs[1] == set()
    assert 4 in graph.needs[5] and "core path" in graph.reasons[(5, 4)]
    assert {7, 8} <= graph.needs[9]  # stage order
    assert 12 in graph.needs[11]  # core path LangChain → RAG
    assert 6 in graph.needs[11] and "embeddings" in graph.reasons[(11, 6)]  # configured edge, explained
    assert graph.ancestors(8) >= {1, 2, 3, 4, 5, 6}


def test_cyclic_or_unknown_extra_edges_are_config_errors(curriculum) -> None:
    cyclic = CurriculumConfig(
        extra_prerequisites=[{"skill": "Python 编程", "needs": ["AI 安全"], "why": "x"}]
    )
    with pytest.raises(ConfigError, match="cycle"):
        Prerequisites(curriculum, cyclic)
    with pytest.raises(ConfigError, match="unknown skill"):
        Prerequisites(curriculum, CurriculumConfig(extra_prerequisites=[{"skill": "量子计算", "needs": []}]))
