"""Round 23: a question that points at ONE unit gets that unit, not a hedge over its neighbours: a span in days,
weeks, quarters or a semester lands on one milestone, a bracket describing a counted stage picks it, a skill only
guessed from a near-spelling gives way to one named outright, and "before the actual AI stuff" is 阶段 0."""

from __future__ import annotations

from tutor.chain.milestone_words import milestone_refs
from tutor.chain.understanding import understand

MILESTONES = {3, 6, 12}


def test_a_span_in_days_weeks_or_quarters_lands_on_one_milestone(cur, cfg) -> None:
    assert understand("roughly 90 days in, what milestones should I have hit?", cur, cfg).milestones == [3]
    assert understand("学了九十天应该达到什么水平", cur, cfg).milestones == [3]
    assert understand("一个季度后应该掌握什么", cur, cfg).milestones == [3]
    assert understand("学了两个季度之后应该会什么", cur, cfg).milestones == [6]
    assert understand("after a semester what should I be able to do", cur, cfg).milestones == [6]
    assert [n for n, _ in milestone_refs("12 weeks in, where should I be?", MILESTONES)] == [3]
    assert [n for n, _ in milestone_refs("after 52 weeks what should I know", MILESTONES)] == [12]


def test_a_span_far_from_any_milestone_or_said_without_one_names_none() -> None:
    assert milestone_refs("six weeks in what should I know", MILESTONES) == []
    assert milestone_refs("I study 2 hours a day for 90 days, is that enough?", MILESTONES) == []
    assert milestone_refs("一天学几个小时合适", MILESTONES) == []


def test_a_bracket_describing_a_counted_stage_picks_it(cur, cfg) -> None:
    u = understand("第二个阶段（讲AI理论的那个）包括哪几个技能点？", cur, cfg)
    assert u.stages == [1]
    assert understand("The second stage (the ML theory one) - which skills?", cur, cfg).stages == [1]
    assert understand("第二阶段（pytorch和transformer那段）所有要达到的标准", cur, cfg).stages == [2]


def test_a_skill_guessed_from_a_near_spelling_gives_way_to_one_named(cur, cfg) -> None:
    u = understand("What practice projects go with the LLM fine-tuning skill?", cur, cfg)
    assert u.skills == [14] and "project" in u.aspects
    assert understand("vllm和微调哪个先学", cur, cfg).skills == [13, 14]  # both named outright: both kept


def test_before_the_actual_ai_is_the_first_stage(cur, cfg) -> None:
    q = "What skills do I need to get in place at the very start, before any of the actual AI stuff?"
    u = understand(q, cur, cfg)
    assert u.stages == [0] and not u.skills
    assert understand("Do I need Python before the actual AI part?", cur, cfg).skills == [1]


def test_the_beginning_stage_is_the_first_one(cur, cfg) -> None:
    assert understand("What's in the beginning stage?", cur, cfg).stages == [0]
    assert understand("what skills are in the starting phase", cur, cfg).stages == [0]
    assert understand("起步阶段要学什么", cur, cfg).stages == [0]
    assert understand("第一阶段 AI 理论基础要多久", cur, cfg).stages == [1]  # a title said beside it decides


def test_a_skill_reported_done_in_its_own_clause_gives_way_to_the_one_asked(cur, cfg) -> None:
    u = understand("学完了 Prompt Engineering（few-shot、思维链那些），RAG 有哪些学习资源？", cur, cfg)
    assert u.skills == [11] and u.aspects == ["resources"]
    assert understand(
        "I've finished PyTorch, what resources for the Transformer skill?", cur, cfg
    ).skills == [8]
    assert understand("Done with Python. What are the projects for math?", cur, cfg).skills == [2]
    nxt = understand(
        "I finished Python, is math or Linux next?", cur, cfg
    )  # a next step keeps where they are
    assert 1 in nxt.skills


def test_for_is_a_purpose_only_inside_one_clause(cur, cfg) -> None:
    assert understand("videos to brush up on linear algebra and calculus for ML", cur, cfg).skills == [2]


def test_starting_a_numbered_stage_is_no_beginning_stage(cur, cfg) -> None:
    assert understand(
        "What do I need to know before starting stage 3 (LLM applications)?", cur, cfg
    ).stages == [3]
    assert understand("开始阶段3之前要会什么", cur, cfg).stages == [3]


def test_spans_said_loosely_still_land_and_the_real_content_comes_after(cur, cfg) -> None:
    assert understand("About 100 days into it, what should I tick off?", cur, cfg).milestones == [3]
    assert understand("After roughly 26 weeks of study, what applies?", cur, cfg).milestones == [6]
    assert understand("起步阶段一共有哪几个技能点？", cur, cfg).stages == [0]
    u = understand("What do I work on first, before any of the real machine learning content?", cur, cfg)
    assert u.stages == [0] and not u.skills
    kept = understand("Is there anything I should do before starting machine learning?", cur, cfg)
    assert kept.skills == [4]  # no "real/actual": machine learning is the skill asked about


def test_a_bracket_after_a_counted_stage_is_read_not_blanked(cur, cfg) -> None:
    assert understand("the second stage (ML theory) - which skills?", cur, cfg).stages == [1]
    assert understand("第二个阶段（AI理论基础）有哪些技能点", cur, cfg).stages == [1]
    assert understand("第三个阶段（PyTorch 和 Transformer）要学多久", cur, cfg).stages == [2]
    assert understand("the 2nd stage, about AI theory, what skills", cur, cfg).stages == [1]
    assert understand("第二阶段（PyTorch、Transformer）学多久", cur, cfg).stages == [2]  # agrees: stands


def test_a_little_past_a_month_count_is_its_milestone(cur, cfg) -> None:
    assert understand("三个多月的时候应该会什么", cur, cfg).milestones == [3]


def test_this_semester_or_the_long_term_is_no_span() -> None:
    assert milestone_refs("这学期我想学AI，应该先学什么", MILESTONES) == []
    assert milestone_refs("What's the long-term plan, what should I learn in it?", MILESTONES) == []
    assert [n for n, _ in milestone_refs("一学期后应该能做什么", MILESTONES)] == [6]
