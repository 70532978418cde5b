"""Classes from session 19's held-out set (found after its run was recorded): milestones listed before one
unit, criteria asked as 'abilities', a skill tree asked with 'compulsory', hours said in words, a stage named by
its title's stem or as 'the last … stage', examples of a skill's groups ending in '...', 'which things first',
and a follow-up pointing back with 配套."""

from __future__ import annotations

from tutor.chain.condense import is_follow_up
from tutor.chain.daily_hours import study_hours
from tutor.chain.milestone_words import milestone_refs
from tutor.chain.router import route_message
from tutor.chain.understanding import understand


def test_milestones_listed_before_one_unit_are_each_read() -> None:
    found = {n for n, _ in milestone_refs("every checkpoint - 3, 6 and 12 months, all the items", {3, 6, 12})}
    assert found == {3, 6, 12}
    assert {n for n, _ in milestone_refs("3、6、12 个月的里程碑分别是什么", {3, 6, 12})} == {3, 6, 12}
    assert milestone_refs("I study 2 or 3 months of Python", {3, 6, 12}) == []  # no milestone word


def test_abilities_after_finishing_are_the_criteria(cur, cfg) -> None:
    question = "传统机器学习那部分学完之后应该具备哪些能力？"
    assert route_message(question).kind == "material"
    u = understand(question, cur, cfg)
    assert u.skills == [4] and u.aspects == ["checks"]


def test_the_compulsory_basics_of_the_skill_tree_are_no_next_step() -> None:
    route = route_message(
        "which skills does the skill tree mark as the compulsory basics I should have first?"
    )
    assert route.kind == "material"


def test_hours_said_in_words() -> None:
    assert study_hours("on the side, a couple hours a day") == 2.0
    assert study_hours("two hours a day") == 2.0
    assert study_hours("I have one question") is None  # no hours


def test_a_stage_named_by_its_titles_stem_or_as_the_last_stage(cur, cfg) -> None:
    assert understand("做工程落地的那一阶段包括哪些技能？", cur, cfg).stages == [4]
    assert understand("what's in the last, open-ended 'keep learning' stage?", cur, cfg).stages == [5]
    assert understand("工程化的东西难不难", cur, cfg).stages == []  # no 阶段 said: no stage


def test_examples_ending_in_an_ellipsis_ask_for_the_whole_content(roadmap) -> None:
    from tutor.chain.curriculum_answer import curriculum_answer

    question = (
        "what does the NLP section actually cover? preprocessing, text representations, sequence models..."
    )
    u = understand(question, roadmap.curriculum, roadmap.config)
    found = curriculum_answer(question, "en", u, roadmap, None)
    assert found is not None
    assert all(x in found.text for x in ("分词（Tokenization）", "Bag of Words", "Seq2Seq"))


def test_which_things_first_asks_the_prerequisites(cur, cfg) -> None:
    u = understand("想学Transformer，得先把哪些东西学了？按路线的主线说", cur, cfg)
    assert u.skills == [8] and "prerequisites" in u.aspects


def test_a_follow_up_asking_for_the_accompanying_projects_points_back() -> None:
    assert is_follow_up("有没有配套的练手项目？")
    assert not is_follow_up("有没有适合新手的练手项目？")


def test_a_section_whose_every_word_is_said_outranks_one_named_in_part() -> None:
    """ "核心学习路径": 核心路径 (路径 said, its only topic word) over 学习路线总览 (学习, 路线 of three); a word naming
    two sections ("problems": 问题由来, 问题核心关键点) picks neither."""
    from tutor.chain.sibling_choice import _fully_named

    core, overview = ("路线", "总结", "核心路径"), ("路线", "学习路线总览")
    assert _fully_named("路线图的核心学习路径是怎样的顺序？", [core, overview], [core, overview]) == core
    origin, key = ("文章", "1. 背景介绍", "1.1 问题由来"), ("文章", "1. 背景介绍", "1.2 问题核心关键点")
    challenge = ("文章", "8. 总结", "8.3 面临的挑战")
    assert _fully_named("这些问题还有哪些挑战", [origin, challenge], [origin, key, challenge]) is None
