"""Classes from session 17's held-out set (found after its run was recorded): an aspect asked right after a
skill ("学完怎么自测"), a resource table asked beside a description, a skill-tree branch named by its note
(必修 / "mandatory"), and a skill's groups given as examples of the whole list."""

from __future__ import annotations

from tutor.chain.condense import is_follow_up
from tutor.chain.curriculum_answer import curriculum_answer
from tutor.chain.roadmap_units import named_groups
from tutor.chain.skill_tree import skill_tree_answer
from tutor.chain.structured_parts import Builder
from tutor.chain.understanding import understand
from tutor.index.lexicon import LexiconEntry, LexiconHit

from .conftest import ROADMAP


def test_an_aspect_after_learning_it_is_a_follow_up() -> None:
    assert is_follow_up("学完怎么自测")
    assert is_follow_up("学完之后怎么检验")
    assert not is_follow_up("学完 Python 怎么自测")  # names its own topic
    assert not is_follow_up("有哪些向量数据库可以选？")


def test_a_resource_table_asked_is_not_answered_by_a_described_concept(roadmap) -> None:
    entry = LexiconEntry("Prompt Template", (), "ai-learning-roadmap", "核心内容", ())
    question = "where do i learn to write good prompts for LLMs? list every resource you've got for that"
    u = understand(question, roadmap.curriculum, roadmap.config)
    found = curriculum_answer(
        question, "en", u, roadmap, None, describe=lambda q, d: LexiconHit(entry, 0.9, 0.05)
    )
    assert found is not None and not found.concept
    assert "Learn Prompting" in found.text and "OpenAI Prompt Engineering Guide" in found.text
    assert "LangChain" not in found.text


def test_a_branch_named_by_its_note_is_listed_even_when_asked_as_required(cur) -> None:
    found = skill_tree_answer(
        "Which basic skills are marked as mandatory in the skill tree?", cur, Builder(cur, ROADMAP, zh=False)
    )
    assert found is not None and all(s.endswith("基础技能（必修）") for s in found.sections)
    assert all(x in found.text for x in ("Python 编程", "数学基础", "Linux 操作", "Git 版本控制"))
    core = skill_tree_answer("技能树里标着核心的是哪几个？", cur, Builder(cur, ROADMAP, zh=True))
    assert core is not None and "Transformer 架构" in core.text and "Python 编程" not in core.text
    # "is Linux required" names no note: the prerequisites answer it, not the tree
    assert (
        skill_tree_answer("Is Linux required in the skill tree?", cur, Builder(cur, ROADMAP, zh=False))
        is None
    )


def test_groups_given_as_examples_ask_for_the_whole_content(roadmap) -> None:
    cur = roadmap.curriculum
    q = "RAG要学哪些内容？向量库、检索策略啥的都列出来"
    assert named_groups(q, "zh", understand(q, cur, roadmap.config), cur) == []
    one = "RAG 的检索策略有哪些？"
    titles = [
        cur.skill(r.skill).content[r.index].title
        for r in named_groups(one, "zh", understand(one, cur, roadmap.config), cur)
    ]
    assert titles == ["检索策略"]


def test_the_first_stage_is_stage_0_unless_a_title_names_another(roadmap) -> None:
    cur = roadmap.curriculum
    for q in ("第一个阶段打基础都包括啥？", "What do I study in the very first stage?"):
        assert understand(q, cur, roadmap.config).stages == [0], q
    assert understand("第一阶段 AI 理论基础学什么", cur, roadmap.config).stages == [1]
    assert understand("第二阶段有哪些技能点", cur, roadmap.config).stages == [
        2
    ]  # higher ordinals: the number
    assert understand("What is the last stage about?", cur, roadmap.config).stages == [5]


def test_english_words_for_the_essays_non_technical_side_and_a_stalled_career() -> None:
    from tutor.chain.glossary import english_terms

    assert {"非技术", "产品"} <= set(
        english_terms("How do I get better at the non-tech side, like product knowledge?")
    )
    assert {"关键点", "瓶颈"} <= set(
        english_terms("What are the main reasons programmers hit a career plateau?")
    )
    assert "关键点" not in english_terms("What are the reasons to learn PyTorch?")
