"""Questions about the roadmap's 技能树 are answered from the parsed tree: the branch named, whole, cited."""

from __future__ import annotations

import pytest

from tutor.chain.skill_tree import skill_tree_answer
from tutor.chain.structured_parts import Builder

from .conftest import ROADMAP


@pytest.mark.parametrize(
    ("question", "branch", "leaves"),
    [
        (
            "技能树里“大模型技术”那一类包括哪些",
            "大模型技术",
            ["Prompt Engineering", "RAG 检索增强", "模型微调", "Agent 开发"],
        ),
        ("技能树里模型部署属于哪一类？", "工程能力", ["模型部署", "性能优化", "系统设计", "MLOps"]),
        (
            "In the skill tree, which branch holds LangChain?",
            "开发框架",
            ["PyTorch", "LangChain", "LlamaIndex"],
        ),
    ],
)
def test_a_named_branch_is_listed_whole_and_alone(cur, question: str, branch: str, leaves: list[str]) -> None:
    found = skill_tree_answer(question, cur, Builder(cur, ROADMAP, zh="技能树" in question))
    assert found is not None
    assert all(leaf in found.text for leaf in leaves)
    assert [s for s in found.sections if branch in s] == found.sections  # that branch only
    assert [s.headings[-1] for s in found.sources] == ["技能树"]


def test_the_main_branches_are_every_branch(cur) -> None:
    found = skill_tree_answer(
        "What does the skill tree look like — what are its main branches?",
        cur,
        Builder(cur, ROADMAP, zh=False),
    )
    assert found is not None and len(found.sections) == len(cur.skill_tree) == 5


@pytest.mark.parametrize(
    "question", ["Git 是必须学的吗，还是可以跳过？", "技能树里 Git 是必修的吗？", "RAG 有哪些资源？"]
)
def test_other_questions_are_left_to_the_other_answers(cur, question: str) -> None:
    """Whether a skill is required is the prerequisites' answer; a question not about the tree is not this one."""
    assert skill_tree_answer(question, cur, Builder(cur, ROADMAP, zh=True)) is None


def test_must_have_names_the_required_branch(cur) -> None:
    """ "must-have" says 必修 as "mandatory" does: the branch whose note is 必修, not a refusal."""
    found = skill_tree_answer(
        "In the skill tree, which items count as the must-have basics?", cur, Builder(cur, ROADMAP, zh=False)
    )
    assert found is not None
    assert [s for s in found.sections if "必修" in s] == found.sections
    assert all(x in found.text for x in ("Python 编程", "数学基础", "Linux 操作", "Git 版本控制"))
