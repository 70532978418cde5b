"""A structured answer quotes and cites what was asked, not the sections around it (issue 12, precision).

Each case is a class of padding the eval's citation diagnosis found: the appendix's general table beside a
skill's own rows of the kind asked, the named skills' criteria beside a milestone's, the stage lines beside
the parts of a prerequisite the learner asked about, both time plans for a learner who states their hours, and a
prerequisites answer for "before I call it done" (the criteria of the thing itself).
"""

from __future__ import annotations

from pathlib import Path

from tutor.chain.structured import compose_structured, missing_items
from tutor.chain.understanding import understand
from tutor.curriculum.graph import Prerequisites

REPO = Path(__file__).resolve().parents[3]
ROADMAP = REPO / "corpus" / "ai-learning-roadmap.md"


def _answer(question: str, cur, cfg, language: str = "zh"):
    u = understand(question, cur, cfg)
    s = compose_structured(u, cur, ROADMAP, language, Prerequisites(cur, cfg), question)
    assert s is not None
    return s


def _cited(s) -> list[str]:
    return [src.headings[-1] for src in s.sources if f"[{src.n}]" in s.text]


def test_a_skills_own_rows_of_the_kind_asked_come_without_the_appendix_table(cur, cfg) -> None:
    s = _answer("学 PyTorch 有没有视频可以看？", cur, cfg)
    assert "莫烦 PyTorch 教程" in s.text
    assert "视频学习" not in _cited(s) and "李沐动手学深度学习" not in s.text
    # no skill named: the appendix table is the answer
    general = _answer("有哪些视频课可以推荐？", cur, cfg)
    assert "视频学习" in _cited(general)


def test_a_milestone_question_cites_the_milestone_not_the_named_skills_criteria(cur, cfg) -> None:
    s = _answer("At 6 months, should I already be able to fine-tune BERT?", cur, cfg, "en")
    milestone = next(m for m in cur.milestones if m.months == 6)
    assert not missing_items(s.text, milestone.checks)
    assert [src.lines for src in s.sources] == [list(milestone.citation.lines)]


def test_which_parts_of_a_named_prerequisite_asks_its_content_not_the_stage_lines(cur, cfg) -> None:
    s = _answer("Before getting into deep learning, which parts of Python do I need to know?", cur, cfg, "en")
    assert not missing_items(s.text, ["函数和类", "生成器", "NumPy（数组计算）"])
    assert _cited(s) == [
        "必修内容"
    ]  # Python's own content: not the stage lines (机器学习基础 was not asked about)


def test_the_hours_a_learner_states_pick_their_time_plan(cur, cfg) -> None:
    s = _answer("我每天只能学两小时左右，整条路线大概要多久？", cur, cfg)
    assert _cited(s) == ["业余学习（1.5-2 年）"] and "22 个月" in s.text and "11-13 个月" not in s.text
    full = _answer("If I study 8 hours a day, how long does the whole roadmap take?", cur, cfg, "en")
    assert _cited(full) == ["全职学习（8-13 个月）"]
    both = _answer(
        "整个路线一共要学多久？", cur, cfg
    )  # no pace stated: the title's total line, then both plans
    assert _cited(both)[1:] == ["全职学习（8-13 个月）", "业余学习（1.5-2 年）"]
    assert "总时长：8-13 个月（全职）或 1.5-2 年（业余）" in both.text


def test_before_i_call_it_done_asks_the_criteria_not_the_prerequisites(cur, cfg) -> None:
    for question in (
        "For stage 3, what should I be able to do before I call it done?",
        "For LangChain, what should I be able to do before moving on?",
        "What should I be able to do before I can say I've finished stage 4?",
    ):
        u = understand(question, cur, cfg)
        assert "checks" in u.aspects and "prerequisites" not in u.aspects, question
    # moving on *to* a stage names what comes before it
    u = understand("What has to be finished before I move on to the engineering stage?", cur, cfg)
    assert "prerequisites" in u.aspects


def test_who_teaches_is_asked_of_the_appendix_table_even_with_skills_named(cur, cfg) -> None:
    s = _answer("有哪些讲机器学习、深度学习的视频老师推荐？", cur, cfg)
    assert "视频学习" in _cited(s) and "3Blue1Brown" in s.text  # only that table names the teachers (讲师)


def test_how_long_each_stage_takes_is_each_stages_own_heading(cur, cfg) -> None:
    s = _answer("整个路线一共分几个阶段？每个阶段多长时间", cur, cfg)
    assert not missing_items(s.text, [st.heading for st in cur.stages])
    assert not {"全职学习（8-13 个月）", "业余学习（1.5-2 年）"} & set(_cited(s))  # no pace was named
    total = _answer("一共有几个阶段？总共要学多久？", cur, cfg)  # the total is only in the plans
    assert "全职学习（8-13 个月）" in _cited(total)


def test_a_named_prerequisite_keeps_the_stage_line_that_holds_it(cur, cfg) -> None:
    s = _answer("学深度学习之前数学要补哪些？", cur, cfg)
    assert "线性代数" in s.text and cur.stage(0).heading in _cited(s)  # the stage that puts 数学基础 first
    assert cur.stage(1).heading not in _cited(s) and "机器学习基础" not in s.text  # not asked about
    # whether a step can be skipped is answered by the whole order before the goal
    skip = _answer(
        "Can I jump straight into LangChain without doing the PyTorch stuff first?", cur, cfg, "en"
    )
    assert {cur.stage(2).heading, cur.stage(3).heading} <= set(_cited(skip))


def test_finished_before_moving_on_to_a_stage_is_what_comes_before_it(cur, cfg) -> None:
    s = _answer("What has to be finished before I move on to the engineering stage?", cur, cfg, "en")
    assert _cited(s) == [cur.stage(3).heading]  # not stage 4's own skills' 检验标准


def test_criteria_asked_before_a_goal_are_the_named_prerequisites(cur, cfg) -> None:
    s = _answer("开始学机器学习之前，Python 需要会到什么程度、哪些库要熟？", cur, cfg)
    assert not missing_items(s.text, cur.skill(1).checks)  # Python's own 检验标准
    assert not missing_items(s.text, ["NumPy", "Pandas"])
    assert all(c not in s.text for c in cur.skill(4).checks)  # not machine learning's


def test_a_skill_taught_in_named_parts_quotes_the_part_the_question_names(cur, cfg) -> None:
    git = _answer("Which Git commands does the roadmap expect me to know?", cur, cfg, "en")
    assert _cited(git) == ["Git 基础命令"] and "clone" in git.text and "grep" not in git.text
    assert "能用 Git 管理代码" not in git.text  # "expected to know" asks what to know, not the criteria
    linux = _answer("需要会哪些 Linux 命令", cur, cfg)
    assert _cited(linux) == ["Linux 基础命令"] and "awk" in linux.text
    both = _answer("Linux 和 Git 要会哪些命令？", cur, cfg)
    assert _cited(both) == ["Linux 基础命令", "Git 基础命令"]


def test_the_core_path_named_in_other_words_is_answered_by_the_core_path_alone(cur, cfg) -> None:
    for question, language in [
        ("What comes right before LangChain on the core learning path?", "en"),
        ("按核心学习路径，学 LangChain 之前要学什么？", "zh"),
    ]:
        s = _answer(question, cur, cfg, language)
        assert _cited(s) == ["核心路径"] and "大模型应用 → LangChain" in s.text
